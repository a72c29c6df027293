/**
 * The Zendesk app's sidebar endpoint (`GET /app/v1/:tenant/sidebar`: JWT check, ticket -> requester
 * and organization, person and account histories, warnings) against the admin history endpoint
 * (`GET /api/v1/history`) over HTTP, on the same data in the same run. Goal: sidebar p99 at most
 * twice the history p99.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { SignJWT } from 'jose';
import { requireAppToken } from '../connector/app-api/app-token.ts';
import { AppSettingsStore } from '../connector/history/app-settings.ts';
import { sidebarHistoryFromLog } from '../connector/app-api/sidebar-history.ts';
import { sidebarRoutes } from '../connector/app-api/sidebar-routes.ts';
import { recordTicketsSeen } from '../connector/zendesk/tickets-seen.ts';
import { staticLookups } from '../connector/app-api/zendesk-app-lookups.ts';
import { ApiKeyStore } from '../connector/access/api-keys.ts';
import { createAuthorizer } from '../connector/access/authorize.ts';
import { errorHandler } from '../connector/http/errors.ts';
import { historyRoutes } from '../connector/http/history-routes.ts';
import { AccessAudit } from '../connector/audit/access-audit.ts';
import { NewStandingEvent } from '../connector/model/standing-event.ts';
import { TenantRegistry } from '../connector/tenants/tenant-registry.ts';
import { scaled, summarize, timeEach, type BenchContext, type Benchmark, type Figure } from './harness.ts';

const TENANT = 'sidebar-bench';
const SECRET = 'sidebar-bench-shared-secret-0123456789';
const ADMIN = 'sidebar-bench-admin-token-0123456789abcdef';
const USER = '7201';
const ORG = '8201';

function events(n: number): NewStandingEvent[] {
  const t0 = Date.now() - n * 3_600_000;
  return Array.from({ length: n }, (_, i) => {
    const onOrg = i % 4 === 3;
    const down = i % 2 === 0;
    return NewStandingEvent.parse({
      tenant: TENANT,
      kind: down ? 'deactivation' : 'reinstatement',
      status: { before: down ? 'active' : 'suspended', after: down ? 'suspended' : 'active' },
      initiation: { type: 'manual', temporary: down },
      reason: { code: down ? 'non_payment' : 'paid', text: 'Invoice overdue' },
      actor: { type: 'agent', id: '9001' },
      source: {
        system: 'zendesk',
        object: onOrg ? 'organization' : 'user',
        id: onOrg ? ORG : USER,
        event_id: `bench-${i}`,
      },
      detected_via: 'webhook',
      customer: onOrg ? { zendesk_organization_id: ORG } : { zendesk_user_id: USER },
      occurred_at: new Date(t0 + i * 3_600_000).toISOString(),
    });
  });
}

export const appSidebar: Benchmark = {
  name: 'sidebar',
  description: 'Zendesk app sidebar endpoint p99 vs the history endpoint p99 (HTTP, same data, same run)',
  async run(ctx: BenchContext): Promise<Figure[]> {
    const log = ctx.newLog();
    const tenants = new TenantRegistry(ctx.db, ctx.master);
    const created = await tenants.create({ id: TENANT, name: 'Sidebar bench', zendesk: { app_shared_secret: SECRET } });
    if (!created.ok) throw new Error(created.message);
    await log.append(events(200));
    await recordTicketsSeen(ctx.db, [
      { tenant: TENANT, ticket_id: '1', requester_id: USER, organization_id: ORG, at: new Date().toISOString() },
    ]);

    const audit = new AccessAudit(ctx.db);
    const app = express();
    app.set('query parser', 'simple');
    const keys = new ApiKeyStore(ctx.db);
    const auditor = await keys.create(TENANT, { role: 'auditor', name: 'bench' }, 'bench');
    if (!auditor.ok) throw new Error('bench key');
    const AUDITOR = auditor.key;
    const settings = new AppSettingsStore(ctx.db);
    app.use(
      '/api/v1',
      historyRoutes({
        log,
        authorize: createAuthorizer({ operatorToken: ADMIN, keys, denials: audit }),
        audit,
        settings,
      }),
    );
    app.use(
      '/app/v1/:tenant',
      sidebarRoutes({
        db: ctx.db,
        history: sidebarHistoryFromLog(log),
        settings,
        lookups: staticLookups({}),
        authenticate: requireAppToken(tenants),
        audit,
      }),
    );
    app.use(errorHandler);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const now = Math.floor(Date.now() / 1000);
    const jwt = await new SignJWT({ tenant: TENANT, user_id: '9001' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(now + 3600)
      .sign(new TextEncoder().encode(SECRET));
    const get = async (url: string, auth: string) => {
      const res = await fetch(url, { headers: { authorization: `Bearer ${auth}` } });
      if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    };
    const historyUrl = `${base}/api/v1/history?tenant=${TENANT}&zendesk_user_id=${USER}&limit=25`;
    const sidebarUrl = `${base}/app/v1/${TENANT}/sidebar?ticket_id=1&limit=25`;
    try {
      const n = scaled(ctx, 1000, 100);
      ctx.progress(`sidebar: warming up, then ${n} requests each, interleaved`);
      await timeEach(50, async () => {
        await get(historyUrl, AUDITOR);
        await get(sidebarUrl, jwt);
      });
      ctx.settleHeap();
      const history: number[] = [];
      const sidebar: number[] = [];
      await timeEach(n, async (i) => {
        const [first, second] = i % 2 === 0 ? [history, sidebar] : [sidebar, history];
        let t = performance.now();
        await get(first === history ? historyUrl : sidebarUrl, first === history ? AUDITOR : jwt);
        first.push(performance.now() - t);
        t = performance.now();
        await get(second === history ? historyUrl : sidebarUrl, second === history ? AUDITOR : jwt);
        second.push(performance.now() - t);
      });
      const h = summarize(history);
      const s = summarize(sidebar);
      ctx.note(
        `sidebar: history p50 ${h.p50.toFixed(2)} ms p99 ${h.p99.toFixed(2)} ms; sidebar p50 ` +
          `${s.p50.toFixed(2)} ms p99 ${s.p99.toFixed(2)} ms (person + account histories, 200 events, limit ` +
          `25). The sidebar reads the person and the account in one history call, after confirming the ticket.`,
      );
      return [
        { name: 'GET /api/v1/history p99 (one customer, limit 25)', value: h.p99, unit: 'ms', better: 'lower' },
        {
          name: 'GET /app/v1/:tenant/sidebar p99',
          value: s.p99,
          unit: 'ms',
          better: 'lower',
          baseline: { name: 'history p99', value: h.p99 },
          goal: { limit: 2 * h.p99 },
        },
      ];
    } finally {
      await new Promise((r) => server.close(r));
    }
  },
};
