/**
 * Tickets seen in received Zendesk ticket events: who the requester and the organization were.
 * The sidebar endpoint serves the history of exactly these people and accounts, so an app token
 * (whose claims the browser chose) cannot ask for an arbitrary customer.
 */
import { z } from 'zod';
import type { SqlClient } from '../store/database.ts';

const ZendeskId = z.string().regex(/^\d{1,20}$/, 'must be a Zendesk id (digits)');

export const TicketSeen = z.strictObject({
  tenant: z.string().min(1),
  ticket_id: ZendeskId,
  requester_id: ZendeskId.nullable(),
  organization_id: ZendeskId.nullable(),
  /** When the ticket event happened at Zendesk (ISO-8601): an older event never overwrites a newer one. */
  at: z.iso.datetime({ offset: true }),
});
export type TicketSeen = z.infer<typeof TicketSeen>;

export interface KnownTicket {
  requester_id: string | null;
  organization_id: string | null;
  seen_at: string;
}

/**
 * Records (upserts) the requester and organization of each ticket event. Call it from the intake
 * worker for every ticket event it parsed; rows that fail validation are skipped, not thrown.
 */
export async function recordTicketsSeen(db: SqlClient, rows: readonly TicketSeen[]): Promise<{ recorded: number }> {
  const valid = rows.flatMap((r) => {
    const p = TicketSeen.safeParse(r);
    return p.success ? [{ ...p.data, at: new Date(p.data.at).toISOString() }] : [];
  });
  if (valid.length === 0) return { recorded: 0 };
  // One row per ticket and batch (the newest), so ON CONFLICT never meets the same key twice.
  const newest = new Map<string, TicketSeen>();
  for (const r of valid) {
    const k = `${r.tenant}\u0000${r.ticket_id}`;
    const prev = newest.get(k);
    if (!prev || prev.at <= r.at) newest.set(k, r);
  }
  await db.query(
    `INSERT INTO tickets_seen (tenant, ticket_id, requester_id, organization_id, seen_at)
     SELECT tenant, ticket_id, requester_id, organization_id, at
     FROM json_to_recordset($1::json)
       AS r(tenant text, ticket_id text, requester_id text, organization_id text, at timestamptz)
     ON CONFLICT (tenant, ticket_id) DO UPDATE
       SET requester_id = excluded.requester_id, organization_id = excluded.organization_id,
         seen_at = excluded.seen_at
       WHERE tickets_seen.seen_at <= excluded.seen_at`,
    [JSON.stringify([...newest.values()])],
  );
  return { recorded: newest.size };
}

export async function findTicketSeen(db: SqlClient, tenant: string, ticketId: string): Promise<KnownTicket | null> {
  const [row] = await db.query<{ requester_id: string | null; organization_id: string | null; seen_at: Date | string }>(
    'SELECT requester_id, organization_id, seen_at FROM tickets_seen WHERE tenant = $1 AND ticket_id = $2',
    [tenant, ticketId],
  );
  return row
    ? {
        requester_id: row.requester_id,
        organization_id: row.organization_id,
        seen_at: new Date(row.seen_at).toISOString(),
      }
    : null;
}

const digits = (v: unknown): string | null => {
  const s = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : typeof v === 'string' ? v.trim() : '';
  return /^\d{1,20}$/.test(s) ? s : null;
};
const instant = (v: unknown): string | null => {
  const ms = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
};
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/**
 * The ticket a raw Zendesk webhook body is about, with its requester and organization, or null
 * when it is not a ticket event (or names neither). Reads event-subscription ticket events
 * (`zen:event-type:ticket.*`, `detail.requester_id` / `organization_id`; the new value of
 * `requester_changed` / `organization_changed`) and the connector's trigger bodies
 * (`ticket.id`, `requester.id`, `organization.id`). For the intake worker: see recordTicketsSeen.
 */
export function ticketSeenFromWebhook(tenant: string, body: unknown, receivedAt: string): TicketSeen | null {
  const b = obj(body);
  const type = typeof b.type === 'string' ? b.type : '';
  if (type.startsWith('zen:event-type:ticket.')) {
    const detail = obj(b.detail);
    const event = obj(b.event);
    const ticketId = digits(detail.id) ?? digits(/^zen:ticket:(\d+)$/.exec(String(b.subject ?? ''))?.[1]);
    const requester = type.endsWith('.requester_changed')
      ? (digits(event.current) ?? digits(detail.requester_id))
      : digits(detail.requester_id);
    const organization = type.endsWith('.organization_changed')
      ? digits(event.current)
      : digits(detail.organization_id);
    if (!ticketId || (!requester && !organization)) return null;
    return {
      tenant,
      ticket_id: ticketId,
      requester_id: requester,
      organization_id: organization,
      at: instant(b.time) ?? instant(receivedAt) ?? new Date().toISOString(),
    };
  }
  const standing = obj(b.standing);
  if (typeof standing.kind === 'string') {
    const ticketId = digits(obj(b.ticket).id);
    const requester = digits(obj(b.requester).id);
    const organization = digits(obj(b.organization).id);
    if (!ticketId || (!requester && !organization)) return null;
    const at =
      instant(standing.occurred_at) ??
      instant(obj(b.ticket).updated_at) ??
      instant(receivedAt) ??
      new Date().toISOString();
    return { tenant, ticket_id: ticketId, requester_id: requester, organization_id: organization, at };
  }
  return null;
}
