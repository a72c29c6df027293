/**
 * The pieces of the intake benchmark (webhook-intake.ts): signed deliveries made before the clock
 * starts, one timed run of the product (webhooks in until the last log row is committed, with the
 * CPU of each process), and an open-loop latency window.
 */
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { signZendeskWebhook } from '../connector/zendesk/webhook-signature.ts';
import type { Database } from '../connector/store/database.ts';
import { LoadClient, serializeRequest } from './load-client.ts';
import { elapsedMs } from './harness.ts';
import { meterCpu, rssOf, waitUntil } from './processes.ts';
import type { PipelineRun } from './textbook-baseline.ts';

export const SECRET = randomBytes(32).toString('base64');
const WEBHOOK_PATH = '/webhooks/zendesk/default';

/** A `user.active_changed` body; 20,000 distinct users, alternating deactivation and reinstatement. */
export function body(id: string, n: number): string {
  const user = String(1_000_000 + (n % 20_000));
  return JSON.stringify({
    type: 'zen:event-type:user.active_changed',
    account_id: 1,
    id: `${id}-${randomBytes(4).toString('hex')}`,
    time: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString().replace('.000Z', 'Z'),
    zendesk_event_version: '2022-06-20',
    subject: `zen:user:${user}`,
    detail: {
      id: user,
      email: `bench${user}@example.com`,
      role: 'end-user',
      external_id: '',
      organization_id: '0',
      created_at: '2025-01-08T10:12:42Z',
      updated_at: '2026-01-01T00:00:00Z',
    },
    event: n % 2 === 0 ? { current: false, previous: true } : { current: true, previous: false },
  });
}

/** A signed delivery, serialized for the wire before the clock starts. */
export function signed(raw: string): Buffer {
  const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return serializeRequest(
    'POST',
    WEBHOOK_PATH,
    {
      'content-type': 'application/json',
      'x-zendesk-webhook-signature-timestamp': timestamp,
      'x-zendesk-webhook-signature': signZendeskWebhook(SECRET, timestamp, raw),
    },
    raw,
  );
}

/** `count` deliveries of distinct events; `first` keeps event times increasing across rounds. */
export function deliveries(tag: string, first: number, count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => signed(body(`${tag}-${i}`, first + i)));
}

/** Sends every delivery with `inFlight` requests outstanding, spread over the clients in turn. */
export async function sendAll(clients: readonly LoadClient[], items: readonly Buffer[], inFlight = 64): Promise<void> {
  let sent = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async (_, lane) => {
      const client = clients[lane % clients.length]!;
      while (sent < items.length) {
        const r = await client.send(items[sent++]!);
        if (r.status !== 202 && r.status !== 200) throw new Error(`webhook answered ${r.status}`);
      }
    }),
  );
}

export interface ServiceSet {
  apis: readonly ChildProcess[];
  workers: readonly ChildProcess[];
  clients: readonly LoadClient[];
  /** `application_name` of the service's PostgreSQL sessions. */
  session: string;
}

export interface ProductRun extends PipelineRun {
  acceptedRate: number;
  rss: number[];
}

/** One timed run: every delivery in, until `standing_events` holds `expectedRows`. */
export async function productRun(
  db: Database,
  set: ServiceSet,
  redisPid: number | undefined,
  items: readonly Buffer[],
  expectedRows: number,
): Promise<ProductRun> {
  const pidsOf = (cs: readonly ChildProcess[]) => cs.map((c) => c.pid);
  const meters = await Promise.all([
    meterCpu(db, Object.fromEntries(pidsOf(set.apis).map((p, i) => [`api${i}`, p])), {}),
    meterCpu(db, Object.fromEntries(pidsOf(set.workers).map((p, i) => [`worker${i}`, p])), {}),
    meterCpu(db, { redis: redisPid }, { postgres: set.session }),
  ]);
  const rss = [rssOf(set.workers[0]!)];
  const sampler = setInterval(() => rss.push(rssOf(set.workers[0]!)), 1000);
  const t0 = performance.now();
  try {
    await sendAll(set.clients, items);
    const acceptedMs = elapsedMs(t0);
    await waitUntil(
      async () => (await count(db, 'SELECT count(*) AS n FROM standing_events')) >= expectedRows,
      600_000,
    );
    const seconds = elapsedMs(t0) / 1000;
    const [apis, workers, rest] = await Promise.all(meters.map((m) => m.stop()));
    const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const cpuMs = new Map([
      ['api', sum(apis!)],
      ['worker', sum(workers!)],
      ['postgres', rest!.get('postgres') ?? 0],
      ['redis', rest!.get('redis') ?? 0],
    ]);
    return { rate: items.length / seconds, acceptedRate: items.length / (acceptedMs / 1000), cpuMs, rss };
  } finally {
    clearInterval(sampler);
    rss.push(rssOf(set.workers[0]!));
  }
}

/**
 * Starts a request every 1/rate s regardless of answers (open loop); every tenth is `/healthz`,
 * so the baseline is sampled in the same window, under the same load, as the webhooks.
 */
export async function openLoopMixed(
  client: LoadClient,
  rate: number,
  seconds: number,
  webhooks: readonly Buffer[],
): Promise<{ webhook: number[]; healthz: number[] }> {
  const healthz = serializeRequest('GET', '/healthz', {});
  const total = rate * seconds;
  const hooks: Promise<number>[] = [];
  const health: Promise<number>[] = [];
  const start = performance.now();
  let next = 0;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    const isHealth = i % 10 === 9;
    const done = client.send(isHealth ? healthz : webhooks[next++]!).then(() => elapsedMs(t0));
    (isHealth ? health : hooks).push(done);
  }
  return { webhook: await Promise.all(hooks), healthz: await Promise.all(health) };
}

export async function count(db: Database, sql: string): Promise<number> {
  return Number((await db.query<{ n: number }>(sql))[0]!.n);
}
