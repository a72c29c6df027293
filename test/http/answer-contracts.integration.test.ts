/**
 * What the routes answer is exactly what connector/contracts says (and so what the OpenAPI document
 * and the Zendesk app's types say): parsing an answer drops any field the contract does not
 * describe and fails on a missing or mistyped one, so a drift either way fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { staticLookups } from '../../connector/app-api/zendesk-app-lookups.ts';
import {
  AccessAuditPage,
  ApiKeyList,
  AppReconciliationRuns,
  AuditVerifyReport,
  CreatedApiKey,
  CurrentMapping,
  InboxPage,
  KeyRecordsPage,
  LogVerifyReport,
  MappingVersion,
  MappingVersions,
  QuarantinePage,
  Readiness,
  TenantList,
  TenantView,
  WarningSettings,
} from '../../connector/contracts/index.ts';
import { DEFAULT_ZENDESK_MAPPING_DOCUMENT } from '../../connector/zendesk/mapping-document.ts';
import { appToken, createTenant, startAppService, type AppService } from '../support/app-harness.ts';
import { stopIntakeService } from '../support/intake-harness.ts';

const SECRET = 'contracts-app-shared-secret-0123456789abcdef';
let s: AppService;
const keys: Record<'admin' | 'auditor', string> = { admin: '', auditor: '' };

async function answer(path: string, token: string, init: { method?: string; body?: unknown } = {}): Promise<unknown> {
  const res = await fetch(`${s.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  expect(res.status, `${path}: ${res.status}`).toBeLessThan(300);
  return res.json();
}

function expectContract(schema: z.ZodType, body: unknown): void {
  expect(schema.parse(body)).toEqual(body);
}

beforeAll(async () => {
  s = await startAppService('answer_contracts', staticLookups({ roles: { acme: { '7001': 'admin' } } }));
  await createTenant(s, { id: 'acme', name: 'Acme', zendesk: { subdomain: 'acme', app_shared_secret: SECRET } });
  for (const role of ['admin', 'auditor'] as const) {
    const created = await answer('/api/v1/tenants/acme/keys', s.adminToken, {
      method: 'POST',
      body: { role, name: `contracts ${role}` },
    });
    expectContract(CreatedApiKey, created);
    keys[role] = (created as CreatedApiKey).key;
  }
});
afterAll(async () => {
  if (s) await stopIntakeService(s.env, s.handle);
});

describe('the API answers as its contracts say', () => {
  it('readiness, tenants and keys', async () => {
    const ready = await fetch(`${s.url}/readyz`);
    expectContract(Readiness, await ready.json());
    expectContract(TenantList, await answer('/api/v1/tenants', s.adminToken));
    expectContract(TenantView, await answer('/api/v1/tenants/acme', s.adminToken));
    expectContract(ApiKeyList, await answer('/api/v1/tenants/acme/keys', s.adminToken));
  });

  it('mappings, quarantine, inbox and warning thresholds', async () => {
    expectContract(CurrentMapping, await answer('/api/v1/tenants/acme/mappings/zendesk', keys.admin));
    expectContract(
      MappingVersion,
      await answer('/api/v1/tenants/acme/mappings/zendesk', keys.admin, {
        method: 'PUT',
        body: DEFAULT_ZENDESK_MAPPING_DOCUMENT,
      }),
    );
    expectContract(CurrentMapping, await answer('/api/v1/tenants/acme/mappings/zendesk', keys.admin));
    const versions = await answer('/api/v1/tenants/acme/mappings/zendesk/versions', keys.admin);
    expectContract(MappingVersions, versions);
    expect((versions as MappingVersions).versions).toHaveLength(1);
    expectContract(QuarantinePage, await answer('/api/v1/tenants/acme/quarantine', keys.admin));
    expectContract(InboxPage, await answer('/api/v1/tenants/acme/inbox?state=ignored', keys.admin));
    expectContract(WarningSettings, await answer('/api/v1/tenants/acme/app-settings/warnings', keys.admin));
  });

  it('the read audit and the verification reports', async () => {
    const audit = await answer('/api/v1/tenants/acme/audit', keys.auditor);
    expectContract(AccessAuditPage, audit);
    expect((audit as AccessAuditPage).entries.length).toBeGreaterThan(0);
    expectContract(AccessAuditPage, await answer('/api/v1/tenants/acme/audit/keys', keys.admin));
    expectContract(AuditVerifyReport, await answer('/api/v1/tenants/acme/audit/verify', keys.auditor));
    expectContract(LogVerifyReport, await answer('/api/v1/tenants/acme/verify', keys.auditor));
  });
});

describe("the Zendesk app's admin page answers as its contracts say", () => {
  it('mapping, quarantine, reconciliation runs, thresholds and key records', async () => {
    const token = await appToken(SECRET, { tenant: 'acme', user_id: '7001' });
    expectContract(CurrentMapping, await answer('/app/v1/acme/admin/mapping', token));
    expectContract(QuarantinePage, await answer('/app/v1/acme/admin/quarantine', token));
    expectContract(AppReconciliationRuns, await answer('/app/v1/acme/admin/reconciliation', token));
    expectContract(WarningSettings, await answer('/app/v1/acme/admin/warning-settings', token));
    const records = await answer('/app/v1/acme/admin/key-records', token);
    expectContract(KeyRecordsPage, records);
    expect((records as KeyRecordsPage).entries.map((e) => e.detail.role).sort()).toEqual(['admin', 'auditor']);
  });
});
