/**
 * SIEM export on the real PostgreSQL and Redis: the NDJSON stream (seq order, resumable, personal data
 * only for `personal_data.read`, never for an erased subject), the Splunk target settings (token
 * write-only, personal data gated), and the Splunk HEC push (nock): exactly the rows after the
 * cursor, a 503 retried later without moving it, a restart resuming from it, a crash re-sending one batch.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueKey } from '../support/access.ts';
import { parseConfig } from '../../connector/config/config.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { eraseSubject } from '../../connector/gdpr/erasure.ts';
import { pushSiemTargets } from '../../connector/siem/siem-push.ts';
import { SplunkTargets } from '../../connector/siem/splunk-targets.ts';
import { startStanding } from '../../connector/app/standing.ts';
import { event } from '../support/fixtures.ts';
import { intakeEnv, stopIntakeService, type IntakeEnv } from '../support/intake-harness.ts';

const HEC = 'https://splunk.test:8088';
const TOKEN = '6d1f8a2e-1111-4c3b-9a7e-0f1e2d3c4b5a';

let env: IntakeEnv;
let s: ServiceHandle;
let targets: SplunkTargets;
const dana = { zendesk_user_id: '6596848315901', email: 'dana.reyes@example.com' };
const lee = { zendesk_user_id: '7001', email: 'lee.erased@example.com' };

/** Keys of the default tenant by role, issued through the provisioning route. */
const keys: Record<string, string> = {};
const call = (path: string, role: string, init: RequestInit = {}) =>
  fetch(`${s.url}/api/v1${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${keys[role]}`,
      'content-type': 'application/json',
      ...(init.headers as Record<string, string> | undefined),
    },
  });
const lines = async (res: Response) =>
  (await res.text())
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  // The push is driven by the test (pushSiemTargets); the scheduled one is tested in test/ops.
  env = intakeEnv('siem', {
    STANDING_SIEM_PUSH_INTERVAL_MS: '0',
    STANDING_CHECKPOINT_INTERVAL_MS: '0',
    STANDING_RETENTION_INTERVAL_MS: '0',
  });
  const parsed = parseConfig(env.env);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  s = await startStanding(parsed.config);
  for (const role of ['agent', 'admin', 'auditor'] as const)
    keys[role] = await issueKey(s.url, env.env.STANDING_ADMIN_TOKEN!, 'default', role);
  targets = new SplunkTargets(s.resources.db, s.resources.secrets.master);
  // Seq 1 and 2; erasing Lee appends the erasure entry, seq 3.
  await s.resources.log.append([
    event({ tenant: 'default', customer: dana }),
    event({ tenant: 'default', customer: lee }),
  ]);
  await eraseSubject(s.resources.log, {
    tenant: 'default',
    identities: { email: lee.email },
    reason: 'R-7',
    actor: 'test',
  });
});

afterAll(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  await stopIntakeService(env, s);
});

