/**
 * The verification reports: a tenant's hash chain with its signed checkpoints and legal holds
 * (`GET /api/v1/tenants/{tenant}/verify`, as `standing verify --tenant`) and its read audit chain
 * (`GET /api/v1/tenants/{tenant}/audit/verify`). `ok` is false with `broken` naming the first bad seq.
 */
import { z } from 'zod';

const Seq = z.number().int().min(0);
const ChainHead = z.object({ seq: Seq, hash: z.string() });

/** The first link that does not hold, and what was expected there (model/chain.ts `ChainBreak`). */
export const ChainBreak = z.union([
  z.object({ seq: Seq, problem: z.literal('seq_gap'), expected: Seq }),
  z.object({
    seq: Seq,
    problem: z.enum(['prev_hash_mismatch', 'hash_mismatch', 'head_mismatch']),
    expected: z.string(),
    found: z.string(),
  }),
  z.object({
    seq: Seq,
    problem: z.enum([
      'no_boundary',
      'checkpoint_mismatch',
      'checkpoint_invalid',
      'boundary_unsigned',
      'legal_hold_chain',
      'attribution_chain',
    ]),
    found: z.string(),
  }),
]);
export type ChainBreak = z.infer<typeof ChainBreak>;

const Checked = z.number().int().min(0).describe('Rows verified (before the break, when broken).');

const CheckpointSummary = z.object({
  count: z.number().int().min(0),
  latest: z.object({ number: z.number().int().min(1), seq: Seq }).nullable(),
  key_ids: z.array(z.string()).describe('The keys the checkpoints are signed with.'),
  pinned: z.boolean().describe('Whether the signatures were checked against a pinned public key.'),
});

const LegalHolds = z
  .object({ ok: z.boolean(), checked: z.number().int().min(0) })
  .describe(
    "The chain of the tenant's legal hold events (each links to the one before and hashes to what it says); " +
      'when it is broken, `ok` is false and `broken.problem` is `legal_hold_chain`.',
  );

const Attributions = z
  .object({ ok: z.boolean(), checked: z.number().int().min(0) })
  .describe(
    "The chain of the tenant's attribution records (who made each change, as a source said after the event; " +
      'each links to the one before and hashes to what it says); when it is broken, `ok` is false and ' +
      '`broken.problem` is `attribution_chain`.',
  );

export const LogVerifyReport = z.union([
  z.object({
    tenant: z.string(),
    ok: z.literal(true),
    checked: Checked,
    head: ChainHead,
    starts_at: Seq.describe('The first seq kept (after retention).'),
    checkpoints: CheckpointSummary,
    legal_holds: LegalHolds,
    attributions: Attributions,
  }),
  z.object({
    tenant: z.string(),
    ok: z.literal(false),
    checked: Checked,
    broken: ChainBreak,
    checkpoints: CheckpointSummary,
    legal_holds: LegalHolds,
    attributions: Attributions,
  }),
]);
export type LogVerifyReport = z.infer<typeof LogVerifyReport>;

export const AuditVerifyReport = z.union([
  z.object({ tenant: z.string(), ok: z.literal(true), checked: Checked, head: ChainHead }),
  z.object({ tenant: z.string(), ok: z.literal(false), checked: Checked, broken: ChainBreak }),
]);
export type AuditVerifyReport = z.infer<typeof AuditVerifyReport>;
