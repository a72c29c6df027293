import { describe, expect, it } from 'vitest';
import { identityLookupsFor } from '../../connector/zendesk/map-event.ts';
import { AGENT_ID, AT, fixture, map, mapping, onlyEvent, ORG_ID, SF_ACCOUNT_ID, TICKET_ID, ticketEvent, USER_ID } from './zendesk-bodies.ts';

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
const withDecision = (value: unknown) => ({ ...directory, tickets: { [TICKET_ID]: { custom_fields: { [APPROVAL_FIELD]: value } } } });

describe('ticket.tags_changed', () => {
  const tagged = (actorId: string) => ticketEvent('ticket.tags_changed', { added: { tags: ['reinstatement_request'] }, removed: { tags: [] } }, { actor_id: actorId, status: 'NEW' });

  it('maps the reinstatement_request tag added by the requester to a customer-initiated request', () => {
    const body = tagged(USER_ID);
    const e = onlyEvent(map(body, { directory }));
    expect(e).toMatchObject({
      kind: 'reinstatement_requested',
      status: { before: null, after: null },
      initiation: { type: 'customer_initiated', temporary: false },
      actor: { type: 'customer', id: USER_ID },
      source: { system: 'zendesk', object: 'ticket', id: TICKET_ID, url: `https://acme.zendesk.com/agent/tickets/${TICKET_ID}`, event_id: String(body.id) },
      related_ticket_ids: [TICKET_ID],
      occurred_at: new Date(AT).toISOString(),
    });
    expect(e.customer).toEqual({ zendesk_user_id: USER_ID, email: 'dana.reyes@example.com', zendesk_organization_id: ORG_ID, salesforce_account_id: SF_ACCOUNT_ID });
  });

  it('an agent adding the tag -> manual', () => {
    expect(onlyEvent(map(tagged(AGENT_ID), { directory }))).toMatchObject({ initiation: { type: 'manual' }, actor: { type: 'agent', id: AGENT_ID } });
  });

  it('asks for the requester (email) and the organization (external id) the payload lacks', () => {
    expect(identityLookupsFor('acme', tagged(USER_ID), workflow)).toEqual({ userIds: [USER_ID], organizationIds: [ORG_ID], ticketIds: [] });
  });

  it('ignores a removed request tag and unrelated tags', () => {
    expect(map(ticketEvent('ticket.tags_changed', { added: { tags: ['billing'] }, removed: { tags: ['reinstatement_request'] } }))).toMatchObject({ outcome: 'ignored' });
  });
});

describe('ticket.custom_field_changed (verification)', () => {
  const check = (current: unknown, fieldId = '360011') =>
    ticketEvent('ticket.custom_field_changed', { field: { id: fieldId, title: 'Identity check', type: 'tagger' }, current, previous: null }, { actor_id: AGENT_ID });

  it('maps the verification field set to passed to verification_recorded by the agent', () => {
    const e = onlyEvent(map(check('Passed'), { mapping: workflow, directory }));
    expect(e).toMatchObject({
      kind: 'verification_recorded',
      status: { before: null, after: null },
      initiation: { type: 'manual' },
      verification: [{ method: 'id_document', result: 'passed', by: { type: 'agent', id: AGENT_ID }, at: new Date(AT).toISOString() }],
    });
  });

  it('records a failed verification from its own rule', () => {
    expect(onlyEvent(map(check('failed'), { mapping: workflow, directory })).verification[0]?.result).toBe('failed');
  });

  it('ignores other values, other fields, and the approval field itself', () => {
    expect(map(check('pending'), { mapping: workflow })).toMatchObject({ outcome: 'ignored' });
    expect(map(check('passed', '999'), { mapping: workflow })).toMatchObject({ outcome: 'ignored' });
    expect(map(check('approved', APPROVAL_FIELD), { mapping: workflow })).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('solved') });
  });
});

describe('ticket.status_changed (approval)', () => {
  const solved = (current: string, actorId = AGENT_ID) => ticketEvent('ticket.status_changed', { current, previous: 'OPEN' }, { actor_id: actorId, status: current });

  it('ignores the fixture under the default mapping (no approval rule)', () => {
    expect(map(fixture('ticket.status_changed'))).toEqual({ outcome: 'ignored', reason: 'ticket status changed to solved: no rule for it' });
  });

  it.each(['SOLVED', 'Solved', 'solved'])('maps %s with approval = approved to reinstatement_approved by the acting agent', (status) => {
    const e = onlyEvent(map(solved(status), { mapping: workflow, directory: withDecision('Approved') }));
    expect(e).toMatchObject({
      kind: 'reinstatement_approved',
      initiation: { type: 'manual' },
      approvals: [{ by: { type: 'agent', id: AGENT_ID }, role: 'team_lead', decision: 'approved', at: new Date(AT).toISOString() }],
      related_ticket_ids: [TICKET_ID],
    });
  });

  it('maps approval = denied to reinstatement_denied', () => {
    expect(onlyEvent(map(solved('SOLVED'), { mapping: workflow, directory: withDecision('denied') }))).toMatchObject({
      kind: 'reinstatement_denied',
      approvals: [{ decision: 'denied' }],
    });
  });

  it('ignores a solve without a decision and other statuses', () => {
    expect(map(solved('SOLVED'), { mapping: workflow, directory: withDecision(null) })).toMatchObject({ outcome: 'ignored' });
    expect(map(solved('Pending'), { mapping: workflow, directory })).toMatchObject({ outcome: 'ignored', reason: 'ticket status changed to pending: no rule for it' });
  });

  it('without the ticket looked up: unmappable, and identityLookupsFor asks for the ticket', () => {
    expect(map(solved('SOLVED'), { mapping: workflow, directory })).toMatchObject({ outcome: 'unmappable', problems: [{ path: 'ticket.approval.field' }] });
    expect(identityLookupsFor('acme', solved('SOLVED'), workflow, directory).ticketIds).toEqual([TICKET_ID]);
  });

  it('the fixture (solved by the assignee) with an approval on file -> approved by that agent', () => {
    const e = onlyEvent(map(fixture('ticket.status_changed'), { mapping: workflow, directory: withDecision('approved') }));
    expect(e).toMatchObject({ kind: 'reinstatement_approved', actor: { type: 'agent', id: '900112233' }, source: { event_id: 'cbe4028c-7239-495d-b020-f22348516046' } });
  });

  it('reports a status event without a current status as invalid', () => {
    expect(map(ticketEvent('ticket.status_changed', { previous: 'OPEN' }), { mapping: workflow })).toMatchObject({ outcome: 'invalid', problems: [{ path: 'event.current' }] });
  });
});
