/**
 * Maps one Salesforce inbox row (a record of a change event, or an Outbound Message notification)
 * to a standing event under the tenant's Salesforce mapping. Accounts are accounts; Contacts are
 * people, with their `AccountId` as the account context. Pure: what the row says decides; a GAP
 * event asks the caller to re-read the record (`reread`) and is mapped from what that read found.
 */
import {
  parseStandingEvent,
  type FieldProblem,
  type NewStandingEvent,
  type NewStandingEventInput,
} from '../connector/model/standing-event.ts';
import { outcomeOf, type SalesforceMapping, type SalesforceObjectRule } from './mapping-document.ts';
import {
  changeEventRecordId,
  SalesforceInboxBody,
  type ChangeEventRow,
  type OutboundNotificationRow,
} from './payloads.ts';

export type SalesforceMapResult =
  | { outcome: 'events'; events: NewStandingEvent[] }
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'unmappable'; reason: string; problems: FieldProblem[] }
  | { outcome: 'invalid'; problems: FieldProblem[] }
  /** The record must be re-read (a GAP event): pass its current fields as `reread`, then map again. */
  | { outcome: 'reread'; object: string; record_id: string };

export interface MapSalesforceInput {
  tenant: string;
  body: unknown;
  mapping: SalesforceMapping;
  /** `https://acme.my.salesforce.com`: record links are added only when it is known. */
  instanceUrl?: string | null;
  /** When the row arrived (ISO-8601): the time of an outbound notification without a modstamp. */
  receivedAt: string;
  /** The current fields of a record a GAP event asked to re-read (`null`: it no longer exists). */
  reread?: Record<string, unknown> | null;
}

type Fields = Record<string, unknown>;

export function mapSalesforceRow(input: MapSalesforceInput): SalesforceMapResult {
  const parsed = SalesforceInboxBody.safeParse(input.body);
  if (!parsed.success)
    return {
      outcome: 'invalid',
      problems: parsed.error.issues.map((i) => ({
        path: i.path.map(String).join('.') || '(root)',
        message: i.message,
      })),
    };
  const row = parsed.data;
  switch (row.kind) {
    case 'change_event':
      return mapChangeEvent(input, row);
    case 'outbound_message':
      return mapOutbound(input, row);
    case 'platform_event':
      return {
        outcome: 'ignored',
        reason: `a platform event on ${row.channel}: no mapping rule reads platform events`,
      };
    case 'invalid_message':
      return {
        outcome: 'invalid',
        problems: row.problems.map((p) => ({ path: p.path || '(message)', message: p.message })),
      };
  }
}

function ruleFor(mapping: SalesforceMapping, object: string): SalesforceObjectRule | null | undefined {
  if (object === 'Account') return mapping.account;
  if (object === 'Contact') return mapping.contact;
  return undefined;
}

function mapChangeEvent(input: MapSalesforceInput, row: ChangeEventRow): SalesforceMapResult {
  const payload = row.message.payload as Fields & {
    ChangeEventHeader: ChangeEventRow['message']['payload']['ChangeEventHeader'];
  };
  const header = payload.ChangeEventHeader;
  const object = header.entityName;
  const rule = ruleFor(input.mapping, object);
  if (rule === undefined)
    return { outcome: 'ignored', reason: `${object} changes carry no standing meaning (only Account and Contact map)` };
  if (rule === null)
    return { outcome: 'ignored', reason: `the mapping maps nothing of ${object} (${object.toLowerCase()}: null)` };
  if (!row.record_id)
    return { outcome: 'ignored', reason: `${header.changeType} names no record: reconciliation re-reads ${object}` };
  const recordId = row.record_id;
  const base: Base = {
    input,
    rule,
    object,
    recordId,
    eventId: changeEventRecordId(header, recordId),
    occurredAt: new Date(header.commitTimestamp).toISOString(),
    actorId: header.commitUser,
    origin: header.changeOrigin,
    detectedVia: 'change_event',
    evidence: {
      salesforce_change_type: header.changeType,
      salesforce_transaction_key: header.transactionKey,
      salesforce_replay_id: row.message.event.replayId,
    },
  };

  if (header.changeType.startsWith('GAP_')) {
    if (input.reread === undefined) return { outcome: 'reread', object, record_id: recordId };
    if (input.reread === null)
      return rule.map_deletes
        ? statusEvent(base, {
            after: 'deleted',
            before: null,
            reasonCode: rule.deleted_reason_code,
            fields: {},
            observed: true,
          })
        : { outcome: 'ignored', reason: 'the record no longer exists' };
    return observedFrom(base, input.reread);
  }
  if (header.changeType === 'DELETE') {
    if (!rule.map_deletes)
      return { outcome: 'ignored', reason: `deletions of ${object} are not mapped (map_deletes: false)` };
    return statusEvent(base, { after: 'deleted', before: null, reasonCode: rule.deleted_reason_code, fields: payload });
  }
  const statusValue = fieldText(payload, rule.status_field);
  if (header.changeType === 'UNDELETE') {
    // The record is back from the recycle bin; its status field, when the event carries it, says in what standing.
    const outcome =
      statusValue === undefined
        ? { status: 'active' as const, reasonCode: rule.undeleted_reason_code, temporary: false }
        : outcomeOf(rule, statusValue);
    if (!outcome) return unknownValue(rule, object, statusValue!);
    return statusEvent(base, {
      after: outcome.status,
      before: 'deleted',
      reasonCode: outcome.reasonCode ?? rule.undeleted_reason_code,
      temporary: outcome.temporary,
      fields: payload,
    });
  }
  // CREATE and UPDATE carry only the fields set or changed (UPDATE lists them in changedFields).
  if (statusValue === undefined)
    return { outcome: 'ignored', reason: `${header.changeType} of ${object} did not change ${rule.status_field}` };
  const outcome = outcomeOf(rule, statusValue);
  if (!outcome) return unknownValue(rule, object, statusValue);
  return statusEvent(base, {
    after: outcome.status,
    before: null,
    reasonCode: outcome.reasonCode,
    temporary: outcome.temporary,
    fields: payload,
  });
}

