/**
 * The operator cannot read a client's customers unnoticed: on the real service, with
 * STANDING_OPERATOR_AUDITOR_KEYS=first-only, the operator's token issues a tenant's first auditor
 * key only (API and CLI), further ones come from the tenant's auditors, and every key created or
 * revoked is a record of the tenant's read audit that its auditors and admins (API and the app's
 * admin page) see. With `always` the operator may issue more, and each is still recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../connector/config/config.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { startStanding } from '../../connector/app/standing.ts';
import { staticLookups } from '../../connector/app-api/zendesk-app-lookups.ts';
import { bearer, issueKey } from '../support/access.ts';
import { appToken } from '../support/app-harness.ts';
import { runCli } from '../support/cli.ts';
import { intakeEnv, stopIntakeService, type IntakeEnv } from '../support/intake-harness.ts';
import { openRoleSplit } from '../support/roles.ts';
import { KeyIssuer } from '../../connector/keys/key-issuance.ts';
import { AccessAudit } from '../../connector/audit/access-audit.ts';

const APP_SECRET = 'keys-app-shared-secret-0123456789abcdef';

interface KeyRecord {
  seq: number;
  action: string;
  outcome: string;
  path: string;
  principal: { type: string; label: string; role: string | null };
  detail: Record<string, unknown>;
}

async function start(label: string, policy: 'first-only' | 'always'): Promise<{ env: IntakeEnv; svc: ServiceHandle }> {
  const env = intakeEnv(label, {
    STANDING_OPERATOR_AUDITOR_KEYS: policy,
    STANDING_SIEM_PUSH_INTERVAL_MS: '0',
    ZENDESK_API_EMAIL: '',
    ZENDESK_API_TOKEN: '',
  });
  const parsed = parseConfig(env.env);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const svc = await startStanding(parsed.config, {
    app: { lookups: staticLookups({ roles: { acme: { '7001': 'admin' } } }) },
  });
  return { env, svc };
}

const json = (token: string) => ({ ...bearer(token), 'content-type': 'application/json' });

describe('STANDING_OPERATOR_AUDITOR_KEYS=first-only', () => {
  let env: IntakeEnv;
  let svc: ServiceHandle;
  let operator: string;
  let auditor: string;
  let admin: string;
  const post = (tenant: string, token: string, body: unknown) =>
    fetch(`${svc.url}/api/v1/tenants/${tenant}/keys`, {
      method: 'POST',
      headers: json(token),
      body: JSON.stringify(body),
    });
  const keyRecords = async (tenant: string, token: string) => {
    const res = await fetch(`${svc.url}/api/v1/tenants/${tenant}/audit/keys?limit=1000`, { headers: bearer(token) });
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { entries: KeyRecord[] }).entries;
  };

  beforeAll(async () => {
    ({ env, svc } = await start('keys_first_only', 'first-only'));
    operator = env.env.STANDING_ADMIN_TOKEN!;
    for (const [id, extra] of [
      ['acme', { zendesk: { subdomain: 'acme', app_shared_secret: APP_SECRET } }],
      ['globex', {}],
    ] as const) {
      const res = await fetch(`${svc.url}/api/v1/tenants`, {
        method: 'POST',
        headers: json(operator),
        body: JSON.stringify({ id, name: id, ...extra }),
      });
      expect(res.status).toBe(201);
    }
    admin = await issueKey(svc.url, operator, 'acme', 'admin');
  });
  afterAll(async () => {
    await stopIntakeService(env, svc);
  });

  it("lets the operator issue the tenant's first auditor key (break-glass), recorded", async () => {
    auditor = await issueKey(svc.url, operator, 'acme', 'auditor');
    const records = await keyRecords('acme', auditor);
    expect(records).toContainEqual(
      expect.objectContaining({
        action: 'key.create',
        outcome: 'allowed',
        path: 'POST /api/v1/tenants/acme/keys',
        principal: expect.objectContaining({ type: 'operator', label: 'operator' }),
        detail: expect.objectContaining({ role: 'auditor', name: 'test auditor' }),
      }),
    );
  });

  it(
    'refuses the operator a second auditor key with a 403 ' + 'saying who can issue it, and records the refusal',
    async () => {
      const res = await post('acme', operator, { role: 'auditor', name: 'second look' });
      expect(res.status).toBe(403);
      const { error } = (await res.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('forbidden');
      expect(error.message).toMatch(/only the first auditor key/);
      expect(error.message).toMatch(/STANDING_OPERATOR_AUDITOR_KEYS=first-only/);
      expect(error.message).toMatch(/issued by the tenant's auditors/);
      const denied = await fetch(`${svc.url}/api/v1/tenants/acme/audit?action=denied`, { headers: bearer(auditor) });
      expect(((await denied.json()) as { entries: KeyRecord[] }).entries).toContainEqual(
        expect.objectContaining({
          principal: expect.objectContaining({ type: 'operator' }),
          detail: expect.objectContaining({ permission: 'keys.issue_auditor' }),
        }),
      );
      // Agent and admin keys remain the operator's to issue.
      expect((await post('acme', operator, { role: 'agent', name: 'helpdesk' })).status).toBe(201);
    },
  );

  it('counts revoked auditor keys: revoking the first does not open a second for the operator', async () => {
    const first = await issueKey(svc.url, operator, 'globex', 'auditor');
    const keyId = first.split('_')[1]!;
    expect(
      (await fetch(`${svc.url}/api/v1/tenants/globex/keys/${keyId}`, { method: 'DELETE', headers: bearer(operator) }))
        .status,
    ).toBe(200);
    expect((await post('globex', operator, { role: 'auditor', name: 'again' })).status).toBe(403);
  });

  it("lets the tenant's auditor issue further auditor keys, which read histories, and nothing else", async () => {
    const res = await post('acme', auditor, { role: 'auditor', name: 'second auditor' });
    expect(res.status).toBe(201);
    const second = ((await res.json()) as { key: string }).key;
    expect(
      (await fetch(`${svc.url}/api/v1/history?email=someone%40example.com`, { headers: bearer(second) })).status,
    ).toBe(200);
    expect((await post('acme', auditor, { role: 'admin', name: 'not mine' })).status).toBe(403);
    expect((await post('globex', auditor, { role: 'auditor', name: 'not my tenant' })).status).toBe(403);
    expect((await post('acme', admin, { role: 'auditor', name: 'admins may not' })).status).toBe(403);
    const records = await keyRecords('acme', admin);
    expect(records).toContainEqual(
      expect.objectContaining({
        action: 'key.create',
        principal: expect.objectContaining({ type: 'api_key', role: 'auditor' }),
        detail: expect.objectContaining({ role: 'auditor', name: 'second auditor' }),
      }),
    );
  });

  it('records each revocation once, and shows the key records to admins and auditors only', async () => {
    const agent = await issueKey(svc.url, operator, 'acme', 'agent');
    const keyId = agent.split('_')[1]!;
    for (let i = 0; i < 2; i++)
      expect(
        (await fetch(`${svc.url}/api/v1/tenants/acme/keys/${keyId}`, { method: 'DELETE', headers: bearer(operator) }))
          .status,
      ).toBe(200);
    const records = await keyRecords('acme', admin);
    expect(records.filter((r) => r.action === 'key.revoke' && r.detail.key_id === keyId)).toEqual([
      expect.objectContaining({
        path: `DELETE /api/v1/tenants/acme/keys/${keyId}`,
        principal: expect.objectContaining({ type: 'operator' }),
        detail: { key_id: keyId, role: 'agent', name: 'test agent' },
      }),
    ]);
    expect(records.every((r) => r.action === 'key.create' || r.action === 'key.revoke')).toBe(true);
    expect(JSON.stringify(records)).not.toMatch(/stk_/);
    // The admin sees the key records, not who read what.
    expect((await fetch(`${svc.url}/api/v1/tenants/acme/audit`, { headers: bearer(admin) })).status).toBe(403);
    expect((await fetch(`${svc.url}/api/v1/tenants/acme/audit/keys`, { headers: bearer(operator) })).status).toBe(403);
    const verify = await fetch(`${svc.url}/api/v1/tenants/acme/audit/verify`, { headers: bearer(auditor) });
    expect(await verify.json()).toMatchObject({ ok: true });
  });

  it("shows the key records on the app's admin page", async () => {
    const token = await appToken(APP_SECRET, { tenant: 'acme', user_id: '7001' });
    const res = await fetch(`${svc.url}/app/v1/acme/admin/key-records`, { headers: bearer(token) });
    expect(res.status).toBe(200);
    const { entries } = (await res.json()) as { entries: KeyRecord[] };
    expect(entries.map((e) => [e.action, e.detail.role])).toEqual(
      expect.arrayContaining([
        ['key.create', 'auditor'],
        ['key.create', 'admin'],
        ['key.revoke', 'agent'],
      ]),
    );
  });

  it('refuses the CLI, acting as the operator, a second auditor key (exit 4), and records its creations', async () => {
    const refused = await runCli(
      ['key', 'create', '--tenant', 'acme', '--role', 'auditor', '--name', 'cli look'],
      env.env,
    );
    expect(refused.code, refused.stderr).toBe(4);
    expect(refused.stderr).toMatch(/only the first auditor key/);
    const made = await runCli(
      ['key', 'create', '--tenant', 'acme', '--role', 'admin', '--name', 'cli admin', '--json'],
      env.env,
    );
    expect(made.code, made.stderr).toBe(0);
    const keyId = (JSON.parse(made.stdout) as { key_id: string }).key_id;
    const revoked = await runCli(['key', 'revoke', keyId, '--tenant', 'acme'], env.env);
    expect(revoked.code, revoked.stderr).toBe(0);
    const records = await keyRecords('acme', auditor);
    expect(records).toContainEqual(
      expect.objectContaining({
        action: 'key.create',
        path: 'cli key create',
        detail: expect.objectContaining({ key_id: keyId, name: 'cli admin' }),
      }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({
        action: 'key.revoke',
        path: 'cli key revoke',
        detail: expect.objectContaining({ key_id: keyId }),
      }),
    );
  });
});

describe('STANDING_OPERATOR_AUDITOR_KEYS=always', () => {
  let env: IntakeEnv;
  let svc: ServiceHandle;
  beforeAll(async () => {
    ({ env, svc } = await start('keys_always', 'always'));
  });
  afterAll(async () => {
    await stopIntakeService(env, svc);
  });

  it('lets the operator issue more auditor keys, each one recorded where the first auditor sees it', async () => {
    const operator = env.env.STANDING_ADMIN_TOKEN!;
    const first = await issueKey(svc.url, operator, 'default', 'auditor');
    await issueKey(svc.url, operator, 'default', 'auditor');
    const res = await fetch(`${svc.url}/api/v1/tenants/default/audit?action=key.create`, { headers: bearer(first) });
    const { entries } = (await res.json()) as { entries: KeyRecord[] };
    expect(entries.filter((e) => e.detail.role === 'auditor' && e.principal.type === 'operator')).toHaveLength(2);
  });
});

describe('as the restricted service role (DATABASE_OWNER_URL split)', () => {
  it('issues and revokes a key with its records, and refuses a second auditor key to the operator', async () => {
    const split = await openRoleSplit('keys_roles');
    try {
      await split.owner.query("INSERT INTO tenants (id, name) VALUES ('acme', 'Acme')");
      const issuer = new KeyIssuer(split.service, { operatorAuditorKeys: 'first-only' });
      const created = await issuer.create(
        'acme',
        { role: 'auditor', name: 'first' },
        { type: 'operator' },
        'cli key create',
      );
      if (!created.ok) throw new Error(JSON.stringify(created));
      expect(
        await issuer.create('acme', { role: 'auditor', name: 'second' }, { type: 'operator' }, 'cli key create'),
      ).toMatchObject({ ok: false, refused: expect.stringMatching(/only the first auditor key/) });
      expect(await issuer.revoke('acme', created.view.key_id, { type: 'operator' }, 'cli key revoke')).toMatchObject({
        revoked_now: true,
      });
      const audit = new AccessAudit(split.service);
      expect((await audit.list('acme')).entries.map((e) => [e.action, e.outcome])).toEqual([
        ['key.create', 'allowed'],
        ['denied', 'denied'],
        ['key.revoke', 'allowed'],
      ]);
      expect(await audit.verify('acme')).toMatchObject({ ok: true, checked: 3 });
    } finally {
      await split.dispose();
    }
  });
});
