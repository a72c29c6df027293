/**
 * Bodies an admin writes into a Zendesk trigger or automation ("Notify by > Active webhook"). They
 * have no fixed schema, so this connector documents one: paste `ZENDESK_TRIGGER_BODY_TEMPLATE`, set
 * `standing.kind` (and the other `standing` fields the kind needs) per trigger. Zendesk renders the
 * `{{...}}` placeholders as plain text before sending.
 * https://support.zendesk.com/hc/en-us/articles/4408886858138-Zendesk-Support-placeholders-reference
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import canonicalize from 'canonicalize';
import { ACCOUNT_STATUSES, EVENT_KINDS, type EventKind, type NewStandingEventInput } from '../model/standing-event.ts';
import {
  accountSubject,
  drafts,
  inferInitiator,
  invalid,
  personSubject,
  source,
  unmappable,
  workflowDraft,
  type MapContext,
  type MapStep,
  type SubjectInput,
} from './map-common.ts';

/**
 * The JSON body to paste into a trigger/automation webhook action. `current_user` is whoever made
 * the update that fired a trigger (empty for automations, which then count as automatic); its name is
 * rendered when the trigger fires, so the body carries the actor's name as of the event, without an API read.
 */
export const ZENDESK_TRIGGER_BODY_TEMPLATE = {
  standing: {
    version: 1,
    kind: 'reinstatement_requested',
    status_after: '',
    reason_code: '',
    reason_text: '',
    temporary: '',
    verification_method: '',
    verification_result: '',
    approver_role: '',
  },
  ticket: { id: '{{ticket.id}}', updated_at: '{{ticket.updated_at_with_timestamp}}' },
  requester: {
    id: '{{ticket.requester.id}}',
    email: '{{ticket.requester.email}}',
    external_id: '{{ticket.requester.external_id}}',
  },
  organization: { id: '{{ticket.organization.id}}', external_id: '{{ticket.organization.external_id}}' },
  current_user: { id: '{{current_user.id}}', name: '{{current_user.name}}' },
} as const;

/** Empty strings (unset placeholders) and placeholders left unrendered mean "not given". */
const blank = (v: unknown) =>
  typeof v === 'string' && (v.trim() === '' || /^\{\{[^}]*\}\}$/.test(v.trim())) ? undefined : v;
const OptText = (max: number) =>
  z.preprocess(
    blank,
    z
      .union([z.string(), z.number()])
      .transform((v) => String(v).trim())
      .pipe(z.string().max(max, `must be at most ${max} characters`))
      .optional(),
  );
/** Free text (the reason): kept as written, whitespace included; blank means not given. */
const OptFreeText = (max: number) =>
  z.preprocess(
    blank,
    z
      .union([z.string(), z.number()])
      .transform((v) => String(v))
      .pipe(z.string().max(max, `must be at most ${max} characters`))
      .optional(),
  );
const OptBool = z.preprocess(
  blank,
  z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
);
const OptStatus = z.preprocess(
  (v) => (typeof blank(v) === 'string' ? String(v).trim().toLowerCase() : blank(v)),
  z.enum(ACCOUNT_STATUSES, { error: `must be one of ${ACCOUNT_STATUSES.join(', ')}` }).optional(),
);
const OptId = z.preprocess(
  blank,
  z
    .union([z.string().regex(/^\d{1,20}$/, 'must be a Zendesk id'), z.number().int().positive()])
    .transform(String)
    .optional(),
);

