/**
 * Cross-field rules of the Zendesk mapping document that a per-field schema cannot express:
 * duplicate rules (the first would silently win), contradictions (a non-temporary suspension, a
 * value both approved and denied).
 */
import type { z } from 'zod';
import type { FieldRule, StatusOutcome, ZendeskMapping } from './mapping-schema.ts';

type Path = (string | number)[];
type Ctx = z.RefinementCtx;

const norm = (s: string | number) => String(s).trim().toLowerCase();

export function checkMappingConsistency(doc: ZendeskMapping, ctx: Ctx): void {
  const problem = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });

  checkFieldRules(doc.user.fields, ['user', 'fields'], problem);
  checkFieldRules(doc.organization.fields, ['organization', 'fields'], problem);

  firstSeen(
    doc.organization.tags.map((t) => norm(t.tag)),
    (j, i) => problem(['organization', 'tags', j, 'tag'], `duplicates the rule for this tag at organization.tags.${i}`),
  );
  doc.organization.tags.forEach((t, i) => {
    if (t.added !== undefined) checkOutcome(t.added, ['organization', 'tags', i, 'added'], problem);
    if (t.removed !== undefined) checkOutcome(t.removed, ['organization', 'tags', i, 'removed'], problem);
  });

  firstSeen(
    doc.ticket.tags.map((t) => norm(t.tag)),
    (j, i) => problem(['ticket', 'tags', j, 'tag'], `duplicates the rule for this tag at ticket.tags.${i}`),
  );
  firstSeen(
    doc.ticket.verification.map((v) => `${norm(v.field.id)}=${norm(v.value)}`),
    (j, i) =>
      problem(
        ['ticket', 'verification', j, 'value'],
        `duplicates the rule for this field and value at ticket.verification.${i}`,
      ),
  );

  const approval = doc.ticket.approval;
  if (approval) {
    firstSeen(approval.approved.map(norm), (j, i) =>
      problem(['ticket', 'approval', 'approved', j], `duplicates ticket.approval.approved.${i}`),
    );
    firstSeen(approval.denied.map(norm), (j, i) =>
      problem(['ticket', 'approval', 'denied', j], `duplicates ticket.approval.denied.${i}`),
    );
    const approved = new Set(approval.approved.map(norm));
    approval.denied.forEach((v, j) => {
      if (approved.has(norm(v))) problem(['ticket', 'approval', 'denied', j], `"${v}" is also listed as approved`);
    });
  }

  firstSeen(doc.initiator.automation_actor_ids.map(norm), (j, i) =>
    problem(['initiator', 'automation_actor_ids', j], `duplicates initiator.automation_actor_ids.${i}`),
  );
  firstSeen(doc.trigger_bodies.kinds, (j, i) =>
    problem(['trigger_bodies', 'kinds', j], `duplicates trigger_bodies.kinds.${i}`),
  );
}

function checkFieldRules(rules: FieldRule[], base: Path, problem: (path: Path, message: string) => void): void {
  // Two rules for one field: whichever matched first would hide the other.
  const seen = { key: new Map<string, number>(), id: new Map<string, number>(), title: new Map<string, number>() };
  rules.forEach((rule, j) => {
    for (const name of ['key', 'id', 'title'] as const) {
      const value = rule.field[name];
      if (value === undefined) continue;
      const first = seen[name].get(norm(value));
      if (first !== undefined)
        problem(
          [...base, j, 'field', name],
          `another rule (${[...base, first].join('.')}) already maps the field with this ${name}`,
        );
      else seen[name].set(norm(value), j);
    }
    const valueKeys = Object.keys(rule.values);
    if (valueKeys.length === 0) problem([...base, j, 'values'], 'must map at least one field value to a status');
    const firstKey = new Map<string, string>();
    for (const key of valueKeys) {
      const earlier = firstKey.get(norm(key));
      if (earlier !== undefined)
        problem([...base, j, 'values', key], `same value as "${earlier}" (values are matched case-insensitively)`);
      else firstKey.set(norm(key), key);
      if (norm(key) === '') problem([...base, j, 'values', key], 'must not be empty: a cleared field is ignored');
      const outcome = rule.values[key];
      if (outcome !== undefined) checkOutcome(outcome, [...base, j, 'values', key], problem);
    }
    for (const name of ['key', 'id', 'title'] as const) {
      const own = rule.field[name];
      const reason = rule.reason_field?.[name];
      if (own !== undefined && reason !== undefined && norm(own) === norm(reason)) {
        problem([...base, j, 'reason_field', name], 'must be another field than the status field itself');
      }
    }
  });
}

function checkOutcome(outcome: StatusOutcome, path: Path, problem: (path: Path, message: string) => void): void {
  if (typeof outcome === 'object' && outcome.status === 'suspended' && outcome.temporary === false) {
    problem(
      [...path, 'temporary'],
      'a suspension is temporary by definition: use deactivated or closed for a lasting change',
    );
  }
  if (typeof outcome === 'object' && outcome.status === 'active' && outcome.temporary === true) {
    problem([...path, 'temporary'], 'a return to active cannot be temporary');
  }
}

/** Calls `onDuplicate(index, firstIndex)` for each value seen before. */
function firstSeen(values: readonly string[], onDuplicate: (index: number, firstIndex: number) => void): void {
  const first = new Map<string, number>();
  values.forEach((v, i) => {
    const earlier = first.get(v);
    if (earlier !== undefined) onDuplicate(i, earlier);
    else first.set(v, i);
  });
}
