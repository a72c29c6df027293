import { describe, expect, it } from 'vitest';
import {
  GENESIS_HASH,
  checkLinks,
  hashRecord,
  type ChainRecord,
  type PublicPartV1,
  type StoredChainRow,
} from '../../connector/model/chain.ts';

type V1Record = ChainRecord & { public: PublicPartV1 };

function record(seq: number, prevHash: string): V1Record {
  return {
    tenant: 'acme',
    seq,
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    kind: 'deactivation',
    status_before: 'active',
    status_after: 'suspended',
    occurred_at: '2026-03-04T05:00:00.000Z',
    recorded_at: '2026-03-04T05:00:01.000Z',
    subject_id: '11111111-1111-4111-8111-111111111111',
    public: {
      initiation: { type: 'manual', temporary: true },
      reason_code: 'non_payment',
      actor_type: 'agent',
      source: { system: 'zendesk', object: 'user', id: '6596848315901', url: null, event_id: `evt-${seq}` },
      detected_via: 'webhook',
      related_ticket_ids: ['4711'],
    },
    sealed: Buffer.from(`sealed-${seq}`).toString('base64'),
    prev_hash: prevHash,
  };
}

/** A well-linked chain of `n` rows starting at seq 1. */
function chain(n: number): StoredChainRow[] {
  const rows: StoredChainRow[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const r = record(seq, prev);
    prev = hashRecord(r);
    rows.push({ ...r, hash: prev });
  }
  return rows;
}

/** Rebuilds an object with its keys in reverse order, recursively. */
function reverseKeys<T>(value: T): T {
  if (Array.isArray(value) || value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).reverse();
  return Object.fromEntries(entries.map(([k, v]) => [k, reverseKeys(v)])) as T;
}

