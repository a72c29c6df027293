/**
 * Pieces shared by the Zendesk mappers: the input/outcome types, who did it (initiator inference),
 * who it is about (customer identities, enriched from the caller's directory), links, and the final
 * validation against the standing event model.
 */
import type { z } from 'zod';
import {
  describeIssues,
  EmailAddress,
  parseStandingEvent,
  type Actor,
  type FieldProblem,
  type NewStandingEvent,
  type NewStandingEventInput,
} from '../model/standing-event.ts';
import type { ReportedFieldValue } from '../model/field-value.ts';
import type { ZendeskMapping } from './mapping-document.ts';

/**
 * What the caller learnt about a Zendesk user from the API (GET /api/v2/users/{id}). Look-ups only
 * complete identities; they never decide what an event means (a replay must give the same answer).
 */
export interface ZendeskDirectoryUser {
  email?: string | null;
  external_id?: string | null;
  organization_id?: string | number | null;
}
/** What the caller learnt about a Zendesk organization (GET /api/v2/organizations/{id}). */
export interface ZendeskDirectoryOrganization {
  external_id?: string | null;
}
export interface MapperDirectory {
  users?: Record<string, ZendeskDirectoryUser>;
  organizations?: Record<string, ZendeskDirectoryOrganization>;
}

/**
 * A custom field value of the event's own object as a source reported it before (or with) the
 * event being mapped: the field-value history is what a status change reads its reason or approval
 * from.
 */
export type FieldFact = Omit<ReportedFieldValue, 'object' | 'object_id'>;

export interface MapZendeskWebhookInput {
  tenant: string;
  /** The parsed JSON body. */
  body: unknown;
  mapping: ZendeskMapping;
  /** `acme` for acme.zendesk.com: links are added only when it is known. */
  subdomain?: string | null;
  /** `X-Zendesk-Webhook-Invocation-Id`: stable across retries, the idempotency key of trigger bodies. */
  invocationId?: string | null;
  /** When the delivery arrived (ISO-8601): the fallback time of trigger bodies. */
  receivedAt: string;
  directory?: MapperDirectory;
  /**
   * Field values of the event's own object (user, organization or ticket) reported at or before the
   * event's time, newest per field: see FieldFact.
   * @defaultValue none known
   */
  fieldsAsOf?: readonly FieldFact[];
  /**
   * Whether a companion event of the same update (a reason or approval field changed at the same
   * time) may still arrive: then a status change that needs one waits for it instead of being
   * mapped without it.
   * @defaultValue false
   */
  mayWait?: boolean;
}

export type ZendeskMapResult =
  | { outcome: 'events'; events: NewStandingEvent[] }
  /** A companion of the same update (e.g. the reason field) has not arrived yet: map again later. */
  | { outcome: 'wait'; reason: string }
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'unmappable'; reason: string; problems: FieldProblem[] }
  | { outcome: 'invalid'; problems: FieldProblem[] };

/** Mapper output before final validation: events as model input, or a final outcome. */
export type MapStep =
  { outcome: 'drafts'; drafts: NewStandingEventInput[] } | Exclude<ZendeskMapResult, { outcome: 'events' }>;

/** Ids the caller should look up so the next mapping attempt has the identities the payload lacks. */
export class LookupCollector {
  readonly userIds = new Set<string>();
  readonly organizationIds = new Set<string>();
  /**
   * Every directory entry the mapping read, asked for or not (`user:<id>`, `organization:<id>`): a
   * row is mapped again only when one of them was looked up meanwhile.
   */
  readonly consulted = new Set<string>();
}

export interface MapContext {
  tenant: string;
  mapping: ZendeskMapping;
  subdomain?: string | null;
  invocationId?: string | null;
  receivedAt: string;
  directory: MapperDirectory;
  lookups: LookupCollector;
  fieldsAsOf: readonly FieldFact[];
  mayWait: boolean;
}

