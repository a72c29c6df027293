/**
 * Hostile deliveries (FUZZ_RUNS x FUZZ_BATCH, sent FUZZ_BATCH at a time; 10,000 in CI) against the real
 * service (one process, role `all`): no 5xx, no crash, RSS steady; nothing that failed verification
 * is stored; every delivery answered 2xx is in the inbox and, once the worker has drained, stored
 * or visible to an admin (quarantine or ignored lists). Set FUZZ_RUNS to change the count.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { authorizationFor } from '../support/access.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import {
  intakeEnv,
  startIntakeService,
  stopIntakeService,
  waitFor,
  WEBHOOK_SECRET,
  type IntakeEnv,
} from '../support/intake-harness.ts';
import { FUZZ_ORG, fuzzCase, isOutboundContentType, type FuzzCase } from './arbitraries.ts';

const FUZZ_BATCH = 50;
// 2,000 deliveries under `npm test`; `npm run test:fuzz` (run by .ci/run) sends 10,000.
const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 40);
/** RSS is sampled four times in a run. */
const RSS_EVERY = Math.max(FUZZ_BATCH, Math.floor(FUZZ_RUNS / 4) * FUZZ_BATCH);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

let env: IntakeEnv;
let service: ServiceHandle;
const admin = async (path: string) => ({
  authorization: await authorizationFor(service.url, env.env.STANDING_ADMIN_TOKEN!, path),
  'content-type': 'application/json',
});

beforeAll(async () => {
  // No Zendesk API credentials: mutated payloads lacking identities would otherwise send the worker
  // to look them up at acme.zendesk.com, and the network's answer (or its absence) decides the drain time.
  env = intakeEnv('fuzz', { STANDING_COMPANION_WAIT_MS: '0', ZENDESK_API_EMAIL: '', ZENDESK_API_TOKEN: '' });
  service = await startIntakeService(env);
  const put = await fetch(`${service.url}/api/v1/tenants/default/salesforce`, {
    method: 'PUT',
    headers: await admin('/api/v1/tenants/default/salesforce'),
    body: JSON.stringify({ organization_id: FUZZ_ORG, instance_url: 'https://acme.my.salesforce.com' }),
  });
  expect(put.status).toBe(200);
});
afterAll(async () => {
  await stopIntakeService(env, service);
});

/** Whether the delivery carries a valid signature of a current timestamp for an existing tenant. */
function verifiable(c: Extract<FuzzCase, { kind: 'zendesk' }>): boolean {
  const h = Object.keys(c.headers);
  return (
    c.signed &&
    c.tenant === 'default' &&
    Math.abs(c.timestampSkewS) < 250 &&
    !h.includes('x-zendesk-webhook-signature') &&
    !h.includes('x-zendesk-webhook-signature-timestamp')
  );
}