describe('hashRecord', () => {
  it('is a hex SHA-256', () => {
    expect(hashRecord(record(1, GENESIS_HASH))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is deterministic and independent of key order', () => {
    const r = record(1, GENESIS_HASH);
    const reordered = reverseKeys(r);
    expect(Object.keys(reordered)[0]).toBe('prev_hash');
    expect(hashRecord(reordered)).toBe(hashRecord(r));
    expect(hashRecord(structuredClone(r))).toBe(hashRecord(r));
  });

  const changes: [string, (r: V1Record) => void][] = [
    ['tenant', (r) => (r.tenant = 'acme2')],
    ['seq', (r) => (r.seq = 2)],
    ['id', (r) => (r.id = '00000000-0000-4000-8000-000000000009')],
    ['kind', (r) => (r.kind = 'reinstatement')],
    ['status_before', (r) => (r.status_before = null)],
    ['status_after', (r) => (r.status_after = 'deactivated')],
    ['occurred_at', (r) => (r.occurred_at = '2026-03-04T05:00:00.001Z')],
    ['recorded_at', (r) => (r.recorded_at = '2026-03-04T05:00:02.000Z')],
    ['subject_id', (r) => (r.subject_id = '22222222-2222-4222-8222-222222222222')],
    ['public.initiation.temporary', (r) => (r.public.initiation = { type: 'manual', temporary: false })],
    ['public.initiation (absent)', (r) => (r.public.initiation = null)],
    ['public.reason_code', (r) => (r.public.reason_code = 'fraud_suspected')],
    ['public.actor_type', (r) => (r.public.actor_type = 'system')],
    ['public.source.system', (r) => (r.public.source.system = 'salesforce')],
    ['public.source.object', (r) => (r.public.source.object = 'organization')],
    ['public.source.id', (r) => (r.public.source.id = '6596848315902')],
    ['public.source.url', (r) => (r.public.source.url = 'https://acme.zendesk.com/agent/users/1')],
    ['public.source.event_id', (r) => (r.public.source.event_id = 'evt-other')],
    ['public.detected_via', (r) => (r.public.detected_via = 'reconciliation')],
    ['public.related_ticket_ids', (r) => r.public.related_ticket_ids.push('4712')],
    ['sealed', (r) => (r.sealed = Buffer.from('sealed-X').toString('base64'))],
    ['prev_hash', (r) => (r.prev_hash = 'f'.repeat(64))],
  ];

  it.each(changes)('changes when %s changes', (_field, change) => {
    const original = record(1, GENESIS_HASH);
    const changed = structuredClone(original);
    change(changed);
    expect(changed).not.toEqual(original);
    expect(hashRecord(changed)).not.toBe(hashRecord(original));
  });

  it('distinguishes a number from its string form', () => {
    const asString = { ...record(1, GENESIS_HASH), seq: '1' as unknown as number };
    expect(hashRecord(asString)).not.toBe(hashRecord(record(1, GENESIS_HASH)));
  });
});

describe('checkLinks', () => {
  it('passes a good chain from genesis and returns its last link', () => {
    const rows = chain(5);
    expect(checkLinks({ seq: 0, hash: GENESIS_HASH }, rows)).toEqual({
      ok: true,
      last: { seq: 5, hash: rows[4]!.hash },
      checked: 5,
    });
  });

  it('continues from a link fed back page by page', () => {
    const rows = chain(6);
    const first = checkLinks({ seq: 0, hash: GENESIS_HASH }, rows.slice(0, 3));
    if (!first.ok) throw new Error('first page should pass');
    expect(checkLinks(first.last, rows.slice(3))).toEqual({
      ok: true,
      last: { seq: 6, hash: rows[5]!.hash },
      checked: 3,
    });
  });

  it('returns the start unchanged for no rows', () => {
    expect(checkLinks({ seq: 7, hash: 'a'.repeat(64) }, [])).toEqual({
      ok: true,
      last: { seq: 7, hash: 'a'.repeat(64) },
      checked: 0,
    });
  });

  it('reports a missing row as seq_gap at the row after it', () => {
    const rows = chain(5);
    const withoutThird = [...rows.slice(0, 2), ...rows.slice(3)];
    expect(checkLinks({ seq: 0, hash: GENESIS_HASH }, withoutThird)).toEqual({
      ok: false,
      broken: { seq: 4, problem: 'seq_gap', expected: 3 },
      checked: 2,
    });
  });

  it('reports a chain not starting right after the start link as seq_gap', () => {
    expect(checkLinks({ seq: 0, hash: GENESIS_HASH }, chain(3).slice(1))).toMatchObject({
      ok: false,
      broken: { seq: 2, problem: 'seq_gap', expected: 1 },
    });
  });

  it('reports rows out of order as seq_gap', () => {
    const [a, b, c] = chain(3);
    expect(checkLinks({ seq: 0, hash: GENESIS_HASH }, [a!, c!, b!])).toMatchObject({
      ok: false,
      broken: { seq: 3, problem: 'seq_gap', expected: 2 },
    });
  });

  it('reports a row pointing at another predecessor as prev_hash_mismatch, even with its own hash recomputed', () => {
    const rows = chain(5);
    const forged = { ...rows[2]!, prev_hash: 'e'.repeat(64) };
    const { hash: _old, ...forgedRecord } = forged;
    rows[2] = { ...forged, hash: hashRecord(forgedRecord) };
    expect(checkLinks({ seq: 0, hash: GENESIS_HASH }, rows)).toEqual({
      ok: false,
      broken: { seq: 3, problem: 'prev_hash_mismatch', expected: rows[1]!.hash, found: 'e'.repeat(64) },
      checked: 2,
    });
  });

  it('reports an altered row as hash_mismatch at that row', () => {
    const rows = chain(5);
    const stored = rows[3]!.hash;
    rows[3] = { ...rows[3]!, kind: 'reinstatement' };
    const result = checkLinks({ seq: 0, hash: GENESIS_HASH }, rows);
    expect(result).toMatchObject({
      ok: false,
      broken: { seq: 4, problem: 'hash_mismatch', found: stored },
      checked: 3,
    });
    if (result.ok || result.broken.problem !== 'hash_mismatch') throw new Error('expected hash_mismatch');
    expect(result.broken.expected).not.toBe(stored);
  });

  it('reports a rewritten row whose hash was recomputed at the next link', () => {
    const rows = chain(5);
    const { hash: _old, ...rewritten } = { ...rows[1]!, status_after: 'active' };
    rows[1] = { ...rewritten, hash: hashRecord(rewritten) };
    expect(checkLinks({ seq: 0, hash: GENESIS_HASH }, rows)).toMatchObject({
      ok: false,
      broken: { seq: 3, problem: 'prev_hash_mismatch' },
      checked: 2,
    });
  });

  it('reports a wrong start link at the first row', () => {
    expect(checkLinks({ seq: 0, hash: 'd'.repeat(64) }, chain(2))).toMatchObject({
      ok: false,
      broken: { seq: 1, problem: 'prev_hash_mismatch' },
      checked: 0,
    });
  });
});
