import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import {
  GENESIS_HASH,
  auditCanonicalText,
  auditChainTemplate,
  checkAuditLinks,
  hashAuditRecord,
  type AuditRecord,
  type StoredAuditRow,
} from '../../connector/audit/audit-chain.ts';
import { auditPrincipal } from '../../connector/audit/access-audit.ts';

function record(seq: number, prevHash: string, over: Partial<AuditRecord> = {}): AuditRecord {
  return {
    tenant: 'acme',
    seq,
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    at: '2026-03-04T05:00:00.000Z',
    action: 'history.read',
    principal: { type: 'api_key', label: 'api-key:k1', role: 'auditor', tenant: 'acme' },
    path: 'GET /api/v1/history',
    subject_ids: ['11111111-1111-4111-8111-111111111111'],
    outcome: 'allowed',
    detail: { identity_kinds: ['email'], events: 3 },
    prev_hash: prevHash,
    ...over,
  };
}

function chain(n: number): StoredAuditRow[] {
  const rows: StoredAuditRow[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const r = record(seq, prev);
    const hash = hashAuditRecord(r);
    rows.push({ ...r, hash });
    prev = hash;
  }
  return rows;
}

describe('audit chain', () => {
  it('hashes the JCS text of the record, prev_hash included', () => {
    const r = record(1, GENESIS_HASH);
    expect(auditCanonicalText(r)).toBe(canonicalize(r));
    expect(hashAuditRecord(r)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashAuditRecord({ ...r, prev_hash: 'f'.repeat(64) })).not.toBe(hashAuditRecord(r));
  });

  it('cuts the JCS text around prev_hash and seq so that filling them in gives the whole text', () => {
    for (const over of [
      {},
      { detail: { seq: 5, note: '"prev_hash":"x"' } },
      { path: 'a"seq":1', subject_ids: [] },
      { tenant: '*', outcome: 'denied' as const },
    ]) {
      const { seq: _s, prev_hash: _p, ...rest } = record(1, GENESIS_HASH, over);
      const [a, b, c] = auditChainTemplate(rest);
      for (const [seq, prev] of [
        [1, GENESIS_HASH],
        [42, 'ab'.repeat(32)],
        [9_007_199_254_740_991, 'cd'.repeat(32)],
      ] as const) {
        expect(a + prev + b + String(seq) + c).toBe(auditCanonicalText({ ...rest, seq, prev_hash: prev }));
      }
    }
  });

  it('verifies a well-linked chain and names the first broken link', () => {
    const rows = chain(5);
    expect(checkAuditLinks({ seq: 0, hash: GENESIS_HASH }, rows)).toMatchObject({
      ok: true,
      checked: 5,
      last: { seq: 5, hash: rows[4]!.hash },
    });
    const tampered = rows.map((r) =>
      r.seq === 3 ? { ...r, subject_ids: ['22222222-2222-4222-8222-222222222222'] } : r,
    );
    expect(checkAuditLinks({ seq: 0, hash: GENESIS_HASH }, tampered)).toMatchObject({
      ok: false,
      checked: 2,
      broken: { seq: 3, problem: 'hash_mismatch' },
    });
    expect(
      checkAuditLinks(
        { seq: 0, hash: GENESIS_HASH },
        rows.filter((r) => r.seq !== 2),
      ),
    ).toMatchObject({ ok: false, broken: { seq: 3, problem: 'seq_gap', expected: 2 } });
    const relinked = rows.map((r) => (r.seq === 4 ? { ...r, prev_hash: GENESIS_HASH } : r));
    expect(checkAuditLinks({ seq: 0, hash: GENESIS_HASH }, relinked)).toMatchObject({
      ok: false,
      broken: { seq: 4, problem: 'prev_hash_mismatch' },
    });
  });

  it('records principals by label and role, never a secret', () => {
    expect(auditPrincipal({ type: 'operator' })).toEqual({ type: 'operator', label: 'operator', role: 'operator' });
    expect(
      auditPrincipal({ type: 'api_key', tenant: 'acme', role: 'auditor', key_id: 'k1', name: 'Audit team' }),
    ).toEqual({ type: 'api_key', label: 'api-key:k1', role: 'auditor', tenant: 'acme' });
    expect(auditPrincipal({ type: 'app_user', tenant: 'acme', role: 'agent', zendesk_user_id: '42' })).toEqual({
      type: 'app_user',
      label: 'zendesk-app:user:42',
      role: 'agent',
      tenant: 'acme',
    });
    expect(auditPrincipal(null)).toEqual({ type: 'anonymous', label: 'anonymous', role: null });
  });
});
