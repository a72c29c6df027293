/**
 * The Loggly target on the real PostgreSQL: set over the API (the token write-only, personal data
 * gated as for Splunk), and the push to the bulk endpoint (nock): newline-delimited JSON of exactly
 * the rows after the cursor, the cursor moved only on `{"response":"ok"}`, a 503 leaving it for the
 * next run with an error that never holds the token.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { pushLogglyTargets } from '../../connector/siem/loggly-push.ts';
import { LogglyTargets } from '../../connector/siem/loggly-targets.ts';
import { issueKey } from '../support/access.ts';
import { event } from '../support/fixtures.ts';
import { intakeEnv, startIntakeService, stopIntakeService, type IntakeEnv } from '../support/intake-harness.ts';

const TOKEN = 'b5ec2ad3-1f7e-4c1a-9d8b-1234567890ab';
const BULK = `/bulk/${TOKEN}/tag/standing-audit/`;
let env: IntakeEnv;
let s: ServiceHandle;
let targets: LogglyTargets;
const keys: Record<string, string> = {};
const putLoggly = (role: string, body: unknown) =>
  fetch(`${s.url}/api/v1/tenants/default/siem/loggly`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${keys[role]}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  env = intakeEnv('loggly', {
    STANDING_LOGGLY_PUSH_INTERVAL_MS: '0',
    STANDING_ALERTS_INTERVAL_MS: '0',
    STANDING_SIEM_PUSH_INTERVAL_MS: '0',
    STANDING_CHECKPOINT_INTERVAL_MS: '0',
    STANDING_RETENTION_INTERVAL_MS: '0',
  });
  s = await startIntakeService(env);
  for (const role of ['admin', 'auditor'] as const)
    keys[role] = await issueKey(s.url, env.env.STANDING_ADMIN_TOKEN!, 'default', role);
  targets = new LogglyTargets(s.resources.db, s.resources.secrets.master);
  await s.resources.log.append([
    event({ tenant: 'default', customer: { zendesk_user_id: '501' } }),
    event({ tenant: 'default', customer: { zendesk_user_id: '502' } }),
  ]);
});

afterAll(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  await stopIntakeService(env, s);
});

describe('the Loggly target', () => {
  it('is set over the API: token required and write-only, personal data only for an auditor', async () => {
    const missing = await putLoggly('admin', { tag: 'standing-audit' });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('token');
    const bad = await putLoggly('admin', { token: 'has spaces in it', tag: 'a/b' });
    expect(await bad.text()).toMatch(/token.*tag|tag.*token/s);
    expect((await putLoggly('admin', { token: TOKEN, include_personal_data: true })).status).toBe(403);
    const ok = await putLoggly('admin', { token: TOKEN, tag: 'standing-audit' });
    expect(ok.status).toBe(200);
    const view = (await ok.json()) as Record<string, unknown>;
    expect(view).toMatchObject({ tag: 'standing-audit', token: { set: true, last4: '90ab' }, last_seq: 0 });
    expect(JSON.stringify(view)).not.toContain(TOKEN);
  });

  it('pushes the rows after the cursor as NDJSON, and moves the cursor only on ok', async () => {
    let body = '';
    nock('https://logs-01.loggly.com')
      .post(BULK, (b: string) => {
        body = b;
        return true;
      })
      .reply(200, { response: 'ok' });
    const [first] = await pushLogglyTargets(s.resources.log, targets);
    expect(first).toMatchObject({ tenant: 'default', status: 'sent', events: 2, last_seq: 2 });
    const lines = body.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.seq)).toEqual([1, 2]);
    expect(lines[0]).toMatchObject({ type: 'standing.event', kind: 'deactivation', timestamp: lines[0]!.occurred_at });
    expect(lines[0]).not.toHaveProperty('personal');

    await s.resources.log.append([event({ tenant: 'default', customer: { zendesk_user_id: '503' } })]);
    nock('https://logs-01.loggly.com').post(BULK).reply(503, 'busy');
    const [failed] = await pushLogglyTargets(s.resources.log, targets);
    expect(failed).toMatchObject({ status: 'failed', reason: 'server_error', retry: true, last_seq: 2 });
    const after = (await targets.get('default'))!;
    expect(after.last_seq).toBe(2);
    expect(after.last_error).toContain('HTTP 503');
    expect(after.last_error).not.toContain(TOKEN);

    nock('https://logs-01.loggly.com').post(BULK).reply(200, { response: 'ok' });
    const [resumed] = await pushLogglyTargets(s.resources.log, targets);
    expect(resumed).toMatchObject({ status: 'sent', events: 1, last_seq: 3 });
    expect(await pushLogglyTargets(s.resources.log, targets)).toEqual([
      { tenant: 'default', status: 'up_to_date', last_seq: 3 },
    ]);
  });
});
