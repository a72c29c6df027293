/**
 * Retention and legal holds. A tenant's retention policy (a category with its period, or a number of
 * days) says how long its log rows are kept; `applyRetention` (the scheduler calls it) removes whole
 * expired ranges from the start of each chain through `standing_retention_cut`, the one sanctioned
 * way rows leave the log, which records a boundary signed with the checkpoint key so the rest still
 * verifies, and removes those rows' attribution records with an attribution boundary of their own
 * (migration 021). An active legal hold on the tenant, or on a subject with a row in the range, stops the
 * cut (before that subject's first row). Policies and holds are append-only tables: every change
 * stays on record, with who and when. Holds are placed and lifted only through the owner's
 * functions (migration 016), which accept an actor that is an unrevoked auditor key of the tenant
 * and chain each hold event to the one before it (see model/legal-hold.ts).
 */
import { z } from 'zod';
import { boundaryBody, signBody, type CheckpointKey } from '../model/checkpoint.ts';
import { ensureCheckpointKeyRegistered } from './checkpoint-keys.ts';
import { verifyHoldChain, type HoldChainReport, type HoldEvent } from '../model/legal-hold.ts';
import { loadSql } from './sql.ts';
import type { SqlClient } from './database.ts';
import type { StandingLog } from './standing-log.ts';
import { StandingError } from '../lib/errors.ts';

const SQL = { cutPoint: loadSql('retention-cut-point'), activeHolds: loadSql('legal-holds-active') };

/** Retention periods by category, in years. `custom` takes `keep_days`. */
export const RETENTION_YEARS = { financial: 7, telecom: 2 } as const;
export const RETENTION_CATEGORIES = ['financial', 'telecom', 'custom'] as const;

export const RetentionPolicyInput = z
  .object({
    category: z.enum(RETENTION_CATEGORIES),
    keep_days: z.number().int().min(1).max(36_500).optional(),
  })
  .strict()
  .refine((p) => p.category !== 'custom' || p.keep_days !== undefined, {
    message: 'a custom policy needs keep_days',
    path: ['keep_days'],
  });

export interface RetentionPolicy {
  tenant: string;
  version: number;
  category: (typeof RETENTION_CATEGORIES)[number];
  /** Overrides the category's period when set. */
  keep_days: number | null;
  changed_by: string;
  changed_at: string;
}

export interface LegalHold {
  hold_id: string;
  tenant: string;
  /** `null`: the whole tenant. */
  subject_id: string | null;
  reason: string;
  actor: string;
  at: string;
}

export class InvalidRetentionPolicyError extends StandingError {
  override name = 'InvalidRetentionPolicyError';
}
export class UnknownHoldError extends StandingError {
  override name = 'UnknownHoldError';
}
/** The actor may not manage this tenant's holds (only an unrevoked auditor key of the tenant may). */
export class HoldActorRefusedError extends StandingError {
  override name = 'HoldActorRefusedError';
}

// `at` as hashed: ISO 8601 UTC with milliseconds (the database keeps milliseconds only).
const HOLD_COLUMNS =
  `hold_id, action, tenant, subject_id, reason, actor, to_char(at AT TIME ZONE 'UTC', ` +
  `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, seq, prev_hash, hash`;
const holdRefusal = (err: unknown): never => {
  if ((err as { code?: string }).code === '42501')
    throw new HoldActorRefusedError((err as Error).message.replace(/^standing: /, ''));
  throw err;
};

export interface ApplyRetentionOptions {
  /** @defaultValue every tenant with a retention policy */
  tenants?: readonly string[];
  /**
   * Most rows removed per tenant in one call (one transaction each): a longer expired range goes
   * over several runs, each leaving its own signed boundary.
   * @defaultValue 100_000
   */
  maxRows?: number;
  /** @defaultValue () => new Date() */
  now?: () => Date;
}

export const DEFAULT_RETENTION = { maxRows: 100_000 } as const;

