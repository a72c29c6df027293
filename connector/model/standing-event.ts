/**
 * The normalized account standing event: the one shape every source (Zendesk, Salesforce,
 * reconciliation, manual entry) is turned into before it reaches the log.
 *
 * Wire and storage names are snake_case, as in the field tables of docs/event-model.md.
 */
import { z } from 'zod';
import type { Attribution } from './attribution.ts';

/** Closed set of account statuses. `suspended` is temporary; `deactivated`, `closed`, `deleted` are not. */
export const ACCOUNT_STATUSES = ['active', 'suspended', 'deactivated', 'closed', 'deleted'] as const;
export const AccountStatus = z.enum(ACCOUNT_STATUSES);
export type AccountStatus = z.infer<typeof AccountStatus>;

export const EVENT_KINDS = [
  'deactivation',
  'reinstatement',
  'reinstatement_requested',
  'verification_recorded',
  'reinstatement_approved',
  'reinstatement_denied',
  'status_observed',
] as const;
export const EventKind = z.enum(EVENT_KINDS);
export type EventKind = z.infer<typeof EventKind>;

/**
 * `unknown`: the source did not say who or what caused the change (Zendesk user and organization
 * events carry no actor). Recorded as such rather than guessed.
 */
export const INITIATION_TYPES = ['manual', 'automatic', 'customer_initiated', 'system_error', 'unknown'] as const;
export const InitiationType = z.enum(INITIATION_TYPES);

export const ACTOR_TYPES = ['agent', 'system', 'customer', 'integration', 'unknown'] as const;
export const SOURCE_SYSTEMS = ['zendesk', 'salesforce'] as const;
/** A provider's name: an event's `source.system`, the inbox's `source` column, the Sources map's key. */
export const SourceName = z.enum(SOURCE_SYSTEMS);
export type SourceName = z.infer<typeof SourceName>;
/**
 * Where an event's `source.system` may point: a provider, or `standing-app`, the Zendesk app's actions
 * (an agent recording a step in the sidebar; no intake, no provider event id).
 */
export const EVENT_SOURCE_SYSTEMS = [...SOURCE_SYSTEMS, 'standing-app'] as const;
export type EventSourceSystem = (typeof EVENT_SOURCE_SYSTEMS)[number];

export const DETECTION_METHODS = ['webhook', 'change_event', 'outbound_message', 'reconciliation', 'manual'] as const;

/** An ISO-8601 instant with an explicit offset (`Z` or `+hh:mm`), at most millisecond precision kept. */
const Instant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 date-time with a time zone, e.g. 2026-03-04T05:33:18Z',
});
/**
 * PostgreSQL text cannot hold NUL, and JCS (the hash chain's encoding) refuses lone surrogates:
 * such text is refused here, at the edge, instead of failing a whole batch at write time.
 */
const storableText = (s: string) => !s.includes('\u0000') && (s as string & { isWellFormed(): boolean }).isWellFormed();
const NonEmpty = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine(storableText, 'must be valid Unicode text without NUL characters');
/**
 * Free text (a reason, a note, a comment) is kept as written, leading and trailing whitespace
 * included (a U+2028 line separator, a trailing blank line): only a text of nothing but
 * whitespace counts as empty. Names, codes and ids are trimmed (NonEmpty).
 */
const FreeText = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => s.trim() !== '', 'must not be empty')
    .refine(storableText, 'must be valid Unicode text without NUL characters');
/** Provider ids arrive as numbers (REST) or strings (webhooks): keep them as strings. */
const ExternalId = z.union([z.string(), z.number().int().nonnegative()]).transform(String).pipe(NonEmpty(255));

export const Actor = z.strictObject({
  type: z.enum(ACTOR_TYPES),
  id: ExternalId.optional(),
  name: NonEmpty(255).optional(),
});
export type Actor = z.infer<typeof Actor>;

export const Initiation = z.strictObject({
  /**
   * How the change came about: an agent (`manual`), a rule such as inactivity (`automatic`), the customer, or a fault.
   */
  type: InitiationType,
  /** Whether the change is meant to be undone (e.g. a suspension pending payment). */
  temporary: z.boolean(),
});

export const Reason = z.strictObject({
  /** A stable machine code, e.g. `non_payment`, `fraud_suspected`, `inactivity`. */
  code: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'must be a lowercase code of letters, digits, _ . - (at most 64)'),
  /** Free text as an agent or system wrote it. Personal data: sealed at rest. */
  text: FreeText(4000).optional(),
});

export const Condition = z.strictObject({
  code: NonEmpty(64),
  text: FreeText(2000).optional(),
  met: z.boolean().optional(),
});

export const Verification = z.strictObject({
  /** e.g. `id_document`, `callback`, `otp_sms`, `billing_record`. */
  method: NonEmpty(64),
  result: z.enum(['passed', 'failed', 'pending']),
  by: Actor.optional(),
  at: Instant,
  notes: FreeText(2000).optional(),
});