async function send(c: FuzzCase): Promise<number> {
  if (c.kind === 'salesforce') {
    const headers: Record<string, string> = {
      soapaction: '""',
      ...(c.contentType === null ? {} : { 'content-type': c.contentType }),
    };
    const res = await fetch(`${service.url}/webhooks/salesforce/default/outbound`, {
      method: 'POST',
      headers,
      body: c.body,
    });
    await res.arrayBuffer();
    return res.status;
  }
  const timestamp = new Date(Date.now() + c.timestampSkewS * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const secret = c.signed ? WEBHOOK_SECRET : 'forged-secret-of-the-right-shape-0123456789=';
  const signature = createHmac('sha256', secret).update(timestamp).update(c.body).digest('base64');
  const res = await fetch(`${service.url}/webhooks/zendesk/${encodeURIComponent(c.tenant)}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-zendesk-webhook-signature-timestamp': timestamp,
      'x-zendesk-webhook-signature': signature,
      ...c.headers,
    },
    body: c.body,
  });
  await res.arrayBuffer();
  return res.status;
}

const count = async (sql: string, params: unknown[] = []) =>
  Number((await service.resources.db.query<{ n: number }>(sql, params))[0]!.n);

it(
  `${FUZZ_RUNS * FUZZ_BATCH} mutated deliveries: no 5xx, nothing forged stored, every accepted one stored or visible`,
  async () => {
    const started = Date.now();
    const statuses = new Map<number, number>();
    let zendeskAccepted = 0;
    const ackedNotifications: string[] = [];
    const refusedNotifications: string[] = [];
    const rss: number[] = [];
    let sent = 0;

    const outcome = await fc.check(
      fc.asyncProperty(fc.array(fuzzCase, { minLength: FUZZ_BATCH, maxLength: FUZZ_BATCH }), async (cases) => {
        const answers = await Promise.all(cases.map(send));
        cases.forEach((c, i) => {
          const status = answers[i]!;
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          expect(status, `5xx for ${JSON.stringify(c).slice(0, 500)}`).toBeLessThan(500);
          if (c.kind === 'zendesk') {
            if (!verifiable(c)) expect(status, 'an unverifiable delivery was accepted').toBeGreaterThanOrEqual(400);
            if (status === 202) zendeskAccepted += 1;
          } else if (!isOutboundContentType(c.contentType)) {
            expect(status, `Content-Type ${String(c.contentType)} was read`).toBe(415);
            if (c.rightOrg) refusedNotifications.push(c.notificationId);
          } else if (!c.rightOrg) {
            expect(status, 'another organization was acked').not.toBe(200);
            refusedNotifications.push(c.notificationId);
          } else if (status === 200 && c.body.includes(`<Id>${c.notificationId}</Id>`)) {
            ackedNotifications.push(c.notificationId);
          }
        });
        sent += cases.length;
        if (sent % RSS_EVERY === 0) rss.push(process.memoryUsage().rss);
      }),
      { numRuns: FUZZ_RUNS, seed: SEED, endOnFailure: true },
    );
    // fast-check's own report prints the whole counterexample (megabytes of bodies): the error and
    // the seed and path that replay it are enough (FUZZ_SEED=<seed>).
    if (outcome.failed)
      throw new Error(
        `fuzz failed (seed ${outcome.seed}, path ${outcome.counterexamplePath}): ` +
          `${String(outcome.errorInstance).slice(0, 2000)}`,
      );
    const sendMs = Date.now() - started;

    // Nothing that failed verification is in the inbox: every Zendesk row is one 202.
    expect(await count("SELECT count(*)::int AS n FROM intake_inbox WHERE source = 'zendesk'")).toBe(zendeskAccepted);
    expect(
      await count('SELECT count(*)::int AS n FROM intake_inbox WHERE event_id = ANY($1::text[])', [
        refusedNotifications.map((id) => `om:${id}`),
      ]),
    ).toBe(0);
    expect(
      await count('SELECT count(DISTINCT event_id)::int AS n FROM intake_inbox WHERE event_id = ANY($1::text[])', [
        ackedNotifications.map((id) => `om:${id}`),
      ]),
    ).toBe(new Set(ackedNotifications).size);

    // Every accepted delivery ends stored, ignored or quarantined, and the last two are listed to an admin.
    await waitFor(
      'the worker drained',
      async () => (await count("SELECT count(*)::int AS n FROM intake_inbox WHERE state = 'pending'")) === 0,
      60_000,
    ).catch(async (err: unknown) => {
      const pending = await service.resources.db.query<{
        source: string;
        event_id: string;
        attempts: number;
        body: unknown;
      }>("SELECT source, event_id, attempts, body FROM intake_inbox WHERE state = 'pending' LIMIT 5");
      throw new Error(`${String(err)} (seed ${SEED}): ${JSON.stringify(pending).slice(0, 3000)}`);
    });
    for (const state of ['quarantined', 'ignored'] as const) {
      let listed = 0;
      let cursor: string | null = null;
      do {
        const after = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const page = (await (
          await fetch(`${service.url}/api/v1/tenants/default/inbox?state=${state}&limit=500${after}`, {
            headers: await admin('/api/v1/tenants/default/inbox'),
          })
        ).json()) as { events: unknown[]; next_cursor: string | null };
        listed += page.events.length;
        cursor = page.next_cursor;
      } while (cursor);
      expect(listed, state).toBe(await count('SELECT count(*)::int AS n FROM intake_inbox WHERE state = $1', [state]));
    }
    const stored = await count("SELECT count(*)::int AS n FROM intake_inbox WHERE state = 'stored'");
    expect((await service.resources.log.verify('default')).ok).toBe(true);
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);

    // RSS steady: the second half of the run grows it by less than 150 MiB.
    const mib = rss.map((b) => Math.round(b / 2 ** 20));
    if (mib.length >= 2) expect(mib.at(-1)! - mib[Math.floor(mib.length / 2) - 1]!).toBeLessThan(150);
    console.log(
      `fuzz: ${sent} deliveries in ${sendMs} ms (seed ${SEED}); answers ` +
        `${JSON.stringify(Object.fromEntries([...statuses].sort()))}; ` +
        `zendesk accepted ${zendeskAccepted}, salesforce notifications acked ` +
        `${new Set(ackedNotifications).size}; stored ${stored}; RSS MiB every ${RSS_EVERY}: ${mib.join(', ')}`,
    );
  },
  Math.max(240_000, FUZZ_RUNS * 2_000),
);

it(
  'a SOAP notification carrying U+0000 gets a SOAP fault, and the rest of the inbox batch is unaffected (found ' +
    'by the fuzzer)',
  async () => {
    const xml = readFileSync(new URL('../fixtures/salesforce/outbound-message.xml', import.meta.url), 'utf8').replace(
      '04l5g00000AbCdEAAV',
      '04l5g00000NuLlEAAV',
    );
    const post = (body: string) =>
      fetch(`${service.url}/webhooks/salesforce/default/outbound`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body,
      });
    const [bad, good] = await Promise.all([
      post(xml.replace('Reyes Logistics', 'Reyes\u0000Logistics')),
      post(xml.replace('04l5g00000NuLlEAAV', '04l5g00000GoODEAAV')),
    ]);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('soapenv:Fault');
    expect(good.status).toBe(200);
    expect(
      await count(
        `SELECT count(*)::int AS n FROM intake_inbox
        WHERE event_id IN ('om:04l5g00000NuLlEAAV', 'om:04l5g00000GoODEAAV')`,
      ),
    ).toBe(1);
  },
);
