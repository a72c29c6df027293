/**
 * Signed checkpoints of each tenant's chain, and verification against them.
 *
 * `writeCheckpoints` (the scheduler calls it periodically) checks the rows appended since the last
 * checkpoint, then signs (seq, head hash, start, time, previous checkpoint's hash) and records it,
 * and hands it to an exporter (a directory, an S3 bucket) outside the database. `verifyTenant` is
 * `verify` plus the checkpoints and boundaries: a tail rewritten and re-hashed consistently, a head
 * moved back, or a boundary inserted to cut history off no longer passes, because the attacker
 * cannot sign.
 */
import type { KeyObject } from 'node:crypto';
import { GENESIS_HASH, type ChainBreak } from '../model/chain.ts';
import {
  boundaryBody,
  bodyHash,
  keyIdOf,
  parsePublicKey,
  signBody,
  signatureValid,
  type CheckpointBody,
  type CheckpointKey,
  type SignedCheckpoint,
} from '../model/checkpoint.ts';
import type { CheckpointExporter } from './checkpoint-export.ts';
import { ensureCheckpointKeyRegistered } from './checkpoint-keys.ts';
import { Retention } from './retention.ts';
import { loadSql } from './sql.ts';
import type { StandingLog, VerifyReport } from './standing-log.ts';

const SQL = {
  list: loadSql('checkpoints-of-tenant'),
  insert: loadSql('checkpoint-insert'),
  boundaries: loadSql('boundaries-of-tenant'),
};

export type { SignedCheckpoint } from '../model/checkpoint.ts';

export interface WriteCheckpointsOptions {
  /**
   * Tenants to checkpoint.
   * @defaultValue every tenant with a chain
   */
  tenants?: readonly string[];
  /**
   * Where each new checkpoint is also written; a failed export is reported, the checkpoint stays.
   * @defaultValue undefined (the database only)
   */
  exporter?: CheckpointExporter;
  /** @defaultValue () => new Date() */
  now?: () => Date;
}

export type CheckpointOutcome =
  | { tenant: string; status: 'written'; number: number; seq: number; exported: boolean; export_error?: string }
  /**
   * `exported`: with an exporter, the latest checkpoint is copied again (copies are idempotent), so a failed copy
   * heals.
   */
  | { tenant: string; status: 'unchanged'; number: number; exported?: boolean; export_error?: string }
  /** Another writer recorded that number first. */
  | { tenant: string; status: 'raced' }
  /** The rows since the last checkpoint do not check out: nothing is signed. */
  | { tenant: string; status: 'refused'; broken: ChainBreak };

export type ChainLink = { seq: number; hash: string };

export async function latestBoundary(log: StandingLog, tenant: string): Promise<ChainLink> {
  const [b] = await log.db.query<ChainLink>(
    'SELECT seq, hash FROM chain_boundaries WHERE tenant = $1 ORDER BY seq DESC LIMIT 1',
    [tenant],
  );
  return b ? { seq: Number(b.seq), hash: b.hash } : { seq: 0, hash: GENESIS_HASH };
}

export async function listCheckpoints(
  log: StandingLog,
  tenant: string,
): Promise<(SignedCheckpoint & { row_hash: string | null })[]> {
  const rows = await log.db.query<SignedCheckpoint & { row_hash: string | null }>(SQL.list, [tenant]);
  return rows.map((r) => ({ ...r, number: Number(r.number), seq: Number(r.seq) }));
}

export async function writeCheckpoints(
  log: StandingLog,
  key: CheckpointKey,
  options: WriteCheckpointsOptions = {},
): Promise<CheckpointOutcome[]> {
  const tenants = options.tenants ?? (await log.tenants());
  const now = options.now ?? (() => new Date());
  // The database accepts a checkpoint only signed by a registered key (standing_checkpoint_insert).
  if (tenants.length > 0) await ensureCheckpointKeyRegistered(log.db, key);
  const out: CheckpointOutcome[] = [];
  for (const tenant of tenants) out.push(await writeOne(log, key, tenant, now(), options.exporter));
  return out;
}

