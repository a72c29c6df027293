/** Verifying a tenant's chain, and reading it back row by row, page by page. */
import { GENESIS_HASH, checkLinks, type ChainBreak, type StoredChainRow } from '../model/chain.ts';
import { toRecord, type ChainRow } from './chain-row.ts';
import type { Database } from './database.ts';
import { loadSql } from './sql.ts';

const SQL = {
  chainPage: loadSql('chain-page'),
};

export type VerifyReport =
  | { tenant: string; ok: true; checked: number; head: { seq: number; hash: string }; starts_at: number }
  | { tenant: string; ok: false; checked: number; broken: ChainBreak };

export type WalkResult =
  | { ok: true; checked: number; last: { seq: number; hash: string } }
  | { ok: false; checked: number; broken: ChainBreak };

/**
 * Walks a tenant's chain from its first retained row (or recorded boundary) to its head, as the
 * head was when the walk began: appends committed meanwhile are not read, so a live chain is
 * never reported broken.
 */
export async function verifyChain(db: Database, tenant: string, pageSize: number): Promise<VerifyReport> {
  const [head] = await db.query<{ seq: number; hash: string }>('SELECT seq, hash FROM chain_heads WHERE tenant = $1', [
    tenant,
  ]);
  const [first] = await db.query<{ seq: number }>('SELECT min(seq) AS seq FROM standing_events WHERE tenant = $1', [
    tenant,
  ]);
  const headSeq = head ? Number(head.seq) : 0;
  // Retention may have removed every row: the chain then resumes right after its head.
  const firstSeq =
    first?.seq === null || first?.seq === undefined ? (headSeq > 0 ? headSeq + 1 : null) : Number(first.seq);
  let start = { seq: 0, hash: GENESIS_HASH };
  if (firstSeq !== null && firstSeq > 1) {
    const [boundary] = await db.query<{ hash: string }>(
      'SELECT hash FROM chain_boundaries WHERE tenant = $1 AND seq = $2',
      [tenant, firstSeq - 1],
    );
    if (!boundary)
      return {
        tenant,
        ok: false,
        checked: 0,
        broken: {
          seq: firstSeq,
          problem: 'no_boundary',
          found: `rows before seq ${firstSeq} are missing and no boundary is recorded at ${firstSeq - 1}`,
        },
      };
    start = { seq: firstSeq - 1, hash: boundary.hash };
  }
  const startsAt = start.seq + 1;
  const walked = await walkChain(db, tenant, start, head ? headSeq : null, pageSize);
  if (!walked.ok) return { tenant, ...walked };
  const checked = walked.checked;
  start = walked.last;
  const expected = head ? { seq: Number(head.seq), hash: head.hash } : { seq: 0, hash: GENESIS_HASH };
  if (expected.seq !== start.seq || expected.hash !== start.hash) {
    return {
      tenant,
      ok: false,
      checked,
      broken: {
        seq: start.seq + 1,
        problem: 'head_mismatch',
        expected: `head at seq ${expected.seq} (${expected.hash})`,
        found: `chain ends at seq ${start.seq} (${start.hash})`,
      },
    };
  }
  return { tenant, ok: true, checked, head: start, starts_at: startsAt };
}

/**
 * Checks the rows after `start` up to `untilSeq` (all when `null`), page by page: each links to
 * the one before and hashes to what it says. Returns the last good link.
 */
export async function walkChain(
  db: Database,
  tenant: string,
  start: { seq: number; hash: string },
  untilSeq: number | null,
  pageSize: number,
): Promise<WalkResult> {
  let checked = 0;
  let last = start;
  for (;;) {
    const rows = await db.query<ChainRow & { prev_hash: string; hash: string }>(SQL.chainPage, [
      tenant,
      last.seq,
      pageSize,
      untilSeq,
    ]);
    const result = checkLinks(
      last,
      rows.map((r): StoredChainRow => ({ ...toRecord(tenant, r), prev_hash: r.prev_hash, hash: r.hash })),
    );
    checked += result.checked;
    if (!result.ok) return { ok: false, checked, broken: result.broken };
    last = result.last;
    if (rows.length < pageSize) return { ok: true, checked, last };
  }
}

/** Every retained row of a tenant's chain in seq order, exactly as hashed (with its hash), page by page. */
export async function* chainRows(db: Database, tenant: string, pageSize: number): AsyncGenerator<StoredChainRow> {
  for (let after = 0; ;) {
    const page = await db.query<ChainRow & { prev_hash: string; hash: string }>(SQL.chainPage, [
      tenant,
      after,
      pageSize,
      null,
    ]);
    for (const r of page) yield { ...toRecord(tenant, r), prev_hash: r.prev_hash, hash: r.hash };
    if (page.length < pageSize) return;
    after = Number(page.at(-1)!.seq);
  }
}
