/**
 * `GET /app/v1/:tenant/sidebar?ticket_id=`: the standing history of a ticket's requester and
 * organization, for the Zendesk app's ticket sidebar. The app names a ticket, never a customer:
 * who that is comes from the ticket events already received (tickets_seen), confirmed with the
 * Zendesk API when the ticket is unknown or was last seen a while ago.
 */
import { readFileSync } from 'node:fs';
import { Router, type RequestHandler } from 'express';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { SqlClient } from '../store/database.ts';
import { HttpError, ValidationError } from '../lib/errors.ts';
import type { SidebarPage } from '../contracts/index.ts';
import { answerHistory } from '../history/history-answer.ts';
import type { AppSettingsStore } from '../history/app-settings.ts';
import { appCaller } from './app-token.ts';
import type { SidebarHistory } from './sidebar-history.ts';
import { findTicketSeen, recordTicketsSeen, type KnownTicket } from '../zendesk/tickets-seen.ts';
import type { ZendeskAppLookups } from './zendesk-app-lookups.ts';
import type { AccessAudit } from '../audit/access-audit.ts';
import { principalOr } from '../audit/read-audit.ts';

export const SIDEBAR_LIMIT = { default: 25, max: 100 } as const;

const QUARANTINED = readFileSync(new URL('./sql/quarantined-for-customers.sql', import.meta.url), 'utf8');

/** Quarantined Zendesk events naming the requester or the organization: the history may lack a change. */
async function quarantinedFor(db: SqlClient, tenant: string, t: KnownTicket): Promise<number> {
  const subjects = [
    ...(t.requester_id ? [`zen:user:${t.requester_id}`] : []),
    ...(t.organization_id ? [`zen:organization:${t.organization_id}`] : []),
  ];
  const [row] = await db.query<{ n: number }>(QUARANTINED, [tenant, subjects]);
  return Number(row?.n ?? 0);
}

export const SidebarQuery = z.strictObject({
  ticket_id: z.string({ error: 'is required' }).regex(/^\d{1,20}$/, 'must be a Zendesk ticket id (digits)'),
  about: z.enum(['all', 'person', 'account'], { error: 'must be all, person or account' }).default('all'),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, `must be an integer 1-${SIDEBAR_LIMIT.max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1, `must be an integer 1-${SIDEBAR_LIMIT.max}`)
        .max(SIDEBAR_LIMIT.max, `must be an integer 1-${SIDEBAR_LIMIT.max}`),
    )
    .default(SIDEBAR_LIMIT.default),
  cursor: z.string().min(1).max(1024, 'must be at most 1024 characters').optional(),
});

export interface SidebarRoutesDeps {
  db: SqlClient;
  history: SidebarHistory;
  settings: AppSettingsStore;
  lookups: ZendeskAppLookups;
  authenticate: RequestHandler;
  /** Every answer is recorded here before it is sent (docs/compliance.md, "Read audit"). */
  audit: AccessAudit;
  /**
   * A ticket last seen longer ago than this is confirmed with the Zendesk API (when it can be).
   * @defaultValue 600_000 ms
   */
  staleAfterMs?: number;
  /**
   * How long this process reuses a resolved ticket (requester, organization) before reading it again.
   * @defaultValue 15_000 ms
   */
  ticketCacheTtlMs?: number;
}

export type Resolved = { ticket: KnownTicket; confirmed_by: 'ticket_events' | 'zendesk_api' } | null;

/** The ticket's requester and organization: from the ticket events, confirmed with Zendesk when stale or unknown. */
export async function resolveTicket(
  deps: Pick<SidebarRoutesDeps, 'db' | 'staleAfterMs'>,
  tenantId: string,
  lookup: () => ReturnType<ZendeskAppLookups['ticket']>,
  ticketId: string,
): Promise<Resolved> {
  const known = await findTicketSeen(deps.db, tenantId, ticketId);
  const fresh = known && Date.now() - Date.parse(known.seen_at) <= (deps.staleAfterMs ?? 600_000);
  if (known && fresh) return { ticket: known, confirmed_by: 'ticket_events' };
  const api = await lookup();
  if (api.found === true) {
    const at = new Date().toISOString();
    await recordTicketsSeen(deps.db, [
      {
        tenant: tenantId,
        ticket_id: ticketId,
        requester_id: api.requester_id,
        organization_id: api.organization_id,
        at,
      },
    ]);
    return {
      ticket: { requester_id: api.requester_id, organization_id: api.organization_id, seen_at: at },
      confirmed_by: 'zendesk_api',
    };
  }
  if (api.found === false) return null;
  // Zendesk could not be asked: what the ticket events said is still the best answer there is.
  return known ? { ticket: known, confirmed_by: 'ticket_events' } : null;
}

export function sidebarRoutes(deps: SidebarRoutesDeps): Router {
  const router = Router({ mergeParams: true });
  const resolvedTickets = new LRUCache<string, { r: NonNullable<Resolved> }>({
    max: 50_000,
    ttl: deps.ticketCacheTtlMs ?? 15_000,
  });
  router.get('/sidebar', deps.authenticate, async (req, res) => {
    const q = SidebarQuery.safeParse(req.query);
    if (!q.success) throw ValidationError.fromZod('invalid query parameters', q.error);
    const { tenant, claims } = appCaller(res);
    const { ticket_id, about, limit, cursor } = q.data;
    const cacheKey = `${tenant.id}\u0000${ticket_id}`;
    const resolved =
      resolvedTickets.get(cacheKey)?.r ??
      (await resolveTicket(deps, tenant.id, () => deps.lookups.ticket(tenant, ticket_id), ticket_id));
    if (resolved) resolvedTickets.set(cacheKey, { r: resolved }, { noUpdateTTL: true });
    if (!resolved || (!resolved.ticket.requester_id && !resolved.ticket.organization_id)) {
      throw new HttpError(
        404,
        'unknown_ticket',
        `ticket ${ticket_id} has not been seen in this tenant's ticket events, and Zendesk did not confirm it`,
      );
    }
    const { requester_id, organization_id } = resolved.ticket;
    // Asked beside the history, not after it: one database round trip fewer before the answer.
    const quarantine = quarantinedFor(deps.db, tenant.id, resolved.ticket);
    // Nobody awaits it until the history is answered; a failure still reaches the await below.
    quarantine.catch(() => undefined);
    const page = await answerHistory(deps.audit, res, {
      tenant: tenant.id,
      principal: principalOr(res, {
        type: 'app_user',
        tenant: tenant.id,
        role: 'agent',
        zendesk_user_id: claims.user_id ?? null,
      }),
      path: 'app sidebar',
      identityKinds: [
        ...(requester_id ? (['zendesk_user_id'] as const) : []),
        ...(organization_id ? (['zendesk_organization_id'] as const) : []),
      ],
      about,
      cursor,
      read: () =>
        deps.history(tenant.id, {
          person: requester_id ? { zendesk_user_id: requester_id } : undefined,
          account: organization_id ? { zendesk_organization_id: organization_id } : undefined,
          about,
          limit,
          cursor,
        }),
      settings: () => deps.settings.warnings(tenant.id),
    });
    const quarantined = await quarantine;
    res.set('Cache-Control', 'no-store').json({
      ...page,
      quarantined,
      ticket: {
        id: ticket_id,
        requester_id,
        organization_id,
        confirmed_by: resolved.confirmed_by,
        seen_at: resolved.ticket.seen_at,
      },
      synced_at: new Date().toISOString(),
    } satisfies SidebarPage);
  });
  return router;
}