export const Approval = z.strictObject({
  by: Actor,
  /** The approver's role, e.g. `team_lead`, `risk_officer`. */
  role: NonEmpty(64),
  decision: z.enum(['approved', 'denied']),
  at: Instant,
  comment: FreeText(2000).optional(),
});

export const Source = z.strictObject({
  system: z.enum(EVENT_SOURCE_SYSTEMS),
  /** The provider object the change was seen on, e.g. `user`, `organization`, `ticket`, `Account`. */
  object: NonEmpty(64),
  /** That object's id at the provider. */
  id: ExternalId,
  /** A link an agent can open. */
  url: z.url({ message: 'must be an absolute URL' }).optional(),
  /** The provider's own id for this change (Zendesk event id, CDC replay/transaction key, ...). Idempotency key. */
  event_id: NonEmpty(255),
});

/**
 * An email address as providers send it, international ones included (`Zoë.Ünal@Example.COM`,
 * RFC 6531): some text, one `@`, a domain with a dot, no spaces or control characters. Stored
 * NFC-normalized and lower-cased; looked up case-folded (see `foldEmail`).
 */
export const EmailAddress = z
  .string({ error: 'must be an email address' })
  .trim()
  .max(320, 'must be at most 320 characters')
  .refine((s) => /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u.test(s) && storableText(s), 'must be an email address')
  .transform((s) => s.normalize('NFC').toLowerCase());

/**
 * Case folding for look-ups: Unicode full case mapping (upper then lower) of the NFC form, so
 * `ZOË.ÜNAL@EXAMPLE.COM`, `zoë.ünal@example.com` and `Straße`/`STRASSE` compare equal.
 */
export function foldEmail(email: string): string {
  return email.trim().normalize('NFC').toUpperCase().toLowerCase();
}

const SalesforceId = z
  .string()
  .regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, 'must be a 15- or 18-character Salesforce id');

/** Identities of a person: a Zendesk user, an email, a Salesforce Contact. */
export const PERSON_IDENTITY_KINDS = ['zendesk_user_id', 'email', 'salesforce_contact_id'] as const;
/** Identities of an account: a Zendesk organization, a Salesforce Account. */
export const ACCOUNT_IDENTITY_KINDS = ['zendesk_organization_id', 'salesforce_account_id'] as const;
export const SUBJECT_KINDS = ['person', 'account'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

const identityShape = {
  zendesk_user_id: ExternalId.optional(),
  email: EmailAddress.optional(),
  zendesk_organization_id: ExternalId.optional(),
  salesforce_account_id: SalesforceId.optional(),
  salesforce_contact_id: SalesforceId.optional(),
};

/**
 * The identities of the one subject an event is about: a person's (user id, email, Contact id) or
 * an account's (organization id, Account id), never both. A person's organization goes in the
 * event's `account`: membership is a link, not a merge.
 */
export const CustomerIdentities = z.strictObject(identityShape).superRefine((c, ctx) => {
  const person = PERSON_IDENTITY_KINDS.some((k) => c[k] !== undefined);
  const account = ACCOUNT_IDENTITY_KINDS.some((k) => c[k] !== undefined);
  if (!person && !account) {
    ctx.addIssue({
      code: 'custom',
      message:
        'needs at least one identity: zendesk_user_id, email, zendesk_organization_id, salesforce_account_id ' +
        'or salesforce_contact_id',
    });
  } else if (person && account) {
    ctx.addIssue({
      code: 'custom',
      message:
        `must name one subject: a person (${PERSON_IDENTITY_KINDS.join(', ')}) or an account ` +
        `(${ACCOUNT_IDENTITY_KINDS.join(', ')}), not both; put the person's organization in "account"`,
    });
  }
});
export type CustomerIdentities = z.infer<typeof CustomerIdentities>;

/** The account a person belonged to when the event happened (context, never merged into the person). */
export const AccountIdentities = z
  .strictObject({
    zendesk_organization_id: identityShape.zendesk_organization_id,
    salesforce_account_id: identityShape.salesforce_account_id,
  })
  .refine((a) => a.zendesk_organization_id !== undefined || a.salesforce_account_id !== undefined, {
    message: 'needs zendesk_organization_id or salesforce_account_id',
  });
export type AccountIdentities = z.infer<typeof AccountIdentities>;

export const IDENTITY_KINDS = [
  'zendesk_user_id',
  'email',
  'zendesk_organization_id',
  'salesforce_account_id',
  'salesforce_contact_id',
] as const satisfies readonly (keyof CustomerIdentities)[];
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

/** Which kind of subject these identities name (person identities win when both are given). */
export function subjectKindOf(identities: Partial<CustomerIdentities>): SubjectKind {
  return PERSON_IDENTITY_KINDS.some((k) => identities[k] !== undefined) ? 'person' : 'account';
}
export function identityKindOf(kind: IdentityKind): SubjectKind {
  return (PERSON_IDENTITY_KINDS as readonly string[]).includes(kind) ? 'person' : 'account';
}

export const TenantId = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    'must be 1-63 lowercase letters, digits, _ or -, starting with a letter or digit',
  );

