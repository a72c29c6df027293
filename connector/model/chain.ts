/**
 * The per-tenant hash chain: pure functions, no I/O.
 *
 * Each log row carries `prev_hash` (the previous row's hash, or GENESIS_HASH for seq 1) and
 * `hash = SHA-256(JCS(row))`, where JCS is the JSON Canonicalization Scheme (RFC 8785) and `row`
 * is the ChainRecord below, `prev_hash` included. The sealed (encrypted) personal data is hashed
 * as ciphertext, so destroying a customer's key erases the data without breaking the chain.
 * Anyone holding an export of the rows can re-check it with any JCS implementation.
 *
 * Two formats of the public part coexist in one chain: v1 rows (written before migration 013) keep the
 * source's record id, its URL and the related ticket ids in clear; v2 rows (`public.v: 2`) carry
 * those in the sealed part and only a keyed digest of the source event id in clear, so an erasure
 * leaves nothing in the log that names the person. A row is hashed exactly as stored either way.
 */
import { hash } from 'node:crypto';
import canonicalize from 'canonicalize';

export const GENESIS_HASH = '0'.repeat(64);

/**
 * Rows written before migration 013: the source's ids and the related tickets in clear. Read and verified, never
 * written.
 */
export interface PublicPartV1 {
  initiation: { type: string; temporary: boolean } | null;
  reason_code: string | null;
  actor_type: string;
  source: { system: string; object: string; id: string; url: string | null; event_id: string };
  detected_via: string;
  related_ticket_ids: string[];
}

/**
 * Non-personal fields kept in clear: what a rule or report needs without decrypting. `event_id` is
 * a keyed digest of the provider's event id (see `sourceEventDigest`): the idempotency key,
 * which names no record.
 */
export interface PublicPartV2 {
  v: 2;
  initiation: { type: string; temporary: boolean } | null;
  reason_code: string | null;
  actor_type: string;
  source: { system: string; object: string; event_id: string };
  detected_via: string;
}

export type PublicPart = PublicPartV1 | PublicPartV2;

export const isPublicV2 = (p: PublicPart): p is PublicPartV2 => 'v' in p && p.v === 2;

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
  return hashChainText(canonicalChainText(record));
}

/** SHA-256 (hex) of a record's JCS text. One-shot: no Hash object per row (native handles slow scavenges down). */
export const hashChainText = (text: string): string => hash('sha256', text, 'hex');

/**
 * JCS text of a chain record. Records of exactly the ChainRecord shape (every append, every row
 * read back untouched) take a fast path: JSON.stringify of a copy built with its keys in sorted
 * order, which for strings, integers, booleans and null is byte-for-byte RFC 8785 (JCS prescribes
 * ECMAScript JSON serialization of primitives). Anything else (an extra key, an unexpected type,
 * i.e. a tampered row) goes through the general `canonicalize`, so its hash differs as it must.
 */
export function canonicalChainText(record: ChainRecord): string {
  const fast = hasExactShape(record) ? JSON.stringify(sortedCopy(record)) : undefined;
  const text = fast ?? canonicalize(record);
  if (text === undefined) throw new TypeError('chain record is not serializable');
  return text;
}

const RECORD_KEYS = 12;
const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrOrNull = (v: unknown) => v === null || typeof v === 'string';
const hasKeys = (o: object, n: number) => Object.keys(o).length === n;

function hasExactShape(r: ChainRecord): boolean {
  const p = r.public as unknown as Record<string, unknown> | null;
  if (typeof p !== 'object' || p === null || Array.isArray(p) || !hasKeys(r, RECORD_KEYS) || !hasKeys(p, 6))
    return false;
  const i = p.initiation as Record<string, unknown> | null;
  const s = p.source as Record<string, unknown> | null;
  const common =
    isStr(r.tenant) &&
    Number.isSafeInteger(r.seq) &&
    isStr(r.id) &&
    isStr(r.kind) &&
    isStrOrNull(r.status_before) &&
    isStrOrNull(r.status_after) &&
    isStr(r.occurred_at) &&
    isStr(r.recorded_at) &&
    isStr(r.subject_id) &&
    isStr(r.sealed) &&
    isStr(r.prev_hash) &&
    (i === null ||
      (typeof i === 'object' &&
        !Array.isArray(i) &&
        hasKeys(i, 2) &&
        isStr(i.type) &&
        typeof i.temporary === 'boolean')) &&
    isStrOrNull(p.reason_code) &&
    isStr(p.actor_type) &&
    isStr(p.detected_via) &&
    typeof s === 'object' &&
    s !== null &&
    !Array.isArray(s) &&
    isStr(s.system) &&
    isStr(s.object) &&
    isStr(s.event_id);
  if (!common) return false;
  if ('v' in p) return p.v === 2 && hasKeys(s, 3);
  return (
    Array.isArray(p.related_ticket_ids) &&
    p.related_ticket_ids.every(isStr) &&
    hasKeys(s, 5) &&
    isStr(s.id) &&
    isStrOrNull(s.url)
  );
}