export const drafts = (...list: NewStandingEventInput[]): MapStep => ({ outcome: 'drafts', drafts: list });
export const ignored = (reason: string): MapStep => ({ outcome: 'ignored', reason });
export const wait = (reason: string): MapStep => ({ outcome: 'wait', reason });
export const unmappable = (reason: string, problems: FieldProblem[] = []): MapStep => ({
  outcome: 'unmappable',
  reason,
  problems,
});
export const invalid = (error: z.ZodError, prefix: string): MapStep => ({
  outcome: 'invalid',
  problems: describeIssues(error).map((p) => ({
    path: !prefix ? p.path : p.path === '(root)' ? prefix : `${prefix}.${p.path}`,
    message: p.message,
  })),
});

// ---------------------------------------------------------------------------------------------
// Initiator

/**
 * Actor ids that stand for Zendesk itself. `-1` is the id of Zendesk's own system user, the author
 * of changes made by automations and by the system (not spelled out on the ticket-events reference,
 * which only lists `actor_id`: https://developer.zendesk.com/api-reference/webhooks/event-types/ticket-events/).
 * `zd:*` ids (e.g. `zd:answerBot`) are how messaging events name system actors
 * (https://developer.zendesk.com/api-reference/webhooks/event-types/messaging-events/). Anything
 * else of an account's own (API users of integrations) goes in `initiator.automation_actor_ids`.
 * Note: a trigger acts within the update of whoever fired it, so its changes carry that user's id.
 */
export function isSystemActorId(id: string): boolean {
  const v = id.trim().toLowerCase();
  return v === '-1' || v === 'zendesk' || v === 'system' || v.startsWith('zd:');
}

export interface Initiator {
  type: 'manual' | 'automatic' | 'customer_initiated' | 'unknown';
  actor: Actor;
}

/**
 * Who made a change: the customer themself (actor = the user concerned or the ticket requester),
 * an automation (system ids, configured automation ids), else an agent. A change whose payload names
 * no actor (Zendesk user and organization events never do) is `unknown` unless the tenant's mapping
 * says otherwise (`initiator.missing_actor`).
 */
export function inferInitiator(
  ctx: MapContext,
  actorId: string | null | undefined,
  customerUserId?: string | null,
): Initiator {
  const id = actorId?.trim() ?? '';
  if (id === '') {
    switch (ctx.mapping.initiator.missing_actor) {
      case 'manual':
        return { type: 'manual', actor: { type: 'agent' } };
      case 'automatic':
        return { type: 'automatic', actor: { type: 'system' } };
      default:
        return { type: 'unknown', actor: { type: 'unknown' } };
    }
  }
  if (customerUserId && id === customerUserId) return { type: 'customer_initiated', actor: { type: 'customer', id } };
  if (isSystemActorId(id)) return { type: 'automatic', actor: { type: 'system', id } };
  if (ctx.mapping.initiator.automation_actor_ids.some((a) => String(a) === id))
    return { type: 'automatic', actor: { type: 'integration', id } };
  return { type: 'manual', actor: { type: 'agent', id } };
}

// ---------------------------------------------------------------------------------------------
// Customer identities

/**
 * Salesforce ids are 15 or 18 characters whose first three are the object's key prefix: `001` is
 * Account, `003` Contact. Zendesk's Salesforce integration stores the Account id in the
 * organization's `external_id`; anything else there is some other system's id and is not used.
 */
