/**
 * Shapes of Zendesk event-subscription webhook bodies, for the event types that bear on standing.
 * https://developer.zendesk.com/api-reference/webhooks/event-types/webhook-event-types/
 *
 * Every object is loose: Zendesk adds fields without notice, and an unknown field must never turn a
 * delivery into an error.
 */
import { z } from 'zod';

/** Ids inside `detail` are documented as strings; REST-shaped numbers are accepted too. */
export const ZendeskId = z
  .union([z.string(), z.number().int().nonnegative()], { error: 'must be a Zendesk id (string or integer)' })
  .transform((v) => String(v).trim())
  .pipe(z.string().min(1, 'must not be empty'));

/**
 * An optional reference: `undefined` when the payload does not carry it, `null` when it says "none".
 * Zendesk sends `"0"` for "no organization / no group" in user details (see the
 * `organization_id: "0"` example on the webhook-event-types page) and `""` or `null` for an unset
 * external id.
 */
const OptionalRef = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((v): string | null | undefined => {
    if (v === undefined) return undefined;
    if (v === null) return null;
    const s = String(v).trim();
    return s === '' || s === '0' ? null : s;
  });

/** Ticket statuses arrive as `"SOLVED"`, `"Open"`, `"pending"`: compare them lower-cased. */
export const ZendeskStatus = z
  .string({ error: 'must be a ticket status string' })
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.string().min(1, 'must not be empty'));

const Instant = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with a time zone' });

export const ZENDESK_EVENT_TYPE_PREFIX = 'zen:event-type:';

/** The envelope shared by every event-subscription webhook. */
export const ZendeskEventEnvelope = z.looseObject({
  type: z.string().startsWith(ZENDESK_EVENT_TYPE_PREFIX, `must start with "${ZENDESK_EVENT_TYPE_PREFIX}"`),
  account_id: z.union([z.number().int(), z.string().min(1)]),
  id: z.string().trim().min(1, 'must be the event id'),
  time: Instant,
  zendesk_event_version: z.string().min(1),
  subject: z.string().min(1),
  detail: z.looseObject({}),
  /** Empty (`{}`) for events such as `organization.created`; tolerated when left out altogether. */
  event: z.looseObject({}).default({}),
});
export type ZendeskEventEnvelope = z.output<typeof ZendeskEventEnvelope>;

type EnvelopeParse = ReturnType<typeof ZendeskEventEnvelope.safeParse>;
// The intake reads each body's envelope three times per batch (field values, their scope, the
// mapping): parsed once per body object. Bodies are never mutated once loaded, nor are parse results.
const parsedEnvelopes = new WeakMap<object, EnvelopeParse>();

/** `ZendeskEventEnvelope.safeParse`, once per body object. */
export function parseEventEnvelope(body: object): EnvelopeParse {
  let parsed = parsedEnvelopes.get(body);
  if (!parsed) {
    parsed = ZendeskEventEnvelope.safeParse(body);
    parsedEnvelopes.set(body, parsed);
  }
  return parsed;
}

/** Whether a body is shaped like an event-subscription delivery (as opposed to a trigger body). */
export function looksLikeEventEnvelope(body: unknown): boolean {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { type?: unknown }).type === 'string' &&
    (body as { type: string }).type.startsWith(ZENDESK_EVENT_TYPE_PREFIX)
  );
}

/** `detail` of user events. https://developer.zendesk.com/api-reference/webhooks/event-types/user-events/ */
export const UserDetail = z.looseObject({
  id: ZendeskId,
  email: z
    .string()
    .nullable()
    .optional()
    .transform((v) => (v ? v.trim() || undefined : undefined)),
  external_id: OptionalRef,
  organization_id: OptionalRef,
  role: z.string().nullable().optional(),
  /** Not documented for user events; read when present. */
  actor_id: OptionalRef,
});
export type UserDetail = z.output<typeof UserDetail>;

/**
 * `detail` of organization events.
 * https://developer.zendesk.com/api-reference/webhooks/event-types/organization-events/
 */
export const OrganizationDetail = z.looseObject({
  id: ZendeskId,
  external_id: OptionalRef,
  name: z.string().nullable().optional(),
  actor_id: OptionalRef,
});
export type OrganizationDetail = z.output<typeof OrganizationDetail>;

