/**
 * The per-tenant Salesforce mapping document: which Account and Contact field is the status, what
 * its values mean, where the reason is, and who counts as automatic. Versioned and validated like
 * the Zendesk document; `parseSalesforceMapping` names the exact path of every problem.
 */
import { z } from 'zod';
import { ACCOUNT_STATUSES, type FieldProblem } from '../connector/model/standing-event.ts';
import { describeMappingIssues } from '../connector/model/mapping-issues.ts';
import type { MappingKind } from '../connector/intake/intake-source.ts';

const list = (values: readonly string[]) => values.join(', ');

const StatusName = z.string({ error: 'must be a status name' }).pipe(
  z.enum(ACCOUNT_STATUSES, {
    error: (iss) => `unknown status ${JSON.stringify(iss.input)}: must be one of ${list(ACCOUNT_STATUSES)}`,
  }),
);
const ReasonCode = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_.-]{0,63}$/,
    'must be a lowercase code of letters, digits, _ . - (at most 64), e.g. non_payment',
  );
/** A field API name: `Status__c`, `Active__c`, `npsp__Status__c`. */
const FieldApiName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'must be a field API name, e.g. Status__c');
const SalesforceId = z
  .string()
  .regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, 'must be a 15- or 18-character Salesforce id');

const Outcome = z.union(
  [
    StatusName,
    z.strictObject({ status: StatusName, reason_code: ReasonCode.optional(), temporary: z.boolean().optional() }),
  ],
  { error: 'must be a status name or {status, reason_code?, temporary?}' },
);
export type SalesforceOutcome = z.output<typeof Outcome>;

/** How one object's records (Account or Contact) map. */
const ObjectRule = z
  .strictObject({
    /**
     * The picklist (or text/checkbox) field holding the status. Formula fields are refused: neither CDC nor history
     * tracking sees them.
     */
    status_field: FieldApiName,
    /** Field value -> outcome, matched case-insensitively. Checkboxes send `true` / `false`. */
    values: z.record(z.string(), Outcome),
    /** A field of the same record whose value is the reason (read from the same change). */
    reason_field: z.strictObject({ name: FieldApiName, as: z.enum(['text', 'code']).default('text') }).optional(),
    /** Reason code of a record deleted in Salesforce (`DELETE` change, `IsDeleted`). */
    deleted_reason_code: ReasonCode.default('salesforce_record_deleted'),
    /** Reason code of a record restored from the recycle bin (`UNDELETE`). */
    undeleted_reason_code: ReasonCode.default('salesforce_record_undeleted'),
    /** Whether a deletion is recorded as a deactivation to `deleted`. */
    map_deletes: z.boolean().default(true),
  })
  .superRefine((r, ctx) => {
    if (Object.keys(r.values).length === 0)
      ctx.addIssue({ code: 'custom', path: ['values'], message: 'must map at least one field value to a status' });
    if (r.reason_field && r.reason_field.name.toLowerCase() === r.status_field.toLowerCase()) {
      ctx.addIssue({
        code: 'custom',
        path: ['reason_field', 'name'],
        message: 'must be another field than the status field itself',
      });
    }
    const seen = new Map<string, string>();
    for (const key of Object.keys(r.values)) {
      const k = key.trim().toLowerCase();
      if (seen.has(k))
        ctx.addIssue({
          code: 'custom',
          path: ['values', key],
          message: `same value as "${seen.get(k)}" (values are matched case-insensitively)`,
        });
      else seen.set(k, key);
    }
  });
export type SalesforceObjectRule = z.output<typeof ObjectRule>;

