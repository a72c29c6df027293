/**
 * The insights answers (docs/insights.md): `GET /api/v1/tenants/{tenant}/insights` and the Zendesk
 * app's admin page (counts and distributions, no personal data), and the drill-down
 * `GET /api/v1/tenants/{tenant}/insights/customers` (the customers a warning concerns: a read of
 * personal data, recorded in the read audit).
 */
import { z } from 'zod';
import { INITIATION_TYPES, SOURCE_SYSTEMS } from '../model/standing-event.ts';
import { About, Instant, SalesforceId, TenantId, Uuid } from './common.ts';

export const INSIGHT_BUCKETS = ['day', 'week', 'month'] as const;
export const INSIGHT_WARNINGS = [
  'reinstatement_without_approval',
  'reactivation_after_fraud',
  'repeated_cycles',
] as const;

const Day = z.iso.date().describe('A UTC day, YYYY-MM-DD.');
const Count = z.number().int().min(0);

export const ReasonCount = z.object({
  reason_code: z.string().nullable().describe('`null`: the event carried no reason code.'),
  events: Count,
});

export const InitiationCount = z.object({
  initiation: z
    .enum(INITIATION_TYPES)
    .describe('How the change came about; `unknown` also where the event did not say (a reinstatement may not).'),
  events: Count,
  by_reason: z
    .array(ReasonCount)
    .describe("The reason codes within this kind: for `automatic`, the rule's code (e.g. `inactivity`)."),
});

export const ChangeCounts = z.object({
  total: Count,
  by_reason: z.array(ReasonCount),
  by_initiation: z.array(InitiationCount),
  by_source: z.array(z.object({ source: z.enum(SOURCE_SYSTEMS), events: Count })),
});
export type ChangeCounts = z.infer<typeof ChangeCounts>;

export const Distribution = z
  .object({
    count: Count.describe('How many intervals were measured.'),
    p50_seconds: z.number().min(0).nullable(),
    p90_seconds: z.number().min(0).nullable(),
    max_seconds: z.number().min(0).nullable(),
  })
  .describe('Nearest-rank percentiles of the intervals, in seconds; `null` when none was measured.');
export type Distribution = z.infer<typeof Distribution>;

export const WarningCounts = z.object({
  reinstatement_without_approval: Count,
  reactivation_after_fraud: Count,
  repeated_cycles: Count.describe(
    'Customers, each counted once: in the bucket where the cycles reached the threshold.',
  ),
});
export type WarningCounts = z.infer<typeof WarningCounts>;

export const InsightFigures = z.object({
  deactivations: ChangeCounts,
  reinstatements: ChangeCounts,
  time_to_reinstatement: Distribution.describe('Deactivation → the reinstatement that undoes it.'),
  time_to_decision: Distribution.describe('Earliest reinstatement request → the approval or denial.'),
  warnings: WarningCounts,
});
export type InsightFigures = z.infer<typeof InsightFigures>;

export const InsightsBucket = InsightFigures.extend({ start: Day.describe("The bucket's first day.") });
export type InsightsBucket = z.infer<typeof InsightsBucket>;

export const Insights = z.object({
  tenant: TenantId,
  from: Day,
  to: Day.describe('Inclusive.'),
  bucket: z.enum(INSIGHT_BUCKETS),
  source: z.enum(SOURCE_SYSTEMS).nullable().describe('`null`: every source.'),
  about: z.enum(['all', 'person', 'account']),
  buckets: z.array(InsightsBucket).describe('Every bucket of the range in order, empty ones included.'),
  totals: InsightFigures.describe('The whole range (distributions over all its intervals, not of the buckets).'),
});
export type Insights = z.infer<typeof Insights>;

export const InsightCustomer = z.object({
  subject_id: Uuid,
  about: About,
  erased: z.boolean().describe("The customer's data was erased: no identities remain."),
  identities: z.object({
    zendesk_user_id: z.string().optional(),
    email: z.string().optional(),
    salesforce_contact_id: SalesforceId.optional(),
    zendesk_organization_id: z.string().optional(),
    salesforce_account_id: SalesforceId.optional(),
  }),
  flagged: z
    .array(
      z.object({
        at: Instant.describe('When the flagged reinstatement happened.'),
        event_ids: z.array(Uuid).describe('The reinstatement (and, for a fraud reactivation, the deactivation).'),
        cycles: Count.nullable().describe('For `repeated_cycles`: the cycles within the window.'),
      }),
    )
    .min(1),
});
export type InsightCustomer = z.infer<typeof InsightCustomer>;

export const InsightCustomers = z.object({
  tenant: TenantId,
  from: Day,
  to: Day,
  warning: z.enum(INSIGHT_WARNINGS),
  customers: z.array(InsightCustomer),
  truncated: z.boolean().describe('More customers than `limit` were flagged; narrow the range.'),
});
export type InsightCustomers = z.infer<typeof InsightCustomers>;