const TriggerBody = z.looseObject({
  standing: z.looseObject({
    version: z.preprocess(blank, z.union([z.literal(1), z.literal('1')], { error: 'must be 1' }).optional()),
    kind: z.string(),
    /** Idempotency key when the body has one; otherwise the invocation id, otherwise a hash of the body. */
    event_id: OptText(255),
    status_before: OptStatus,
    status_after: OptStatus,
    reason_code: OptText(64),
    reason_text: OptFreeText(4000),
    temporary: OptBool,
    verification_method: OptText(64),
    verification_result: z.preprocess(
      (v) => (typeof blank(v) === 'string' ? String(v).trim().toLowerCase() : blank(v)),
      z.enum(['passed', 'failed', 'pending']).optional(),
    ),
    approver_role: OptText(64),
    occurred_at: OptText(64),
  }),
  ticket: z.looseObject({ id: OptId, updated_at: OptText(64) }).optional(),
  requester: z.looseObject({ id: OptId, email: OptText(320), external_id: OptText(255) }).optional(),
  organization: z.looseObject({ id: OptId, external_id: OptText(255) }).optional(),
  current_user: z
    .looseObject({
      id: z.preprocess(blank, z.union([z.string(), z.number()]).transform(String).optional()),
      name: OptText(255),
    })
    .optional(),
});

/** Whether a body claims to be one of ours (has a `standing.kind`). */
export function looksLikeTriggerBody(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const standing = (body as { standing?: unknown }).standing;
  return typeof standing === 'object' && standing !== null && typeof (standing as { kind?: unknown }).kind === 'string';
}

export function mapTriggerBody(ctx: MapContext, body: unknown): MapStep {
  const settings = ctx.mapping.trigger_bodies;
  const kind = String((body as { standing: { kind: string } }).standing.kind)
    .trim()
    .toLowerCase();
  if (!settings.enabled)
    return unmappable('trigger bodies are turned off in the mapping', [
      { path: 'standing.kind', message: 'enable trigger_bodies in the mapping' },
    ]);
  if (!(EVENT_KINDS as readonly string[]).includes(kind)) {
    return unmappable(`unknown standing kind "${kind}"`, [
      { path: 'standing.kind', message: `must be one of ${EVENT_KINDS.join(', ')}` },
    ]);
  }
  if (!settings.kinds.includes(kind as EventKind)) {
    return unmappable(`standing kind "${kind}" is not allowed for trigger bodies`, [
      { path: 'standing.kind', message: `allowed: ${settings.kinds.join(', ')} (trigger_bodies.kinds)` },
    ]);
  }
  const parsed = TriggerBody.safeParse(body);
  if (!parsed.success) return invalid(parsed.error, '');
  const { standing, ticket, requester, organization, current_user } = parsed.data;
  if (!ticket?.id)
    return { outcome: 'invalid', problems: [{ path: 'ticket.id', message: 'must be the ticket id ({{ticket.id}})' }] };

  const when = instant(standing.occurred_at ?? ticket.updated_at) ?? instant(ctx.receivedAt);
  if (!when)
    return {
      outcome: 'invalid',
      problems: [{ path: 'standing.occurred_at', message: 'must be an ISO-8601 date-time' }],
    };
  const eventId = standing.event_id ?? triggerEventId(body, ctx.invocationId ?? undefined);
  // `{{current_user.id}}` renders empty only when no user made the update, i.e. for automations
  // (time-based rules): that is what the source says, so it counts as automatic, not unknown.
  const inferred = current_user?.id
    ? inferInitiator(ctx, current_user.id, requester?.id)
    : { type: 'automatic' as const, actor: { type: 'system' as const } };
  const initiator =
    current_user?.id && current_user.name
      ? { ...inferred, actor: { ...inferred.actor, name: current_user.name } }
      : inferred;
  const subject = triggerSubject(ctx, requester, organization);
  const common = {
    tenant: ctx.tenant,
    initiator,
    source: source(ctx, 'ticket', ticket.id, eventId),
    subject,
    occurredAt: when,
    relatedTicketIds: [ticket.id],
    evidence: { zendesk_trigger_body: true },
  };
  const reason =
    standing.reason_code || standing.reason_text
      ? { code: standing.reason_code ?? 'unspecified', ...(standing.reason_text ? { text: standing.reason_text } : {}) }
      : undefined;

  if (kind === 'deactivation' || kind === 'reinstatement') {
    const after = standing.status_after ?? (kind === 'reinstatement' ? 'active' : null);
    // A missing `status_after` stays `null` so the model reports it at `status.after`.
    const draft: NewStandingEventInput = {
      tenant: ctx.tenant,
      kind,
      status: { before: standing.status_before ?? null, after },
      initiation: { type: initiator.type, temporary: standing.temporary ?? after === 'suspended' },
      ...(reason ? { reason } : {}),
      actor: initiator.actor,
      source: common.source,
      detected_via: 'webhook',
      related_ticket_ids: common.relatedTicketIds,
      customer: subject.customer,
      ...(subject.account ? { account: subject.account } : {}),
      occurred_at: when,
      evidence: common.evidence,
    };
    return drafts(draft);
  }
  if (kind === 'status_observed') {
    return drafts(
      workflowDraft({
        ...common,
        kind,
        extra: {
          status: { before: standing.status_before ?? null, after: standing.status_after ?? null },
          ...(reason ? { reason } : {}),
        },
      }),
    );
  }
  if (kind === 'verification_recorded') {
    const verification = standing.verification_method
      ? [
          {
            method: standing.verification_method,
            result: standing.verification_result ?? 'passed',
            by: initiator.actor,
            at: when,
          },
        ]
      : [];
    return drafts(workflowDraft({ ...common, kind, extra: { verification, ...(reason ? { reason } : {}) } }));
  }
  if (kind === 'reinstatement_approved' || kind === 'reinstatement_denied') {
    const decision = kind === 'reinstatement_approved' ? 'approved' : 'denied';
    const approvals = [
      { by: initiator.actor, role: standing.approver_role ?? settings.approver_role, decision, at: when },
    ] as const;
    return drafts(
      workflowDraft({ ...common, kind, extra: { approvals: [...approvals], ...(reason ? { reason } : {}) } }),
    );
  }
  return drafts(workflowDraft({ ...common, kind: 'reinstatement_requested', extra: reason ? { reason } : {} }));
}