const MappingShape = z.strictObject({
  version: z.literal(1, { error: 'must be 1 (the only mapping document version)' }),
  /** Account records: accounts. `null` maps nothing of Accounts. */
  account: ObjectRule.nullable().default(null),
  /** Contact records: people. `null` maps nothing of Contacts. */
  contact: ObjectRule.nullable().default(null),
  identities: z
    .strictObject({
      /**
       * A Contact's `Email` makes it the same person as the Zendesk user with that email.
       * @defaultValue true
       */
      contact_email: z.boolean().default(true),
    })
    .prefault({}),
  initiator: z
    .strictObject({
      /**
       * Users whose changes count as automatic (integration users, the Automated Process user of
       * flows). Other users count as agents (`manual`).
       */
      automation_user_ids: z.array(SalesforceId).default([]),
      /**
       * `changeOrigin` prefixes whose changes count as automatic, e.g. `com/salesforce/api/rest` for
       * every API client.
       * @defaultValue []
       */
      automation_origins: z.array(z.string().min(1).max(200)).default([]),
    })
    .prefault({}),
});
export type SalesforceMapping = z.output<typeof MappingShape>;
export type SalesforceMappingInput = z.input<typeof MappingShape>;

export type SalesforceMappingParseResult =
  { ok: true; mapping: SalesforceMapping } | { ok: false; problems: FieldProblem[] };

export function parseSalesforceMapping(input: unknown): SalesforceMappingParseResult {
  const r = MappingShape.safeParse(input);
  if (r.success) return { ok: true, mapping: r.data };
  return { ok: false, problems: describeMappingIssues(r.error.issues) };
}

/**
 * A standard org's Accounts: the `Active__c` picklist (Yes / No) that Salesforce's sample schema
 * puts on Account, deletions and undeletions. Contacts have no standard status field: map one of
 * yours under `contact`.
 */
export const DEFAULT_SALESFORCE_MAPPING_DOCUMENT: SalesforceMappingInput = {
  version: 1,
  account: { status_field: 'Active__c', values: { Yes: 'active', No: 'deactivated' } },
  contact: null,
};

export const DEFAULT_SALESFORCE_MAPPING: SalesforceMapping = (() => {
  const r = parseSalesforceMapping(DEFAULT_SALESFORCE_MAPPING_DOCUMENT);
  if (!r.ok) throw new Error(`DEFAULT_SALESFORCE_MAPPING is invalid: ${JSON.stringify(r.problems)}`);
  return r.mapping;
})();

/**
 * The status field of a rule must be one CDC and Field History Tracking can see: refuse a formula
 * field, which the describe call marks `calculated: true`. Pure: the caller passes the describe
 * result's fields (`GET /sobjects/{object}/describe`).
 */
export function checkStatusFieldDescribe(
  rulePath: string,
  fieldName: string,
  describedFields: readonly { name: string; calculated?: boolean; type?: string }[],
): FieldProblem[] {
  const f = describedFields.find((d) => d.name.toLowerCase() === fieldName.toLowerCase());
  if (!f) return [{ path: `${rulePath}.status_field`, message: `no field ${fieldName} on this object` }];
  if (f.calculated)
    return [
      {
        path: `${rulePath}.status_field`,
        message:
          `${fieldName} is a formula field: ` + 'Change Data Capture and Field History Tracking do not see its changes',
      },
    ];
  return [];
}

/** The outcome of a field value under a rule (matched case-insensitively), if mapped. */
export function outcomeOf(
  rule: SalesforceObjectRule,
  value: string,
): { status: (typeof ACCOUNT_STATUSES)[number]; reasonCode?: string; temporary: boolean } | undefined {
  const key = Object.keys(rule.values).find((k) => k.trim().toLowerCase() === value.trim().toLowerCase());
  const outcome = key === undefined ? undefined : rule.values[key];
  if (outcome === undefined) return undefined;
  if (typeof outcome === 'string') return { status: outcome, temporary: outcome === 'suspended' };
  return {
    status: outcome.status,
    reasonCode: outcome.reason_code,
    temporary: outcome.temporary ?? outcome.status === 'suspended',
  };
}

/** The Salesforce mapping document as the CLI sees it (connector/app/providers.ts). */
export const SALESFORCE_MAPPING_KIND: MappingKind = {
  name: 'salesforce',
  defaultMappingDocument: DEFAULT_SALESFORCE_MAPPING_DOCUMENT,
  parseMapping: parseSalesforceMapping,
};
