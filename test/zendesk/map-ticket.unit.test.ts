import { describe, expect, it } from 'vitest';
import { identityLookupsFor } from '../../connector/zendesk/map-event.ts';
import {
  AGENT_ID,
  AT,
  fieldFact,
  fixture,
  map,
  mapping,
  onlyEvent,
  ORG_ID,
  SF_ACCOUNT_ID,
  TICKET_ID,
  ticketEvent,
  USER_ID,
} from './zendesk-bodies.ts';

const APPROVAL_FIELD = '360012';
const workflow = mapping({
  ticket: {
    tags: [{ tag: 'reinstatement_request' }],
    verification: [
      { field: { id: '360011', title: 'Identity check' }, value: 'passed', method: 'id_document' },
      { field: { id: '360011' }, value: 'failed', method: 'id_document', result: 'failed' },
    ],
    approval: { field: { id: APPROVAL_FIELD, title: 'Reinstatement decision' }, approver_role: 'team_lead' },
  },
});
const directory = {
  users: { [USER_ID]: { email: 'dana.reyes@example.com', organization_id: ORG_ID } },
  organizations: { [ORG_ID]: { external_id: SF_ACCOUNT_ID } },
};
const LEAD_ID = '900445566';
const EARLIER = '2026-03-04T04:10:00.000Z';
/** The approval field as the ticket's custom_field_changed events reported it, set by the team lead earlier. */
const decision = (value: unknown, more = {}) => [
  fieldFact({ id: APPROVAL_FIELD }, value, { actor_id: LEAD_ID, changed_at: EARLIER, ...more }),
];

describe('ticket.tags_changed', () => {
  const tagged = (actorId: string) =>
    ticketEvent(
      'ticket.tags_changed',
      { added: { tags: ['reinstatement_request'] }, removed: { tags: [] } },
      { actor_id: actorId, status: 'NEW' },
    );

  it('maps the reinstatement_request tag added by the requester to a customer-initiated request', () => {
    const body = tagged(USER_ID);
    const e = onlyEvent(map(body, { directory }));
    expect(e).toMatchObject({
      kind: 'reinstatement_requested',
      status: { before: null, after: null },
      initiation: { type: 'customer_initiated', temporary: false },
      actor: { type: 'customer', id: USER_ID },
      source: {
        system: 'zendesk',
        object: 'ticket',
        id: TICKET_ID,
        url: `https://acme.zendesk.com/agent/tickets/${TICKET_ID}`,
        event_id: String(body.id),
      },
      related_ticket_ids: [TICKET_ID],
      occurred_at: new Date(AT).toISOString(),
    });
    expect(e.customer).toEqual({ zendesk_user_id: USER_ID, email: 'dana.reyes@example.com' });
    expect(e.account).toEqual({ zendesk_organization_id: ORG_ID, salesforce_account_id: SF_ACCOUNT_ID });
  });

  it('reads tags_added / tags_removed arrays, the shape of the ticket events reference', () => {
    const body = ticketEvent(
      'ticket.tags_changed',
      { tags_added: ['Reinstatement_Request'], tags_removed: [] },
      { actor_id: USER_ID },
    );
    expect(onlyEvent(map(body, { directory }))).toMatchObject({ kind: 'reinstatement_requested' });
    expect(
      map(ticketEvent('ticket.tags_changed', { tags_added: [], tags_removed: ['reinstatement_request'] })),
    ).toMatchObject({ outcome: 'ignored' });
  });

  it('an agent adding the tag -> manual', () => {
    expect(onlyEvent(map(tagged(AGENT_ID), { directory }))).toMatchObject({
      initiation: { type: 'manual' },
      actor: { type: 'agent', id: AGENT_ID },
    });
  });

  it('asks for the requester (email) and the organization (external id) the payload lacks', () => {
    expect(identityLookupsFor('acme', tagged(USER_ID), workflow)).toEqual({
      userIds: [USER_ID],
      organizationIds: [ORG_ID],
    });
  });

  it('ignores a removed request tag and unrelated tags', () => {
    expect(
      map(
        ticketEvent('ticket.tags_changed', {
          added: { tags: ['billing'] },
          removed: { tags: ['reinstatement_request'] },
        }),
      ),
    ).toMatchObject({ outcome: 'ignored' });
  });
});

describe('ticket.custom_field_changed (verification)', () => {
  const check = (current: unknown, fieldId = '360011') =>
    ticketEvent(
      'ticket.custom_field_changed',
      { field: { id: fieldId, title: 'Identity check', type: 'tagger' }, current, previous: null },
      { actor_id: AGENT_ID },
    );

  it('maps the verification field set to passed to verification_recorded by the agent', () => {
    const e = onlyEvent(map(check('Passed'), { mapping: workflow, directory }));
    expect(e).toMatchObject({
      kind: 'verification_recorded',
      status: { before: null, after: null },
      initiation: { type: 'manual' },
      verification: [
        {
          method: 'id_document',
          result: 'passed',
          by: { type: 'agent', id: AGENT_ID },
          at: new Date(AT).toISOString(),
        },
      ],
    });
  });

  it('records a failed verification from its own rule', () => {
    expect(onlyEvent(map(check('failed'), { mapping: workflow, directory })).verification[0]?.result).toBe('failed');
  });

  it('ignores other values, other fields, and the approval field itself', () => {
    expect(map(check('pending'), { mapping: workflow })).toMatchObject({ outcome: 'ignored' });
    expect(map(check('passed', '999'), { mapping: workflow })).toMatchObject({ outcome: 'ignored' });
    expect(map(check('approved', APPROVAL_FIELD), { mapping: workflow })).toMatchObject({
      outcome: 'ignored',
      reason: expect.stringContaining('solved'),
    });
  });
});

