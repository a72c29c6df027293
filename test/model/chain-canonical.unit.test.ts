/**
 * The fast canonical serializer must be byte-identical to RFC 8785 (the `canonicalize` library) on every record shape.
 */
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import {
  canonicalChainText,
  type ChainRecord,
  type PublicPartV1,
  type PublicPartV2,
} from '../../connector/model/chain.ts';

type V1Record = ChainRecord & { public: PublicPartV1 };

function record(overrides: Partial<V1Record> = {}): V1Record {
  return {
    tenant: 'acme',
    seq: 42,
    id: '2d296acf-9a43-4b0d-9321-5a8ff09da873',
    kind: 'deactivation',
    status_before: 'active',
    status_after: 'suspended',
    occurred_at: '2026-03-04T05:00:02.000Z',
    recorded_at: '2026-11-22T23:01:33.894Z',
    subject_id: 'fb72fbe4-d0ec-4a84-91ca-f5a96593b8a1',
    public: {
      initiation: { type: 'manual', temporary: true },
      reason_code: 'non_payment',
      actor_type: 'agent',
      source: {
        system: 'zendesk',
        object: 'user',
        id: '6596848315901',
        url: 'https://acme.zendesk.com/agent/users/6596848315901',
        event_id: 'evt-1',
      },
      detected_via: 'webhook',
      related_ticket_ids: ['1', '2'],
    },
    sealed: 'AAECAwQ=',
    prev_hash: '0'.repeat(64),
    ...overrides,
  };
}

// No lone surrogates: the event model refuses them at the edge (JCS cannot encode them).
const awkward = ['', 'é', '\u2028\u2029', '"quoted"\\back', '\n\t\u0001', '😀', 'Ω≈ç√', '</script>', '\u007f'];

describe('canonicalChainText', () => {
  it('equals JCS for ordinary and awkward values alike', () => {
    const cases: ChainRecord[] = [
      record(),
      record({ status_before: null, status_after: null }),
      record({ seq: Number.MAX_SAFE_INTEGER }),
    ];
    cases.push(
      record({
        public: {
          ...record().public,
          initiation: null,
          reason_code: null,
          source: { ...record().public.source, url: null },
          related_ticket_ids: [],
        },
      }),
    );
    for (const text of awkward) {
      cases.push(
        record({
          tenant: text,
          kind: text,
          sealed: text,
          public: {
            ...record().public,
            actor_type: text,
            related_ticket_ids: [text, text],
            source: { ...record().public.source, event_id: text, id: text },
          },
        }),
      );
    }
    for (const r of cases) expect(canonicalChainText(r)).toBe(canonicalize(r));
  });

  it('equals JCS for v2 records (no source id, url or tickets in clear)', () => {
    const v2 = (p: Partial<PublicPartV2> = {}, o: Partial<ChainRecord> = {}): ChainRecord => {
      const { related_ticket_ids: _t, source, ...rest } = record().public;
      return {
        ...record(),
        public: {
          v: 2,
          ...rest,
          source: { system: source.system, object: source.object, event_id: 'a'.repeat(64) },
          ...p,
        },
        ...o,
      };
    };
    const cases = [
      v2(),
      v2({ initiation: null, reason_code: null }),
      ...awkward.map((t) => v2({ actor_type: t, source: { system: t, object: t, event_id: t } }, { sealed: t })),
    ];
    for (const r of cases) expect(canonicalChainText(r)).toBe(canonicalize(r));
    const v3 = { ...v2(), public: { ...v2().public, v: 3 } } as unknown as ChainRecord;
    expect(canonicalChainText(v3)).toBe(canonicalize(v3));
    const withId = {
      ...v2(),
      public: { ...v2().public, source: { system: 'zendesk', object: 'user', event_id: 'e', id: '1' } },
    } as unknown as ChainRecord;
    expect(canonicalChainText(withId)).toBe(canonicalize(withId));
  });

  it('falls back to the general JCS for records of another shape, so a changed shape changes the text', () => {
    const extra = { ...record(), injected: 'x' } as unknown as ChainRecord;
    expect(canonicalChainText(extra)).toBe(canonicalize(extra));
    expect(canonicalChainText(extra)).not.toBe(canonicalChainText(record()));
    const extraInPublic = record({ public: { ...record().public, note: 'x' } as unknown as PublicPartV1 });
    expect(canonicalChainText(extraInPublic)).toBe(canonicalize(extraInPublic));
    const wrongType = record({ seq: '42' as unknown as number });
    expect(canonicalChainText(wrongType)).toBe(canonicalize(wrongType));
    expect(canonicalChainText(wrongType)).not.toBe(canonicalChainText(record()));
  });
});
