/**
 * The chain of a tenant's legal hold events: pure functions, no I/O.
 *
 * Each placing or lifting is a record with a seq (1, 2, ... per tenant), the previous record's hash
 * (64 zeros for the first) and its own hash: SHA-256 (hex) of the UTF-8 of the JCS (RFC 8785) text of
 * {type: 'standing.legal_hold', version: 1, tenant, seq, hold_id, action, subject_id, reason, actor,
 * at, prev_hash}, `at` in ISO 8601 UTC with milliseconds. The database computes it when it records
 * the event (standing_hold_text in migration 016); an auditor recomputes it from the rows.
 */
import { createHash } from 'node:crypto';
import { GENESIS_HASH } from './chain.ts';
import { jcs } from './checkpoint.ts';

export interface HoldEvent {
  hold_id: string;
  action: 'place' | 'lift';
  tenant: string;
  /** `null`: the whole tenant. */
  subject_id: string | null;
  reason: string;
  actor: string;
  /** ISO 8601 UTC with milliseconds, exactly as hashed. */
  at: string;
  seq: number;
  prev_hash: string;
  hash: string;
}

export type HoldChainReport =
  | { ok: true; checked: number; head: { seq: number; hash: string } }
  | {
      ok: false;
      checked: number;
      broken: {
        seq: number;
        problem: 'seq_gap' | 'prev_hash_mismatch' | 'hash_mismatch';
        expected: string;
        found: string;
      };
    };

export function holdText(e: Omit<HoldEvent, 'hash'>): string {
  const { hold_id, action, tenant, subject_id, reason, actor, at, seq, prev_hash } = e;
  return jcs({
    type: 'standing.legal_hold',
    version: 1,
    tenant,
    seq,
    hold_id,
    action,
    subject_id,
    reason,
    actor,
    at,
    prev_hash,
  });
}

export const holdHash = (e: Omit<HoldEvent, 'hash'>): string =>
  createHash('sha256').update(holdText(e), 'utf8').digest('hex');

/** Checks events in seq order from the genesis: contiguous, linked, and each hashing to what it says. */
export function verifyHoldChain(events: readonly HoldEvent[]): HoldChainReport {
  let last = { seq: 0, hash: GENESIS_HASH };
  for (const e of events) {
    if (e.seq !== last.seq + 1)
      return {
        ok: false,
        checked: last.seq,
        broken: { seq: e.seq, problem: 'seq_gap', expected: String(last.seq + 1), found: String(e.seq) },
      };
    if (e.prev_hash !== last.hash)
      return {
        ok: false,
        checked: last.seq,
        broken: { seq: e.seq, problem: 'prev_hash_mismatch', expected: last.hash, found: e.prev_hash },
      };
    const recomputed = holdHash(e);
    if (recomputed !== e.hash)
      return {
        ok: false,
        checked: last.seq,
        broken: { seq: e.seq, problem: 'hash_mismatch', expected: recomputed, found: e.hash },
      };
    last = { seq: e.seq, hash: e.hash };
  }
  return { ok: true, checked: events.length, head: last };
}
