/**
 * Zendesk's own records of who changed what, read for attribution (connector/zendesk/attribution.ts):
 *
 * - The audit log, `GET /api/v2/audit_logs` (Enterprise plans only; other plans answer 403 or 404):
 *   entries with `actor_id`, `actor_name`, `action`, `change_description`, `source_type`, `source_id`,
 *   `created_at`; filtered by `filter[source_type]` and a window given as `filter[created_at]` twice
 *   (start, then end); cursor pagination (`page[size]` up to 100, `meta.has_more`, `meta.after_cursor`).
 *   https://developer.zendesk.com/api-reference/ticketing/account-configuration/audit_logs/
 * - A ticket's audits, `GET /api/v2/tickets/{id}/audits`: each update's `author_id`, its `via`
 *   (`channel`; for rules `source.rel` trigger or automation and `source.from` the rule's id and title)
 *   and its events, each with a `via` of its own when a trigger changed a field within the update.
 *   https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_audits/
 *   https://developer.zendesk.com/documentation/ticketing/reference-guides/via-object-reference/
 * - Users, `GET /api/v2/users/show_many?ids=...` (up to 100 a call): the name and role of the actors
 *   the ticket audits name only by id.
 *
 * A 429 comes back as a retry decision with Zendesk's `Retry-After` (pure decision:
 * connector/lib/retry-decision.ts); the caller waits, nothing here sleeps.
 */
import { z } from 'zod';
import { decideRetry, type RetryDecision } from '../lib/retry-decision.ts';
import type { Result } from '../lib/result.ts';

const Id = z.union([z.number(), z.string()]).transform(String);

export const AuditLogEntry = z.object({
  id: Id,
  action: z.string().nullish(),
  actor_id: Id.nullish(),
  actor_name: z.string().nullish(),
  change_description: z.string().nullish(),
  created_at: z.string(),
  source_id: Id.nullish(),
  source_type: z.string().nullish(),
});
export type AuditLogEntry = z.infer<typeof AuditLogEntry>;

const CursorMeta = z.object({ has_more: z.boolean().optional(), after_cursor: z.string().nullish() }).optional();
const AuditLogPage = z.object({ audit_logs: z.array(AuditLogEntry), meta: CursorMeta });

export const Via = z.object({
  channel: z.union([z.string(), z.number()]).transform(String).nullish(),
  source: z
    .object({
      rel: z.string().nullish(),
      from: z.object({ id: Id.nullish(), title: z.string().nullish() }).partial().nullish(),
    })
    .partial()
    .nullish(),
});
export type Via = z.infer<typeof Via>;

export const TicketAudit = z.object({
  id: Id,
  author_id: Id.nullish(),
  created_at: z.string(),
  via: Via.nullish(),
  events: z.array(z.object({ type: z.string().nullish(), field_name: z.string().nullish(), via: Via.nullish() })),
});
export type TicketAudit = z.infer<typeof TicketAudit>;
const TicketAuditPage = z.object({ audits: z.array(TicketAudit), meta: CursorMeta });

export const ZendeskUserBrief = z.object({ id: Id, name: z.string().nullish(), role: z.string().nullish() });
export type ZendeskUserBrief = z.infer<typeof ZendeskUserBrief>;
const UsersPage = z.object({ users: z.array(ZendeskUserBrief) });

export interface AuditCallFailure {
  status: number | null;
  decision: RetryDecision;
  message: string;
}

export interface ZendeskAuditClientOptions {
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  /**
   * Records per page (the audit log and ticket audits allow at most 100).
   * @defaultValue 100
   */
  pageSize?: number;
  /**
   * Most pages read for one window or one ticket before giving up on the rest (a safety stop).
   * @defaultValue 20
   */
  maxPages?: number;
}

export class ZendeskAuditClient {
  /** Requests sent (the figures count provider calls per event). */
  calls = 0;
  private readonly auth: string;
  private readonly base: string;
  private readonly o: Required<ZendeskAuditClientOptions>;

