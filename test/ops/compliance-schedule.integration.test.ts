/**
 * The `scheduler` role runs checkpoints, retention, the SIEM push and the insights' catch-up by itself,
 * on the real PostgreSQL and Redis, with no CLI call: a checkpoint is written and copied, an expired
 * range is removed and the rest verifies, a tenant under a legal hold keeps its rows, new rows reach
 * Splunk (nock) and the insights' rollups, and the runs show in /metrics and /readyz. In production
 * without a signing key, the role starts, does not schedule what needs the key, and says so in /readyz
 * and the metrics.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../connector/config/config.ts';
import { parseCheckpointKey } from '../../connector/model/checkpoint.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { SplunkTargets } from '../../connector/siem/splunk-targets.ts';
import { startStanding } from '../../connector/app/standing.ts';
import { verifyTenant } from '../../connector/store/checkpoints.ts';
import { Retention } from '../../connector/store/retention.ts';
import { StandingLog } from '../../connector/store/standing-log.ts';
import { holdActor } from '../support/access.ts';
import { event } from '../support/fixtures.ts';
import { intakeEnv, stopIntakeService, waitFor, type IntakeEnv } from '../support/intake-harness.ts';

const DAY = 86_400_000;
const SEED = randomBytes(32).toString('base64');
const key = parseCheckpointKey(SEED);
const HEC = 'https://splunk.test:8088';

async function start(e: IntakeEnv, now?: () => Date): Promise<ServiceHandle> {
  const parsed = parseConfig(e.env);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return startStanding(parsed.config, now ? { compliance: { scheduler: { now } } } : {});
}

describe('the scheduler role', () => {
  let env: IntakeEnv;
  let s: ServiceHandle;
  const exportDir = mkdtempSync(join(tmpdir(), 'standing-checkpoints-'));
  /** The jobs' clock: real time until the test moves it past the retention period. */
  let clock: () => Date = () => new Date();
  const hecBodies: string[] = [];

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    nock(HEC)
      .persist()
      .post('/services/collector/event', (body: string | object) => {
        hecBodies.push(typeof body === 'string' ? body : JSON.stringify(body));
        return true;
      })
      .reply(200, { text: 'Success', code: 0 });
    env = intakeEnv('compliance_sched', {
      STANDING_ROLE: 'scheduler',
      STANDING_CHECKPOINT_KEY: SEED,
      STANDING_CHECKPOINT_EXPORT: exportDir,
      STANDING_CHECKPOINT_INTERVAL_MS: '200',
      STANDING_RETENTION_INTERVAL_MS: '200',
      STANDING_SIEM_PUSH_INTERVAL_MS: '200',
      STANDING_INSIGHTS_INTERVAL_MS: '200',
    });
    s = await start(env, () => clock());
  });
  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await stopIntakeService(env, s);
  });

  const rows = async (tenant: string) =>
    (
      await s.resources.db.query<{ seq: number }>('SELECT seq FROM standing_events WHERE tenant = $1 ORDER BY seq', [
        tenant,
      ])
    ).map((r) => Number(r.seq));

  it('writes and copies a checkpoint of each changed chain, and pushes new rows to Splunk', async () => {
    const { log, db, secrets } = s.resources;
    await new SplunkTargets(db, secrets.master).put('default', { url: HEC, token: 'hec-token-0001' }, 'test');
    // Recorded two days ago: old enough for the 1-day policy of the next test, by the database's clock too.
    const recordedEarlier = new StandingLog(db, secrets.master, { clock: () => new Date(Date.now() - 2 * DAY) });
    await recordedEarlier.append([
      event({ tenant: 'default' }),
      event({ tenant: 'default' }),
      event({ tenant: 'default' }),
    ]);
    await log.append([event({ tenant: 'held' }), event({ tenant: 'held' })]);
    await waitFor('checkpoints of both tenants', async () => {
      const cps = await db.query<{ tenant: string; seq: number }>(
        'SELECT tenant, seq FROM checkpoints ORDER BY tenant',
      );
      return cps.length >= 2 && cps.some((c) => c.tenant === 'default' && Number(c.seq) === 3) ? cps : null;
    });
    await waitFor('the copy in the export directory', async () => readdirSync(join(exportDir, 'default')).length > 0);
    await waitFor(
      'the push to Splunk',
      async () => (await new SplunkTargets(db, secrets.master).get('default'))?.last_seq === 3,
    );
    expect(hecBodies.join('\n')).toContain('"seq":3');
    // The insights' rollups are caught up by the job: a request has nothing left to fold.
    await waitFor('the insights catch-up', async () => {
      const [p] = await db.query<{ through: number }>(
        "SELECT through_seq AS through FROM insights_progress WHERE tenant = 'default'",
      );
      return Number(p?.through) === 3;
    });
    expect(await log.insights.catchUp('default')).toEqual({ rows: 0, through: 3 });
  });

  it('removes the expired range, leaving a chain that verifies, and keeps a tenant under a legal hold', async () => {
    const { log, db } = s.resources;
    await new Promise((r) => setTimeout(r, 20));
    const boundary = Date.now();
    await new Promise((r) => setTimeout(r, 20));
    await log.append([event({ tenant: 'default' }), event({ tenant: 'default' })]);
    const retention = new Retention(db);
    await retention.setPolicy('default', { category: 'custom', keep_days: 1 }, 'dpo@example.com');
    await retention.setPolicy('held', { category: 'custom', keep_days: 1 }, 'dpo@example.com');
    await retention.placeHold('held', null, 'litigation 2026-17', await holdActor(db, 'held'));
    clock = () => new Date(boundary + DAY);
    await waitFor('retention of the expired range', async () => ((await rows('default'))[0] === 4 ? true : null));
    expect(await rows('default')).toEqual([4, 5]);
    // A few more runs: the held tenant keeps everything.
    await new Promise((r) => setTimeout(r, 700));
    expect(await rows('held')).toEqual([1, 2]);
    await waitFor('a checkpoint after the cut', async () => {
      const [c] = await db.query<{ seq: number }>(
        "SELECT seq FROM checkpoints WHERE tenant = 'default' ORDER BY number DESC LIMIT 1",
      );
      return Number(c?.seq) === 5;
    });
    expect(await verifyTenant(log, 'default', { publicKey: key.publicKey })).toMatchObject({
      ok: true,
      starts_at: 4,
      checked: 2,
    });
    expect(await verifyTenant(log, 'held', { publicKey: key.publicKey })).toMatchObject({ ok: true });
  });

  it('reports the runs in /metrics and the schedules in /readyz', async () => {
    const metrics = await (
      await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${env.env.STANDING_ADMIN_TOKEN}` } })
    ).text();
    for (const job of ['checkpoint', 'retention', 'siem_push', 'insights']) {
      expect(metrics).toMatch(new RegExp(`standing_scheduled_job_runs_total\\{job="${job}",outcome="ok"\\} [1-9]`));
      expect(metrics).toContain(`standing_scheduled_job_enabled{job="${job}"} 1`);
      expect(metrics).toMatch(
        new RegExp(`standing_scheduled_job_last_success_timestamp_seconds\\{job="${job}"\\} \\d`),
      );
    }
    expect(metrics).toMatch(/standing_siem_events_pushed_total\{tenant="default"\} [1-9]/);
    const ready = await fetch(`${s.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { compliance: 'ok' } });
  });
});

describe('the scheduler role in production without a checkpoint key', () => {
  let env: IntakeEnv;
  let s: ServiceHandle;
  beforeAll(async () => {
    env = intakeEnv('compliance_nokey', {
      STANDING_ROLE: 'scheduler',
      NODE_ENV: 'production',
      STANDING_CHECKPOINT_INTERVAL_MS: '200',
      STANDING_RETENTION_INTERVAL_MS: '200',
      STANDING_SIEM_PUSH_INTERVAL_MS: '200',
    });
    s = await start(env);
  });
  afterAll(async () => {
    await stopIntakeService(env, s);
  });

  it('starts, schedules only the push, and says why in /readyz and the metrics', async () => {
    const ready = await fetch(`${s.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(JSON.stringify(await ready.json())).toContain('compliance');
    const metrics = await (
      await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${env.env.STANDING_ADMIN_TOKEN}` } })
    ).text();
    expect(metrics).toContain('standing_scheduled_job_enabled{job="checkpoint"} 0');
    expect(metrics).toContain('standing_scheduled_job_enabled{job="retention"} 0');
    expect(metrics).toContain('standing_scheduled_job_enabled{job="siem_push"} 1');
  });
});
