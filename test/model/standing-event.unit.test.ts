import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_STATUSES,
  EVENT_KINDS,
  isPermanent,
  parseStandingEvent,
  type EventKind,
  type FieldProblem,
  type NewStandingEvent,
  type NewStandingEventInput,
} from '../../connector/model/standing-event.ts';
import { eventInput } from '../support/fixtures.ts';

const AT = '2026-03-05T10:00:00Z';

/** A valid input of each kind, differing from the deactivation fixture only where the kind demands it. */
const VALID_BY_KIND: Record<EventKind, Partial<NewStandingEventInput>> = {
  deactivation: {},
  reinstatement: {
    status: { before: 'suspended', after: 'active' },
    initiation: undefined,
    reason: { code: 'payment_received' },
  },
  reinstatement_requested: {
    status: { before: 'suspended', after: null },
    initiation: undefined,
    actor: { type: 'customer' },
  },
  verification_recorded: {
    status: { before: 'suspended', after: null },
    initiation: undefined,
    verification: [
      { method: 'id_document', result: 'passed', by: { type: 'agent', id: 42 }, at: AT, notes: 'Passport checked.' },
    ],
  },
  reinstatement_approved: {
    status: { before: 'suspended', after: null },
    initiation: undefined,
    approvals: [{ by: { type: 'agent', id: '77' }, role: 'team_lead', decision: 'approved', at: AT }],
    conditions: [{ code: 'pay_balance', text: 'Settle invoice 2026-117', met: false }],
  },
  reinstatement_denied: {
    status: { before: 'deactivated', after: null },
    initiation: undefined,
    approvals: [
      {
        by: { type: 'agent', id: '78' },
        role: 'risk_officer',
        decision: 'denied',
        at: AT,
        comment: 'Fraud confirmed.',
      },
    ],
  },
  status_observed: {
    status: { before: null, after: 'closed' },
    initiation: undefined,
    reason: undefined,
    actor: { type: 'integration' },
    source: { system: 'salesforce', object: 'Account', id: '001Dn00000A1b2cIAB', event_id: 'replay-1234' },
    detected_via: 'reconciliation',
    customer: { salesforce_account_id: '001Dn00000A1b2cIAB' },
  },
};

function problemsOf(input: unknown): FieldProblem[] {
  const r = parseStandingEvent(input);
  if (r.ok) throw new Error('expected the input to be rejected');
  return r.problems;
}

function valueOf(input: unknown): NewStandingEvent {
  const r = parseStandingEvent(input);
  if (!r.ok) throw new Error(`expected the input to parse: ${JSON.stringify(r.problems)}`);
  return r.value;
}

describe('parseStandingEvent: valid events', () => {
  it('covers every event kind', () => {
    expect(Object.keys(VALID_BY_KIND).sort()).toEqual([...EVENT_KINDS].sort());
  });

  it.each(EVENT_KINDS)('accepts a valid %s event', (kind) => {
    const value = valueOf(eventInput({ kind, ...VALID_BY_KIND[kind] }));
    expect(value.kind).toBe(kind);
    expect(value.status).toEqual(VALID_BY_KIND[kind].status ?? { before: 'active', after: 'suspended' });
  });

  it('fills the optional collections with empty defaults', () => {
    const value = valueOf(eventInput());
    expect(value.conditions).toEqual([]);
    expect(value.verification).toEqual([]);
    expect(value.approvals).toEqual([]);
    expect(value.evidence).toEqual({});
    expect(value.related_ticket_ids).toEqual([]);
  });

  it('keeps evidence as given', () => {
    const evidence = { kyc: { step: 'selfie', passed: true }, invoices: ['2026-117'] };
    expect(valueOf(eventInput({ evidence })).evidence).toEqual(evidence);
  });
});