/** Keys inserted in UTF-16 order, as JCS sorts them. */
function sortedCopy(r: ChainRecord) {
  const p = r.public;
  const initiation = p.initiation === null ? null : { temporary: p.initiation.temporary, type: p.initiation.type };
  const pub = isPublicV2(p)
    ? {
        actor_type: p.actor_type,
        detected_via: p.detected_via,
        initiation,
        reason_code: p.reason_code,
        source: { event_id: p.source.event_id, object: p.source.object, system: p.source.system },
        v: p.v,
      }
    : {
        actor_type: p.actor_type,
        detected_via: p.detected_via,
        initiation,
        reason_code: p.reason_code,
        related_ticket_ids: p.related_ticket_ids,
        source: {
          event_id: p.source.event_id,
          id: p.source.id,
          object: p.source.object,
          system: p.source.system,
          url: p.source.url,
        },
      };
  return {
    id: r.id,
    kind: r.kind,
    occurred_at: r.occurred_at,
    prev_hash: r.prev_hash,
    public: pub,
    recorded_at: r.recorded_at,
    sealed: r.sealed,
    seq: r.seq,
    status_after: r.status_after,
    status_before: r.status_before,
    subject_id: r.subject_id,
    tenant: r.tenant,
  };
}

export type ChainBreak =
  | { seq: number; problem: 'seq_gap'; expected: number }
  | { seq: number; problem: 'prev_hash_mismatch'; expected: string; found: string }
  | { seq: number; problem: 'hash_mismatch'; expected: string; found: string }
  | { seq: number; problem: 'no_boundary'; found: string }
  | { seq: number; problem: 'head_mismatch'; expected: string; found: string }
  /** Signed checkpoints or boundaries disagree with the rows (see connector/store/checkpoints.ts). */
  | { seq: number; problem: 'checkpoint_mismatch' | 'checkpoint_invalid' | 'boundary_unsigned'; found: string }
  /**
   * The tenant's chain of legal hold events does not check out (see connector/model/legal-hold.ts); `seq` is the hold
   * event's.
   */
  | { seq: number; problem: 'legal_hold_chain'; found: string }
  /** The tenant's chain of attribution records does not check out (connector/model/attribution-chain.ts). */
  | { seq: number; problem: 'attribution_chain'; found: string };

export interface StoredChainRow extends ChainRecord {
  hash: string;
}

/** What a chain walk needs of a stored row: its place, the link it claims and its own hash. */
export interface ChainLink {
  seq: number;
  prev_hash: string;
  hash: string;
}

/** A walk's outcome: the last good link, or the first break; `checked` rows were good either way. */
export type LinkCheck =
  | { ok: true; last: { seq: number; hash: string }; checked: number }
  | { ok: false; broken: ChainBreak; checked: number };

/**
 * Walks rows in seq order from a starting link and returns the first break, or the last good link.
 * Call it page by page, feeding back the returned `{seq, hash}`. `hashOf` recomputes a row's hash
 * from what it records (each chain, the log's and the read audit's, hashes its own record).
 */
export function walkChain<R extends ChainLink>(
  start: { seq: number; hash: string },
  rows: Iterable<R>,
  hashOf: (row: R) => string,
): LinkCheck {
  let last = start;
  let checked = 0;
  for (const row of rows) {
    if (row.seq !== last.seq + 1)
      return { ok: false, broken: { seq: row.seq, problem: 'seq_gap', expected: last.seq + 1 }, checked };
    if (row.prev_hash !== last.hash) {
      return {
        ok: false,
        broken: { seq: row.seq, problem: 'prev_hash_mismatch', expected: last.hash, found: row.prev_hash },
        checked,
      };
    }
    const recomputed = hashOf(row);
    if (recomputed !== row.hash)
      return {
        ok: false,
        broken: { seq: row.seq, problem: 'hash_mismatch', expected: recomputed, found: row.hash },
        checked,
      };
    checked++;
    last = { seq: row.seq, hash: row.hash };
  }
  return { ok: true, last, checked };
}

/** The log's chain: walkChain over stored events. */
export function checkLinks(start: { seq: number; hash: string }, rows: Iterable<StoredChainRow>): LinkCheck {
  return walkChain(start, rows, ({ hash: _hash, ...record }) => hashRecord(record));
}