export type RetentionOutcome =
  | { tenant: string; status: 'removed'; through: number; removed: number; cutoff: string }
  | { tenant: string; status: 'nothing_expired'; cutoff: string }
  /** Expired rows remain because of a hold (the tenant's, or a subject's with rows in the range). */
  | {
      tenant: string;
      status: 'held';
      cutoff: string;
      held_from: number | null;
      removed: number;
      through: number | null;
    }
  | { tenant: string; status: 'no_policy' };

const iso = (v: unknown) => (v instanceof Date ? v : new Date(String(v))).toISOString();

/** When rows recorded before it have expired under the policy. */
export function retentionCutoff(policy: Pick<RetentionPolicy, 'category' | 'keep_days'>, now: Date): Date {
  const cutoff = new Date(now);
  if (policy.keep_days !== null) cutoff.setUTCDate(cutoff.getUTCDate() - policy.keep_days);
  else if (policy.category !== 'custom')
    cutoff.setUTCFullYear(cutoff.getUTCFullYear() - RETENTION_YEARS[policy.category]);
  return cutoff;
}

export class Retention {
  constructor(private readonly db: SqlClient) {}

  async policy(tenant: string): Promise<RetentionPolicy | null> {
    const [p] = await this.db.query<RetentionPolicy>(
      `SELECT tenant, version, category, keep_days, changed_by, changed_at FROM retention_policies WHERE tenant = $1
        ORDER BY version DESC LIMIT 1`,
      [tenant],
    );
    return p ? { ...p, changed_at: iso(p.changed_at) } : null;
  }

  /** Records a new policy version; validated with zod (`category`, `keep_days`). */
  async setPolicy(tenant: string, input: unknown, changedBy: string): Promise<RetentionPolicy> {
    const parsed = RetentionPolicyInput.safeParse(input);
    if (!parsed.success)
      throw new InvalidRetentionPolicyError(
        parsed.error.issues.map((i) => `${i.path.join('.') || '(policy)'}: ${i.message}`).join('; '),
      );
    const [p] = await this.db.query<RetentionPolicy>(
      `INSERT INTO retention_policies (tenant, version, category, keep_days, changed_by)
       SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4 FROM retention_policies WHERE tenant = $1
       RETURNING tenant, version, category, keep_days, changed_by, changed_at`,
      [tenant, parsed.data.category, parsed.data.keep_days ?? null, changedBy],
    );
    return { ...p!, changed_at: iso(p!.changed_at) };
  }

  /**
   * Places a hold on a subject, or on the whole tenant (`subjectId` null). `actor` is the
   * authenticated principal's label (`api-key:<key_id>`); the database refuses any other.
   */
  async placeHold(tenant: string, subjectId: string | null, reason: string, actor: string): Promise<LegalHold> {
    const [h] = await this.db
      .query<LegalHold>(
        'SELECT hold_id, tenant, subject_id, reason, actor, at FROM standing_hold_place($1, $2, $3, $4)',
        [tenant, subjectId, reason, actor],
      )
      .catch(holdRefusal);
    return { ...h!, at: iso(h!.at) };
  }

  /** Lifts an active hold; the placing stays on record beside the lifting. */
  async liftHold(tenant: string, holdId: string, reason: string, actor: string): Promise<void> {
    const active = (await this.activeHolds(tenant)).find((h) => h.hold_id === holdId);
    if (!active) throw new UnknownHoldError(`no active hold ${holdId} in tenant ${tenant}`);
    const [lifted] = await this.db
      .query<{ hold_id: string | null }>('SELECT hold_id FROM standing_hold_lift($1, $2, $3, $4)', [
        tenant,
        holdId,
        reason,
        actor,
      ])
      .catch(holdRefusal);
    if (!lifted?.hold_id) throw new UnknownHoldError(`no active hold ${holdId} in tenant ${tenant}`);
  }

  async activeHolds(tenant: string): Promise<LegalHold[]> {
    return (await this.db.query<LegalHold>(SQL.activeHolds, [tenant])).map((h) => ({ ...h, tenant, at: iso(h.at) }));
  }

