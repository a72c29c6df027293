/**
 * The read audit's answers: its rows (who read or exported whose history, denied attempts, API keys
 * created and revoked), a page of them, and the key records the Zendesk app's admin page lists.
 */
import { z } from 'zod';
import { Instant, Uuid } from './common.ts';

export const AUDIT_ACTIONS = [
  'history.read',
  'log.export',
  'subject.access_export',
  'siem.export',
  'insights.customers',
  'key.create',
  'key.revoke',
  'standing.record',
  'denied',
] as const;

export const AuditPrincipal = z
  .object({ type: z.string(), label: z.string(), role: z.string().nullable(), tenant: z.string().optional() })
  .describe('Who, by label and role (never a secret).');
export type AuditPrincipal = z.infer<typeof AuditPrincipal>;

export const AuditRow = z.object({
  tenant: z.string(),
  seq: z.number().int().min(1),
  id: Uuid,
  at: Instant,
  action: z.enum(AUDIT_ACTIONS),
  principal: AuditPrincipal,
  path: z.string().describe('How: `GET /api/v1/history`, `app sidebar`, `cli export`...'),
  subject_ids: z
    .array(Uuid)
    .describe('The subjects whose data was returned (empty for a whole-tenant export or a denial).'),
  outcome: z.enum(['allowed', 'denied']),
  detail: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]))
    .describe(
      'No personal data: the identity kinds asked by, counts; for a denial the permission and the reason; ' +
        'for a key record the key_id, role and name.',
    ),
  prev_hash: z.string(),
  hash: z.string(),
});
export type AuditRow = z.infer<typeof AuditRow>;

/** `GET /api/v1/tenants/{tenant}/audit` and `.../audit/keys`. */
export const AccessAuditPage = z.object({
  tenant: z.string().describe('A tenant id, or `*`.'),
  entries: z.array(AuditRow),
  next_after_seq: z.number().int().nullable().describe('Pass as `after_seq` for the next page; `null` on the last.'),
});
export type AccessAuditPage = z.infer<typeof AccessAuditPage>;

/** A key created or revoked: the audit row, whose `detail` names the key (never its secret). */
export const KeyRecord = AuditRow.extend({
  action: z.enum(['key.create', 'key.revoke']),
  detail: z.object({ key_id: z.string(), role: z.enum(['agent', 'admin', 'auditor']), name: z.string() }),
});
export type KeyRecord = z.infer<typeof KeyRecord>;

/** `GET /app/v1/{tenant}/admin/key-records`. */
export const KeyRecordsPage = z.object({
  entries: z.array(KeyRecord),
  next_after_seq: z.number().int().nullable(),
});
export type KeyRecordsPage = z.infer<typeof KeyRecordsPage>;
