/**
 * The sidebar's actions against a running service: the agent proven by Zendesk's RS256 JWT (signed
 * here with a local key, as Zendesk signs with the app's), four eyes, the tenant's approvers,
 * idempotency, the audit, and an approval applied in Zendesk whose webhook is the same change.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticLookups } from '../../connector/app-api/zendesk-app-lookups.ts';
import { recordTicketsSeen } from '../../connector/zendesk/tickets-seen.ts';
import { parseStandingEvent } from '../../connector/model/standing-event.ts';
import type { ActionResult, SidebarPage } from '../../connector/contracts/index.ts';
import { stopIntakeService } from '../support/intake-harness.ts';
import { appToken, createTenant, startAppService, type AppService } from '../support/app-harness.ts';

const SECRET = 'acme-app-shared-secret-0123456789abcdef';
const ALEX = '9001';
const TARA = '9002';
const SAM = '9003';
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
let s: AppService;

/** What Zendesk posts to a signed-URL app page. */
const zafToken = (sub: string, key: KeyObject = keys.privateKey, iss = 'acme.zendesk.com') =>
  new SignJWT({ context: { product: 'support', location: 'ticket_sidebar' } })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(iss)
    .setAudience('https://acme.zendesk.com/api/v2/apps/installations/77.json')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key);

const openPage = (token: string) =>
  fetch(`${s.url}/app/v1/acme/zaf?origin=https%3A%2F%2Facme.zendesk.com&app_guid=x`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });

async function session(user: string): Promise<string> {
  const res = await openPage(await zafToken(user));
  expect(res.status).toBe(200);
  const html = await res.text();
  return /name="standing-session" content="([^"]+)"/.exec(html)![1]!;
}

async function act(sessionToken: string | null, body: Record<string, unknown>, claimedUser = ALEX) {
  const res = await fetch(`${s.url}/app/v1/acme/actions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await appToken(SECRET, { tenant: 'acme', user_id: claimedUser })}`,
      'content-type': 'application/json',
      ...(sessionToken ? { 'x-standing-session': sessionToken } : {}),
    },
    body: JSON.stringify({ ticket_id: '100', about: 'person', idempotency_key: randomUUID(), ...body }),
  });
  return {
    status: res.status,
    body: (await res.json()) as ActionResult & { error?: { code: string; message: string } },
  };
}

async function sidebarEvents() {
  const res = await fetch(`${s.url}/app/v1/acme/sidebar?ticket_id=100&about=person`, {
    headers: { authorization: `Bearer ${await appToken(SECRET, { tenant: 'acme', user_id: ALEX })}` },
  });
  return ((await res.json()) as SidebarPage).events;
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'standing-app-page-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head><title>app</title></head><body></body></html>');
  s = await startAppService(
    'app_workplace',
    staticLookups({
      roles: { acme: { [ALEX]: 'agent', [TARA]: 'agent', [SAM]: 'agent', '501': 'end-user' } },
      agents: {
        acme: {
          [ALEX]: { name: 'Alex Agent' },
          [TARA]: { name: 'Tara Lead', group_ids: ['500'] },
          [SAM]: { name: 'Sam Support' },
        },
      },
    }),
    {},
    { appPage: { dir, frameAncestors: ['http://127.0.0.1:1'] } },
  );
  await createTenant(s, { id: 'acme', name: 'Acme', zendesk: { subdomain: 'acme', app_shared_secret: SECRET } });
  await putSettings({});
  await recordTicketsSeen(s.handle.resources.db, [
    { tenant: 'acme', ticket_id: '100', requester_id: '501', organization_id: '601', at: new Date().toISOString() },
  ]);
});
afterAll(async () => {
  if (s) await stopIntakeService(s.env, s.handle);
});

async function putSettings(extra: Record<string, unknown>) {
  const res = await fetch(`${s.url}/api/v1/tenants/acme/app-settings/workplace`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      app_public_key: keys.publicKey.export({ type: 'spki', format: 'pem' }),
      app_installation_id: '77',
      approvers: { roles: ['admin'], group_ids: ['500'] },
      ...extra,
    }),
  });
  expect(res.status).toBe(200);
}