describe('GET /tenants/:tenant/siem/events', () => {
  it('streams the rows in seq order as NDJSON, pseudonymous for an admin, then the cursor line', async () => {
    const res = await call('/tenants/default/siem/events', 'admin');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const body = await lines(res);
    expect(body.map((l) => l.seq)).toEqual([1, 2, 3, undefined]);
    expect(body[0]).toMatchObject({
      type: 'standing.event',
      tenant: 'default',
      kind: 'deactivation',
      status_before: 'active',
      status_after: 'suspended',
      subject_kind: 'person',
      initiation: 'manual',
      reason_code: 'non_payment',
      actor_type: 'agent',
      source: { system: 'zendesk', object: 'user' },
      detected_via: 'webhook',
      erased: false,
    });
    expect(body[0]).not.toHaveProperty('personal');
    expect(body.at(-1)).toEqual({
      type: 'standing.cursor',
      tenant: 'default',
      after_seq: 0,
      next_after_seq: 3,
      count: 3,
      more: false,
      personal_data: false,
    });
    const text = JSON.stringify(body);
    for (const secret of [dana.email, dana.zendesk_user_id, 'Ana Agent', 'Invoice 2026-117', 'acme.zendesk.com'])
      expect(text).not.toContain(secret);
  });

  it('adds the personal part for an auditor, except for an erased subject', async () => {
    const body = await lines(await call('/tenants/default/siem/events', 'auditor'));
    expect(body[0]).toMatchObject({
      personal: {
        customer: { email: dana.email },
        actor: { name: 'Ana Agent' },
        reason_text: expect.stringContaining('Invoice'),
        source: { id: dana.zendesk_user_id },
      },
    });
    expect(body[1]).toMatchObject({ seq: 2, erased: true });
    expect(body[1]).not.toHaveProperty('personal');
    expect(body[2]).toMatchObject({ seq: 3, kind: 'erasure', reason_code: 'gdpr_erasure', erased: true });
    expect(body.at(-1)).toMatchObject({ personal_data: true });
  });

  it('resumes after a seq, a limit at a time, the next cursor in the last line and the trailer', async () => {
    const first = await lines(await call('/tenants/default/siem/events?limit=2', 'admin'));
    expect(first.at(-1)).toMatchObject({ next_after_seq: 2, count: 2, more: true });
    const rest = await lines(await call('/tenants/default/siem/events?after_seq=2&limit=2', 'admin'));
    expect(rest.map((l) => l.seq)).toEqual([3, undefined]);
    expect(rest.at(-1)).toMatchObject({ after_seq: 2, next_after_seq: 3, count: 1, more: false });
  });

  it('reads a long log page by page, for a slow reader, in seq order', async () => {
    const created = await fetch(`${s.url}/api/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.env.STANDING_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'bulk', name: 'Bulk' }),
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 3; i++)
      await s.resources.log.append(Array.from({ length: 500 }, () => event({ tenant: 'bulk' })));
    keys.bulkAuditor = await issueKey(s.url, env.env.STANDING_ADMIN_TOKEN!, 'bulk', 'auditor');
    const res = await call('/tenants/bulk/siem/events?limit=1400&after_seq=50', 'bulkAuditor');
    const reader = res.body!.getReader();
    let text = '';
    for (let chunks = 0; ; chunks++) {
      const { done, value } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
      // A reader slower than the database: the server waits for the socket to drain.
      if (chunks < 5) await new Promise((r) => setTimeout(r, 50));
    }
    const body = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq?: number });
    expect(body.length).toBe(1401);
    expect(body.slice(0, -1).every((l, i) => l.seq === 51 + i)).toBe(true);
    expect(body.at(-1)).toMatchObject({ next_after_seq: 1450, count: 1400, more: true });
  });

  it('answers 400 naming the parameter, 403 without siem.export, 404 for an unknown tenant', async () => {
    const bad = await call('/tenants/default/siem/events?after_seq=-1', 'admin');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('after_seq');
    expect((await call('/tenants/default/siem/events?cursor=x', 'admin')).status).toBe(400);
    expect((await call('/tenants/default/siem/events', 'agent')).status).toBe(403);
    expect((await call('/tenants/nope/siem/events', 'admin')).status).toBe(403);
  });
});

describe('GET/PUT /tenants/:tenant/siem/splunk', () => {
  it('creates the target, never returns the token, and names a bad field', async () => {
    expect((await call('/tenants/default/siem/splunk', 'admin')).status).toBe(404);
    const missing = await call('/tenants/default/siem/splunk', 'admin', {
      method: 'PUT',
      body: JSON.stringify({ url: HEC }),
    });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('token');
    const http = await call('/tenants/default/siem/splunk', 'admin', {
      method: 'PUT',
      body: JSON.stringify({ url: 'http://splunk.test:8088', token: TOKEN }),
    });
    expect(http.status).toBe(400);
    expect(await http.text()).toContain('url: must be the https://');
    const put = await call('/tenants/default/siem/splunk', 'admin', {
      method: 'PUT',
      body: JSON.stringify({ url: HEC, token: TOKEN, index: 'audit' }),
    });
    expect(put.status).toBe(200);
    const got = await call('/tenants/default/siem/splunk', 'admin');
    const text = await got.text();
    expect(text).not.toContain(TOKEN);
    expect(JSON.parse(text)).toMatchObject({
      url: HEC,
      index: 'audit',
      sourcetype: 'standing:event',
      source: 'standing',
      include_personal_data: false,
      enabled: true,
      last_seq: 0,
      token: { set: true, last4: '4b5a' },
      updated_by: `api-key:${keys.admin!.split('_')[1]}`,
    });
  });

  it(
    'refuses include_personal_data: true to a caller without personal_data.read, ' +
      'naming the field; the auditor may',
    async () => {
      const res = await call('/tenants/default/siem/splunk', 'admin', {
        method: 'PUT',
        body: JSON.stringify({ include_personal_data: true }),
      });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('include_personal_data');
      // The auditor, who reads personal data, may turn it on (and off again for the push tests below).
      const auditor = await call('/tenants/default/siem/splunk', 'auditor', {
        method: 'PUT',
        body: JSON.stringify({ include_personal_data: true }),
      });
      expect(auditor.status).toBe(200);
      expect(await auditor.json()).toMatchObject({ include_personal_data: true });
      expect(
        (
          await call('/tenants/default/siem/splunk', 'admin', {
            method: 'PUT',
            body: JSON.stringify({ include_personal_data: false }),
          })
        ).status,
      ).toBe(200);
    },
  );
});

describe('Splunk HEC push', () => {
  /** Intercepts one HEC request, recording the events it carried. */
  function hec(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) {
    const seen: Record<string, unknown>[][] = [];
    const scope = nock(HEC, { reqheaders: { authorization: `Splunk ${TOKEN}` } })
      .post('/services/collector/event', (raw: string | object) => {
        const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
        seen.push(text.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>));
        return true;
      })
      .reply(status, body, headers);
    return { scope, seen };
  }

  it(
    'sends exactly the rows after the cursor, without ' + 'personal data unless enabled, and moves the cursor',
    async () => {
      const h = hec(200, { text: 'Success', code: 0 });
      expect(await pushSiemTargets(s.resources.log, targets)).toEqual([
        { tenant: 'default', status: 'sent', events: 3, batches: 1, last_seq: 3 },
      ]);
      expect(h.scope.isDone()).toBe(true);
      const batch = h.seen[0]!;
      expect(batch.map((e) => (e.event as { seq: number }).seq)).toEqual([1, 2, 3]);
      expect(batch[0]).toMatchObject({
        index: 'audit',
        source: 'standing',
        sourcetype: 'standing:event',
        time: expect.any(Number),
        event: { type: 'standing.event', id: expect.any(String) },
      });
      expect(JSON.stringify(batch)).not.toContain(dana.email);
      expect(await pushSiemTargets(s.resources.log, targets)).toEqual([
        { tenant: 'default', status: 'up_to_date', last_seq: 3 },
      ]);
    },
  );

  it('keeps the cursor on a 503, waits out its Retry-After, then sends the same rows again', async () => {
    await s.resources.log.append([
      event({ tenant: 'default', customer: dana }),
      event({ tenant: 'default', customer: dana }),
    ]);
    const busy = hec(503, { text: 'Server is busy', code: 9 }, { 'Retry-After': '120' });
    expect(await pushSiemTargets(s.resources.log, targets)).toEqual([
      {
        tenant: 'default',
        status: 'failed',
        events: 0,
        last_seq: 3,
        reason: 'server_busy',
        retry: true,
        wait_ms: 120_000,
        error: 'server_busy: HTTP 503, code 9, Server is busy',
      },
    ]);
    expect(busy.seen[0]!.map((e) => (e.event as { seq: number }).seq)).toEqual([4, 5]);
    expect(await targets.get('default')).toMatchObject({
      last_seq: 3,
      last_error: 'server_busy: HTTP 503, code 9, Server is busy',
      not_before: expect.any(String),
    });
    // Within the wait: not even asked (nock would refuse an unexpected request).
    expect(await pushSiemTargets(s.resources.log, targets)).toEqual([]);
    const later = () => new Date(Date.now() + 121_000);
    const ok = hec(200, { text: 'Success', code: 0 });
    expect(await pushSiemTargets(s.resources.log, targets, { now: later })).toMatchObject([
      { status: 'sent', events: 2, last_seq: 5 },
    ]);
    expect(ok.seen[0]!.map((e) => (e.event as { seq: number }).seq)).toEqual([4, 5]);
    expect(await targets.get('default')).toMatchObject({ last_seq: 5, last_error: null, not_before: null });
  });

  it('resumes from the stored cursor after a restart, in batches, with personal data once enabled', async () => {
    await s.resources.log.append([
      event({ tenant: 'default', customer: dana }),
      event({ tenant: 'default', customer: dana }),
      event({ tenant: 'default', customer: dana }),
    ]);
    // A new process: only the database remembers where the push was.
    const restarted = new SplunkTargets(s.resources.db, s.resources.secrets.master);
    await restarted.put('default', { include_personal_data: true }, 'test');
    const a = hec(200, { text: 'Success', code: 0 });
    const b = hec(200, { text: 'Success', code: 0 });
    expect(await pushSiemTargets(s.resources.log, restarted, { batchSize: 2 })).toEqual([
      { tenant: 'default', status: 'sent', events: 3, batches: 2, last_seq: 8 },
    ]);
    expect([...a.seen, ...b.seen].map((batch) => batch.map((e) => (e.event as { seq: number }).seq))).toEqual([
      [6, 7],
      [8],
    ]);
    expect(a.seen[0]![0]).toMatchObject({ event: { personal: { customer: { email: dana.email } } } });
  });

  it('after a crash between the answer and the cursor update, sends that one batch again and no more', async () => {
    await s.resources.log.append([
      event({ tenant: 'default', customer: dana }),
      event({ tenant: 'default', customer: dana }),
    ]);
    // The process dies right after Splunk accepted the batch, before the cursor moved.
    class CrashingTargets extends SplunkTargets {
      override advance(): Promise<boolean> {
        return Promise.reject(new Error('killed'));
      }
    }
    const first = hec(200, { text: 'Success', code: 0 });
    await expect(
      pushSiemTargets(s.resources.log, new CrashingTargets(s.resources.db, s.resources.secrets.master), {
        batchSize: 1,
      }),
    ).rejects.toThrow('killed');
    const again = hec(200, { text: 'Success', code: 0 });
    const next = hec(200, { text: 'Success', code: 0 });
    expect(await pushSiemTargets(s.resources.log, targets, { batchSize: 1 })).toMatchObject([
      { status: 'sent', events: 2, last_seq: 10 },
    ]);
    expect([first, again, next].map((h) => h.seen.map((b) => b.map((e) => (e.event as { seq: number }).seq)))).toEqual([
      [[9]],
      [[9]],
      [[10]],
    ]);
  });

  it('records a refused token without retrying sooner, and never logs or stores the token', async () => {
    await s.resources.log.append([event({ tenant: 'default', customer: dana })]);
    hec(403, { text: 'Invalid token', code: 4 });
    const [out] = await pushSiemTargets(s.resources.log, targets);
    expect(out).toMatchObject({ status: 'failed', reason: 'unauthorized', retry: false, last_seq: 10 });
    const stored = await targets.get('default');
    expect(stored).toMatchObject({
      last_seq: 10,
      last_error: 'unauthorized: HTTP 403, code 4, Invalid token',
      not_before: null,
    });
    expect(JSON.stringify(stored)).not.toContain(TOKEN);
    const [{ sealed }] = (await s.resources.db.query<{ sealed: Buffer }>(
      'SELECT token_sealed AS sealed FROM siem_targets',
    )) as [{ sealed: Buffer }];
    expect(sealed.toString('latin1')).not.toContain(TOKEN);
  });
});
