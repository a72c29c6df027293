/**
 * Reconciling unchanged Zendesk users: a local mock of the users cursor export (node:http on
 * 127.0.0.1, pages prepared in advance) serves N users whose state the log already agrees with
 * (each has a log entry with the same status). The run must write nothing to the log, and read at
 * no less than half the rate of simply reading the same pages through the same client in the same
 * run (the raw baseline).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseStandingEvent, type NewStandingEvent } from '../connector/model/standing-event.ts';
import { ReconciliationStore } from '../connector/reconciliation/reconciliation-store.ts';
import { reconcileZendesk } from '../connector/zendesk/reconciler.ts';
import { TenantRegistry } from '../connector/tenants/tenant-registry.ts';
import { ZendeskIncrementalExport, type ExportPosition } from '../connector/zendesk/incremental-export.ts';
import { chunk, elapsedMs, scaled, type Benchmark } from './harness.ts';

const TENANT = 'bench-reconcile';
const PAGE = 1000;
const UPDATED = '2026-03-01T00:00:00Z';

/** Every tenth user suspended (the flag), the others active; all with a log entry saying so. */
const suspendedUser = (i: number) => i % 10 === 0;

function pages(users: number): string[] {
  const out: string[] = [];
  const count = Math.ceil(users / PAGE);
  for (let p = 0; p < count; p++) {
    const list = [];
    for (let i = p * PAGE; i < Math.min(users, (p + 1) * PAGE); i++) {
      list.push({
        id: 10_000_000 + i,
        url: `https://bench.zendesk.com/api/v2/users/${10_000_000 + i}.json`,
        name: `User ${i}`,
        email: `user${i}@example.com`,
        active: true,
        suspended: suspendedUser(i),
        role: 'end-user',
        organization_id: null,
        external_id: null,
        updated_at: UPDATED,
        created_at: UPDATED,
        user_fields: { account_status: null },
      });
    }
    const last = p === count - 1;
    out.push(JSON.stringify({ users: list, after_cursor: `p${p + 1}`, after_url: null, end_of_stream: last }));
  }
  return out;
}

async function mockZendesk(body: string[]): Promise<{ server: Server; url: string }> {
  const orgs = JSON.stringify({ organizations: [], end_time: 1, end_of_stream: true });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const headers = {
      'content-type': 'application/json',
      'zendesk-ratelimit-incremental-exports-cursor': 'total=100000; remaining=99999; resets=60',
    };
    if (url.pathname.endsWith('/organizations.json')) return void res.writeHead(200, headers).end(orgs);
    const cursor = url.searchParams.get('cursor');
    const index = cursor ? Number(cursor.slice(1)) : 0;
    res.writeHead(200, headers).end(body[Math.min(index, body.length - 1)]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function seedEvent(i: number): NewStandingEvent {
  const suspended = suspendedUser(i);
  const r = parseStandingEvent({
    tenant: TENANT,
    kind: suspended ? 'deactivation' : 'reinstatement',
    status: { before: null, after: suspended ? 'suspended' : 'active' },
    initiation: { type: 'unknown', temporary: suspended },
    actor: { type: 'unknown' },
    source: { system: 'zendesk', object: 'user', id: String(10_000_000 + i), event_id: `seed-${i}` },
    detected_via: 'webhook',
    customer: { zendesk_user_id: String(10_000_000 + i) },
    occurred_at: '2026-02-01T00:00:00Z',
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

export const reconcileUsers: Benchmark = {
  name: 'reconcile',
  description:
    'Zendesk users reconciliation of unchanged users against a local mock export: log writes, and rate ' +
    'beside reading the same pages',
  async run(ctx) {
    const users = scaled(ctx, 100_000, 1000);
    const log = ctx.newLog();
    ctx.progress(`reconcile: seeding the log with ${users.toLocaleString('en-US')} users' current status`);
    for (const batch of chunk(
      Array.from({ length: users }, (_, i) => i),
      1000,
    ))
      await log.append(batch.map(seedEvent));
    const tenants = new TenantRegistry(ctx.db, ctx.master, { cacheTtlMs: 0 });
    await tenants.create({
      id: TENANT,
      name: 'Bench',
      zendesk: { subdomain: 'bench', api_email: 'bench@example.com', api_token: 'bench-api-token' },
    });
    const mock = await mockZendesk(pages(users));
    try {
      const credentials = { subdomain: 'bench', email: 'bench@example.com', token: 'bench-api-token' };
      // Baseline: the same pages through the same client, nothing else.
      ctx.settleHeap();
      const client = new ZendeskIncrementalExport(credentials, { baseUrl: mock.url });
      let position: ExportPosition = { start_time: 0 };
      let read = 0;
      const t0 = performance.now();
      for (;;) {
        const page = await client.usersPage(position);
        if (!page.ok) throw new Error(page.message);
        read += page.items.length;
        position = page.next;
        if (page.endOfStream) break;
      }
      const readMs = elapsedMs(t0);

      const [before] = await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM standing_events');
      ctx.settleHeap();
      const t1 = performance.now();
      const run = await reconcileZendesk(
        { log, store: new ReconciliationStore(ctx.db), tenants, exportOptions: { baseUrl: mock.url } },
        (await tenants.get(TENANT))!,
        { initialLookbackMs: Date.now(), maxPages: Number.MAX_SAFE_INTEGER },
      );
      const reconcileMs = elapsedMs(t1);
      const [after] = await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM standing_events');
      if (run.state !== 'completed' || run.counters.records_read !== users)
        throw new Error(
          `reconciliation ended ${run.state} after ${run.counters.records_read} records: ` +
            `${JSON.stringify(run.counters.errors)}`,
        );
      const writes = after!.n - before!.n;
      const readRate = (read * 1000) / readMs;
      const reconcileRate = (users * 1000) / reconcileMs;
      ctx.note(
        `reconcile: ${users.toLocaleString('en-US')} unchanged users (every tenth suspended), ` +
          `${Math.ceil(users / PAGE)} pages of ${PAGE}; log rows written during the run: ${writes} (goal 0); ` +
          `drift found ${run.counters.drift_found}; reconcile/read rate ratio ` +
          `${(reconcileRate / readRate).toFixed(2)} (goal >= 0.50).`,
      );
      return [
        {
          name: 'log rows written reconciling unchanged users',
          value: writes,
          unit: 'rows',
          better: 'lower',
          goal: { limit: 1 },
        },
        {
          name: `reconcile ${users.toLocaleString('en-US')} unchanged users`,
          value: reconcileRate,
          unit: 'users/s',
          better: 'higher',
          baseline: {
            name: 'reading the same export pages from the local mock (same client, same run)',
            value: readRate,
          },
          goal: { limit: readRate * 0.5 },
        },
      ];
    } finally {
      await new Promise((r) => mock.server.close(r));
    }
  },
};
