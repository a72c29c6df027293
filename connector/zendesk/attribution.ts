/**
 * Attributes a tenant's Zendesk events after intake: for each event the log has not been looked at
 * for yet, asks the record Zendesk kept of that moment (the audit log for user and organization
 * changes, the ticket's audits for ticket-driven ones) who made the change and how, and records the
 * answer as an attribution record (connector/store/attribution-store.ts). Resumable: the tenant's
 * cursor moves only once a batch is recorded; a rate limit ends the run with Zendesk's wait and
 * nothing of the batch recorded. Requests are batched: one audit log read per time window (not per
 * event), one audits read per ticket, one users read per batch.
 */
import type { Attribution } from '../model/attribution.ts';
import type { AttributionStore, AttributionToRecord, PendingEvents } from '../store/attribution-store.ts';
import type { StoredStandingEvent } from '../store/event-codec.ts';
import type { TenantRegistry } from '../tenants/tenant-registry.ts';
import {
  ZendeskAuditClient,
  type AuditCallFailure,
  type AuditLogEntry,
  type TicketAudit,
  type ZendeskAuditClientOptions,
  type ZendeskUserBrief,
} from './audit-clients.ts';
import {
  auditAuthors,
  fromAuditLog,
  fromTicketAudit,
  unknownAttribution,
  type EventToMatch,
  type MatchContext,
} from './attribution-match.ts';
import { zendeskMappingOf } from './reconciler.ts';
import { zendeskCredentialsOf } from './settings.ts';

export interface ZendeskAttributionOptions {
  /**
   * Log rows read per batch.
   * @defaultValue 200
   */
  batchSize?: number;
  /**
   * How far (seconds) from an event a Zendesk record may be and still count as its record.
   * @defaultValue 60
   */
  matchWindowSeconds?: number;
  /**
   * Events further apart than this (seconds) are read in separate audit log windows.
   * @defaultValue 3600
   */
  maxWindowSeconds?: number;
  /**
   * Events younger than this (seconds since they occurred) wait for a later run: Zendesk may write the
   * audit log entry of a change a little after the change, and an event looked at too early would stay
   * "no audit entry" for good.
   * @defaultValue 60
   */
  settleSeconds?: number;
  /**
   * Most batches per run; a run that stops there says `done: false` and is run again.
   * @defaultValue 25
   */
  maxBatches?: number;
  /** The HTTP client's options (fetch, page size). */
  client?: ZendeskAuditClientOptions;
  /** @defaultValue () => new Date() */
  now?: () => Date;
}

export interface ZendeskAttributionDeps {
  store: Pick<AttributionStore, 'cursor' | 'pending' | 'record'>;
  tenants: Pick<TenantRegistry, 'get' | 'currentMapping'>;
}

export type AttributionRun =
  | { ok: true; lookedAt: number; recorded: number; calls: number; done: boolean }
  | { ok: false; lookedAt: number; recorded: number; calls: number; retryAfterMs: number | null; message: string };

/** One run for one tenant: batches until the log's end, `maxBatches`, or a rate limit. */
export async function attributeZendeskTenant(
  deps: ZendeskAttributionDeps,
  tenantId: string,
  options: ZendeskAttributionOptions = {},
): Promise<AttributionRun> {
  const o = {
    batchSize: 200,
    matchWindowSeconds: 60,
    maxWindowSeconds: 3600,
    maxBatches: 25,
    settleSeconds: 60,
    ...options,
  };
  const tenant = await deps.tenants.get(tenantId);
  const tally = { lookedAt: 0, recorded: 0, calls: 0 };
  if (!tenant) return { ok: true, ...tally, done: true };
  const credentials = zendeskCredentialsOf(tenant.zendesk);
  const client = credentials.ok ? new ZendeskAuditClient(credentials, o.client) : null;
  const mapping = await zendeskMappingOf(deps.tenants, tenantId);
  const automationActorIds = new Set(mapping.initiator.automation_actor_ids.map(String));
  let cursor = await deps.store.cursor(tenantId);
  for (let batch = 0; batch < o.maxBatches; batch++) {
    const now = o.now?.() ?? new Date();
    const pending = settled(await deps.store.pending(tenantId, cursor, o.batchSize), now, o.settleSeconds);
    // Nothing (settled) left: the sweep comes back for events still settling.
    if (pending.events.length === 0) return { ok: true, ...tally, done: true };
    const ctx = { readAt: now.toISOString(), windowSeconds: o.matchWindowSeconds };
    const found = await attributeBatch(client, pending.events, { ...ctx, automationActorIds }, o);
    tally.calls = client?.calls ?? 0;
    tally.lookedAt += pending.events.length;
    if (!found.ok) {
      const { decision, message } = found.error;
      return { ok: false, ...tally, retryAfterMs: decision.wait, message };
    }
    const items: AttributionToRecord[] = found.value.map(({ event, attribution }) => ({
      event: { id: event.id, seq: event.seq, subject_id: pending.subjectOf.get(event.id)! },
      attribution,
    }));
    tally.recorded += await deps.store.record(tenantId, items, pending.lastSeq);
    cursor = pending.lastSeq;
  }
  return { ok: true, ...tally, done: false };
}

/** The batch up to (not including) its first event younger than `settleSeconds`, in log order. */
function settled(p: PendingEvents, now: Date, settleSeconds: number): PendingEvents {
  const cut = p.events.findIndex((e) => Date.parse(e.occurred_at) > now.getTime() - settleSeconds * 1000);
  if (cut < 0) return p;
  const events = p.events.slice(0, cut);
  return { ...p, events, lastSeq: cut === 0 ? 0 : events.at(-1)!.seq };
}