  /** Every placing and lifting, in the order of the tenant's hold chain. */
  async holdLog(tenant: string): Promise<HoldEvent[]> {
    const rows = await this.db.query<HoldEvent>(
      `SELECT ${HOLD_COLUMNS} FROM legal_hold_events WHERE tenant = $1 ORDER BY seq`,
      [tenant],
    );
    return rows.map((h) => ({ ...h, seq: Number(h.seq) }));
  }

  /** Walks the tenant's hold chain: each event links to the one before and hashes to what it says. */
  async verifyHolds(tenant: string): Promise<HoldChainReport> {
    return verifyHoldChain(await this.holdLog(tenant));
  }
}

/**
 * Removes each tenant's expired range from the start of its chain (see the module comment). Needs
 * the checkpoint signing key: each cut records a signed boundary.
 */
export async function applyRetention(
  log: StandingLog,
  key: CheckpointKey,
  options: ApplyRetentionOptions = {},
): Promise<RetentionOutcome[]> {
  const retention = new Retention(log.db);
  const now = (options.now ?? (() => new Date()))();
  const tenants =
    options.tenants ??
    (await log.db.query<{ tenant: string }>('SELECT DISTINCT tenant FROM retention_policies ORDER BY tenant')).map(
      (r) => r.tenant,
    );
  // standing_retention_cut accepts a boundary only signed by a registered key.
  if (tenants.length > 0) await ensureCheckpointKeyRegistered(log.db, key);
  const out: RetentionOutcome[] = [];
  for (const tenant of tenants) {
    const policy = await retention.policy(tenant);
    if (!policy) {
      out.push({ tenant, status: 'no_policy' });
      continue;
    }
    const cutoff = retentionCutoff(policy, now);
    const at = cutoff.toISOString();
    if ((await retention.activeHolds(tenant)).some((h) => h.subject_id === null)) {
      out.push({ tenant, status: 'held', cutoff: at, held_from: null, removed: 0, through: null });
      continue;
    }
    const [p] = await log.db.query<{
      first_seq: number | null;
      expired_through: number | null;
      through: number | null;
      held_from: number | null;
      hash: string | null;
    }>(SQL.cutPoint, [tenant, at, options.maxRows ?? DEFAULT_RETENTION.maxRows]);
    const num = (v: number | null | undefined) => (v === null || v === undefined ? null : Number(v));
    const [first, expired, through, heldFrom] = [
      num(p?.first_seq),
      num(p?.expired_through),
      num(p?.through),
      num(p?.held_from),
    ];
    if (first === null || expired === null || expired < first) {
      out.push({ tenant, status: 'nothing_expired', cutoff: at });
      continue;
    }
    if (through === null || through < first || !p?.hash) {
      out.push({ tenant, status: 'held', cutoff: at, held_from: heldFrom, removed: 0, through: null });
      continue;
    }
    const reason =
      `retention: ${policy.category}${policy.keep_days !== null ? ` ${policy.keep_days} days` : ''} (policy ` +
      `v${policy.version}), recorded before ${at}`;
    const signature = signBody(key, boundaryBody(tenant, through, p.hash, reason, key.keyId));
    // In one transaction with the insights' rollups, which must not keep counting the removed rows.
    const [r] = await log.insights.cut(tenant, through, (tx) =>
      tx.query<{ removed: number }>('SELECT standing_retention_cut($1, $2, $3, $4, $5, $6) AS removed', [
        tenant,
        through,
        p.hash,
        reason,
        key.keyId,
        signature,
      ]),
    );
    const removed = Number(r!.removed);
    out.push(
      heldFrom !== null && through === heldFrom - 1 && through < expired
        ? { tenant, status: 'held', cutoff: at, held_from: heldFrom, removed, through }
        : { tenant, status: 'removed', through, removed, cutoff: at },
    );
  }
  return out;
}