function mapOutbound(input: MapSalesforceInput, row: OutboundNotificationRow): SalesforceMapResult {
  const { object, fields } = row.notification;
  const rule = ruleFor(input.mapping, object);
  if (rule === undefined)
    return {
      outcome: 'ignored',
      reason: `${object} notifications carry no standing meaning (only Account and Contact map)`,
    };
  if (rule === null)
    return { outcome: 'ignored', reason: `the mapping maps nothing of ${object} (${object.toLowerCase()}: null)` };
  const recordId = fields.Id!;
  const modstamp = fields.LastModifiedDate ?? fields.SystemModstamp;
  const base: Base = {
    input,
    rule,
    object,
    recordId,
    eventId: `om:${row.notification.id}`,
    occurredAt: modstamp && !Number.isNaN(Date.parse(modstamp)) ? new Date(modstamp).toISOString() : input.receivedAt,
    actorId: fields.LastModifiedById ?? '',
    origin: '',
    detectedVia: 'outbound_message',
    evidence: { salesforce_action_id: row.action_id, salesforce_notification_id: row.notification.id },
  };
  if (fields.IsDeleted === 'true' && rule.map_deletes)
    return statusEvent(base, { after: 'deleted', before: null, reasonCode: rule.deleted_reason_code, fields });
  const statusValue = fieldText(fields, rule.status_field);
  if (statusValue === undefined) {
    return {
      outcome: 'unmappable',
      reason: `the notification does not carry ${rule.status_field}`,
      problems: [
        {
          path: 'notification.fields',
          message:
            `add ${rule.status_field} to the Outbound Message's fields, or fix ` +
            `${object.toLowerCase()}.status_field`,
        },
      ],
    };
  }
  const outcome = outcomeOf(rule, statusValue);
  if (!outcome) return unknownValue(rule, object, statusValue);
  // An outbound message says what the record holds now, not what it held before.
  return statusEvent(base, {
    after: outcome.status,
    before: null,
    reasonCode: outcome.reasonCode,
    temporary: outcome.temporary,
    fields,
  });
}

interface Base {
  input: MapSalesforceInput;
  rule: SalesforceObjectRule;
  object: string;
  recordId: string;
  eventId: string;
  occurredAt: string;
  actorId: string;
  origin: string;
  detectedVia: 'change_event' | 'outbound_message';
  evidence: Record<string, unknown>;
}

interface StatusArgs {
  after: NonNullable<NewStandingEventInput['status']['after']>;
  before: NewStandingEventInput['status']['before'];
  reasonCode?: string;
  temporary?: boolean;
  fields: Fields;
  /** The status was read (GAP re-read), not seen changing: a `status_observed`. */
  observed?: boolean;
}

function statusEvent(b: Base, a: StatusArgs): SalesforceMapResult {
  const reasonText = b.rule.reason_field ? fieldText(a.fields, b.rule.reason_field.name, true) : undefined;
  const reason = reasonOf(a.reasonCode, reasonText, b.rule.reason_field?.as);
  const initiator = initiatorOf(b);
  const who = subjectOf(b, a.fields);
  const kind = a.observed ? 'status_observed' : a.after === 'active' ? 'reinstatement' : 'deactivation';
  const url =
    b.input.instanceUrl && /^https:\/\/[a-z0-9.-]+$/i.test(b.input.instanceUrl)
      ? `${b.input.instanceUrl}/${b.recordId}`
      : undefined;
  const draft: NewStandingEventInput = {
    tenant: b.input.tenant,
    kind,
    status: { before: a.before, after: a.after },
    initiation: { type: initiator.type, temporary: a.temporary ?? a.after === 'suspended' },
    ...(reason ? { reason } : {}),
    actor: initiator.actor,
    source: { system: 'salesforce', object: b.object, id: b.recordId, event_id: b.eventId, ...(url ? { url } : {}) },
    detected_via: a.observed ? 'reconciliation' : b.detectedVia,
    customer: who.customer,
    ...(who.account ? { account: who.account } : {}),
    occurred_at: b.occurredAt,
    evidence: b.evidence,
  };
  const r = parseStandingEvent(draft);
  return r.ok ? { outcome: 'events', events: [r.value] } : { outcome: 'invalid', problems: r.problems };
}