describe('parseStandingEvent: rejected events name the field and the problem', () => {
  const cases: { name: string; input: () => unknown; path: string; message: RegExp }[] = [
    {
      name: 'a deactivation ending in active',
      input: () => eventInput({ status: { before: 'suspended', after: 'active' } }),
      path: 'status.after',
      message: /deactivation must end in a status other than active/,
    },
    {
      name: 'a deactivation that does not say where it ends',
      input: () => eventInput({ status: { before: 'active', after: null } }),
      path: 'status.after',
      message: /deactivation must end/,
    },
    {
      name: 'a reinstatement not ending in active',
      input: () => eventInput({ kind: 'reinstatement', status: { before: 'suspended', after: 'deactivated' } }),
      path: 'status.after',
      message: /reinstatement must end in active/,
    },
    {
      name: 'a deactivation without initiation',
      input: () => eventInput({ initiation: undefined }),
      path: 'initiation',
      message: /deactivation must say how it came about/,
    },
    {
      name: 'a permanent suspension',
      input: () => eventInput({ initiation: { type: 'automatic', temporary: false } }),
      path: 'initiation.temporary',
      message: /suspension is temporary/,
    },
    {
      name: 'reinstatement_approved without approvals',
      input: () =>
        eventInput({ ...VALID_BY_KIND.reinstatement_approved, kind: 'reinstatement_approved', approvals: [] }),
      path: 'approvals',
      message: /reinstatement_approved needs at least one approval with decision "approved"/,
    },
    {
      name: 'reinstatement_approved whose only approval is a denial',
      input: () => eventInput({ ...VALID_BY_KIND.reinstatement_denied, kind: 'reinstatement_approved' }),
      path: 'approvals',
      message: /decision "approved"/,
    },
    {
      name: 'reinstatement_denied without a denial',
      input: () => eventInput({ ...VALID_BY_KIND.reinstatement_approved, kind: 'reinstatement_denied' }),
      path: 'approvals',
      message: /decision "denied"/,
    },
    {
      name: 'verification_recorded without a verification step',
      input: () =>
        eventInput({ ...VALID_BY_KIND.verification_recorded, kind: 'verification_recorded', verification: [] }),
      path: 'verification',
      message: /at least one verification step/,
    },
    {
      name: 'status_observed without the observed status',
      input: () =>
        eventInput({
          ...VALID_BY_KIND.status_observed,
          kind: 'status_observed',
          status: { before: 'active', after: null },
        }),
      path: 'status.after',
      message: /must carry the observed status/,
    },
    {
      name: 'a bad email',
      input: () => eventInput({ customer: { email: 'dana.reyes.example.com' } }),
      path: 'customer.email',
      message: /must be an email address/,
    },
    {
      name: 'a Salesforce account id of 16 characters',
      input: () => eventInput({ customer: { salesforce_account_id: '001Dn00000A1b2cI' } }),
      path: 'customer.salesforce_account_id',
      message: /15- or 18-character Salesforce id/,
    },
    {
      name: 'a Salesforce contact id with punctuation',
      input: () => eventInput({ customer: { salesforce_contact_id: '003Dn00000-1b2c' } }),
      path: 'customer.salesforce_contact_id',
      message: /15- or 18-character Salesforce id/,
    },
    {
      name: 'no customer identity at all',
      input: () => eventInput({ customer: {} }),
      path: 'customer',
      message: /needs at least one identity/,
    },
    {
      name: 'an unknown status value',
      input: () => ({ ...eventInput(), status: { before: 'active', after: 'banned' } }),
      path: 'status.after',
      message: /expected one of "active"\|"suspended"\|"deactivated"\|"closed"\|"deleted"/,
    },
    {
      name: 'occurred_at without a time zone',
      input: () => eventInput({ occurred_at: '2026-03-04T05:00:00' }),
      path: 'occurred_at',
      message: /with a time zone/,
    },
    {
      name: 'an approval time without a time zone',
      input: () =>
        eventInput({
          ...VALID_BY_KIND.reinstatement_approved,
          kind: 'reinstatement_approved',
          approvals: [{ by: { type: 'agent' }, role: 'team_lead', decision: 'approved', at: '2026-03-05 10:00' }],
        }),
      path: 'approvals.0.at',
      message: /with a time zone/,
    },
    {
      name: 'an unknown top-level property',
      input: () => ({ ...eventInput(), severity: 'high' }),
      path: '(root)',
      message: /Unrecognized key: "severity"/,
    },
    {
      name: 'an unknown customer property',
      input: () => ({ ...eventInput(), customer: { email: 'dana@example.com', phone: '+15550100' } }),
      path: 'customer',
      message: /Unrecognized key: "phone"/,
    },
    {
      name: 'a tenant id in upper case',
      input: () => eventInput({ tenant: 'Acme' }),
      path: 'tenant',
      message: /lowercase letters, digits/,
    },
    {
      name: 'an empty source event id',
      input: () => eventInput({ source: { system: 'zendesk', object: 'user', id: '1', event_id: '   ' } }),
      path: 'source.event_id',
      message: /must not be empty/,
    },
    {
      name: 'a negative provider id',
      input: () => eventInput({ customer: { zendesk_user_id: -5 } }),
      path: 'customer.zendesk_user_id',
      message: /expected number to be >=0/,
    },
    {
      name: 'an empty provider id',
      input: () => eventInput({ customer: { zendesk_user_id: '' } }),
      path: 'customer.zendesk_user_id',
      message: /must not be empty/,
    },
    {
      name: 'a reason code in upper case',
      input: () => eventInput({ reason: { code: 'NON_PAYMENT' } }),
      path: 'reason.code',
      message: /lowercase code/,
    },
    {
      name: 'a relative source url',
      input: () =>
        eventInput({ source: { system: 'zendesk', object: 'user', id: '1', event_id: 'e1', url: '/agent/users/1' } }),
      path: 'source.url',
      message: /absolute URL/,
    },
  ];

  it.each(cases)('rejects $name at $path', ({ input, path, message }) => {
    const problems = problemsOf(input());
    const atPath = problems.filter((p) => p.path === path);
    expect(atPath, JSON.stringify(problems)).not.toHaveLength(0);
    expect(
      atPath.some((p) => message.test(p.message)),
      JSON.stringify(atPath),
    ).toBe(true);
  });

  it('reports every problem of an input, not only the first', () => {
    const problems = problemsOf(eventInput({ tenant: 'ACME', customer: { email: 'nope' }, occurred_at: 'yesterday' }));
    expect(problems.map((p) => p.path).sort()).toEqual(['customer.email', 'occurred_at', 'tenant']);
  });

  it('rejects what is not an object with a root problem', () => {
    expect(problemsOf('deactivation')).toEqual([{ path: '(root)', message: expect.any(String) }]);
  });
});