  constructor(credentials: { email: string; token: string; baseUrl: string }, options: ZendeskAuditClientOptions = {}) {
    this.auth = `Basic ${Buffer.from(`${credentials.email}/token:${credentials.token}`).toString('base64')}`;
    this.base = credentials.baseUrl.replace(/\/+$/, '');
    this.o = { fetch: (...a) => globalThis.fetch(...a), pageSize: 100, maxPages: 20, ...options };
  }

  /** Every audit log entry about one kind of source (user, organization) created within [from, to]. */
  async auditLogs(
    sourceType: 'user' | 'organization',
    from: Date,
    to: Date,
  ): Promise<Result<AuditLogEntry[], AuditCallFailure>> {
    const q = new URLSearchParams();
    q.set('filter[source_type]', sourceType);
    // The window is `filter[created_at]` given twice: the start, then the end.
    q.append('filter[created_at]', from.toISOString());
    q.append('filter[created_at]', to.toISOString());
    q.set('page[size]', String(this.o.pageSize));
    return this.pages(`/api/v2/audit_logs?${q.toString()}`, AuditLogPage, (p) => p.audit_logs);
  }

  /** A ticket's audits, oldest first. */
  async ticketAudits(ticketId: string): Promise<Result<TicketAudit[], AuditCallFailure>> {
    const q = new URLSearchParams({ 'page[size]': String(this.o.pageSize) });
    return this.pages(
      `/api/v2/tickets/${encodeURIComponent(ticketId)}/audits?${q.toString()}`,
      TicketAuditPage,
      (p) => p.audits,
    );
  }

  /** Names and roles of some users (as Zendesk has them now), 100 per call. */
  async users(ids: readonly string[]): Promise<Result<ZendeskUserBrief[], AuditCallFailure>> {
    const out: ZendeskUserBrief[] = [];
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += 100) {
      const r = await this.get(`/api/v2/users/show_many?ids=${unique.slice(i, i + 100).join(',')}`, UsersPage);
      if (!r.ok) return r;
      out.push(...r.value.users);
    }
    return { ok: true, value: out };
  }

  private async pages<P extends { meta?: { has_more?: boolean; after_cursor?: string | null } }, T>(
    first: string,
    schema: z.ZodType<P>,
    items: (p: P) => T[],
  ): Promise<Result<T[], AuditCallFailure>> {
    const out: T[] = [];
    let path = first;
    for (let page = 0; page < this.o.maxPages; page++) {
      const r = await this.get(path, schema);
      if (!r.ok) return r;
      out.push(...items(r.value));
      const after = r.value.meta?.after_cursor;
      if (!r.value.meta?.has_more || !after) break;
      path = `${first}&page[after]=${encodeURIComponent(after)}`;
    }
    return { ok: true, value: out };
  }

  private async get<P>(path: string, schema: z.ZodType<P>): Promise<Result<P, AuditCallFailure>> {
    let res: Response;
    this.calls++;
    try {
      res = await this.o.fetch(this.base + path, {
        headers: { authorization: this.auth, accept: 'application/json' },
      });
    } catch (e) {
      const message = `network: ${(e as Error).message}`;
      return { ok: false, error: { status: null, decision: decideRetry({ status: null }), message } };
    }
    const decision = decideRetry({ status: res.status, retryAfter: res.headers.get('retry-after') });
    if (decision.reason !== 'ok') {
      await res.body?.cancel();
      return {
        ok: false,
        error: { status: res.status, decision, message: `Zendesk answered ${res.status} (${decision.reason})` },
      };
    }
    const parsed = schema.safeParse(await res.json());
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const message = `unexpected answer: ${first?.path.join('.')}: ${first?.message}`;
      return {
        ok: false,
        error: { status: res.status, decision: { retry: false, reason: 'client_error', wait: null }, message },
      };
    }
    return { ok: true, value: parsed.data };
  }
}