function observedFrom(b: Base, fields: Record<string, unknown>): SalesforceMapResult {
  if (fields.IsDeleted === true || fields.IsDeleted === 'true')
    return statusEvent(b, {
      after: 'deleted',
      before: null,
      reasonCode: b.rule.deleted_reason_code,
      fields,
      observed: true,
    });
  const value = fieldText(fields, b.rule.status_field);
  if (value === undefined)
    return { outcome: 'ignored', reason: `the re-read ${b.object} has no ${b.rule.status_field}` };
  const outcome = outcomeOf(b.rule, value);
  if (!outcome) return unknownValue(b.rule, b.object, value);
  return statusEvent(
    { ...b, evidence: { ...b.evidence, reread: true } },
    {
      after: outcome.status,
      before: null,
      reasonCode: outcome.reasonCode,
      temporary: outcome.temporary,
      fields,
      observed: true,
    },
  );
}

/** Accounts are accounts; Contacts are people, with the Contact's `AccountId` as their account. */
function subjectOf(
  b: Base,
  fields: Fields,
): { customer: NewStandingEventInput['customer']; account?: NonNullable<NewStandingEventInput['account']> } {
  if (b.object === 'Account') return { customer: { salesforce_account_id: b.recordId } };
  const email = fieldText(fields, 'Email');
  const accountId = fieldText(fields, 'AccountId');
  const customer: NewStandingEventInput['customer'] = { salesforce_contact_id: b.recordId };
  if (email && b.input.mapping.identities.contact_email && /^[^\s@]+@[^\s@]+\.[^\s@]+$/u.test(email))
    customer.email = email;
  return accountId && /^001[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/.test(accountId)
    ? { customer, account: { salesforce_account_id: accountId } }
    : { customer };
}

/**
 * `commitUser` / `LastModifiedById`: an automation user or origin is automatic, anyone else an agent; nobody named is
 * unknown.
 */
function initiatorOf(b: Base): { type: 'manual' | 'automatic' | 'unknown'; actor: NewStandingEventInput['actor'] } {
  const id = b.actorId.trim();
  const automatic = b.input.mapping.initiator.automation_origins.some((o) => b.origin.startsWith(o));
  if (!id)
    return automatic
      ? { type: 'automatic', actor: { type: 'system' } }
      : { type: 'unknown', actor: { type: 'unknown' } };
  const fifteen = (v: string) => v.slice(0, 15);
  if (automatic || b.input.mapping.initiator.automation_user_ids.some((u) => fifteen(u) === fifteen(id)))
    return { type: 'automatic', actor: { type: 'integration', id } };
  return { type: 'manual', actor: { type: 'agent', id } };
}

/** A field's value as text, trimmed (for matching), or `asWritten` (free text: a reason); blank is absent. */
function fieldText(fields: Record<string, unknown>, name: string, asWritten = false): string | undefined {
  const key = Object.keys(fields).find((k) => k.toLowerCase() === name.toLowerCase());
  const v = key === undefined ? undefined : fields[key];
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v.trim() === '' ? undefined : asWritten ? v : v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function reasonOf(
  code: string | undefined,
  text: string | undefined,
  as: 'text' | 'code' = 'text',
): NewStandingEventInput['reason'] {
  if (text !== undefined && as === 'code') {
    const c = text.trim().toLowerCase().replace(/\s+/g, '_');
    if (/^[a-z0-9][a-z0-9_.-]{0,63}$/.test(c)) return { code: c };
  }
  if (code === undefined && text === undefined) return undefined;
  return { code: code ?? 'unspecified', ...(text ? { text: text.slice(0, 4000) } : {}) };
}

function unknownValue(rule: SalesforceObjectRule, object: string, value: string): SalesforceMapResult {
  const path = `${object.toLowerCase()}.values`;
  return {
    outcome: 'unmappable',
    reason: `value "${value}" of ${object}.${rule.status_field} is not in the mapping`,
    problems: [
      {
        path: rule.status_field,
        message: `"${value}" is not one of the values mapped in ${path} (${Object.keys(rule.values).join(', ')})`,
      },
    ],
  };
}