/** `detail` of ticket events. https://developer.zendesk.com/api-reference/webhooks/event-types/ticket-events/ */
export const TicketDetail = z.looseObject({
  id: ZendeskId,
  actor_id: OptionalRef,
  requester_id: OptionalRef,
  submitter_id: OptionalRef,
  assignee_id: OptionalRef,
  organization_id: OptionalRef,
  status: ZendeskStatus.nullable().optional(),
  tags: z.array(z.string()).nullable().optional(),
});
export type TicketDetail = z.output<typeof TicketDetail>;

/** `event` of `user.active_changed` / `user.suspended_changed`: `current:false` = soft deleted / not suspended. */
export const BooleanChange = z.looseObject({ current: z.boolean(), previous: z.boolean().nullable().optional() });

/** Events whose `event` object carries nothing we read (`user.deleted`, `organization.deleted`). */
export const AnyEvent = z.looseObject({});

/**
 * A custom field value: text, dropdown tag, number, checkbox, date, multiselect list, lookup object, or any of these
 * wrapped as `{value}`.
 */
const FieldValue = z
  .union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string()), z.looseObject({})])
  .optional();
export type FieldValue = z.output<typeof FieldValue>;

const FieldRef = z.looseObject({
  id: ZendeskId.optional(),
  key: z.string().optional(),
  title: z.string().optional(),
  type: z.string().optional(),
});
export type ZendeskFieldRef = z.output<typeof FieldRef>;

/**
 * `event` of `*.custom_field_changed`: the changed field with its `current`/`previous` value. The
 * field descriptor is named `custom_field` in Zendesk's integration-services/EventBridge schemas and
 * `field` in some webhook examples: both are read.
 */
export const CustomFieldChange = z
  .looseObject({
    field: FieldRef.optional(),
    custom_field: FieldRef.optional(),
    current: FieldValue,
    previous: FieldValue,
  })
  .refine((e) => e.field !== undefined || e.custom_field !== undefined, {
    message: 'must name the changed field (field or custom_field)',
    path: ['field'],
  })
  .transform((e) => ({
    field: (e.field ?? e.custom_field) as ZendeskFieldRef,
    current: e.current ?? null,
    previous: e.previous ?? null,
  }));
export type CustomFieldChange = z.output<typeof CustomFieldChange>;

const TagList = z.array(z.string());
const TagBucket = z
  .union([TagList, z.looseObject({ tags: TagList.nullable().optional() })])
  .nullable()
  .optional();
const bucketTags = (b: z.output<typeof TagBucket>): string[] =>
  b === null || b === undefined ? [] : Array.isArray(b) ? b : (b.tags ?? []);

/**
 * `event` of `*.tags_changed`, normalized to `{added, removed}`. Two shapes are in circulation and
 * both are accepted: `tags_added` / `tags_removed` arrays (the ticket- and organization-events
 * reference, https://developer.zendesk.com/api-reference/webhooks/event-types/ticket-events/) and
 * `{added: {tags: []}, removed: {tags: []}}` (seen in public consumers); also plain `added` /
 * `removed` arrays, the same nested under `tags`, and `{current: [], previous: []}` (diffed).
 */
export const TagsChange = z
  .looseObject({
    tags_added: TagList.nullable().optional(),
    tags_removed: TagList.nullable().optional(),
    added: TagBucket,
    removed: TagBucket,
    tags: z.looseObject({ added: TagBucket, removed: TagBucket }).nullable().optional(),
    current: TagList.nullable().optional(),
    previous: TagList.nullable().optional(),
  })
  .superRefine((e, ctx) => {
    const hasDiff =
      e.tags_added != null || e.tags_removed != null || e.added != null || e.removed != null || e.tags != null;
    if (!hasDiff && !Array.isArray(e.current)) {
      ctx.addIssue({
        code: 'custom',
        path: ['tags_added'],
        message:
          'must say which tags were added and removed (tags_added/tags_removed, added/removed or current/previous)',
      });
    }
  })
  .transform((e) => {
    const norm = (tags: string[]) => [...new Set(tags.map((t) => t.trim().toLowerCase()).filter((t) => t !== ''))];
    if (e.tags_added != null || e.tags_removed != null || e.added != null || e.removed != null || e.tags != null) {
      return {
        added: norm([...(e.tags_added ?? []), ...bucketTags(e.added), ...bucketTags(e.tags?.added)]),
        removed: norm([...(e.tags_removed ?? []), ...bucketTags(e.removed), ...bucketTags(e.tags?.removed)]),
      };
    }
    const current = norm(e.current ?? []);
    const previous = norm(e.previous ?? []);
    return {
      added: current.filter((t) => !previous.includes(t)),
      removed: previous.filter((t) => !current.includes(t)),
    };
  });
