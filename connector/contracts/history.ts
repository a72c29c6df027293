/**
 * The history answers: `GET /api/v1/history` (a person's or an account's standing events) and the
 * Zendesk app's sidebar (`GET /app/v1/{tenant}/sidebar`, the same page plus the ticket it was read
 * for). The standing log produces the events (connector/store/log-history.ts); the routes check
 * their answers against these types.
 */
import { z } from 'zod';
import {
  ACTOR_TYPES,
  DETECTION_METHODS,
  EVENT_KINDS,
  INITIATION_TYPES,
  EVENT_SOURCE_SYSTEMS,
} from '../model/standing-event.ts';
import {
  ATTRIBUTION_ACTOR_TYPES,
  ATTRIBUTION_INITIATIONS,
  ATTRIBUTION_SOURCES,
  UNKNOWN_REASONS,
} from '../model/attribution.ts';
import { About, AccountStatus, Instant, SalesforceId, TenantId, Uuid } from './common.ts';

export const Actor = z.object({
  type: z.enum(ACTOR_TYPES).describe('`unknown` where the source does not say who made the change.'),
  id: z.string().optional(),
  name: z.string().optional().describe("Absent once the customer's data is erased."),
});
export type Actor = z.infer<typeof Actor>;

export const CurrentStanding = z
  .object({ status: AccountStatus, since: Instant, seconds_since_change: z.number().int().min(0) })
  .nullable()
  .describe('The status in force, from the newest event that carries one; `null` if none does.');
export type CurrentStanding = z.infer<typeof CurrentStanding>;

export const AccountIdentities = z.object({
  zendesk_organization_id: z.string().optional(),
  salesforce_account_id: SalesforceId.optional(),
});
export type AccountIdentities = z.infer<typeof AccountIdentities>;

export const Attribution = z
  .object({
    initiation: z.enum(ATTRIBUTION_INITIATIONS),
    actor: z.object({
      type: z.enum(ATTRIBUTION_ACTOR_TYPES),
      id: z.string().optional(),
      name: z.string().optional().describe('The display name as of the event; absent once the subject is erased.'),
      role: z.string().optional().describe('The role (agent, admin, end-user) as read when attributed.'),
    }),
    rule: z
      .object({ kind: z.enum(['trigger', 'automation']), id: z.string(), title: z.string().optional() })
      .optional()
      .describe('The Zendesk trigger or automation that made the change.'),
    via: z.string().optional().describe("Zendesk's via channel (web, api, rule, ...)."),
    source: z.enum(ATTRIBUTION_SOURCES).describe('Which source record said so (`none`: no source knew).'),
    record_id: z.string().optional().describe("The source record's id: the audit log entry's, the ticket audit's."),
    said: z.string().optional().describe("What the source said, in its words (the audit log's change description)."),
    read_at: Instant.describe('When the source was read.'),
    unknown_reason: z
      .object({ code: z.enum(UNKNOWN_REASONS), message: z.string() })
      .optional()
      .describe('Why no source could say who made the change.'),
  })
  .describe(
    'Who made the change and how, from a record of the source read after the event (an attribution record ' +
      'linked to the event; the event itself is never rewritten).',
  );
export type Attribution = z.infer<typeof Attribution>;

const Step = { code: z.string(), text: z.string().optional() };