describe('the acting agent is proven by Zendesk', () => {
  it('serves the app page with a session bound to the JWT subject, framed only by the account', async () => {
    const res = await openPage(await zafToken(TARA));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(
      'frame-ancestors https://acme.zendesk.com http://127.0.0.1:1',
    );
    const html = await res.text();
    expect(html).toContain('data-user-id="9002"');
    expect(html).toContain('data-user-name="Tara Lead"');
    expect(html).toContain('<base href="/app/v1/assets/">');
  });

  it("refuses a JWT not signed with the app's key, for another account, or naming a non-agent", async () => {
    for (const [token, code] of [
      [await zafToken(ALEX, otherKeys.privateKey), 'zaf_token_invalid'],
      [await zafToken(ALEX, keys.privateKey, 'globex.zendesk.com'), 'zaf_token_invalid'],
      [await zafToken('501'), 'not_an_agent'],
    ] as const) {
      const res = await openPage(token);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    }
  });

  it('refuses every JWT for a tenant whose Zendesk subdomain is not set (iss could not be checked)', async () => {
    await createTenant(s, { id: 'nosub', name: 'No subdomain', zendesk: { app_shared_secret: SECRET } });
    const put = await fetch(`${s.url}/api/v1/tenants/nosub/app-settings/workplace`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ app_public_key: keys.publicKey.export({ type: 'spki', format: 'pem' }) }),
    });
    expect(put.status).toBe(200);
    const res = await fetch(`${s.url}/app/v1/nosub/zaf`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: await zafToken(ALEX) }).toString(),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('actions_not_set_up');
  });

  it('refuses an action without a session, whatever user the app token claims', async () => {
    const r = await act(null, { action: 'request_reinstatement', reason: 'paid' }, TARA);
    expect(r.status).toBe(401);
    expect(r.body.error?.code).toBe('session_required');
  });
});

describe('request, verify, approve with four eyes', () => {
  it('records each step as the proven agent and refuses the requester as approver', async () => {
    const alex = await session(ALEX);
    const tara = await session(TARA);
    const sam = await session(SAM);
    const requested = await act(alex, { action: 'request_reinstatement', reason: 'Paid the overdue invoice' });
    expect(requested.status).toBe(200);
    const verified = await act(alex, {
      action: 'record_verification',
      kind: 'payment',
      result: 'passed',
      note: 'Invoice 42 settled',
      evidence_comment_id: '123',
    });
    expect(verified.status).toBe(200);
    // The app's JavaScript says Tara; the session says Alex: the server believes the session.
    const forged = await act(alex, { action: 'approve', reason: 'ok' }, TARA);
    expect(forged.status).toBe(409);
    expect(forged.body.error?.code).toBe('four_eyes');
    expect(forged.body.error?.message).toMatch(/you requested this reinstatement/);
    const notApprover = await act(sam, { action: 'approve', reason: 'ok' });
    expect(notApprover.status).toBe(403);
    expect(notApprover.body.error?.code).toBe('not_an_approver');
    const approved = await act(tara, { action: 'approve', reason: 'Payment confirmed' });
    expect(approved.status).toBe(200);
    expect(approved.body.apply_in_zendesk).toBeNull();

    const events = await sidebarEvents();
    const byKind = (k: string) => events.find((e) => e.kind === k)!;
    expect(byKind('reinstatement_requested').actor).toEqual({ type: 'agent', id: ALEX, name: 'Alex Agent' });
    expect(byKind('reinstatement_requested').source).toMatchObject({
      system: 'standing-app',
      object: 'ticket',
      id: '100',
    });
    expect(byKind('verification_recorded').verification?.[0]).toMatchObject({ method: 'payment', result: 'passed' });
    expect(byKind('reinstatement_approved').approvals?.[0]).toMatchObject({
      by: { id: TARA, name: 'Tara Lead' },
      decision: 'approved',
      comment: 'Payment confirmed',
    });
    expect(byKind('reinstatement_approved').related_ticket_ids).toEqual(['100']);
    const again = await act(tara, { action: 'approve', reason: 'again' });
    expect(again.body.error?.code).toBe('no_open_request');
  });

  it('is idempotent: the same key twice is one event', async () => {
    const alex = await session(ALEX);
    const key = randomUUID();
    const first = await act(alex, { action: 'request_reinstatement', reason: 'twice', idempotency_key: key });
    const second = await act(alex, { action: 'request_reinstatement', reason: 'twice', idempotency_key: key });
    expect(first.body.duplicate).toBe(false);
    expect(second.body).toMatchObject({ duplicate: true, event_ids: first.body.event_ids });
    expect((await sidebarEvents()).filter((e) => e.source.event_id === `app:${key}`)).toHaveLength(1);
  });

  it('writes each action into the audit, as the proven agent', async () => {
    const page = await s.handle.resources.audit.list('acme', { action: 'standing.record' });
    expect(page.entries.map((r) => r.principal.label)).toEqual(
      expect.arrayContaining([`zendesk-app:user:${ALEX}`, `zendesk-app:user:${TARA}`]),
    );
    const denied = await s.handle.resources.audit.list('acme', { action: 'denied' });
    expect(denied.entries.map((r) => r.detail)).toContainEqual({ permission: 'standing.record', reason: 'four_eyes' });
  });
});

