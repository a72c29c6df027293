/**
 * Alerts on the real PostgreSQL and Redis: channels set over the API (secret write-only), a warning
 * appended to the log reaching a local webhook receiver once with a valid signature (a rescan adds
 * nothing), a receiver failing three times then succeeding getting it exactly once more, the private
 * Zendesk note in the documented shape (nock), the test-send, and the delivery log.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Alerts } from '../../connector/alerts/alerts.ts';
import {
  ALERT_ID_HEADER,
  ALERT_SIGNATURE_HEADER,
  ALERT_TIMESTAMP_HEADER,
  verifyAlertSignature,
} from '../../connector/alerts/alert-signing.ts';
import type { AlertPayload } from '../../connector/alerts/alert-payload.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { zendeskNoteSender } from '../../connector/zendesk/alert-note.ts';
import type { NewStandingEventInput } from '../../connector/model/standing-event.ts';
import { startAlertReceiver, type AlertReceiver } from '../../demo/alert-receiver.ts';
import { issueKey } from '../support/access.ts';
import { event } from '../support/fixtures.ts';
import { intakeEnv, startIntakeService, stopIntakeService, type IntakeEnv } from '../support/intake-harness.ts';

const SECRET = 'alert-secret-0123456789-abcdef';
let env: IntakeEnv;
let s: ServiceHandle;
let receiver: AlertReceiver;
let alerts: Alerts;
let adminKey: string;
let clock = Date.parse('2026-03-10T12:00:00Z');
const now = () => new Date(clock);

const call = (path: string, init: RequestInit = {}) =>
  fetch(`${s.url}/api/v1/tenants/default/alerts${path}`, {
    ...init,
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
  });
const put = (body: unknown) => call('/channels', { method: 'PUT', body: JSON.stringify(body) });

let person = 0;
/** A deactivation and a reinstatement with no approval of a new person: one reinstatement_without_approval. */
async function unapprovedReinstatement(more: Partial<NewStandingEventInput> = {}): Promise<void> {
  person++;
  const customer = { zendesk_user_id: `880${person}`, email: `p${person}@example.com` };
  const at = (h: number) => new Date(Date.parse('2026-03-01T00:00:00Z') + person * 86_400_000 + h * 3_600_000);
  await s.resources.log.append([
    event({ tenant: 'default', customer, occurred_at: at(0).toISOString() }),
    event({
      tenant: 'default',
      customer,
      kind: 'reinstatement',
      status: { before: 'suspended', after: 'active' },
      occurred_at: at(2).toISOString(),
      ...more,
    }),
  ]);
}
const payloads = () => receiver.received.map((r) => JSON.parse(r.body) as AlertPayload);

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  // The runs are driven by the test (its own clock); the scheduled job stays off.
  env = intakeEnv('alerts', {
    STANDING_ALERTS_INTERVAL_MS: '0',
    STANDING_LOGGLY_PUSH_INTERVAL_MS: '0',
    STANDING_SIEM_PUSH_INTERVAL_MS: '0',
    STANDING_CHECKPOINT_INTERVAL_MS: '0',
    STANDING_RETENTION_INTERVAL_MS: '0',
  });
  s = await startIntakeService(env);
  adminKey = await issueKey(s.url, env.env.STANDING_ADMIN_TOKEN!, 'default', 'admin');
  receiver = await startAlertReceiver();
  const r = s.resources;
  alerts = new Alerts(
    {
      db: r.db,
      log: r.log,
      keys: r.secrets.master,
      settings: (t) => r.appSettings.warnings(t),
      note: zendeskNoteSender(r.tenants),
    },
    { delivery: { baseBackoffMs: 1000, maxBackoffMs: 60_000 } },
  );
  // A warning before any channel exists is never alerted.
  await unapprovedReinstatement();
});

afterAll(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  await receiver.close();
  await stopIntakeService(env, s);
});