export const StandingEvent = z
  .object({
    id: Uuid,
    about: About.describe('The kind of subject the event is about.'),
    seq: z.number().int().min(1).describe("Position in the tenant's hash chain."),
    tenant: TenantId,
    kind: z.enum(EVENT_KINDS),
    status: z.object({ before: AccountStatus.nullable(), after: AccountStatus.nullable() }),
    initiation: z.object({ type: z.enum(INITIATION_TYPES), temporary: z.boolean() }).optional(),
    reason: z.object({ code: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/), text: z.string().optional() }).optional(),
    conditions: z.array(z.object({ ...Step, met: z.boolean().optional() })).optional(),
    verification: z
      .array(
        z.object({
          method: z.string(),
          result: z.enum(['passed', 'failed', 'pending']),
          by: Actor.optional(),
          at: Instant,
          notes: z.string().optional(),
        }),
      )
      .optional(),
    approvals: z
      .array(
        z.object({
          by: Actor,
          role: z.string(),
          decision: z.enum(['approved', 'denied']),
          at: Instant,
          comment: z.string().optional(),
        }),
      )
      .optional(),
    evidence: z.record(z.string(), z.unknown()).optional(),
    actor: Actor,
    source: z.object({
      system: z.enum(EVENT_SOURCE_SYSTEMS),
      object: z.string(),
      id: z.string().optional().describe("The provider object's id; absent once the customer's data is erased."),
      url: z.url().optional(),
      event_id: z.string().describe("The provider's id for this change; the idempotency key."),
    }),
    detected_via: z.enum(DETECTION_METHODS),
    related_ticket_ids: z.array(z.string()),
    customer: z
      .object({
        zendesk_user_id: z.string().optional(),
        email: z.string().optional().meta({ format: 'idn-email' }),
        zendesk_organization_id: z.string().optional(),
        salesforce_account_id: SalesforceId.optional(),
        salesforce_contact_id: SalesforceId.optional(),
      })
      .optional()
      .describe(
        'The subject the event is about, a person (user id, email, Contact id) or an account (organization id, ' +
          'Account id), never both.',
      ),
    account: AccountIdentities.optional().describe(
      'For an event about a person, the account they belonged to at the time (a membership link).',
    ),
    occurred_at: Instant,
    recorded_at: Instant,
    erased: z.boolean(),
    attribution: Attribution.optional(),
  })
  .describe(
    'One event as stored. Personal and free-text parts (customer identities, actor id and name, reason text, ' +
      "conditions, verification, approvals, evidence) are sealed per customer; once the customer's data is " +
      "erased they are absent and `erased` is true. The event still counts in the tenant's hash chain.",
  );
export type StandingEvent = z.infer<typeof StandingEvent>;

export const WARNING_CODES = [
  'reinstatement_without_approval',
  'reactivation_after_fraud',
  'repeated_cycles',
  'suspension_without_reason',
] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

export const StandingWarning = z.object({
  code: z.enum(WARNING_CODES),
  about: About,
  event_ids: z.array(Uuid).describe('The events the warning is about, newest first.'),
  details: z
    .record(z.string(), z.union([z.number(), z.string()]))
    .describe('Numbers a client needs to phrase the warning itself.'),
  message: z.string().describe('English, for API clients that do not translate.'),
});
export type StandingWarning = z.infer<typeof StandingWarning>;

/** An account a history covers: the one asked for, or an account the person asked for belongs to. */
export const HistoryAccount = z.object({
  subject_id: Uuid,
  relation: z.enum(['asked', 'member']).describe('Asked for, or linked to the person asked for (membership).'),
  identities: AccountIdentities.describe(
    "The account's identities as its latest readable event names them (empty once erased).",
  ),
  current: CurrentStanding,
  linked_since: Instant.nullable().describe('For a member account: when the membership was first seen.'),
});
export type HistoryAccount = z.infer<typeof HistoryAccount>;

/** A history as the standing log reads it, before a route adds the tenant and the warnings. */
export const History = z.object({
  subject: z.object({ kind: About.describe('What was asked about.') }),
  current: CurrentStanding,
  person: z
    .object({ current: CurrentStanding })
    .nullable()
    .describe('The person asked for; `null` when an account was asked for.'),
  accounts: z.array(HistoryAccount).describe('The account asked for, or the accounts the person asked for belongs to.'),
  events: z.array(StandingEvent).describe('Newest first.'),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; `null` on the last.'),
});
export type History = z.infer<typeof History>;

export const HistoryPage = History.extend({
  tenant: TenantId,
  warnings: z
    .array(StandingWarning)
    .describe(
      "Warnings on the page's events (a reinstatement without recorded approval, a reactivation soon after a fraud " +
        "suspension, repeated cycles, a suspension with no reason), with the tenant's thresholds.",
    ),
});
export type HistoryPage = z.infer<typeof HistoryPage>;

export const SidebarTicket = z.object({
  id: z.string(),
  requester_id: z.string().nullable(),
  organization_id: z.string().nullable(),
  confirmed_by: z.enum(['ticket_events', 'zendesk_api']).describe('Where the requester and organization were learned.'),
  seen_at: Instant,
});
export type SidebarTicket = z.infer<typeof SidebarTicket>;

/** The sidebar's page: the history of the ticket's requester and organization, and the ticket. */
export const SidebarPage = HistoryPage.extend({
  ticket: SidebarTicket,
  quarantined: z
    .number()
    .int()
    .min(0)
    .describe(
      "Zendesk events about the ticket's requester or organization waiting in quarantine (not in the history).",
    ),
  synced_at: Instant.describe('When the connector answered.'),
});
export type SidebarPage = z.infer<typeof SidebarPage>;
