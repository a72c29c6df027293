/**
 * The structure of the Zendesk mapping document (mapping-document.ts adds the cross-field rules of
 * mapping-consistency.ts, the parser and the default).
 */
import { z } from 'zod';
import { ACCOUNT_STATUSES, EVENT_KINDS } from '../model/standing-event.ts';

const list = (values: readonly string[]) => values.join(', ');

const StatusName = z.string({ error: 'must be a status name' }).pipe(
  z.enum(ACCOUNT_STATUSES, {
    error: (iss) => `unknown status ${JSON.stringify(iss.input)}: must be one of ${list(ACCOUNT_STATUSES)}`,
  }),
);
const ReasonCode = z
  .string({ error: 'must be a reason code string' })
  .regex(
    /^[a-z0-9][a-z0-9_.-]{0,63}$/,
    'must be a lowercase code of letters, digits, _ . - (at most 64), e.g. non_payment',
  );
const Text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
/** Zendesk ids are digits; written as a string or a number. */
const ZendeskIdText = z.union(
  [z.string().regex(/^\d{1,20}$/, 'must be a Zendesk id (digits only)'), z.number().int().positive()],
  {
    error: 'must be a Zendesk id (digits, as a string or a number)',
  },
);
/** Zendesk stores tags lower-case, without spaces or commas. */
const TagName = z
  .string()
  .regex(/^[^\sA-Z,]{1,80}$/, 'must be a Zendesk tag: lowercase, no spaces or commas, at most 80 characters');

/** Zendesk's ticket status categories. https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/ */
export const ZENDESK_TICKET_STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'] as const;

/**
 * What a field value (or tag change) means: a status, or a status with a reason code and whether it is meant to be
 * undone.
 */
const StatusOutcome = z.union(
  [
    StatusName,
    z.strictObject({
      status: StatusName,
      /** A stable reason code recorded with the change, e.g. `non_payment`. */
      reason_code: ReasonCode.optional(),
      /**
       * Whether the change is meant to be undone. A suspension is always temporary.
       * @defaultValue true for `suspended`, false otherwise
       */
      temporary: z.boolean().optional(),
    }),
  ],
  { error: 'must be a status name or {status, reason_code?, temporary?}' },
);
export type StatusOutcome = z.output<typeof StatusOutcome>;

/**
 * A user or organization custom field. Webhooks name a changed field by id and title (the REST API
 * keys values by `key`), so a rule may give any of them; a change matches if any given one agrees.
 */
const CustomFieldRef = z
  .strictObject({ key: Text(64).optional(), id: ZendeskIdText.optional(), title: Text(255).optional() })
  .refine((f) => f.key !== undefined || f.id !== undefined || f.title !== undefined, {
    message: 'must give the field key, id or title',
  });

const FieldRule = z.strictObject({
  field: CustomFieldRef,
  /**
   * Field value (a dropdown option's tag value, text, `true`/`false` for a checkbox) -> outcome. Matched
   * case-insensitively.
   */
  values: z.record(z.string(), StatusOutcome),
  /**
   * Another field of the same user/organization whose value is the reason, named like `field` (key,
   * id or title: webhooks name fields by id and title). Read from the field values the webhooks
   * reported up to the status change (custom_field_changed events), never from an API read.
   */
  reason_field: z
    .strictObject({
      key: Text(64).optional(),
      id: ZendeskIdText.optional(),
      title: Text(255).optional(),
      as: z.enum(['code', 'text']).default('text'),
    })
    .refine((f) => f.key !== undefined || f.id !== undefined || f.title !== undefined, {
      message: 'must give the field key, id or title',
    })
    .optional(),
});
export type FieldRule = z.output<typeof FieldRule>;

const Toggle = (reasonCode: string) =>
  z.strictObject({ enabled: z.boolean().default(true), reason_code: ReasonCode.default(reasonCode) });

const UserSection = z.strictObject({
  /** `user.active_changed`: `current:false` is a soft delete. */
  active_changed: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** The status a soft-deleted user ends in. */
      deactivated_status: z
        .enum(['deleted', 'deactivated'], { error: 'must be deleted or deactivated' })
        .default('deleted'),
      reason_code: ReasonCode.default('zendesk_user_deactivated'),
      reinstatement_reason_code: ReasonCode.default('zendesk_user_reactivated'),
    })
    .prefault({}),
  /** `user.suspended_changed`, listed by Zendesk's webhook clients; absent from some docs, harmless when never sent. */
  suspended_changed: z
    .strictObject({
      enabled: z.boolean().default(true),
      reason_code: ReasonCode.default('zendesk_user_suspended'),
      reinstatement_reason_code: ReasonCode.default('zendesk_user_unsuspended'),
    })
    .prefault({}),
  deleted: Toggle('zendesk_user_deleted').prefault({}),
  fields: z.array(FieldRule).default([]),
});