describe('parseStandingEvent: normalization', () => {
  it('lower-cases the email', () => {
    expect(valueOf(eventInput({ customer: { email: 'Dana.Reyes@Example.COM' } })).customer.email).toBe(
      'dana.reyes@example.com',
    );
  });

  it('converts occurred_at to UTC ISO with milliseconds', () => {
    expect(valueOf(eventInput({ occurred_at: '2026-03-04T06:33:18+01:00' })).occurred_at).toBe(
      '2026-03-04T05:33:18.000Z',
    );
    expect(valueOf(eventInput({ occurred_at: '2026-03-04T05:33:18Z' })).occurred_at).toBe('2026-03-04T05:33:18.000Z');
    expect(valueOf(eventInput({ occurred_at: '2026-03-03T21:33:18.5-08:00' })).occurred_at).toBe(
      '2026-03-04T05:33:18.500Z',
    );
  });

  it('converts verification and approval times to UTC ISO with milliseconds', () => {
    const verified = valueOf(
      eventInput({
        ...VALID_BY_KIND.verification_recorded,
        kind: 'verification_recorded',
        verification: [{ method: 'callback', result: 'pending', at: '2026-03-05T12:00:00+02:00' }],
      }),
    );
    expect(verified.verification[0]?.at).toBe('2026-03-05T10:00:00.000Z');
    const approved = valueOf(
      eventInput({
        ...VALID_BY_KIND.reinstatement_approved,
        kind: 'reinstatement_approved',
        approvals: [
          { by: { type: 'agent' }, role: 'team_lead', decision: 'approved', at: '2026-03-05T05:00:00-05:00' },
        ],
      }),
    );
    expect(approved.approvals[0]?.at).toBe('2026-03-05T10:00:00.000Z');
  });

  it('turns numeric provider ids into strings', () => {
    const value = valueOf(
      eventInput({
        actor: { type: 'agent', id: 900112233 },
        source: { system: 'zendesk', object: 'user', id: 6596848315901, event_id: 'evt-numeric' },
        customer: { zendesk_user_id: 6596848315901 },
        account: { zendesk_organization_id: 360001 },
        related_ticket_ids: [4711, '4712'],
      }),
    );
    expect(value.actor.id).toBe('900112233');
    expect(value.source.id).toBe('6596848315901');
    expect(value.customer).toEqual({ zendesk_user_id: '6596848315901' });
    expect(value.account).toEqual({ zendesk_organization_id: '360001' });
    expect(value.related_ticket_ids).toEqual(['4711', '4712']);
  });

  it('gives equal facts written differently the same normalized form', () => {
    const base = eventInput();
    const a = valueOf({
      ...base,
      occurred_at: '2026-03-04T06:00:00+01:00',
      customer: { email: 'DANA@example.com', zendesk_user_id: 12 },
    });
    const b = valueOf({
      ...base,
      occurred_at: '2026-03-04T05:00:00.000Z',
      customer: { email: 'dana@example.com', zendesk_user_id: '12' },
    });
    expect(a).toEqual(b);
  });
});

describe('isPermanent', () => {
  it('treats deactivated, closed and deleted as permanent, active and suspended as not', () => {
    expect(Object.fromEntries(ACCOUNT_STATUSES.map((s) => [s, isPermanent(s)]))).toEqual({
      active: false,
      suspended: false,
      deactivated: true,
      closed: true,
      deleted: true,
    });
  });
});

describe('text the log cannot store', () => {
  it.each([
    ['a NUL character', 'bad\u0000id'],
    ['a lone surrogate', 'bad\ud800id'],
  ])('refuses %s with the field named', (_what, value) => {
    const base = eventInput();
    const r = parseStandingEvent({ ...base, source: { ...base.source, event_id: value } });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems).toContainEqual({
        path: 'source.event_id',
        message: 'must be valid Unicode text without NUL characters',
      });
  });
});
