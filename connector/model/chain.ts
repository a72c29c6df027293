/**
 * The per-tenant hash chain: pure functions, no I/O.
 *
 * Each log row carries `prev_hash` (the previous row's hash, or GENESIS_HASH for seq 1) and
 * `hash = SHA-256(JCS(row))`, where JCS is the JSON Canonicalization Scheme (RFC 8785) and `row`
 * is the ChainRecord below, `prev_hash` included. The sealed (encrypted) personal data is hashed
 * as ciphertext, so destroying a customer's key erases the data without breaking the chain.
 * Anyone holding an export of the rows can re-check it with any JCS implementation.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export const GENESIS_HASH = '0'.repeat(64);

/** Non-personal fields kept in clear: what a rule or report needs without decrypting. */
export interface PublicPart {
  initiation: { type: string; temporary: boolean } | null;
  reason_code: string | null;
  actor_type: string;
  source: { system: string; object: string; id: string; url: string | null; event_id: string };
  detected_via: string;
  related_ticket_ids: string[];
}

/** Exactly what is hashed for one row. Field order is irrelevant (JCS sorts keys). */
export interface ChainRecord {
  tenant: string;
  seq: number;
  id: string;
  kind: string;
  status_before: string | null;
  status_after: string | null;
  occurred_at: string;
  recorded_at: string;
  subject_id: string;
  public: PublicPart;
  /** base64 of the AES-256-GCM envelope of the personal part. */
  sealed: string;
  prev_hash: string;
}

export function hashRecord(record: ChainRecord): string {
  const text = canonicalize(record);
  if (text === undefined) throw new TypeError('chain record is not serializable');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export type ChainBreak =
  | { seq: number; problem: 'seq_gap'; expected: number }
  | { seq: number; problem: 'prev_hash_mismatch'; expected: string; found: string }
  | { seq: number; problem: 'hash_mismatch'; expected: string; found: string }
  | { seq: number; problem: 'no_boundary'; found: string }
  | { seq: number; problem: 'head_mismatch'; expected: string; found: string };

export interface StoredChainRow extends ChainRecord {
  hash: string;
}

/**
 * Walks rows in seq order from a starting link and returns the first break, or the last good link.
 * Call it page by page, feeding back the returned `{seq, hash}`.
 */
export function checkLinks(
  start: { seq: number; hash: string },
  rows: Iterable<StoredChainRow>,
): { ok: true; last: { seq: number; hash: string }; checked: number } | { ok: false; broken: ChainBreak; checked: number } {
  let last = start;
  let checked = 0;
  for (const row of rows) {
    if (row.seq !== last.seq + 1) return { ok: false, broken: { seq: row.seq, problem: 'seq_gap', expected: last.seq + 1 }, checked };
    if (row.prev_hash !== last.hash) {
      return { ok: false, broken: { seq: row.seq, problem: 'prev_hash_mismatch', expected: last.hash, found: row.prev_hash }, checked };
    }
    const { hash, ...record } = row;
    const recomputed = hashRecord(record);
    if (recomputed !== hash) return { ok: false, broken: { seq: row.seq, problem: 'hash_mismatch', expected: recomputed, found: hash }, checked };
    checked++;
    last = { seq: row.seq, hash };
  }
  return { ok: true, last, checked };
}