async function writeOne(
  log: StandingLog,
  key: CheckpointKey,
  tenant: string,
  at: Date,
  exporter: CheckpointExporter | undefined,
): Promise<CheckpointOutcome> {
  const [latest] = await log.db.query<SignedCheckpoint>(
    'SELECT number, seq, body, hash, signature FROM checkpoints WHERE tenant = $1 ORDER BY number DESC LIMIT 1',
    [tenant],
  );
  const [headRow] = await log.db.query<ChainLink>('SELECT seq, hash FROM chain_heads WHERE tenant = $1', [tenant]);
  const head = headRow ? { seq: Number(headRow.seq), hash: headRow.hash } : { seq: 0, hash: GENESIS_HASH };
  const start = await latestBoundary(log, tenant);
  if (
    latest &&
    Number(latest.seq) === head.seq &&
    latest.body.head_hash === head.hash &&
    latest.body.start.seq === start.seq
  ) {
    const unchanged = { tenant, status: 'unchanged' as const, number: Number(latest.number) };
    if (!exporter) return unchanged;
    const copied = await exportOne(exporter, { ...latest, number: Number(latest.number), seq: Number(latest.seq) });
    return { ...unchanged, ...copied };
  }
  if (latest && head.seq < Number(latest.seq)) {
    return {
      tenant,
      status: 'refused',
      broken: {
        seq: head.seq + 1,
        problem: 'checkpoint_mismatch',
        found: `the head (seq ${head.seq}) is behind checkpoint ${latest.number} (seq ${latest.seq})`,
      },
    };
  }
  // Check only what is new: from the last checkpoint, or from the boundary when retention passed it.
  const from =
    latest && Number(latest.seq) >= start.seq ? { seq: Number(latest.seq), hash: latest.body.head_hash } : start;
  const walked = await log.walk(tenant, from, head.seq);
  if (!walked.ok) return { tenant, status: 'refused', broken: walked.broken };
  if (walked.last.seq !== head.seq || walked.last.hash !== head.hash) {
    return {
      tenant,
      status: 'refused',
      broken: {
        seq: walked.last.seq + 1,
        problem: 'head_mismatch',
        expected: `head at seq ${head.seq} (${head.hash})`,
        found: `chain ends at seq ${walked.last.seq} (${walked.last.hash})`,
      },
    };
  }
  const number = latest ? Number(latest.number) + 1 : 1;
  const body: CheckpointBody = {
    type: 'standing.checkpoint',
    version: 1,
    tenant,
    number,
    seq: head.seq,
    head_hash: head.hash,
    start,
    at: at.toISOString(),
    previous: latest ? latest.hash : null,
    key_id: key.keyId,
    public_key: key.publicKeyPem,
  };
  const signed: SignedCheckpoint = {
    number,
    seq: head.seq,
    body,
    hash: bodyHash(body),
    signature: signBody(key, body),
  };
  const [written] = await log.db.query<{ number: number | null }>(SQL.insert, [
    tenant,
    number,
    head.seq,
    JSON.stringify(body),
    signed.hash,
    signed.signature,
  ]);
  if (written?.number === null || written?.number === undefined) return { tenant, status: 'raced' };
  if (!exporter) return { tenant, status: 'written', number, seq: head.seq, exported: false };
  return { tenant, status: 'written', number, seq: head.seq, ...(await exportOne(exporter, signed)) };
}

async function exportOne(
  exporter: CheckpointExporter,
  c: SignedCheckpoint,
): Promise<{ exported: boolean; export_error?: string }> {
  try {
    await exporter.put(c);
    return { exported: true };
  } catch (err) {
    return { exported: false, export_error: (err as Error).message };
  }
}

export interface VerifyTenantOptions {
  /**
   * The public key checkpoints and boundaries must be signed with (pinned). Without it, each
   * checkpoint is checked against the key it names, and the report lists those keys' ids to compare.
   * @defaultValue undefined
   */
  publicKey?: KeyObject;
  /**
   * The tenant's checkpoints as copied outside the database (readCheckpointCopies): each must be in
   * the database unchanged, so checkpoints deleted there (with the tail they vouched for) show.
   * @defaultValue [] (none compared)
   */
  copies?: readonly Pick<SignedCheckpoint, 'number' | 'seq' | 'hash'>[];
}

type RowsAndCheckpointsReport = VerifyReport & {
  checkpoints: { count: number; latest: { number: number; seq: number } | null; key_ids: string[]; pinned: boolean };
};

export type TenantVerifyReport = RowsAndCheckpointsReport & {
  /** The tenant's chain of legal hold events: how many were checked, and whether they link and hash. */
  legal_holds: { ok: boolean; checked: number };
  /** The tenant's chain of attribution records: how many were checked, and whether they link and hash. */
  attributions: { ok: boolean; checked: number };
};

/**
 * `verify` of the rows, then every checkpoint and every boundary against them and their signatures,
 * then the chain of the tenant's legal hold events, then that of its attribution records.
 */
export async function verifyTenant(
  log: StandingLog,
  tenant: string,
  options: VerifyTenantOptions = {},
): Promise<TenantVerifyReport> {
  const report = await verifyRowsAndCheckpoints(log, tenant, options);
  const holds = await new Retention(log.db).verifyHolds(tenant);
  const legal_holds = { ok: holds.ok, checked: holds.checked };
  const attributed = await log.attributions.verify(tenant);
  const attributions = { ok: attributed.ok, checked: attributed.checked };
  const broken = (b: ChainBreak) => ({
    tenant,
    ok: false as const,
    checked: report.checked,
    broken: b,
    checkpoints: report.checkpoints,
    legal_holds,
    attributions,
  });
  if (!report.ok) return { ...report, legal_holds, attributions };
  if (!holds.ok) {
    const b = holds.broken;
    const found = `legal hold event ${b.seq}: ${b.problem} (expected ${b.expected}, found ${b.found})`;
    return broken({ seq: b.seq, problem: 'legal_hold_chain', found });
  }
  if (!attributed.ok) {
    const b = attributed.broken;
    const found = `attribution record ${b.seq}: ${b.problem}${'found' in b ? ` (found ${b.found})` : ''}`;
    return broken({ seq: b.seq, problem: 'attribution_chain', found });
  }
  return { ...report, legal_holds, attributions };
}

