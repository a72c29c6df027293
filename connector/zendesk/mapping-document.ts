/**
 * The per-tenant Zendesk mapping document: which Zendesk changes mean what for an account's
 * standing. Declarative JSON an admin edits; `parseMappingDocument` names the exact path of every
 * problem. The mapper (map-event.ts) reads the parsed form.
 */
import { z } from 'zod';
import { ACCOUNT_STATUSES, type FieldProblem } from '../model/standing-event.ts';
import { describeMappingIssues } from '../model/mapping-issues.ts';
import { checkMappingConsistency } from './mapping-consistency.ts';
import { MappingShape, type StatusOutcome, type ZendeskMapping } from './mapping-schema.ts';
import type { MappingKind } from '../intake/intake-source.ts';

export { ZENDESK_TICKET_STATUSES, type FieldRule, type StatusOutcome, type ZendeskMapping } from './mapping-schema.ts';

/** Structure first; cross-field rules (duplicates, contradictions) only once the structure is sound. */
export const ZendeskMappingDocument = MappingShape.superRefine(checkMappingConsistency);
export type ZendeskMappingInput = z.input<typeof ZendeskMappingDocument>;

export type MappingParseResult = { ok: true; mapping: ZendeskMapping } | { ok: false; problems: FieldProblem[] };

/** Validates a mapping document. Every problem has the dotted path of the offending value. */
export function parseMappingDocument(input: unknown): MappingParseResult {
  const r = ZendeskMappingDocument.safeParse(input);
  return r.success ? { ok: true, mapping: r.data } : { ok: false, problems: describeMappingIssues(r.error.issues) };
}

/** JSON Schema of the document as an admin writes it (for the docs and the admin API). */
export function zendeskMappingJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ZendeskMappingDocument, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

/**
 * Sensible for a plain Zendesk account: deactivations and deletions, an `account_status` field, reinstatement requests
 * by tag.
 */
export const DEFAULT_ZENDESK_MAPPING_DOCUMENT: ZendeskMappingInput = {
  version: 1,
  user: {
    active_changed: { deactivated_status: 'deleted' },
    fields: [
      {
        field: { key: 'account_status', title: 'Account status' },
        values: {
          active: 'active',
          suspended: 'suspended',
          suspended_billing: { status: 'suspended', reason_code: 'non_payment' },
          suspended_fraud: { status: 'suspended', reason_code: 'fraud_suspected' },
          deactivated: 'deactivated',
          closed: 'closed',
        },
        reason_field: { key: 'account_status_reason', title: 'Account status reason', as: 'text' },
      },
    ],
  },
  organization: {
    fields: [
      {
        field: { key: 'account_status', title: 'Account status' },
        values: {
          active: 'active',
          suspended: 'suspended',
          suspended_billing: { status: 'suspended', reason_code: 'non_payment' },
          suspended_fraud: { status: 'suspended', reason_code: 'fraud_suspected' },
          deactivated: 'deactivated',
          closed: 'closed',
        },
        reason_field: { key: 'account_status_reason', title: 'Account status reason', as: 'text' },
      },
    ],
  },
  ticket: { tags: [{ tag: 'reinstatement_request', kind: 'reinstatement_requested' }] },
};

export const DEFAULT_ZENDESK_MAPPING: ZendeskMapping = (() => {
  const r = parseMappingDocument(DEFAULT_ZENDESK_MAPPING_DOCUMENT);
  if (!r.ok) throw new Error(`DEFAULT_ZENDESK_MAPPING is invalid: ${JSON.stringify(r.problems)}`);
  return r.mapping;
})();

/** The status an outcome leads to, its reason code and whether it is temporary (suspensions always are). */
export function resolveOutcome(outcome: StatusOutcome): {
  status: (typeof ACCOUNT_STATUSES)[number];
  reasonCode?: string;
  temporary: boolean;
} {
  if (typeof outcome === 'string') return { status: outcome, temporary: outcome === 'suspended' };
  return {
    status: outcome.status,
    reasonCode: outcome.reason_code,
    temporary: outcome.temporary ?? outcome.status === 'suspended',
  };
}

/** The Zendesk mapping document as the CLI sees it (connector/app/providers.ts). */
export const ZENDESK_MAPPING_KIND: MappingKind = {
  name: 'zendesk',
  defaultMappingDocument: DEFAULT_ZENDESK_MAPPING_DOCUMENT,
  parseMapping: parseMappingDocument,
};
