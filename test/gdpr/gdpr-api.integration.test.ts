/**
 * The GDPR routes on the real PostgreSQL, behind the real role check with keys of each role: 400s
 * name the field, 403 without the permission, the export recorded in the read audit,
 * CSV and JSON exports, erasure answering what was erased, 409 under a legal hold.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../../connector/access/api-keys.ts';
import { createAuthorizer } from '../../connector/access/authorize.ts';
import { AccessAudit } from '../../connector/audit/access-audit.ts';
import { holdActor, tenantKey } from '../support/access.ts';
import { gdprRoutes } from '../../connector/gdpr/gdpr-routes.ts';
import { errorHandler } from '../../connector/http/errors.ts';
import { Retention } from '../../connector/store/retention.ts';
import { openTestStore, type TestStore } from '../support/databases.ts';
import { event } from '../support/fixtures.ts';

describe('GDPR API', () => {
  let store: TestStore;
  let server: Server;
  let base: string;
  const tenant = `api-${randomBytes(3).toString('hex')}`;
  const dana = { zendesk_user_id: '7100001', email: 'dana.api@example.com' };
  const lee = { zendesk_user_id: '7100002', email: 'lee.api@example.com' };
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    store = await openTestStore('postgres', 'gdpr_api');
    const app = express();
    app.use(express.json());
    const audit = new AccessAudit(store.db);
    for (const role of ['admin', 'auditor', 'agent'] as const) keys[role] = await tenantKey(store.db, tenant, role);
    const authorize = createAuthorizer({
      operatorToken: randomBytes(24).toString('hex'),
      keys: new ApiKeyStore(store.db),
      denials: audit,
    });
    app.use('/api/v1', gdprRoutes({ log: store.log, audit, authorize }));
    app.use(errorHandler);
    server = app.listen(0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/tenants/${tenant}/subjects`;
    await store.log.append([event({ tenant, customer: dana }), event({ tenant, customer: lee })]);
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await store?.dispose();
  });

  const auth = (role: string) => ({ authorization: `Bearer ${keys[role] ?? 'none'}` });
  const get = (query: string, role = 'auditor') => fetch(`${base}/access-export?${query}`, { headers: auth(role) });
  const erase = (body: unknown, role = 'admin') =>
    fetch(`${base}/erase`, {
      method: 'POST',
      headers: { ...auth(role), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('exports as JSON and CSV for an auditor, and refuses others', async () => {
    const json = await get(`email=${encodeURIComponent(dana.email)}`);
    expect(json.status).toBe(200);
    const doc = (await json.json()) as { events: { event: { customer: unknown } }[] };
    expect(doc.events.map((e) => e.event.customer)).toEqual([dana]);
    const csv = await get(`zendesk_user_id=${dana.zendesk_user_id}&format=csv`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await csv.text();
    expect(text).toContain(dana.email);
    expect(text).not.toContain(lee.email);
    expect((await get(`email=${dana.email}`, 'admin')).status).toBe(403);
  });

  it('answers 400 naming the field', async () => {
    const none = await get('format=json');
    expect(none.status).toBe(400);
    expect(((await none.json()) as { error: { message: string } }).error.message).toMatch(/at least one identity/);
    const badFormat = await get(`email=${dana.email}&format=xml`);
    expect(((await badFormat.json()) as { error: { message: string } }).error.message).toMatch(
      /format: must be json or csv/,
    );
    const account = await erase({ identities: { zendesk_organization_id: '1' }, reason: 'r' });
    expect(account.status).toBe(400);
    expect(((await account.json()) as { error: { message: string } }).error.message).toMatch(/identities/);
    const noReason = await erase({ identities: { email: dana.email } });
    expect(((await noReason.json()) as { error: { message: string } }).error.message).toMatch(/reason/);
  });

  it('erases for an admin, answering what was erased; 409 under a legal hold', async () => {
    const [leeSubject] = await store.log.subjects.find(tenant, lee);
    const counsel = await holdActor(store.db, tenant);
    const hold = await new Retention(store.db).placeHold(tenant, leeSubject!, 'case', counsel);
    const held = await erase({ identities: { email: lee.email }, reason: 'R-2' });
    expect(held.status).toBe(409);
    expect(((await held.json()) as { error: { code: string } }).error.code).toBe('legal_hold');
    await new Retention(store.db).liftHold(tenant, hold.hold_id, 'done', counsel);

    expect((await erase({ identities: { email: dana.email }, reason: 'R-1' }, 'auditor')).status).toBe(403);
    const res = await erase({ identities: { email: dana.email }, reason: 'R-1' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ tenant, subjects: [{ subject_id: expect.any(String), erasure_seq: 3 }] });
    const [record] = await store.db.query<{ actor: string; reason: string }>(
      'SELECT actor, reason FROM subject_erasures WHERE tenant = $1',
      [tenant],
    );
    expect(record).toEqual({ actor: `api-key:${keys.admin!.split('_')[1]}`, reason: 'R-1' });
  });
});