type Party = { id?: string; email?: string; external_id?: string } | undefined;

/** The requester (a person, with the ticket's organization as their account), else the organization. */
function triggerSubject(ctx: MapContext, requester: Party, organization: Party): SubjectInput {
  const account = organization?.id
    ? accountSubject(ctx, organization.id, organization.external_id ?? undefined).customer
    : undefined;
  if (requester?.id) {
    const person = personSubject(ctx, requester.id, {
      email: requester.email,
      external_id: requester.external_id,
      organization_id: organization?.id ?? null,
    });
    return account ? { customer: person.customer, account } : person;
  }
  if (requester?.email) return { customer: { email: requester.email }, ...(account ? { account } : {}) };
  return account ? { customer: account } : { customer: {} };
}

/** Placeholders render times as `2013-12-12T05:35Z` (no seconds): normalize to a full ISO instant. */
function instant(text: string | undefined): string | undefined {
  if (!text) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/.test(text.trim())) return undefined;
  const ms = Date.parse(text.trim());
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/**
 * The idempotency key of a trigger body: its `standing.event_id` if the admin's template has one,
 * else the delivery's invocation id (kept across Zendesk's retries of one invocation), else a hash
 * of the body. The webhook route keys the inbox with the same value.
 */
export function triggerEventId(body: unknown, invocationId: string | undefined): string {
  const standing =
    typeof body === 'object' && body !== null ? (body as { standing?: { event_id?: unknown } }).standing : undefined;
  const own = typeof standing?.event_id === 'string' ? standing.event_id.trim() : '';
  if (own) return own;
  return invocationId ? `zendesk-invocation:${invocationId}` : `zendesk-body:${bodyHash(body)}`;
}

function bodyHash(body: unknown): string {
  return createHash('sha256')
    .update(canonicalize(body) ?? '')
    .digest('hex')
    .slice(0, 40);
}