type Found = { event: StoredStandingEvent; attribution: Attribution }[];
type BatchResult = { ok: true; value: Found } | { ok: false; error: AuditCallFailure };
type Ctx = Omit<MatchContext, 'users'>;

/** What each event of the batch gets; a failure that Zendesk asks to retry fails the whole batch. */
async function attributeBatch(
  client: ZendeskAuditClient | null,
  events: readonly StoredStandingEvent[],
  ctx: Ctx,
  o: { maxWindowSeconds: number },
): Promise<BatchResult> {
  const wanted = events.flatMap((event) => {
    const m = toMatch(event);
    return m ? [{ event, m }] : [];
  });
  const noUsers: MatchContext = { ...ctx, users: new Map() };
  if (!client) {
    const none = unknownAttribution('no_api_credentials', noUsers);
    return { ok: true, value: wanted.map(({ event }) => ({ event, attribution: none })) };
  }
  const logs = new Map<'user' | 'organization', Read>();
  for (const type of ['user', 'organization'] as const) {
    const times = wanted.filter((w) => w.m.object === type).map((w) => w.m.occurredAt);
    if (times.length === 0) continue;
    const r = await auditLogWindows(client, type, times, ctx.windowSeconds, o.maxWindowSeconds);
    if (!r.ok && r.error.decision.retry) return r;
    logs.set(type, r);
  }
  const audits = new Map<string, Read<TicketAudit[]>>();
  for (const id of new Set(wanted.filter((w) => w.m.object === 'ticket').map((w) => w.m.objectId))) {
    const r = await client.ticketAudits(id);
    if (!r.ok && r.error.decision.retry) return r;
    audits.set(id, r);
  }
  const ids = [...audits.values()].flatMap((r) => (r.ok ? auditAuthors(r.value) : []));
  for (const r of logs.values()) if (r.ok) ids.push(...r.value.flatMap((e) => (e.actor_id ? [e.actor_id] : [])));
  const users = new Map<string, ZendeskUserBrief>();
  const people = ids.filter((id) => Number(id) > 0);
  if (people.length > 0) {
    const r = await client.users(people);
    if (!r.ok && r.error.decision.retry) return r;
    if (r.ok) for (const u of r.value) users.set(u.id, u);
  }
  const full: MatchContext = { ...ctx, users };
  const value = wanted.map(({ event, m }) => {
    const r = m.object === 'ticket' ? audits.get(m.objectId) : logs.get(m.object as 'user' | 'organization');
    return { event, attribution: answer(r, m, full) };
  });
  return { ok: true, value };
}

type Read<T = AuditLogEntry[]> = { ok: true; value: T } | { ok: false; error: AuditCallFailure };

function answer(r: Read<AuditLogEntry[] | TicketAudit[]> | undefined, m: EventToMatch, ctx: MatchContext) {
  const source = m.object === 'ticket' ? 'zendesk_ticket_audit' : 'zendesk_audit_log';
  if (!r) return unknownAttribution('not_a_zendesk_event', ctx);
  if (!r.ok) {
    // The audit log is an Enterprise feature: other plans answer 403 (or 404, where the route is not there).
    const status = r.error.status;
    if (source === 'zendesk_audit_log' && (status === 403 || status === 404))
      return unknownAttribution('no_audit_log_plan', ctx, source);
    if (status === 404) return unknownAttribution('no_ticket_audit', ctx, source);
    return unknownAttribution('source_refused', ctx, source);
  }
  return m.object === 'ticket'
    ? fromTicketAudit(r.value as TicketAudit[], m, ctx)
    : fromAuditLog(r.value as AuditLogEntry[], m, ctx);
}

/**
 * The audit log entries around some events: events close in time share one window (one paginated read);
 * events further apart than `maxWindowSeconds` get windows of their own.
 */
async function auditLogWindows(
  client: ZendeskAuditClient,
  type: 'user' | 'organization',
  times: readonly string[],
  pad: number,
  maxWindowSeconds: number,
): Promise<Read> {
  const sorted = times.map((t) => Date.parse(t)).sort((a, b) => a - b);
  const windows: [number, number][] = [];
  for (const t of sorted) {
    const last = windows.at(-1);
    if (last && t - last[0] <= maxWindowSeconds * 1000) last[1] = t;
    else windows.push([t, t]);
  }
  const out: AuditLogEntry[] = [];
  for (const [from, to] of windows) {
    const r = await client.auditLogs(type, new Date(from - pad * 1000), new Date(to + pad * 1000));
    if (!r.ok) return r;
    out.push(...r.value);
  }
  return { ok: true, value: out };
}

/**
 * Which Zendesk record can say who made this event's change: the audit log for a user or
 * organization event that names no actor, the ticket's audits for a ticket-driven one. Other events
 * (Salesforce's, whose change events name their user; erased ones) get no attribution record.
 */
function toMatch(e: StoredStandingEvent): EventToMatch | null {
  if (e.erased || e.source.system !== 'zendesk' || !e.source.id) return null;
  const customerUserId = e.customer.zendesk_user_id;
  const base = { occurredAt: e.occurred_at, ...(customerUserId ? { customerUserId } : {}) };
  if (e.source.object === 'user' || e.source.object === 'organization') {
    if (e.actor.type !== 'unknown') return null;
    return { ...base, object: e.source.object, objectId: e.source.id };
  }
  if (e.source.object === 'ticket') return { ...base, object: 'ticket', objectId: e.source.id };
  return null;
}
