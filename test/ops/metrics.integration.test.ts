/**
 * /metrics after a small load: the scrape shows the webhook answers by code, the events stored, the
 * batches, the job latencies, the inbox and the chain head, all with the right counts; it needs
 * the metrics token.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ServiceHandle } from '../../connector/app/service.ts';
import {
  intakeEnv,
  postWebhook,
  startIntakeService,
  stopIntakeService,
  waitFor,
  type IntakeEnv,
} from '../support/intake-harness.ts';
import { userDeactivated } from '../support/load.ts';

const METRICS_TOKEN = randomBytes(24).toString('hex');
let env: IntakeEnv;
let service: ServiceHandle;

beforeAll(async () => {
  env = intakeEnv('ops_metrics', { STANDING_METRICS_TOKEN: METRICS_TOKEN });
  service = await startIntakeService(env);
});
afterAll(async () => {
  await stopIntakeService(env, service);
});

/** `name{labels} value` lines of the text format, as a map from `name{labels}` to the value. */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

async function scrape(token = METRICS_TOKEN): Promise<Response> {
  return fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
}

it('counts a small load right', async () => {
  const run = randomBytes(4).toString('hex');
  const ids = Array.from({ length: 20 }, (_, i) => `metrics-${run}-${i}`);
  const accepted = await Promise.all(
    ids.map((id, i) => postWebhook(service.url, 'default', userDeactivated(id, 700_000 + i)).then((r) => r.status)),
  );
  expect(new Set(accepted)).toEqual(new Set([202]));
  const again = await Promise.all(
    ids
      .slice(0, 5)
      .map((id, i) => postWebhook(service.url, 'default', userDeactivated(id, 700_000 + i)).then((r) => r.status)),
  );
  expect(new Set(again)).toEqual(new Set([200]));
  const forged = await Promise.all(
    [0, 1, 2].map((i) =>
      postWebhook(service.url, 'default', userDeactivated(`forged-${run}-${i}`, 1), { secret: 'x'.repeat(44) }).then(
        (r) => r.status,
      ),
    ),
  );
  expect(new Set(forged)).toEqual(new Set([401]));

  await waitFor('every event stored', async () => {
    const [row] = await service.resources.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM intake_inbox WHERE state = 'stored'",
    );
    return row!.n === ids.length;
  });
  // The worker's counters move when its batch resolves, just after the inbox settles.
  const samples = await waitFor('the batch counted', async () => {
    const s = parse(await (await scrape()).text());
    return s.get('standing_intake_events_total{outcome="stored"}') === ids.length ? s : null;
  });
  const route = 'route="/webhooks/zendesk/"';
  expect(samples.get(`standing_webhook_responses_total{${route},code="202"}`)).toBe(20);
  expect(samples.get(`standing_webhook_responses_total{${route},code="200"}`)).toBe(5);
  expect(samples.get(`standing_webhook_responses_total{${route},code="401"}`)).toBe(3);
  expect(samples.get(`standing_webhook_duration_seconds_count{${route}}`)).toBe(28);
  expect(samples.get('standing_intake_batch_size_sum')).toBe(20);
  expect(samples.get('standing_intake_job_latency_seconds_count')).toBe(20);
  expect(samples.get('standing_inbox_pending')).toBe(0);
  expect(samples.get('standing_inbox_oldest_pending_age_seconds')).toBe(0);
  expect(samples.get('standing_inbox_quarantined')).toBe(0);
  expect(samples.get('standing_chain_head_seq{tenant="default"}')).toBe(20);
  expect(samples.get('standing_dependency_up{dependency="database"}')).toBe(1);
  expect(samples.get('standing_dependency_up{dependency="redis"}')).toBe(1);
  expect(samples.get('standing_queue_jobs{state="waiting"}')).toBe(0);
  expect(samples.get('process_resident_memory_bytes')).toBeGreaterThan(0);
  expect(samples.has('nodejs_eventloop_lag_p99_seconds')).toBe(true);
});

it('needs the metrics token', async () => {
  expect((await fetch(`${service.url}/metrics`)).status).toBe(401);
  expect((await scrape(env.env.STANDING_ADMIN_TOKEN)).status).toBe(401);
  const ok = await scrape();
  expect(ok.status).toBe(200);
  expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
});