const SALESFORCE_ACCOUNT_ID = /^001[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/;
const SALESFORCE_CONTACT_ID = /^003[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/;

export type CustomerInput = NewStandingEventInput['customer'];
export type AccountInput = NonNullable<NewStandingEventInput['account']>;

/** Who an event is about (`customer`) and, for a person, the account they belonged to (`account`). */
export interface SubjectInput {
  customer: CustomerInput;
  account?: AccountInput;
}

const present = (v: unknown): string | undefined => {
  if (v === null || v === undefined) return undefined;
  const s = String(v).trim();
  return s === '' || s === '0' ? undefined : s;
};

/** Known facts about a user; `undefined` = the payload did not say, `null` = it said "none". */
export interface UserFacts {
  email?: string | null;
  external_id?: string | null;
  organization_id?: string | null;
}

/**
 * A Zendesk user as a person (user id, email, Salesforce Contact id from `external_id`), with their
 * organization as the account context. Filled from the payload first, then from the directory;
 * notes what is missing for a look-up.
 */
export function personSubject(ctx: MapContext, userId: string, facts: UserFacts = {}): SubjectInput {
  const entry = ctx.directory.users?.[userId];
  ctx.lookups.consulted.add(`user:${userId}`);
  const email = present(facts.email) ?? present(entry?.email);
  const externalId = present(facts.external_id) ?? present(entry?.external_id);
  const orgKnown = facts.organization_id !== undefined || (entry !== undefined && entry.organization_id !== undefined);
  const organizationId =
    facts.organization_id !== undefined ? present(facts.organization_id) : present(entry?.organization_id);
  if (!entry && (email === undefined || !orgKnown)) ctx.lookups.userIds.add(userId);
  const customer: CustomerInput = { zendesk_user_id: userId };
  if (email !== undefined && looksLikeEmail(email)) customer.email = email;
  if (
    externalId !== undefined &&
    ctx.mapping.identities.user_external_id_is_salesforce_contact &&
    SALESFORCE_CONTACT_ID.test(externalId)
  )
    customer.salesforce_contact_id = externalId;
  return organizationId ? { customer, account: accountIdentities(ctx, organizationId) } : { customer };
}

/** A Zendesk organization as an account; `externalId` from the payload when it carries one. */
export function accountSubject(ctx: MapContext, organizationId: string, externalId?: string | null): SubjectInput {
  return { customer: accountIdentities(ctx, organizationId, externalId) };
}

/**
 * An organization's identities: its id and, when its `external_id` is a Salesforce Account id (the
 * convention of Zendesk's own Salesforce integration), that Account: one account across both systems.
 */
function accountIdentities(ctx: MapContext, organizationId: string, externalId?: string | null): AccountInput {
  const entry = ctx.directory.organizations?.[organizationId];
  ctx.lookups.consulted.add(`organization:${organizationId}`);
  if (externalId === undefined && !entry) ctx.lookups.organizationIds.add(organizationId);
  const sfId = present(externalId) ?? present(entry?.external_id);
  const account: AccountInput = { zendesk_organization_id: organizationId };
  if (
    sfId !== undefined &&
    ctx.mapping.identities.organization_external_id_is_salesforce_account &&
    SALESFORCE_ACCOUNT_ID.test(sfId)
  )
    account.salesforce_account_id = sfId;
  return account;
}

function looksLikeEmail(s: string): boolean {
  return EmailAddress.safeParse(s).success;
}

// ---------------------------------------------------------------------------------------------
// Links and event assembly

const SUBDOMAIN = /^[a-z0-9][a-z0-9-]{0,62}$/i;
const AGENT_PATHS = { user: 'users', organization: 'organizations', ticket: 'tickets' } as const;

export function agentUrl(ctx: MapContext, object: keyof typeof AGENT_PATHS, id: string): string | undefined {
  if (!ctx.subdomain || !SUBDOMAIN.test(ctx.subdomain)) return undefined;
  return `https://${ctx.subdomain.toLowerCase()}.zendesk.com/agent/${AGENT_PATHS[object]}/${encodeURIComponent(id)}`;
}

export function source(
  ctx: MapContext,
  object: keyof typeof AGENT_PATHS,
  id: string,
  eventId: string,
): NewStandingEventInput['source'] {
  const url = agentUrl(ctx, object, id);
  return { system: 'zendesk', object, id, event_id: eventId, ...(url ? { url } : {}) };
}

/**
 * Validates drafts against the model. One Zendesk event may yield several standing events: each
 * then gets `#1`, `#2`... on its `source.event_id`, in the mapper's (deterministic) order.
 */
export function finalize(step: MapStep): ZendeskMapResult {
  if (step.outcome !== 'drafts') return step;
  if (step.drafts.length === 0) return { outcome: 'ignored', reason: 'no mapping rule produced an event' };
  const many = step.drafts.length > 1;
  const events: NewStandingEvent[] = [];
  const problems: FieldProblem[] = [];
  step.drafts.forEach((draft, i) => {
    const input = many
      ? { ...draft, source: { ...draft.source, event_id: `${draft.source.event_id}#${i + 1}` } }
      : draft;
    const r = parseStandingEvent(input);
    if (r.ok) events.push(r.value);
    else
      problems.push(...r.problems.map((p) => ({ path: many ? `events.${i}.${p.path}` : p.path, message: p.message })));
  });
  return problems.length > 0 ? { outcome: 'invalid', problems } : { outcome: 'events', events };
}

/** What every draft carries, whatever its kind. */
interface DraftCommonArgs {
  tenant: string;
  initiator: Initiator;
  source: NewStandingEventInput['source'];
  subject: SubjectInput;
  occurredAt: string;
  relatedTicketIds?: string[];
  evidence?: Record<string, unknown>;
}

function commonParts(a: DraftCommonArgs) {
  return {
    tenant: a.tenant,
    actor: a.initiator.actor,
    source: a.source,
    detected_via: 'webhook' as const,
    related_ticket_ids: a.relatedTicketIds ?? [],
    customer: a.subject.customer,
    ...(a.subject.account ? { account: a.subject.account } : {}),
    occurred_at: a.occurredAt,
    evidence: a.evidence ?? {},
  };
}

export interface StatusDraftArgs extends DraftCommonArgs {
  after: NonNullable<NewStandingEventInput['status']['after']>;
  before: NewStandingEventInput['status']['before'];
  temporary: boolean;
  reason?: NewStandingEventInput['reason'];
}

/** A status change: back to `active` is a reinstatement, anything else a deactivation. */
export function statusDraft(a: StatusDraftArgs): NewStandingEventInput {
  return {
    ...commonParts(a),
    kind: a.after === 'active' ? 'reinstatement' : 'deactivation',
    status: { before: a.before, after: a.after },
    initiation: { type: a.initiator.type, temporary: a.temporary },
    ...(a.reason ? { reason: a.reason } : {}),
  };
}

const REASON_CODE = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/**
 * A reason from a configured code and/or a reason field's value. A value meant as a code that is not
 * code-shaped (`Payment overdue`) is kept as text rather than lost. Text is kept as written
 * (whitespace included); only the code is derived from the trimmed value.
 */
export function reasonFrom(
  code: string | undefined,
  fieldValue: unknown,
  as: 'code' | 'text' = 'text',
): NewStandingEventInput['reason'] {
  const written = typeof fieldValue === 'string' || typeof fieldValue === 'number' ? String(fieldValue) : '';
  const value = written.trim();
  let finalCode = code;
  let text: string | undefined;
  if (value !== '') {
    const asCode = value.toLowerCase().replace(/\s+/g, '_');
    if (as === 'code' && REASON_CODE.test(asCode)) finalCode = asCode;
    else text = written.slice(0, 4000);
  }
  if (finalCode === undefined && text === undefined) return undefined;
  return { code: finalCode ?? 'unspecified', ...(text ? { text } : {}) };
}

export interface WorkflowDraftArgs extends DraftCommonArgs {
  kind: Exclude<NewStandingEventInput['kind'], 'deactivation' | 'reinstatement'>;
  /** Extra parts of the event (verification, approvals, status for `status_observed`, reason). */
  extra?: Partial<Pick<NewStandingEventInput, 'verification' | 'approvals' | 'status' | 'reason' | 'conditions'>>;
}

/** A workflow step (request, verification, decision) that does not itself change the status. */
export function workflowDraft(a: WorkflowDraftArgs): NewStandingEventInput {
  return {
    ...commonParts(a),
    kind: a.kind,
    status: { before: null, after: null },
    initiation: { type: a.initiator.type, temporary: false },
    ...a.extra,
  };
}
