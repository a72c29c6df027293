/**
 * What an admin does with a tenant's intake inbox: list the quarantine, inspect the inbox in any
 * state (reason and raw payload), and replay quarantined events. The admin API and the Zendesk
 * app's admin page both call these, so a replay is the same act whichever way it comes: the inbox
 * records the replay job's round before the job is enqueued, which is how the sweeper knows that
 * job is still waiting and leaves the event alone.
 */
import { z } from 'zod';
import { describeIssues, type FieldProblem } from '../model/standing-event.ts';
import type { IntakeJobs } from './intake-jobs.ts';
import {
  INBOX_STATES,
  InvalidQuarantineCursorError,
  type InboxState,
  type IntakeInbox,
  type QuarantinedEvent,
} from './intake-inbox.ts';

/** Most events one replay request may name. */
const MAX_REPLAY_IDS = 10_000;

const EventIds = z.array(z.string().min(1).max(255)).min(1, 'must name at least one event').max(MAX_REPLAY_IDS);
/** A replay naming its events; without `event_ids` (only where `allowAll`), every quarantined event. */
const ReplayRequest = z.strictObject({ event_ids: EventIds.optional() });
const NamedReplayRequest = z.strictObject({ event_ids: EventIds });
const PageQuery = z.strictObject({
  limit: z.coerce
    .number('must be an integer 1-500')
    .int('must be an integer 1-500')
    .min(1, 'must be an integer 1-500')
    .max(500, 'must be an integer 1-500')
    .optional(),
  cursor: z.string().max(512).optional(),
});
const InboxQuery = PageQuery.extend({
  state: z.enum(INBOX_STATES, { error: `must be one of ${INBOX_STATES.join(', ')}` }).default('quarantined'),
});

/** Why an admin action refused its input: `what` is the part of the request (`query`, `body`). */
export type AdminActionRefusal =
  | { ok: false; code: 'invalid_request'; what: string; problems: FieldProblem[] }
  | { ok: false; code: 'invalid_cursor'; message: string };
export type AdminActionResult<T> = { ok: true; value: T } | AdminActionRefusal;

export interface InboxPage {
  events: QuarantinedEvent[];
  next_cursor: string | null;
}

export interface ReplayOutcome {
  replayed: number;
  event_ids: string[];
}

export interface ReplayOptions {
  /**
   * Whether a request without `event_ids` replays every quarantined event of the tenant.
   * @defaultValue false: the request must name its events
   */
  allowAll?: boolean;
}

const invalid = (what: string, error: z.ZodError): AdminActionRefusal => ({
  ok: false,
  code: 'invalid_request',
  what,
  problems: describeIssues(error),
});

export class InboxAdminActions {
  constructor(
    private readonly inbox: IntakeInbox,
    private readonly jobs: IntakeJobs,
  ) {}

  /** One page of the tenant's quarantined events, newest first; `query`: `{limit?, cursor?}` as strings or numbers. */
  async quarantine(tenant: string, query: unknown): Promise<AdminActionResult<InboxPage>> {
    const q = PageQuery.safeParse(query ?? {});
    if (!q.success) return invalid('query', q.error);
    return this.page(tenant, q.data);
  }

  /**
   * One page of the tenant's inbox events in one state (`query.state`, quarantined by default), with the reason and raw
   * payload.
   */
  async inspect(tenant: string, query: unknown): Promise<AdminActionResult<InboxPage & { state: InboxState }>> {
    const q = InboxQuery.safeParse(query ?? {});
    if (!q.success) return invalid('query', q.error);
    const page = await this.page(tenant, q.data);
    return page.ok ? { ok: true, value: { state: q.data.state, ...page.value } } : page;
  }

  /** Puts quarantined events back to pending and enqueues their jobs, under a round of their own. */
  async replay(tenant: string, body: unknown, options: ReplayOptions = {}): Promise<AdminActionResult<ReplayOutcome>> {
    const parsed = (options.allowAll ? ReplayRequest : NamedReplayRequest).safeParse(body ?? {});
    if (!parsed.success) return invalid('body', parsed.error);
    const round = this.jobs.replay();
    const reopened = await this.inbox.reopen(tenant, parsed.data.event_ids ?? null, round.suffix);
    await round.enqueue(reopened);
    return { ok: true, value: { replayed: reopened.length, event_ids: reopened.map((k) => k.event_id) } };
  }

  private async page(
    tenant: string,
    q: z.infer<typeof InboxQuery> | z.infer<typeof PageQuery>,
  ): Promise<AdminActionResult<InboxPage>> {
    try {
      return { ok: true, value: await this.inbox.quarantined(tenant, q) };
    } catch (err) {
      if (err instanceof InvalidQuarantineCursorError)
        return { ok: false, code: 'invalid_cursor', message: err.message };
      throw err;
    }
  }
}
