import { describe, expect, it } from 'vitest';
import { identityLookupsFor, ZENDESK_TRIGGER_BODY_TEMPLATE } from '../../connector/zendesk/map-event.ts';
import { DEFAULT_ZENDESK_MAPPING } from '../../connector/zendesk/mapping-document.ts';
import {
  AGENT_ID,
  fixture,
  map,
  mapping,
  onlyEvent,
  ORG_ID,
  SF_ACCOUNT_ID,
  TICKET_ID,
  USER_ID,
  userEvent,
} from './zendesk-bodies.ts';

/** The template as Zendesk sends it once a trigger fired: placeholders rendered, `standing` filled in by the admin. */
function triggerBody(standing: Record<string, unknown>, rendered: { currentUser?: string; updatedAt?: string } = {}) {
  const body = JSON.parse(JSON.stringify(ZENDESK_TRIGGER_BODY_TEMPLATE)) as Record<string, Record<string, unknown>>;
  Object.assign(body.standing as object, standing);
  body.ticket = { id: TICKET_ID, updated_at: rendered.updatedAt ?? '2026-03-05T09:41Z' };
  body.requester = { id: USER_ID, email: 'dana.reyes@example.com', external_id: '' };
  body.organization = { id: ORG_ID, external_id: SF_ACCOUNT_ID };
  body.current_user = { id: rendered.currentUser ?? AGENT_ID };
  return body;
}

describe('mapZendeskWebhook: body routing', () => {
  it('reports an unknown event type as unmappable', () => {
    expect(map(userEvent('user.teleported', { current: true }))).toMatchObject({
      outcome: 'unmappable',
      reason: 'unknown Zendesk event type "zen:event-type:user.teleported"',
      problems: [{ path: 'type' }],
    });
  });

  it.each(['user.name_changed', 'organization.created', 'ticket.comment_added'])(
    'ignores the documented event type %s',
    (type) => {
      expect(map(userEvent(type, {}))).toMatchObject({ outcome: 'ignored' });
    },
  );

  it('reports a malformed envelope as invalid, naming the field', () => {
    const body = { ...fixture('user.active_changed'), time: 'last tuesday' };
    expect(map(body)).toEqual({ outcome: 'invalid', problems: [expect.objectContaining({ path: 'time' })] });
  });

  it.each([
    [{ hello: 'world' }],
    [null],
    [['a']],
    ['{"type":"zen:event-type:user.deleted"}'],
    [{ type: 'user.deleted' }],
  ])('reports the unknown body shape %j as unmappable', (body) => {
    expect(map(body)).toMatchObject({ outcome: 'unmappable', reason: 'unknown body shape' });
  });

  it('reports an invalid tenant as invalid (the model refuses it)', () => {
    expect(map(fixture('user.active_changed'), { tenant: 'Not A Tenant' })).toMatchObject({
      outcome: 'invalid',
      problems: [{ path: 'tenant' }],
    });
  });

  it('asks for no look-ups for bodies that map to nothing', () => {
    expect(
      identityLookupsFor('acme', userEvent('user.name_changed', {}, { email: null }), DEFAULT_ZENDESK_MAPPING),
    ).toEqual({ userIds: [], organizationIds: [] });
    expect(identityLookupsFor('acme', { hello: 'world' }, DEFAULT_ZENDESK_MAPPING)).toEqual({
      userIds: [],
      organizationIds: [],
    });
  });
});