export type TagsChange = z.output<typeof TagsChange>;

/** `event` of `ticket.status_changed`, statuses lower-cased. */
export const StatusChange = z.looseObject({ current: ZendeskStatus, previous: ZendeskStatus.nullable().optional() });

/** The event types this connector reads, with their `detail`/`event` shapes. */
export const STANDING_EVENT_SCHEMAS = {
  'zen:event-type:user.active_changed': { object: 'user', detail: UserDetail, event: BooleanChange },
  'zen:event-type:user.suspended_changed': { object: 'user', detail: UserDetail, event: BooleanChange },
  'zen:event-type:user.deleted': { object: 'user', detail: UserDetail, event: AnyEvent },
  'zen:event-type:user.custom_field_changed': { object: 'user', detail: UserDetail, event: CustomFieldChange },
  'zen:event-type:organization.deleted': { object: 'organization', detail: OrganizationDetail, event: AnyEvent },
  'zen:event-type:organization.custom_field_changed': {
    object: 'organization',
    detail: OrganizationDetail,
    event: CustomFieldChange,
  },
  'zen:event-type:organization.tags_changed': { object: 'organization', detail: OrganizationDetail, event: TagsChange },
  'zen:event-type:ticket.status_changed': { object: 'ticket', detail: TicketDetail, event: StatusChange },
  'zen:event-type:ticket.tags_changed': { object: 'ticket', detail: TicketDetail, event: TagsChange },
  'zen:event-type:ticket.custom_field_changed': { object: 'ticket', detail: TicketDetail, event: CustomFieldChange },
} as const;
export type StandingEventType = keyof typeof STANDING_EVENT_SCHEMAS;

/**
 * Documented event types that never carry standing meaning. A type outside both lists is unknown
 * (reported as unmappable so an admin sees it). Lists from the event-type pages linked above.
 */
export const DOCUMENTED_OTHER_EVENT_TYPES: ReadonlySet<string> = new Set(
  [
    'user.alias_changed',
    'user.created',
    'user.custom_role_changed',
    'user.default_group_changed',
    'user.details_changed',
    'user.external_id_changed',
    'user.group_membership_created',
    'user.group_membership_deleted',
    'user.identity_changed',
    'user.identity_created',
    'user.identity_deleted',
    'user.last_login_changed',
    'user.merged',
    'user.name_changed',
    'user.notes_changed',
    'user.only_private_comments_changed',
    'user.organization_membership_created',
    'user.organization_membership_deleted',
    'user.password_changed',
    'user.photo_changed',
    'user.role_changed',
    'user.tags_changed',
    'user.time_zone_changed',
    'organization.created',
    'organization.external_id_changed',
    'organization.name_changed',
    'ticket.agent_assignment_changed',
    'ticket.attachment_linked_to_comment',
    'ticket.attachment_redacted_from_comment',
    'ticket.brand_changed',
    'ticket.comment_added',
    'ticket.comment_made_private',
    'ticket.comment_redacted',
    'ticket.created',
    'ticket.csat_received',
    'ticket.csat_requested',
    'ticket.custom_status_changed',
    'ticket.description_changed',
    'ticket.email_ccs_changed',
    'ticket.external_id_changed',
    'ticket.followers_changed',
    'ticket.form_changed',
    'ticket.group_assignment_changed',
    'ticket.marked_as_spam',
    'ticket.merged',
    'ticket.organization_changed',
    'ticket.permanently_deleted',
    'ticket.priority_changed',
    'ticket.problem_link_changed',
    'ticket.requester_changed',
    'ticket.schedule_changed',
    'ticket.sla_policy_changed',
    'ticket.soft_deleted',
    'ticket.subject_changed',
    'ticket.submitter_changed',
    'ticket.task_due_at_changed',
    'ticket.type_changed',
    'ticket.undeleted',
  ].map((t) => ZENDESK_EVENT_TYPE_PREFIX + t),
);

export function isStandingEventType(type: string): type is StandingEventType {
  return Object.hasOwn(STANDING_EVENT_SCHEMAS, type);
}
