/**
 * `npm run attribution:figures`: the demo's history posted through the real intake (embedded
 * database, Redis at REDIS_URL), attributed against the local Zendesk stand-in (demo/zendesk-stand-in.ts),
 * then printed: the share of events with a named actor or a definite kind before and after
 * attribution, why the rest stay unknown, the attribution lag after intake (p50, p99) and the provider
 * calls per 1,000 events. Figures, not assertions (docs/benchmarks.md#attribution).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseConfig, formatConfigProblems } from '../connector/config/config.ts';
import { startStanding } from '../connector/app/standing.ts';
import type { Attribution } from '../connector/model/attribution.ts';
import type { StoredStandingEvent } from '../connector/store/event-codec.ts';
import { demoZendeskRecords } from '../demo/demo-audits.ts';
import { DEMO_TENANT } from '../demo/demo-data.ts';
import { generateDemoSecrets, seedDemo } from '../demo/seed.ts';
import { startZendeskStandIn } from '../demo/zendesk-stand-in.ts';

const parsed = parseConfig({
  LOG_LEVEL: 'warn',
  PORT: '0',
  HOST: '127.0.0.1',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  STANDING_QUEUE_PREFIX: `figures-${randomBytes(4).toString('hex')}`,
  STANDING_DATA_DIR: mkdtempSync(join(tmpdir(), 'standing-figures-')),
  STANDING_RECONCILE_INTERVAL_MS: '0',
});
if (!parsed.ok) {
  process.stderr.write(`${formatConfigProblems(parsed.problems)}\n`);
  process.exit(2);
}

const now = Date.now();
const zendesk = await startZendeskStandIn(demoZendeskRecords(now));
const service = await startStanding(parsed.config);
try {
  const { db, log } = service.resources;
  await seedDemo({
    url: service.url,
    adminToken: service.resources.secrets.operatorToken,
    db,
    secrets: generateDemoSecrets(),
    now,
    zendeskApiUrl: zendesk.url,
  });
  const { events } = await log.attributions.pending(DEMO_TENANT, 0, 10_000);
  const real = events.filter((e) => e.source.system !== ('standing' as string));
  const attributions = await log.attributions.ofEvents(
    DEMO_TENANT,
    real.map((e) => e.id),
  );
  const lags = await db.query<{ ms: number }>(
    `SELECT extract(epoch FROM a.read_at - e.recorded_at) * 1000 AS ms FROM event_attributions a
      JOIN standing_events e ON e.tenant = a.tenant AND e.id = a.event_id WHERE a.tenant = $1 ORDER BY 1`,
    [DEMO_TENANT],
  );
  print(
    real,
    attributions,
    lags.map((r) => Number(r.ms)),
    zendesk.requests,
  );
} finally {
  await service.close();
  await zendesk.close();
}

function known(e: StoredStandingEvent, a: Attribution | undefined): { named: boolean; definite: boolean } {
  const actor = a && a.actor.type !== 'unknown' ? a.actor : e.actor;
  const kind = a && a.initiation !== 'unknown' ? a.initiation : e.initiation?.type;
  return { named: Boolean(actor.name), definite: kind !== undefined && kind !== 'unknown' };
}

function print(
  events: StoredStandingEvent[],
  attributions: Map<string, Attribution>,
  lagsMs: number[],
  requests: string[],
): void {
  const n = events.length;
  const share = (f: (e: StoredStandingEvent) => boolean) =>
    `${events.filter(f).length}/${n} (${Math.round((100 * events.filter(f).length) / n)} %)`;
  const before = (e: StoredStandingEvent) => {
    const k = known(e, undefined);
    return k.named || k.definite;
  };
  const after = (e: StoredStandingEvent) => {
    const k = known(e, attributions.get(e.id));
    return k.named || k.definite;
  };
  const reasons = new Map<string, number>();
  const why = () => [...reasons].map(([m, c]) => `${c}× "${m}"`).join(', ') || 'none';
  for (const a of attributions.values())
    if (a.unknown_reason) reasons.set(a.unknown_reason.message, (reasons.get(a.unknown_reason.message) ?? 0) + 1);
  const pct = (p: number) => lagsMs[Math.min(lagsMs.length - 1, Math.floor(p * lagsMs.length))] ?? 0;
  const calls = requests.filter((r) => /audit_logs|\/audits|show_many/.test(r)).length;
  process.stdout.write(`
Attribution over the demo's ${n} events (${attributions.size} attribution records)
  named actor or definite kind, from the events alone   ${share(before)}
  named actor or definite kind, with attribution        ${share(after)}
  named actor, with attribution                         ${share((e) => known(e, attributions.get(e.id)).named)}
  still unknown, with the reason                        ${why()}
  attribution lag after intake                          p50 ${Math.round(pct(0.5))} ms, p99 ${Math.round(pct(0.99))} ms
  provider calls (audit log, ticket audits, users)      ${calls}, ${Math.round((1000 * calls) / n)} per 1,000 events
`);
}