describe('alert channels', () => {
  it('refuses a bad channel naming the field, and keeps the secret write-only', async () => {
    const bad = await put({ webhook: { url: 'ftp://x.example', secret: 'short' } });
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(text).toContain('webhook.url');
    expect(text).toContain('webhook.secret');
    const missing = await put({ webhook: { url: receiver.url } });
    expect(await missing.text()).toContain('webhook.secret');

    const ok = await put({ webhook: { url: receiver.url, secret: SECRET }, zendesk_note: { enabled: false } });
    expect(ok.status).toBe(200);
    const view = (await ok.json()) as Record<string, Record<string, unknown>>;
    expect(view.webhook).toMatchObject({ url: receiver.url, warnings: [], enabled: true, secret: { last4: 'cdef' } });
    expect(JSON.stringify(view)).not.toContain(SECRET);
    const [row] = await s.resources.db.query<{ secret_sealed: Buffer }>(
      `SELECT secret_sealed FROM alert_channels WHERE tenant = 'default' AND kind = 'webhook'`,
    );
    expect(row!.secret_sealed.toString('latin1')).not.toContain(SECRET);
  });

  it('is for admins: an agent key is refused', async () => {
    const agent = await issueKey(s.url, env.env.STANDING_ADMIN_TOKEN!, 'default', 'agent');
    const res = await fetch(`${s.url}/api/v1/tenants/default/alerts/channels`, {
      headers: { authorization: `Bearer ${agent}` },
    });
    expect(res.status).toBe(403);
  });
});

