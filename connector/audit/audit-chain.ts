/**
 * The read audit's hash chain, per tenant: pure functions, no I/O. Like the log's (model/chain.ts):
 * each row carries `prev_hash` and `hash = SHA-256(JCS(record))`, `prev_hash` included, so anyone
 * with the rows can re-check them with any JCS implementation.
 *
 * An append is one SQL statement (sql/access-audit-append.sql) that takes the head under its row
 * lock and hashes in the database, so that a read costs one round trip. The statement is given the
 * record's JCS text cut into three pieces around the two values only the head knows (`prev_hash`
 * and `seq`): `auditChainTemplate` cuts it, and the database fills in the values and hashes.
 */
import { randomBytes, randomInt } from 'node:crypto';
import canonicalize from 'canonicalize';
import { GENESIS_HASH, hashChainText, walkChain, type LinkCheck } from '../model/chain.ts';
import { StandingError } from '../lib/errors.ts';

export { GENESIS_HASH };

/** A JSON value allowed in `detail`: kinds, counts, names of permissions; never a customer's identity. */
export type AuditDetailValue = string | number | boolean | null | readonly string[];
export type AuditDetail = Readonly<Record<string, AuditDetailValue>>;

/** How a principal is recorded: its label and role, never a secret. */
export interface AuditPrincipal {
  type: string;
  label: string;
  role: string | null;
  /** The principal's own tenant, when it has one. */
  tenant?: string;
}

/** Exactly what is hashed for one audit row. */
export interface AuditRecord {
  tenant: string;
  seq: number;
  id: string;
  at: string;
  action: string;
  principal: AuditPrincipal;
  path: string;
  subject_ids: readonly string[];
  outcome: 'allowed' | 'denied';
  detail: AuditDetail;
  prev_hash: string;
}

export interface StoredAuditRow extends AuditRecord {
  hash: string;
}

export class NotCanonicalizableError extends StandingError {
  override name = 'NotCanonicalizableError';
}

export function auditCanonicalText(record: AuditRecord): string {
  const text = canonicalize(record);
  if (text === undefined) throw new NotCanonicalizableError('audit record is not serializable');
  return text;
}

export function hashAuditRecord(record: AuditRecord): string {
  return hashChainText(auditCanonicalText(record));
}

/**
 * The record's JCS text as `[before prev_hash value, between it and the seq value, after seq]`:
 * `a + prev_hash + b + String(seq) + c` is the JCS text of the complete record (JCS writes an
 * integer as its decimal digits and a hex string as is). The cut points are found with random
 * stand-ins, so nothing the record holds can be mistaken for them.
 */
export function auditChainTemplate(record: Omit<AuditRecord, 'seq' | 'prev_hash'>): [a: string, b: string, c: string] {
  for (;;) {
    const prevMark = randomBytes(16).toString('hex');
    // 16 digits, below 2^53: an integer JCS writes as these digits.
    const seqMark = 1_000_000_000_000_000 + randomInt(2 ** 47);
    const text = auditCanonicalText({ ...record, prev_hash: prevMark, seq: seqMark });
    const [a, rest, ...more] = text.split(prevMark);
    if (rest === undefined || more.length > 0) continue;
    const [b, c, ...more2] = rest.split(`"seq":${seqMark}`);
    if (c === undefined || more2.length > 0) continue;
    return [a!, `${b}"seq":`, c];
  }
}

/** The read audit's chain: walkChain (model/chain.ts) over its rows. */
export function checkAuditLinks(start: { seq: number; hash: string }, rows: Iterable<StoredAuditRow>): LinkCheck {
  return walkChain(start, rows, ({ hash: _hash, ...record }) => hashAuditRecord(record));
}