async function verifyRowsAndCheckpoints(
  log: StandingLog,
  tenant: string,
  options: VerifyTenantOptions,
): Promise<RowsAndCheckpointsReport> {
  const chain = await log.verify(tenant);
  const checkpoints = await listCheckpoints(log, tenant);
  const last = checkpoints.at(-1);
  const keyIds = new Set<string>();
  const summary = () => ({
    count: checkpoints.length,
    latest: last ? { number: last.number, seq: last.seq } : null,
    key_ids: [...keyIds],
    pinned: options.publicKey !== undefined,
  });
  const broken = (b: ChainBreak): RowsAndCheckpointsReport => ({
    tenant,
    ok: false,
    checked: chain.checked,
    broken: b,
    checkpoints: summary(),
  });
  if (!chain.ok) return { ...chain, checkpoints: summary() };
  const keys = new Map<string, KeyObject>();
  const pinnedId = options.publicKey ? keyIdOf(options.publicKey) : undefined;
  let previous: string | null = null;
  for (const [i, c] of checkpoints.entries()) {
    const bad = (why: string) =>
      broken({ seq: c.seq, problem: 'checkpoint_invalid', found: `checkpoint ${c.number}: ${why}` });
    const b = c.body;
    if (c.number !== i + 1 || b.number !== c.number || b.tenant !== tenant || b.seq !== c.seq)
      return bad('number, tenant or seq differ from the signed body');
    if (bodyHash(b) !== c.hash || b.previous !== previous) return bad('not linked to the checkpoint before it');
    let key: KeyObject;
    try {
      key = options.publicKey ?? parsePublicKey(b.public_key);
    } catch {
      return bad('names no readable public key');
    }
    if (keyIdOf(key) !== b.key_id || (pinnedId !== undefined && b.key_id !== pinnedId))
      return bad(`signed with key ${b.key_id}, not the one expected`);
    if (!signatureValid(key, b, c.signature)) return bad('signature does not verify');
    keys.set(b.key_id, key);
    keyIds.add(b.key_id);
    previous = c.hash;
    if (c.row_hash !== null && c.row_hash !== b.head_hash) {
      return broken({
        seq: c.seq,
        problem: 'checkpoint_mismatch',
        found: `row ${c.seq} hashes to ${c.row_hash}, checkpoint ${c.number} signed ${b.head_hash}`,
      });
    }
    if (c.row_hash === null && c.seq >= chain.starts_at) {
      return broken({
        seq: c.seq,
        problem: 'checkpoint_mismatch',
        found: `row ${c.seq}, signed by checkpoint ${c.number}, is missing (the chain ends at ${chain.head.seq})`,
      });
    }
  }
  for (const copy of options.copies ?? []) {
    const inDb = checkpoints.find((c) => c.number === copy.number);
    if (inDb?.hash !== copy.hash) {
      return broken({
        seq: copy.seq,
        problem: 'checkpoint_mismatch',
        found:
          `checkpoint ${copy.number} (seq ${copy.seq}) copied outside the database is ` +
          `${inDb ? 'different' : 'missing'} in the database`,
      });
    }
  }
  for (const bd of await log.db.query<{
    seq: number;
    hash: string;
    reason: string;
    key_id: string | null;
    signature: string | null;
  }>(SQL.boundaries, [tenant])) {
    const seq = Number(bd.seq);
    const key = options.publicKey ?? (bd.key_id ? keys.get(bd.key_id) : undefined);
    const valid =
      bd.signature !== null &&
      bd.key_id !== null &&
      key !== undefined &&
      (pinnedId === undefined || bd.key_id === pinnedId) &&
      signatureValid(key, boundaryBody(tenant, seq, bd.hash, bd.reason, bd.key_id), bd.signature);
    if (!valid) {
      const why =
        key === undefined && bd.signature !== null
          ? 'cannot be checked without its public key (give one, or write a checkpoint)'
          : 'carries no valid signature: rows before it may have been cut';
      return broken({
        seq: seq + 1,
        problem: 'boundary_unsigned',
        found: `the boundary at seq ${seq} (${bd.reason}) ${why}`,
      });
    }
    // A checkpoint that signed the row at the boundary must agree with it.
    const signedThere = checkpoints.find((c) => c.seq === seq);
    if (signedThere && signedThere.body.head_hash !== bd.hash)
      return broken({
        seq,
        problem: 'checkpoint_mismatch',
        found:
          `the boundary at seq ${seq} has hash ${bd.hash}, checkpoint ${signedThere.number} signed ` +
          `${signedThere.body.head_hash}`,
      });
  }
  return { ...chain, checkpoints: summary() };
}