describe('trigger bodies (ZENDESK_TRIGGER_BODY_TEMPLATE)', () => {
  it('uses Zendesk placeholders for the ticket, the requester, the organization and the acting user', () => {
    const text = JSON.stringify(ZENDESK_TRIGGER_BODY_TEMPLATE);
    for (const placeholder of [
      '{{ticket.id}}',
      '{{ticket.requester.id}}',
      '{{ticket.requester.email}}',
      '{{ticket.organization.external_id}}',
      '{{current_user.id}}',
      '{{current_user.name}}',
    ]) {
      expect(text).toContain(placeholder);
    }
  });

  it("keeps the acting user's name as the trigger rendered it, and none for an automation", () => {
    const body = triggerBody({ kind: 'reinstatement_approved' });
    body.current_user = { id: AGENT_ID, name: 'Tara Lead' };
    expect(onlyEvent(map(body)).actor).toEqual({ type: 'agent', id: AGENT_ID, name: 'Tara Lead' });
    const automation = triggerBody({ kind: 'reinstatement_approved' });
    automation.current_user = { id: '', name: '' };
    expect(onlyEvent(map(automation)).actor).toEqual({ type: 'system' });
  });

  it('maps a reinstatement request, idempotent on the invocation id', () => {
    const e = onlyEvent(
      map(triggerBody({ kind: 'reinstatement_requested' }, { currentUser: USER_ID }), { invocationId: 'inv-81' }),
    );
    expect(e).toMatchObject({
      kind: 'reinstatement_requested',
      initiation: { type: 'customer_initiated' },
      actor: { type: 'customer', id: USER_ID },
      source: {
        object: 'ticket',
        id: TICKET_ID,
        event_id: 'zendesk-invocation:inv-81',
        url: `https://acme.zendesk.com/agent/tickets/${TICKET_ID}`,
      },
      related_ticket_ids: [TICKET_ID],
      customer: { zendesk_user_id: USER_ID, email: 'dana.reyes@example.com' },
      account: { zendesk_organization_id: ORG_ID, salesforce_account_id: SF_ACCOUNT_ID },
      // The placeholder renders minutes only; normalized to a full instant.
      occurred_at: '2026-03-05T09:41:00.000Z',
    });
  });

  it('without an invocation id: a hash of the body, equal for a redelivery, different for another update', () => {
    const id = (body: unknown) => onlyEvent(map(body)).source.event_id;
    const body = triggerBody({ kind: 'reinstatement_requested' });
    expect(id(body)).toMatch(/^zendesk-body:[0-9a-f]{40}$/);
    expect(id(JSON.parse(JSON.stringify(body)))).toBe(id(body));
    expect(id(triggerBody({ kind: 'reinstatement_requested' }, { updatedAt: '2026-03-05T09:42Z' }))).not.toBe(id(body));
  });

  it('prefers an event id written in the body', () => {
    expect(
      onlyEvent(
        map(triggerBody({ kind: 'reinstatement_requested', event_id: 'trig-7-48213' }), { invocationId: 'inv-1' }),
      ).source.event_id,
    ).toBe('trig-7-48213');
  });

  it('maps a suspension with its reason, temporary by default', () => {
    const e = onlyEvent(
      map(
        triggerBody({
          kind: 'deactivation',
          status_after: 'Suspended',
          reason_code: 'non_payment',
          reason_text: 'Invoice overdue',
        }),
      ),
    );
    expect(e).toMatchObject({
      kind: 'deactivation',
      status: { before: null, after: 'suspended' },
      initiation: { type: 'manual', temporary: true },
      reason: { code: 'non_payment', text: 'Invoice overdue' },
      actor: { type: 'agent', id: AGENT_ID },
    });
  });

  it('an automation (no current user) -> automatic', () => {
    const e = onlyEvent(
      map(triggerBody({ kind: 'deactivation', status_after: 'closed', temporary: 'false' }, { currentUser: '' })),
    );
    expect(e).toMatchObject({ initiation: { type: 'automatic', temporary: false }, actor: { type: 'system' } });
  });

  it('maps approvals and verifications', () => {
    expect(
      onlyEvent(map(triggerBody({ kind: 'reinstatement_approved', approver_role: 'risk_officer' }))),
    ).toMatchObject({
      approvals: [{ by: { type: 'agent', id: AGENT_ID }, role: 'risk_officer', decision: 'approved' }],
    });
    expect(onlyEvent(map(triggerBody({ kind: 'reinstatement_denied' })))).toMatchObject({
      approvals: [{ role: 'agent', decision: 'denied' }],
    });
    expect(
      onlyEvent(
        map(
          triggerBody({
            kind: 'verification_recorded',
            verification_method: 'callback',
            verification_result: 'PASSED',
          }),
        ),
      ),
    ).toMatchObject({
      verification: [{ method: 'callback', result: 'passed', by: { type: 'agent', id: AGENT_ID } }],
    });
  });

  it('reports what a kind needs but the body lacks as invalid, at the model path', () => {
    expect(map(triggerBody({ kind: 'deactivation' }))).toMatchObject({
      outcome: 'invalid',
      problems: [expect.objectContaining({ path: 'status.after' })],
    });
    expect(map(triggerBody({ kind: 'verification_recorded' }))).toMatchObject({
      outcome: 'invalid',
      problems: [expect.objectContaining({ path: 'verification' })],
    });
    expect(map(triggerBody({ kind: 'deactivation', status_after: 'frozen' }))).toMatchObject({
      outcome: 'invalid',
      problems: [expect.objectContaining({ path: 'standing.status_after' })],
    });
  });

  it('reports a body without a ticket id as invalid', () => {
    const body = triggerBody({ kind: 'reinstatement_requested' });
    body.ticket = { id: '{{ticket.id}}' };
    expect(map(body)).toMatchObject({ outcome: 'invalid', problems: [{ path: 'ticket.id' }] });
  });

  it('reports an unknown kind, a kind not allowed and turned-off trigger bodies as unmappable', () => {
    expect(map(triggerBody({ kind: 'teleport' }))).toMatchObject({
      outcome: 'unmappable',
      problems: [{ path: 'standing.kind' }],
    });
    const narrow = mapping({ trigger_bodies: { kinds: ['reinstatement_requested'] } });
    expect(map(triggerBody({ kind: 'deactivation', status_after: 'closed' }), { mapping: narrow })).toMatchObject({
      outcome: 'unmappable',
      reason: expect.stringContaining('not allowed'),
    });
    const off = mapping({ trigger_bodies: { enabled: false } });
    expect(map(triggerBody({ kind: 'reinstatement_requested' }), { mapping: off })).toMatchObject({
      outcome: 'unmappable',
      reason: expect.stringContaining('turned off'),
    });
  });

  it('asks for the requester when the body has no email', () => {
    const body = triggerBody({ kind: 'reinstatement_requested' });
    body.requester = { id: USER_ID, email: '' };
    body.organization = { id: '', external_id: '' };
    expect(identityLookupsFor('acme', body, DEFAULT_ZENDESK_MAPPING).userIds).toEqual([USER_ID]);
  });
});
