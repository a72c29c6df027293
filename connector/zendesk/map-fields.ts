/**
 * Custom field rules shared by user and organization events: which rule a changed field falls
 * under, and what its new value means for standing.
 */
import type { AccountStatus, FieldProblem } from '../model/standing-event.ts';
import { resolveOutcome, type FieldRule } from './mapping-document.ts';
import { CustomFieldChange, type FieldValue, type ZendeskFieldRef } from './payloads.ts';
import {
  drafts,
  ignored,
  invalid,
  reasonFrom,
  statusDraft,
  unmappable,
  wait,
  type FieldFact,
  type MapContext,
  type MapStep,
  type StatusDraftArgs,
} from './map-common.ts';

const norm = (s: string | number) => String(s).trim().toLowerCase();

/** The rule for a changed field: a rule matches when any identifier it gives (key, id, title) agrees. */
export function findFieldRule(
  rules: readonly FieldRule[],
  field: ZendeskFieldRef,
): { rule: FieldRule; index: number } | undefined {
  const index = rules.findIndex(
    (r) =>
      (r.field.key !== undefined && field.key !== undefined && norm(r.field.key) === norm(field.key)) ||
      (r.field.id !== undefined && field.id !== undefined && norm(r.field.id) === norm(field.id)) ||
      (r.field.title !== undefined && field.title !== undefined && norm(r.field.title) === norm(field.title)),
  );
  const rule = rules[index];
  return rule ? { rule, index } : undefined;
}

/** `text`: trimmed, for matching with the mapping; `written`: the value as written, for free text (a reason). */
export type FieldValueText =
  { kind: 'empty' } | { kind: 'text'; text: string; written: string } | { kind: 'unsupported'; description: string };

/**
 * A field value as text to compare with the mapping: dropdowns send the option's tag value,
 * checkboxes booleans, lookups an object with the related record's `id`. Values also circulate
 * wrapped as `{"value": ...}` (Zendesk's event-connector schemas for custom field changes:
 * https://developer.zendesk.com/api-reference/integration-services/trigger-events/user-events/),
 * so a `value` member is unwrapped first.
 */
export function fieldValueText(value: FieldValue | unknown): FieldValueText {
  if (value === null || value === undefined) return { kind: 'empty' };
  if (typeof value === 'string')
    return value.trim() === '' ? { kind: 'empty' } : { kind: 'text', text: value.trim(), written: value };
  if (typeof value === 'number' || typeof value === 'boolean')
    return { kind: 'text', text: String(value), written: String(value) };
  if (Array.isArray(value)) {
    if (value.length === 0) return { kind: 'empty' };
    if (value.length === 1 && value[0] !== undefined) return fieldValueText(value[0]);
    return { kind: 'unsupported', description: `a multi-select value with ${value.length} options` };
  }
  if (typeof value !== 'object') return { kind: 'unsupported', description: `a ${typeof value} value` };
  if (Object.hasOwn(value, 'value')) return fieldValueText((value as { value: unknown }).value);
  const id = (value as { id?: unknown }).id;
  if (typeof id === 'string' || typeof id === 'number') return { kind: 'text', text: String(id), written: String(id) };
  return { kind: 'unsupported', description: 'an object value without a value or an id' };
}

export type FieldChangeMeaning =
  | { result: 'ignored'; reason: string }
  | { result: 'unmappable'; reason: string; problems: FieldProblem[] }
  | {
      result: 'change';
      rule: FieldRule;
      before: AccountStatus | null;
      after: AccountStatus;
      temporary: boolean;
      reasonCode?: string;
      value: string;
    };

/**
 * What a custom field change means under `rules` (`rulesPath` names them in messages, e.g.
 * `user.fields`). A value the mapping does not know is unmappable: an admin adds it and replays.
 */
