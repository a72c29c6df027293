/**
 * Reads through the real service are recorded in the read audit (real PostgreSQL and Redis): the
 * history API and the Zendesk app's sidebar, with the subjects they returned, who and how; the audit
 * routes list, filter and verify it; a read whose record cannot be written is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordTicketsSeen } from '../../connector/zendesk/tickets-seen.ts';
import { staticLookups } from '../../connector/app-api/zendesk-app-lookups.ts';
import { stopIntakeService } from '../support/intake-harness.ts';
import { appToken, createTenant, startAppService, type AppService } from '../support/app-harness.ts';
import { event } from '../support/fixtures.ts';
import { issueKey } from '../support/access.ts';

const SECRET = 'acme-app-shared-secret-0123456789abcdef';
const DANA = { zendesk_user_id: '8800770011', email: 'dana.audited@example.com' };
const ORG = { zendesk_organization_id: '6601' };
let s: AppService;
let dana: string;
let org: string;

let auditorKey: string;
/** The auditor of acme: reads histories and the read audit. */
const admin = (path: string) => fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${auditorKey}` } });
const json = async <T>(res: Response) => (await res.json()) as T;
interface Entry {
  seq: number;
  action: string;
  path: string;
  outcome: string;
  subject_ids: string[];
  principal: Record<string, unknown>;
  detail: Record<string, unknown>;
  hash: string;
}
interface Page {
  tenant: string;
  entries: Entry[];
  next_after_seq: number | null;
}

beforeAll(async () => {
  s = await startAppService('read_audit', staticLookups({}));
  await createTenant(s, { id: 'acme', name: 'Acme', zendesk: { subdomain: 'acme', app_shared_secret: SECRET } });
  auditorKey = await issueKey(s.url, s.adminToken, 'acme', 'auditor');
  const { log, db } = s.handle.resources;
  await log.append([
    event({ tenant: 'acme', customer: DANA, account: ORG }),
    event({ tenant: 'acme', customer: DANA }),
  ]);
  dana = (await log.subjects.find('acme', DANA))[0]!;
  org = (await log.subjects.find('acme', ORG))[0]!;
  await recordTicketsSeen(db, [
    {
      tenant: 'acme',
      ticket_id: '100',
      requester_id: DANA.zendesk_user_id,
      organization_id: ORG.zendesk_organization_id,
      at: new Date().toISOString(),
    },
  ]);
});
afterAll(async () => {
  if (s) await stopIntakeService(s.env, s.handle);
});

describe('read audit', () => {
  it('records a history API read: the subjects returned, who, and the path, with no identity in clear', async () => {
    const res = await admin(`/api/v1/history?tenant=acme&email=${encodeURIComponent(DANA.email)}`);
    expect(res.status).toBe(200);
    const body = await json<Record<string, unknown>>(res);
    expect(Object.keys(body).sort()).toEqual([
      'accounts',
      'current',
      'events',
      'next_cursor',
      'person',
      'subject',
      'tenant',
      'warnings',
    ]);

    // Seq 1 is the auditor key's creation: who can read is recorded before anyone reads.
    const all = await json<Page>(await admin('/api/v1/tenants/acme/audit'));
    expect(all.entries.map((e) => e.action)).toEqual(['key.create', 'history.read']);
    const page = await json<Page>(await admin('/api/v1/tenants/acme/audit?action=history.read'));
    expect(page.entries).toHaveLength(1);
    expect(page.entries[0]).toMatchObject({
      seq: 2,
      action: 'history.read',
      outcome: 'allowed',
      path: 'GET /api/v1/history',
      principal: { type: 'api_key', label: `api-key:${auditorKey.split('_')[1]}`, role: 'auditor', tenant: 'acme' },
      detail: { identity_kinds: ['email'], about: 'all', page: 'first', events: 2 },
    });
    expect([...page.entries[0]!.subject_ids].sort()).toEqual([dana, org].sort());
    const text = JSON.stringify(page);
    expect(text).not.toContain(DANA.email);
    expect(text).not.toContain(DANA.zendesk_user_id);
  });

  it('records a sidebar read as the app user, through the app sidebar', async () => {
    const res = await fetch(`${s.url}/app/v1/acme/sidebar?ticket_id=100`, {
      headers: { authorization: `Bearer ${await appToken(SECRET, { tenant: 'acme', user_id: '7002' })}` },
    });
    expect(res.status).toBe(200);
    const page = await json<Page>(await admin('/api/v1/tenants/acme/audit?after_seq=2'));
    expect(page.entries).toHaveLength(1);
    expect(page.entries[0]).toMatchObject({
      seq: 3,
      action: 'history.read',
      path: 'app sidebar',
      principal: { type: 'app_user', label: 'zendesk-app:user:7002', role: 'agent', tenant: 'acme' },
      detail: { identity_kinds: ['zendesk_user_id', 'zendesk_organization_id'] },
    });
    expect([...page.entries[0]!.subject_ids].sort()).toEqual([dana, org].sort());
  });

  it('lists by subject and action, page by page, and verifies the chain', async () => {
    await admin('/api/v1/history?tenant=acme&zendesk_organization_id=6601');
    const first = await json<Page>(await admin(`/api/v1/tenants/acme/audit?subject_id=${dana}&limit=1`));
    expect(first.entries.map((e) => e.seq)).toEqual([2]);
    const second = await json<Page>(
      await admin(`/api/v1/tenants/acme/audit?subject_id=${dana}&limit=1&after_seq=${first.next_after_seq}`),
    );
    expect(second.entries.map((e) => e.seq)).toEqual([3]);
    expect(second.next_after_seq).toBeNull();
    expect(
      (await json<Page>(await admin(`/api/v1/tenants/acme/audit?subject_id=${org}`))).entries.map((e) => e.seq),
    ).toEqual([2, 3, 4]);
    expect((await json<Page>(await admin('/api/v1/tenants/acme/audit?action=log.export'))).entries).toEqual([]);
    const verify = await admin('/api/v1/tenants/acme/audit/verify');
    expect(await json<unknown>(verify)).toMatchObject({ tenant: 'acme', ok: true, checked: 4, head: { seq: 4 } });
  });

  it(
    "answers 400 naming the field, 403 for another tenant's " + 'audit, 401 without the token (recorded as denied)',
    async () => {
      const bad = await json<{ error: { message: string; details: { path: string }[] } }>(
        await admin('/api/v1/tenants/acme/audit?limit=0&subject_id=x'),
      );
      expect(bad.error.details.map((d) => d.path).sort()).toEqual(['limit', 'subject_id']);
      expect((await admin('/api/v1/tenants/nope/audit')).status).toBe(403);
      expect((await fetch(`${s.url}/api/v1/tenants/acme/audit`)).status).toBe(401);
      const denied = await json<Page>(await admin('/api/v1/tenants/acme/audit?action=denied'));
      expect(denied.entries).toEqual([
        expect.objectContaining({
          seq: 5,
          outcome: 'denied',
          path: 'GET /api/v1/tenants/acme/audit',
          principal: expect.objectContaining({ type: 'anonymous' }),
        }),
      ]);
    },
  );

  it('refuses a read whose audit record cannot be written (503), and serves it again once it can', async () => {
    const { db } = s.handle.resources;
    await db.exec('ALTER TABLE access_audit RENAME TO access_audit_away');
    try {
      const res = await admin(`/api/v1/history?tenant=acme&email=${encodeURIComponent(DANA.email)}`);
      expect(res.status).toBe(503);
      const body = await res.text();
      expect(body).toContain('audit_unavailable');
      expect(body).not.toContain(DANA.email);
    } finally {
      await db.exec('ALTER TABLE access_audit_away RENAME TO access_audit');
    }
    expect((await admin(`/api/v1/history?tenant=acme&email=${encodeURIComponent(DANA.email)}`)).status).toBe(200);
    expect(await json<unknown>(await admin('/api/v1/tenants/acme/audit/verify'))).toMatchObject({
      ok: true,
      checked: 6,
    });
  });
});