describe('ticket.status_changed (approval)', () => {
  const solved = (current: string, actorId = AGENT_ID) =>
    ticketEvent('ticket.status_changed', { current, previous: 'OPEN' }, { actor_id: actorId, status: current });

  it('ignores the fixture under the default mapping (no approval rule)', () => {
    expect(map(fixture('ticket.status_changed'))).toEqual({
      outcome: 'ignored',
      reason: 'ticket status changed to solved: no rule for it',
    });
  });

  it.each(['SOLVED', 'Solved', 'solved'])(
    'maps %s with approval = approved to reinstatement_approved by the agent who set the field, when they set it',
    (status) => {
      const e = onlyEvent(map(solved(status), { mapping: workflow, directory, fieldsAsOf: decision('Approved') }));
      expect(e).toMatchObject({
        kind: 'reinstatement_approved',
        // The solve is the solver's action ...
        initiation: { type: 'manual' },
        actor: { type: 'agent', id: AGENT_ID },
        // ... the approval is the team lead's, at the time they decided.
        approvals: [{ by: { type: 'agent', id: LEAD_ID }, role: 'team_lead', decision: 'approved', at: EARLIER }],
        related_ticket_ids: [TICKET_ID],
      });
    },
  );

  it('takes a decision sent as a {value} object', () => {
    expect(
      onlyEvent(map(solved('SOLVED'), { mapping: workflow, directory, fieldsAsOf: decision({ value: 'approved' }) }))
        .kind,
    ).toBe('reinstatement_approved');
  });

  it('maps approval = denied to reinstatement_denied', () => {
    expect(
      onlyEvent(map(solved('SOLVED'), { mapping: workflow, directory, fieldsAsOf: decision('denied') })),
    ).toMatchObject({
      kind: 'reinstatement_denied',
      approvals: [{ decision: 'denied', by: { id: LEAD_ID } }],
    });
  });

  it('does not count a requester who set the approval field as an approving agent', () => {
    const e = onlyEvent(
      map(solved('SOLVED'), { mapping: workflow, directory, fieldsAsOf: decision('approved', { actor_id: USER_ID }) }),
    );
    expect(e.approvals[0]?.by).toEqual({ type: 'customer', id: USER_ID });
  });

  it('ignores a solve without a decision and other statuses', () => {
    expect(map(solved('SOLVED'), { mapping: workflow, directory, fieldsAsOf: decision(null) })).toMatchObject({
      outcome: 'ignored',
    });
    expect(map(solved('Pending'), { mapping: workflow, directory })).toMatchObject({
      outcome: 'ignored',
      reason: 'ticket status changed to pending: no rule for it',
    });
  });

  it(
    'without any approval field event: waits for a companion while it may, then is ignored with the reason; ' +
      'never asks the API',
    () => {
      expect(map(solved('SOLVED'), { mapping: workflow, directory, mayWait: true })).toMatchObject({ outcome: 'wait' });
      expect(map(solved('SOLVED'), { mapping: workflow, directory })).toMatchObject({
        outcome: 'ignored',
        reason: expect.stringContaining('ticket.custom_field_changed'),
      });
      expect(identityLookupsFor('acme', solved('SOLVED'), workflow, directory)).toEqual({
        userIds: [],
        organizationIds: [],
      });
    },
  );

  it('waits for a decision set in the same update only while a companion may still arrive', () => {
    // An earlier value could be overridden by the same update: wait ...
    expect(
      map(solved('SOLVED'), { mapping: workflow, directory, fieldsAsOf: decision('denied'), mayWait: true }),
    ).toMatchObject({ outcome: 'wait' });
    // ... but not once the same-update value is there.
    const sameUpdate = decision('approved', { changed_at: new Date(AT).toISOString() });
    expect(
      onlyEvent(map(solved('SOLVED'), { mapping: workflow, directory, fieldsAsOf: sameUpdate, mayWait: true })).kind,
    ).toBe('reinstatement_approved');
  });

  it('the fixture (solved by the assignee) with an approval on file -> approved by the agent who set it', () => {
    const e = onlyEvent(
      map(fixture('ticket.status_changed'), { mapping: workflow, directory, fieldsAsOf: decision('approved') }),
    );
    expect(e).toMatchObject({
      kind: 'reinstatement_approved',
      actor: { type: 'agent', id: '900112233' },
      approvals: [{ by: { id: LEAD_ID } }],
      source: { event_id: 'cbe4028c-7239-495d-b020-f22348516046' },
    });
  });

  it('reports a status event without a current status as invalid', () => {
    expect(map(ticketEvent('ticket.status_changed', { previous: 'OPEN' }), { mapping: workflow })).toMatchObject({
      outcome: 'invalid',
      problems: [{ path: 'event.current' }],
    });
  });
});
