/**
 * The answers about a tenant's intake and settings: mappings, their preview, the quarantine,
 * reconciliation runs and the warning thresholds. The Zendesk app's admin page (`/app/v1/{tenant}/admin/*`)
 * and the API (`/api/v1/tenants/{tenant}/*`) answer with the same shapes.
 */
import { z } from 'zod';
import { AccountStatus, FieldProblem, Instant, TenantId, Uuid } from './common.ts';
import { EVENT_KINDS } from '../model/standing-event.ts';
import { SOURCE_SYSTEMS } from '../model/standing-event.ts';

/** A mapping document travels as JSON; its own schema is the provider's (connector/zendesk/mapping-document.ts). */
const MappingDocument = z.unknown().meta({ $ref: '#/components/schemas/ZendeskMappingDocument' });

export const MappingVersion = z.object({
  version: z.number().int().min(1),
  document: MappingDocument,
  changed_by: z.string(),
  changed_at: Instant,
});
export type MappingVersion = z.infer<typeof MappingVersion>;

export const CurrentMapping = z.object({
  version: z.number().int().min(0).describe('0 for the built-in default.'),
  document: MappingDocument,
  changed_by: z.string().nullable(),
  changed_at: Instant.nullable(),
  is_default: z.boolean().describe('No mapping was ever set for the tenant; the built-in default is in force.'),
});
export type CurrentMapping = z.infer<typeof CurrentMapping>;

export const MappingVersions = z.object({ versions: z.array(MappingVersion) });
export type MappingVersions = z.infer<typeof MappingVersions>;

/** How one received event maps under a draft mapping (nothing saved). */
export const MappingPreviewRow = z.object({
  event_id: z.string(),
  received_at: Instant,
  type: z.string().describe('The event type, or `trigger body`.'),
  current_state: z.string().describe("The event's inbox state now."),
  outcome: z.enum(['events', 'ignored', 'wait', 'unmappable', 'invalid', 'drafts']),
  events: z
    .array(
      z.object({
        kind: z.enum(EVENT_KINDS),
        status: z.object({ before: AccountStatus.nullable(), after: AccountStatus.nullable() }),
        reason_code: z.string().nullable(),
      }),
    )
    .optional()
    .describe('For `events`: what would be appended.'),
  reason: z.string().optional(),
  problems: z.array(FieldProblem).optional(),
});
export type MappingPreviewRow = z.infer<typeof MappingPreviewRow>;

export const MappingPreview = z.object({ events: z.array(MappingPreviewRow) });
export type MappingPreview = z.infer<typeof MappingPreview>;

export const QuarantinedEvent = z.object({
  source: z.enum(SOURCE_SYSTEMS),
  event_id: z.string(),
  received_at: Instant,
  processed_at: Instant.nullable(),
  attempts: z.number().int().min(0),
  mapping_version: z
    .number()
    .int()
    .nullable()
    .describe('The mapping version it was tried with (0 for the built-in default).'),
  reason: z.string(),
  problems: z.array(FieldProblem),
  body: z.unknown().describe('The body as received.'),
});
export type QuarantinedEvent = z.infer<typeof QuarantinedEvent>;

export const QuarantinePage = z.object({
  events: z.array(QuarantinedEvent),
  next_cursor: z.string().nullable(),
});
export type QuarantinePage = z.infer<typeof QuarantinePage>;

export const InboxPage = QuarantinePage.extend({
  state: z.enum(['pending', 'stored', 'ignored', 'quarantined']).describe('The state asked for.'),
});
export type InboxPage = z.infer<typeof InboxPage>;

export const ReplayResult = z.object({
  replayed: z.number().int().min(0),
  event_ids: z.array(z.string()),
});
export type ReplayResult = z.infer<typeof ReplayResult>;

export const ReconciliationRun = z.object({
  id: Uuid,
  tenant: TenantId,
  source: z.enum(SOURCE_SYSTEMS),
  trigger: z.enum(['schedule', 'backfill']),
  state: z
    .enum(['running', 'completed', 'partial', 'failed'])
    .describe('`partial`: stopped on purpose before the end (quota share, page cap); the next run resumes.'),
  started_at: Instant,
  ended_at: Instant.nullable(),
  pages: z.number().int().min(0),
  records_read: z.number().int().min(0),
  events_appended: z.number().int().min(0),
  drift_found: z
    .number()
    .int()
    .min(0)
    .describe(
      'Findings the log lacked or contradicted, each appended; what the log already held, read again, is not drift.',
    ),
  errors: z
    .array(z.object({ stream: z.string(), message: z.string() }))
    .describe('What went wrong or made the run stop. No personal data.'),
});
export type ReconciliationRun = z.infer<typeof ReconciliationRun>;

/** `GET /api/v1/tenants/{tenant}/reconciliation/runs`. */
export const ReconciliationRunsPage = z.object({ tenant: TenantId, runs: z.array(ReconciliationRun) });
export type ReconciliationRunsPage = z.infer<typeof ReconciliationRunsPage>;

/** `GET /app/v1/{tenant}/admin/reconciliation`: the tenant's 50 latest runs. */
export const AppReconciliationRuns = z.object({ runs: z.array(ReconciliationRun) });
export type AppReconciliationRuns = z.infer<typeof AppReconciliationRuns>;

const Code = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'must be a lowercase reason code');

/**
 * The thresholds of the history warnings (connector/history/standing-warnings.ts), as a request
 * body (absent keys take their defaults) and as the answer (every key present).
 */
export const WarningSettings = z.strictObject({
  unapproved_reinstatement: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Reason codes of deactivations whose reinstatement needs no approval (e.g. `non_payment`). */
      exempt_reason_codes: z.array(Code).max(100).default([]),
    })
    .prefault({}),
  fraud_reactivation: z
    .strictObject({
      enabled: z.boolean().default(true),
      window_hours: z.number().int('must be a whole number of hours').min(1).max(8760).default(72),
      reason_codes: z
        .array(Code)
        .min(1, 'must list at least one reason code')
        .max(100)
        .default(['fraud_suspected', 'fraud', 'chargeback_fraud']),
    })
    .prefault({}),
  repeated_cycles: z
    .strictObject({
      enabled: z.boolean().default(true),
      min_cycles: z.number().int().min(2).max(50).default(3),
      window_days: z.number().int().min(1).max(3650).default(90),
    })
    .prefault({}),
  missing_reason: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
});
export type WarningSettings = z.output<typeof WarningSettings>;