describe('suspend and deactivate', () => {
  it("takes a reason code from the tenant's list and a review date for a temporary change", async () => {
    const alex = await session(ALEX);
    const unknown = await act(alex, {
      action: 'suspend',
      reason_code: 'made_up',
      temporary: true,
      review_on: '2027-01-01',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.message).toMatch(/reason_code/);
    const noDate = await act(alex, { action: 'suspend', reason_code: 'non_payment', temporary: true });
    expect(noDate.body.error?.message).toMatch(/review_on/);
    const ok = await act(alex, {
      action: 'suspend',
      reason_code: 'non_payment',
      reason: 'Card declined twice',
      temporary: true,
      review_on: '2027-01-01',
    });
    expect(ok.status).toBe(200);
    const e = (await sidebarEvents()).find((x) => x.id === ok.body.event_ids[0])!;
    expect(e).toMatchObject({ kind: 'deactivation', status: { after: 'suspended' }, reason: { code: 'non_payment' } });
  });
});

describe('an approval applied in Zendesk', () => {
  it('records the reinstatement as the agent, and the webhook that follows is the same change', async () => {
    await putSettings({
      apply_in_zendesk: {
        user_field_key: 'account_status',
        organization_field_key: 'account_status',
        active_value: 'active',
      },
    });
    const alex = await session(ALEX);
    const tara = await session(TARA);
    await act(alex, { action: 'request_reinstatement', reason: 'Second chance' });
    const approved = await act(tara, { action: 'approve', reason: 'Fine' });
    expect(approved.status).toBe(200);
    expect(approved.body.event_ids).toHaveLength(2);
    expect(approved.body.apply_in_zendesk).toEqual({
      object: 'user',
      id: '501',
      field_key: 'account_status',
      value: 'active',
    });
    const webhook = parseStandingEvent({
      tenant: 'acme',
      kind: 'reinstatement',
      status: { before: 'suspended', after: 'active' },
      actor: { type: 'unknown' },
      source: { system: 'zendesk', object: 'user', id: '501', event_id: randomUUID() },
      detected_via: 'webhook',
      customer: { zendesk_user_id: '501' },
      occurred_at: new Date(Date.now() + 2000).toISOString(),
    });
    if (!webhook.ok) throw new Error(JSON.stringify(webhook.problems));
    const [outcome] = await s.handle.resources.log.append([webhook.value]);
    expect(outcome).toMatchObject({ status: 'duplicate', id: approved.body.event_ids[1] });
    await putSettings({ apply_in_zendesk: null });
  });
});