export function meaningOfFieldChange(
  rules: readonly FieldRule[],
  rulesPath: string,
  change: CustomFieldChange,
): FieldChangeMeaning {
  const label = change.field.title ?? change.field.key ?? change.field.id ?? '(unnamed)';
  const found = findFieldRule(rules, change.field);
  if (!found) return { result: 'ignored', reason: `field "${label}" has no rule in ${rulesPath}` };
  const { rule, index } = found;
  const current = fieldValueText(change.current);
  if (current.kind === 'empty') return { result: 'ignored', reason: `field "${label}" was cleared` };
  if (current.kind === 'unsupported') {
    return {
      result: 'unmappable',
      reason: `field "${label}" holds ${current.description}`,
      problems: [
        {
          path: 'event.current',
          message: `${current.description} cannot be matched against ${rulesPath}.${index}.values`,
        },
      ],
    };
  }
  const outcome = lookupValue(rule, current.text);
  if (!outcome) {
    return {
      result: 'unmappable',
      reason: `value "${current.text}" of field "${label}" is not in the mapping`,
      problems: [
        {
          path: 'event.current',
          message:
            `"${current.text}" is not one of the values mapped in ${rulesPath}.${index}.values ` +
            `(${Object.keys(rule.values).join(', ')})`,
        },
      ],
    };
  }
  const resolved = resolveOutcome(outcome);
  const previous = fieldValueText(change.previous);
  const previousOutcome = previous.kind === 'text' ? lookupValue(rule, previous.text) : undefined;
  const before = previousOutcome ? resolveOutcome(previousOutcome).status : null;
  if (before === resolved.status)
    return { result: 'ignored', reason: `field "${label}" changed but the status stays ${before}` };
  return {
    result: 'change',
    rule,
    before,
    after: resolved.status,
    temporary: resolved.temporary,
    reasonCode: resolved.reasonCode,
    value: current.text,
  };
}

function lookupValue(rule: FieldRule, text: string) {
  const key = Object.keys(rule.values).find((k) => norm(k) === norm(text));
  return key === undefined ? undefined : rule.values[key];
}

/** A field named by any of key, id or title (what a mapping rule gives). */
export interface FieldName {
  key?: string;
  id?: string | number;
  title?: string;
}

/** The newest fact about a field: a fact matches when any name the rule gives agrees (case-insensitively). */
export function findFieldFact(facts: readonly FieldFact[], name: FieldName): FieldFact | undefined {
  const matches = (f: FieldFact) =>
    (name.key !== undefined && f.field_key !== '' && f.field_key === norm(name.key)) ||
    (name.id !== undefined && f.field_id !== '' && f.field_id === norm(name.id)) ||
    (name.title !== undefined && f.field_title !== '' && f.field_title === norm(name.title));
  let best: FieldFact | undefined;
  for (const f of facts)
    if (
      matches(f) &&
      (!best || f.changed_at > best.changed_at || (f.changed_at === best.changed_at && f.event_id > best.event_id))
    )
      best = f;
  return best;
}

/** Whether a fact was set in the same update as an event at `time` (Zendesk gives both the same `time`). */
export const sameUpdate = (fact: FieldFact | undefined, time: string): boolean =>
  fact !== undefined && Date.parse(fact.changed_at) === Date.parse(time);

/**
 * A user's or organization's custom field changed: the standing event its new value means, with the
 * reason read from the rule's reason field as the field-value history knew it at the event's time.
 * Fields changed in one update arrive as separate events with the same time, in either order: while
 * the reason field's companion may still arrive (`ctx.mayWait`) and has not, the change waits for it.
 */
export function customFieldStep(a: {
  ctx: MapContext;
  rules: readonly FieldRule[];
  rulesPath: string;
  rawEvent: unknown;
  time: string;
  common: Omit<StatusDraftArgs, 'after' | 'before' | 'temporary' | 'reason' | 'evidence'>;
  evidence: Record<string, unknown>;
}): MapStep {
  const event = CustomFieldChange.safeParse(a.rawEvent);
  if (!event.success) return invalid(event.error, 'event');
  const meaning = meaningOfFieldChange(a.rules, a.rulesPath, event.data);
  if (meaning.result === 'ignored') return ignored(meaning.reason);
  if (meaning.result === 'unmappable') return unmappable(meaning.reason, meaning.problems);
  const reasonField = meaning.rule.reason_field;
  let reasonFact: FieldFact | undefined;
  if (reasonField) {
    reasonFact = findFieldFact(a.ctx.fieldsAsOf, reasonField);
    if (!sameUpdate(reasonFact, a.time) && a.ctx.mayWait) {
      return wait(
        `waiting for the reason field (${reasonField.key ?? reasonField.title ?? reasonField.id}) changed in ` +
          `the same update`,
      );
    }
  }
  const reasonText = reasonFact ? fieldValueText(reasonFact.value) : undefined;
  return drafts(
    statusDraft({
      ...a.common,
      after: meaning.after,
      before: meaning.before,
      temporary: meaning.temporary,
      reason: reasonFrom(
        meaning.reasonCode,
        reasonText?.kind === 'text' ? reasonText.written : undefined,
        reasonField?.as,
      ),
      evidence: {
        ...a.evidence,
        field: event.data.field,
        value: meaning.value,
        ...(reasonFact
          ? { reason_field_set_at: reasonFact.changed_at, reason_field_event_id: reasonFact.event_id }
          : {}),
      },
    }),
  );
}