describe('webhook delivery', () => {
  it('sends a new warning once, signed; a rescan of the same rows sends nothing more', async () => {
    await alerts.run(now);
    expect(receiver.received).toHaveLength(0); // the warning from before the channel stays quiet
    const [before] = await s.resources.db.query<{ last_seq: string }>(
      `SELECT last_seq FROM alert_scan_cursor WHERE tenant = 'default'`,
    );
    await unapprovedReinstatement();
    await alerts.run(now);
    expect(receiver.received).toHaveLength(1);
    const [req] = receiver.received;
    const ts = req!.headers[ALERT_TIMESTAMP_HEADER.toLowerCase()] as string;
    const sig = req!.headers[ALERT_SIGNATURE_HEADER.toLowerCase()] as string;
    expect(verifyAlertSignature(SECRET, ts, req!.body, sig, { now: clock })).toBe(true);
    expect(verifyAlertSignature('another-secret-0123456789', ts, req!.body, sig, { now: clock })).toBe(false);
    expect(verifyAlertSignature(SECRET, ts, `${req!.body} `, sig, { now: clock })).toBe(false);
    const p = payloads()[0]!;
    expect(p).toMatchObject({ type: 'standing.alert', tenant: 'default', code: 'reinstatement_without_approval' });
    expect(req!.headers[ALERT_ID_HEADER.toLowerCase()]).toBe(p.id);
    expect(p.text).toContain('Reinstated with no recorded approval.');
    expect(req!.body).not.toContain('@example.com');

    await alerts.run(now);
    // A crash before the cursor moved: the rows are scanned again, the outbox keeps one alert.
    await s.resources.db.query(`UPDATE alert_scan_cursor SET last_seq = $1 WHERE tenant = 'default'`, [
      before!.last_seq,
    ]);
    await alerts.run(now);
    expect(receiver.received).toHaveLength(1);
  });

  it('retries a receiver that fails three times, then delivers exactly once more', async () => {
    receiver.received.length = 0;
    receiver.script.push(500, 503, 429);
    await unapprovedReinstatement();
    await alerts.run(now);
    expect(receiver.received).toHaveLength(1);
    await alerts.run(now); // not due yet: the backoff holds it
    expect(receiver.received).toHaveLength(1);
    for (let i = 0; i < 5; i++) {
      clock += 120_000;
      await alerts.run(now);
    }
    expect(receiver.received).toHaveLength(4);
    const ids = new Set(receiver.received.map((r) => r.headers[ALERT_ID_HEADER.toLowerCase()]));
    expect(ids.size).toBe(1);

    const log = (await (await call('/deliveries?limit=4')).json()) as {
      deliveries: { outcome: string; status: number; attempt: number; answer: string }[];
    };
    expect(log.deliveries.map((d) => [d.attempt, d.outcome, d.status])).toEqual([
      [4, 'sent', 200],
      [3, 'retrying', 429],
      [2, 'retrying', 503],
      [1, 'retrying', 500],
    ]);
    expect(log.deliveries[3]!.answer).toContain('refused with 500');
  });

  it('gives up on a refusal at once, saying what the receiver answered', async () => {
    receiver.received.length = 0;
    receiver.script.push(410);
    await unapprovedReinstatement();
    await alerts.run(now);
    clock += 3_600_000;
    await alerts.run(now);
    expect(receiver.received).toHaveLength(1);
    const log = (await (await call('/deliveries?limit=1')).json()) as { deliveries: Record<string, unknown>[] };
    expect(log.deliveries[0]).toMatchObject({ outcome: 'failed', status: 410, attempt: 1 });
  });

  it('alerts a suspension with no reason, only to channels that want its code', async () => {
    expect((await put({ webhook: { warnings: ['suspension_without_reason'] } })).status).toBe(200);
    receiver.received.length = 0;
    await unapprovedReinstatement(); // its code is not wanted any more
    await s.resources.log.append([
      event({ tenant: 'default', customer: { zendesk_user_id: '99001' }, reason: undefined }),
    ]);
    await alerts.run(now);
    expect(payloads().map((p) => p.code)).toEqual(['suspension_without_reason']);
    expect((await put({ webhook: { warnings: [] } })).status).toBe(200);
  });

  it('does not send what fired while every channel was off once one is turned on again', async () => {
    expect((await put({ webhook: { enabled: false }, zendesk_note: { enabled: false } })).status).toBe(200);
    receiver.received.length = 0;
    await unapprovedReinstatement();
    await alerts.run(now);
    expect((await put({ webhook: { enabled: true } })).status).toBe(200);
    await alerts.run(now);
    expect(receiver.received).toHaveLength(0);
    await unapprovedReinstatement();
    await alerts.run(now);
    expect(payloads().map((p) => p.code)).toEqual(['reinstatement_without_approval']);
  });

  it('sends a test alert on request and answers what the receiver said', async () => {
    receiver.received.length = 0;
    const res = await call('/test', { method: 'POST', body: JSON.stringify({ channel: 'webhook' }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ channel: 'webhook', outcome: 'sent', status: 200 });
    expect(payloads()).toEqual([expect.objectContaining({ test: true })]);
    const bad = await call('/test', { method: 'POST', body: JSON.stringify({ channel: 'sms' }) });
    expect(bad.status).toBe(400);
  });
});

describe('the delivery log', () => {
  it('is kept 90 days: older rows and settled alerts are forgotten', async () => {
    const count = async (sql: string, cut: number) =>
      Number((await s.resources.db.query<{ n: number }>(sql, [new Date(cut).toISOString()]))[0]!.n);
    const deliveries = `SELECT count(*)::int AS n FROM alert_deliveries WHERE at < $1`;
    const settled = `SELECT count(*)::int AS n FROM alert_outbox WHERE state <> 'pending' AND settled_at < $1`;
    const before = clock + 1;
    expect(await count(deliveries, before)).toBeGreaterThan(0);
    expect(await count(settled, before)).toBeGreaterThan(0);
    clock += 91 * 86_400_000;
    await alerts.run(now);
    expect(await count(deliveries, before)).toBe(0);
    expect(await count(settled, before)).toBe(0);
  });
});

describe('Zendesk note delivery', () => {
  it('adds a private note to the related ticket through the Tickets API', async () => {
    expect((await put({ webhook: { enabled: false }, zendesk_note: { enabled: true } })).status).toBe(200);
    const seen: unknown[] = [];
    const scope = nock('https://acme.zendesk.com')
      .put('/api/v2/tickets/4242.json', (body: unknown) => {
        seen.push(body);
        return true;
      })
      .reply(200, { ticket: { id: 4242 } });
    await unapprovedReinstatement({ related_ticket_ids: ['4242'] });
    await alerts.run(now);
    expect(scope.isDone()).toBe(true);
    const body = expect.stringContaining('Reinstated with no recorded approval.');
    expect(seen).toEqual([{ ticket: { comment: { body, public: false } } }]);
    const log = (await (await call('/deliveries?limit=1')).json()) as { deliveries: Record<string, unknown>[] };
    expect(log.deliveries[0]).toMatchObject({ channel: 'zendesk_note', outcome: 'sent', status: 200 });
  });

  it('retries a rate-limited note, and fails one whose warning names no ticket', async () => {
    const scope = nock('https://acme.zendesk.com')
      .put('/api/v2/tickets/4243.json')
      .reply(429, { error: 'slow down' }, { 'retry-after': '5' })
      .put('/api/v2/tickets/4243.json')
      .reply(200, { ticket: { id: 4243 } });
    await unapprovedReinstatement({ related_ticket_ids: ['4243'] });
    await unapprovedReinstatement();
    await alerts.run(now);
    clock += 120_000;
    await alerts.run(now);
    expect(scope.isDone()).toBe(true);
    const log = (await (await call('/deliveries?limit=3')).json()) as { deliveries: Record<string, unknown>[] };
    expect(log.deliveries.map((d) => d.outcome).sort()).toEqual(['failed', 'retrying', 'sent']);
    expect(JSON.stringify(log)).toContain('names no related Zendesk ticket');
  });
});