const STATUS_REQUIRED_AFTER: Partial<Record<EventKind, (s: AccountStatus) => boolean>> = {
  deactivation: (s) => s !== 'active',
  reinstatement: (s) => s === 'active',
};

/** What a source hands to the log. `recorded_at` is set by the store. */
export const NewStandingEvent = z
  .strictObject({
    tenant: TenantId,
    kind: EventKind,
    status: z.strictObject({
      /** `null` when the source does not say what it was before. */
      before: AccountStatus.nullable(),
      /** `null` for workflow steps that do not change the status (a request, a verification). */
      after: AccountStatus.nullable(),
    }),
    initiation: Initiation.optional(),
    reason: Reason.optional(),
    conditions: z.array(Condition).max(50).default([]),
    verification: z.array(Verification).max(50).default([]),
    approvals: z.array(Approval).max(50).default([]),
    /** Industry specifics (KYC steps, number portability, billing records, consents). Sealed at rest. */
    evidence: z.record(z.string(), z.unknown()).default({}),
    actor: Actor,
    source: Source,
    detected_via: z.enum(DETECTION_METHODS),
    related_ticket_ids: z.array(ExternalId).max(100).default([]),
    /** The subject the event is about: a person or an account. */
    customer: CustomerIdentities,
    /** For an event about a person: the account they belonged to at the time (a membership link). */
    account: AccountIdentities.optional(),
    occurred_at: Instant,
  })
  .superRefine((e, ctx) => {
    const check = STATUS_REQUIRED_AFTER[e.kind];
    if (check && (e.status.after === null || !check(e.status.after))) {
      ctx.addIssue({
        code: 'custom',
        path: ['status', 'after'],
        message:
          e.kind === 'deactivation'
            ? 'a deactivation must end in a status other than active'
            : 'a reinstatement must end in active',
      });
    }
    if (e.kind === 'deactivation' && !e.initiation) {
      ctx.addIssue({
        code: 'custom',
        path: ['initiation'],
        message: 'a deactivation must say how it came about (manual, automatic, customer_initiated, system_error)',
      });
    }
    if (e.kind === 'status_observed' && e.status.after === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['status', 'after'],
        message: 'status_observed must carry the observed status',
      });
    }
    if (e.kind === 'verification_recorded' && e.verification.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['verification'],
        message: 'verification_recorded needs at least one verification step',
      });
    }
    for (const [kind, decision] of [
      ['reinstatement_approved', 'approved'],
      ['reinstatement_denied', 'denied'],
    ] as const) {
      if (e.kind === kind && !e.approvals.some((a) => a.decision === decision)) {
        ctx.addIssue({
          code: 'custom',
          path: ['approvals'],
          message: `${kind} needs at least one approval with decision "${decision}"`,
        });
      }
    }
    if (e.account && subjectKindOf(e.customer) === 'account') {
      ctx.addIssue({
        code: 'custom',
        path: ['account'],
        message: 'only an event about a person names an account as context',
      });
    }
    if (e.status.after === 'suspended' && e.initiation && !e.initiation.temporary) {
      ctx.addIssue({
        code: 'custom',
        path: ['initiation', 'temporary'],
        message: 'a suspension is temporary by definition',
      });
    }
  });
export type NewStandingEvent = z.output<typeof NewStandingEvent>;
export type NewStandingEventInput = z.input<typeof NewStandingEvent>;

/** An event as stored and returned by the log. Sealed fields are `null` once the customer's data was erased. */
export type StandingEvent = NewStandingEvent & {
  /** Whether the event is about a person or an account (the kind of its subject). */
  about: SubjectKind;
  id: string;
  seq: number;
  recorded_at: string;
  erased: boolean;
  /** Who made the change and how, as a source said after the event (its attribution record), when there is one. */
  attribution?: Attribution;
};

import { describeIssues, type FieldProblem } from '../lib/problems.ts';
import type { Outcome } from '../lib/result.ts';

export { describeIssues, type FieldProblem };

export type ParseResult<T> = Outcome<T, { problems: FieldProblem[] }>;

/** Validates and normalizes one event. Expected failure is a value, not a throw. */
export function parseStandingEvent(input: unknown): ParseResult<NewStandingEvent> {
  const r = NewStandingEvent.safeParse(input);
  return r.success ? { ok: true, value: normalizeEvent(r.data) } : { ok: false, problems: describeIssues(r.error) };
}

/**
 * Canonical forms: instants as UTC with milliseconds (emails are normalized by their schema), so equal facts hash
 * equally.
 */
function normalizeEvent(e: NewStandingEvent): NewStandingEvent {
  const instant = (s: string) => new Date(s).toISOString();
  return {
    ...e,
    occurred_at: instant(e.occurred_at),
    verification: e.verification.map((v) => ({ ...v, at: instant(v.at) })),
    approvals: e.approvals.map((a) => ({ ...a, at: instant(a.at) })),
  };
}

/** Statuses from which the account cannot come back without a reinstatement. */
export function isPermanent(status: AccountStatus): boolean {
  return status === 'deactivated' || status === 'closed' || status === 'deleted';
}
