/**
 * What Zendesk's records say about one standing event (pure): the audit log entry or the ticket audit
 * nearest to the event within the match window, turned into an attribution. Nothing within the
 * window stays `unknown` with that reason: unknown beats a guess.
 */
import type { Attribution, UnknownReasonCode } from '../model/attribution.ts';
import type { AuditLogEntry, TicketAudit, Via, ZendeskUserBrief } from './audit-clients.ts';

export interface MatchContext {
  /** When the source was read (ISO). */
  readAt: string;
  /** How far from the event a record may be and still count as its record, in seconds. */
  windowSeconds: number;
  /** Zendesk users of the tenant's integrations (the mapping's `initiator.automation_actor_ids`). */
  automationActorIds: ReadonlySet<string>;
  /** Names and roles looked up for actors the record names only by id. */
  users: ReadonlyMap<string, ZendeskUserBrief>;
}

/** The event as matching needs it: when, which Zendesk record, and who the customer is. */
export interface EventToMatch {
  occurredAt: string;
  /** `user`, `organization` or `ticket`. */
  object: string;
  /** The Zendesk id of that user, organization or ticket. */
  objectId: string;
  /** The customer's Zendesk user id (the user concerned, or the ticket's requester), when known. */
  customerUserId?: string;
}

const REASON_TEXT: Record<UnknownReasonCode, (ctx: MatchContext) => string> = {
  no_audit_log_plan: () => 'Zendesk plan has no audit log (the audit log API is on Enterprise plans only)',
  no_audit_entry: (c) => `no audit entry within ±${c.windowSeconds} s of the event`,
  no_ticket_audit: (c) => `no ticket audit within ±${c.windowSeconds} s of the event`,
  no_api_credentials: () => 'the tenant has no Zendesk API credentials to read the audit records with',
  not_a_zendesk_event: () => 'not a change Zendesk records an audit for',
  source_refused: () => 'Zendesk refused to show its audit records (the API user lacks the permission)',
};

export function unknownAttribution(
  code: UnknownReasonCode,
  ctx: MatchContext,
  source: Attribution['source'] = 'none',
): Attribution {
  return {
    initiation: 'unknown',
    actor: { type: 'unknown' },
    source,
    read_at: ctx.readAt,
    unknown_reason: { code, message: REASON_TEXT[code](ctx) },
  };
}

/** The record nearest the event within the window, or none. */
export function nearest<T extends { created_at: string }>(records: readonly T[], at: string, windowSeconds: number) {
  const t = Date.parse(at);
  let best: { r: T; d: number } | undefined;
  for (const r of records) {
    const d = Math.abs(Date.parse(r.created_at) - t);
    if (d <= windowSeconds * 1000 && (!best || d < best.d)) best = { r, d };
  }
  return best?.r;
}

/** Zendesk's system actor: no id, or -1 (changes Zendesk made itself, e.g. automations). */
const isSystem = (id: string | null | undefined) => !id || Number(id) <= 0;

function person(id: string, ctx: MatchContext, name?: string | null): Attribution['actor'] {
  const u = ctx.users.get(id);
  const label = name ?? u?.name ?? undefined;
  return { type: 'agent', id, ...(label ? { name: label } : {}), ...(u?.role ? { role: u.role } : {}) };
}

/** Who an actor id is to this event: the system, the customer, an integration, or an agent. */
function classify(
  actorId: string | null | undefined,
  ev: EventToMatch,
  ctx: MatchContext,
  name?: string | null,
): Pick<Attribution, 'initiation' | 'actor'> {
  if (isSystem(actorId)) return { initiation: 'automatic', actor: { type: 'system', ...(name ? { name } : {}) } };
  const id = actorId!;
  const base = person(id, ctx, name);
  if (id === ev.customerUserId) return { initiation: 'customer_initiated', actor: { ...base, type: 'customer' } };
  if (ctx.automationActorIds.has(id)) return { initiation: 'automatic', actor: { ...base, type: 'integration' } };
  if (ctx.users.get(id)?.role === 'end-user')
    return { initiation: 'customer_initiated', actor: { ...base, type: 'customer' } };
  return { initiation: 'manual', actor: base };
}

/** The audit log's word on a user or organization event. */
export function fromAuditLog(entries: readonly AuditLogEntry[], ev: EventToMatch, ctx: MatchContext): Attribution {
  const mine = entries.filter((e) => e.source_type === ev.object && e.source_id === ev.objectId);
  const entry = nearest(mine, ev.occurredAt, ctx.windowSeconds);
  if (!entry) return unknownAttribution('no_audit_entry', ctx, 'zendesk_audit_log');
  return {
    ...classify(entry.actor_id, ev, ctx, entry.actor_name),
    source: 'zendesk_audit_log',
    record_id: entry.id,
    ...(entry.change_description ? { said: entry.change_description } : {}),
    read_at: ctx.readAt,
  };
}

/** The trigger or automation a `via` names, if it names one. */
function ruleOf(via: Via | null | undefined): Attribution['rule'] | undefined {
  const rel = via?.source?.rel;
  const id = via?.source?.from?.id;
  if ((rel !== 'trigger' && rel !== 'automation') || !id) return undefined;
  const title = via?.source?.from?.title;
  return { kind: rel, id, ...(title ? { title } : {}) };
}

/** A ticket audit's word on a ticket-driven event: its author, its channel, the rule that made the change. */
export function fromTicketAudit(audits: readonly TicketAudit[], ev: EventToMatch, ctx: MatchContext): Attribution {
  const audit = nearest(audits, ev.occurredAt, ctx.windowSeconds);
  if (!audit) return unknownAttribution('no_ticket_audit', ctx, 'zendesk_ticket_audit');
  // A trigger's changes sit in the audit of the update that fired it, each change with the trigger's `via`;
  // an automation's update is an audit of its own, `via` the automation.
  const rule = audit.events.map((e) => ruleOf(e.via)).find((r) => r) ?? ruleOf(audit.via);
  const who = classify(audit.author_id, ev, ctx);
  const via = audit.via?.channel ?? undefined;
  return {
    initiation: rule ? 'automatic' : who.initiation,
    actor: who.actor,
    ...(rule ? { rule } : {}),
    ...(via ? { via } : {}),
    source: 'zendesk_ticket_audit',
    record_id: audit.id,
    read_at: ctx.readAt,
  };
}

/** Actor ids a ticket audit names only by id (to look up their names and roles). */
export function auditAuthors(audits: readonly TicketAudit[]): string[] {
  return audits.flatMap((a) => (a.author_id && !isSystem(a.author_id) ? [a.author_id] : []));
}