const OrganizationSection = z.strictObject({
  deleted: Toggle('zendesk_organization_deleted').prefault({}),
  fields: z.array(FieldRule).default([]),
  /** Tag added / removed on the organization -> outcome. */
  tags: z
    .array(
      z
        .strictObject({ tag: TagName, added: StatusOutcome.optional(), removed: StatusOutcome.optional() })
        .refine((t) => t.added !== undefined || t.removed !== undefined, {
          message: 'must say what adding or removing the tag means (added, removed)',
        }),
    )
    .default([]),
});

/** Ticket fields are named by id in ticket webhooks; `title` is for the humans reading the mapping. */
const TicketFieldRef = z.strictObject({ id: ZendeskIdText, title: Text(255).optional() });

const TicketSection = z.strictObject({
  /** A tag added to a ticket -> a workflow step, e.g. `reinstatement_request` -> `reinstatement_requested`. */
  tags: z
    .array(
      z.strictObject({
        tag: TagName,
        kind: z
          .enum(['reinstatement_requested'], { error: 'must be reinstatement_requested' })
          .default('reinstatement_requested'),
      }),
    )
    .default([]),
  /** A ticket field set to a value -> `verification_recorded`. */
  verification: z
    .array(
      z.strictObject({
        field: TicketFieldRef,
        /** The value that records the step, matched case-insensitively. */
        value: Text(255),
        /** e.g. `id_document`, `callback`, `billing_record`. */
        method: Text(64),
        result: z
          .enum(['passed', 'failed', 'pending'], { error: 'must be passed, failed or pending' })
          .default('passed'),
      }),
    )
    .default([]),
  /**
   * When a ticket enters `when_status` while the approval field holds an approved/denied value, the
   * reinstatement was approved/denied by the agent who set the field, at the time they set it. The
   * value is read from the ticket's `ticket.custom_field_changed` events up to that moment (status
   * webhooks carry no field values), never from an API read.
   */
  approval: z
    .strictObject({
      field: TicketFieldRef,
      approved: z.array(Text(255)).min(1, 'must list at least one value').default(['approved']),
      denied: z.array(Text(255)).default(['denied']),
      when_status: z
        .enum(ZENDESK_TICKET_STATUSES, { error: `must be one of ${list(ZENDESK_TICKET_STATUSES)}` })
        .default('solved'),
      /** Recorded as the approver's role, e.g. `team_lead`. */
      approver_role: Text(64).default('agent'),
    })
    .nullable()
    .default(null),
});

const InitiatorSection = z.strictObject({
  /** Actor ids of API users / bots whose changes count as `automatic` (besides -1, "zendesk", "zd:*"). */
  automation_actor_ids: z.array(ZendeskIdText).default([]),
  /**
   * How to record a change whose payload names no actor (Zendesk user and organization events carry
   * no `actor_id`): `unknown` says so; `automatic` or `manual` only where the tenant knows that every
   * such change is made by rules, or by agents.
   * @defaultValue unknown
   */
  missing_actor: z
    .enum(['unknown', 'automatic', 'manual'], { error: 'must be unknown, automatic or manual' })
    .default('unknown'),
});

const TriggerSection = z.strictObject({
  enabled: z.boolean().default(true),
  /** Kinds a trigger/automation body may name in `standing.kind`. */
  kinds: z
    .array(
      z.enum(EVENT_KINDS, {
        error: (iss) => `unknown kind ${JSON.stringify(iss.input)}: must be one of ${list(EVENT_KINDS)}`,
      }),
    )
    .default([...EVENT_KINDS]),
  /** Approver role for approvals from trigger bodies that do not name one. */
  approver_role: Text(64).default('agent'),
});

/**
 * How Zendesk records join Salesforce's: by default as Zendesk's own Salesforce integration does.
 */
const IdentitiesSection = z.strictObject({
  /**
   * An organization's `external_id` holding a Salesforce Account id (`001…`) makes the organization
   * and that Account one account.
   * @defaultValue true
   */
  organization_external_id_is_salesforce_account: z.boolean().default(true),
  /**
   * A user's `external_id` holding a Salesforce Contact id (`003…`) makes the user and that Contact one person.
   * @defaultValue true
   */
  user_external_id_is_salesforce_contact: z.boolean().default(true),
});

export const MappingShape = z.strictObject({
  version: z.literal(1, { error: 'must be 1 (the only mapping document version)' }),
  user: UserSection.prefault({}),
  organization: OrganizationSection.prefault({}),
  ticket: TicketSection.prefault({}),
  initiator: InitiatorSection.prefault({}),
  trigger_bodies: TriggerSection.prefault({}),
  identities: IdentitiesSection.prefault({}),
});
export type ZendeskMapping = z.output<typeof MappingShape>;
