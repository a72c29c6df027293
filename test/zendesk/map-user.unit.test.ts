import { describe, expect, it } from 'vitest';
import { identityLookupsFor } from '../../connector/zendesk/map-event.ts';
import { DEFAULT_ZENDESK_MAPPING } from '../../connector/zendesk/mapping-document.ts';
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
  USER_ID,
  userEvent,
} from './zendesk-bodies.ts';

const accountStatus = (
  current: unknown,
  previous: unknown = null,
  field: Record<string, unknown> = { id: '360001122', title: 'Account status', type: 'dropdown' },
) => userEvent('user.custom_field_changed', { field, current, previous });

describe('user.active_changed', () => {
  it('maps the fixture (soft delete) to a deactivation of the person from active to deleted, cause unknown', () => {
    const body = fixture('user.active_changed');
    const e = onlyEvent(map(body));
    expect(e).toMatchObject({
      tenant: 'acme',
      kind: 'deactivation',
      // `previous: true` says the user was active.
      status: { before: 'active', after: 'deleted' },
      // User events name no actor: recorded as unknown, not guessed.
      initiation: { type: 'unknown', temporary: false },
      reason: { code: 'zendesk_user_deactivated' },
      actor: { type: 'unknown' },
      source: {
        system: 'zendesk',
        object: 'user',
        id: USER_ID,
        url: `https://acme.zendesk.com/agent/users/${USER_ID}`,
        event_id: '2b24ef10-19d4-4740-93cf-8f98ec4776c0',
      },
      detected_via: 'webhook',
      related_ticket_ids: [],
      customer: { zendesk_user_id: USER_ID, email: 'dana.reyes@example.com' },
      account: { zendesk_organization_id: ORG_ID },
      occurred_at: '2026-03-04T05:33:18.000Z',
    });
    expect(e.customer).not.toHaveProperty('zendesk_organization_id');
  });

  it('records the status before as unknown when the payload does not say what the flag was', () => {
    expect(onlyEvent(map(userEvent('user.active_changed', { current: false }))).status).toEqual({
      before: null,
      after: 'deleted',
    });
  });

  it('ends in deactivated when the mapping says so', () => {
    const e = onlyEvent(
      map(fixture('user.active_changed'), {
        mapping: mapping({ user: { active_changed: { deactivated_status: 'deactivated' } } }),
      }),
    );
    expect(e.status.after).toBe('deactivated');
  });

  it('maps a reactivation to a reinstatement to active', () => {
    const e = onlyEvent(map(userEvent('user.active_changed', { current: true, previous: false })));
    expect(e).toMatchObject({
      kind: 'reinstatement',
      status: { before: 'deleted', after: 'active' },
      reason: { code: 'zendesk_user_reactivated' },
    });
  });

  it('ignores a non-change and a turned-off rule', () => {
    expect(map(userEvent('user.active_changed', { current: false, previous: false }))).toMatchObject({
      outcome: 'ignored',
    });
    const off = mapping({ user: { active_changed: { enabled: false } } });
    expect(map(fixture('user.active_changed'), { mapping: off })).toMatchObject({
      outcome: 'ignored',
      reason: expect.stringContaining('turned off'),
    });
  });

  it('reports a malformed event as invalid, naming the field', () => {
    expect(map(userEvent('user.active_changed', { current: 'no', previous: true }))).toEqual({
      outcome: 'invalid',
      problems: [expect.objectContaining({ path: 'event.current' })],
    });
  });

  it('reports a detail without an id as invalid', () => {
    const body = userEvent('user.active_changed', { current: false, previous: true }, { id: undefined });
    expect(map(body)).toMatchObject({ outcome: 'invalid', problems: [expect.objectContaining({ path: 'detail.id' })] });
  });

  it('accepts a numeric id in detail and keeps it as a string', () => {
    const e = onlyEvent(
      map(userEvent('user.active_changed', { current: false, previous: true }, { id: 6596848315901 })),
    );
    expect(e.source.id).toBe(USER_ID);
  });
});

describe('user.suspended_changed', () => {
  it('maps a suspension to a temporary deactivation ending in suspended, and back', () => {
    expect(onlyEvent(map(userEvent('user.suspended_changed', { current: true, previous: false })))).toMatchObject({
      kind: 'deactivation',
      status: { after: 'suspended' },
      initiation: { temporary: true },
    });
    expect(onlyEvent(map(userEvent('user.suspended_changed', { current: false, previous: true })))).toMatchObject({
      kind: 'reinstatement',
    });
  });
});

describe('user.deleted', () => {
  it('maps to a deactivation ending in deleted', () => {
    const e = onlyEvent(map(userEvent('user.deleted', {})));
    expect(e).toMatchObject({
      kind: 'deactivation',
      status: { after: 'deleted' },
      reason: { code: 'zendesk_user_deleted' },
      initiation: { temporary: false },
    });
  });

  it('tolerates a body without an event object', () => {
    const { event: _event, ...body } = userEvent('user.deleted', {});
    expect(onlyEvent(map(body)).status.after).toBe('deleted');
  });
});

describe('user.custom_field_changed', () => {
  it(
    'maps account_status = suspended_billing to a temporary suspension with the configured reason code and the ' +
      'reason field text',
    () => {
      const fieldsAsOf = [fieldFact({ id: '360001123', title: 'Account status reason' }, 'Invoice 2026-117 overdue')];
      const e = onlyEvent(map(accountStatus('suspended_billing', 'active'), { fieldsAsOf }));
      expect(e).toMatchObject({
        kind: 'deactivation',
        status: { before: 'active', after: 'suspended' },
        initiation: { type: 'unknown', temporary: true },
        reason: { code: 'non_payment', text: 'Invoice 2026-117 overdue' },
        evidence: { value: 'suspended_billing', field: { id: '360001122', title: 'Account status' } },
      });
    },
  );

  it('reads the field descriptor from `custom_field` and matches by key too', () => {
    const e = onlyEvent(
      map(
        userEvent('user.custom_field_changed', {
          custom_field: { id: '1', key: 'account_status', title: 'Renamed' },
          current: 'closed',
          previous: 'active',
        }),
      ),
    );
    expect(e).toMatchObject({ kind: 'deactivation', status: { after: 'closed' }, initiation: { temporary: false } });
  });

  it('matches field values case-insensitively and maps back to active as a reinstatement', () => {
    const e = onlyEvent(map(accountStatus('ACTIVE', 'suspended')));
    expect(e).toMatchObject({ kind: 'reinstatement', status: { before: 'suspended', after: 'active' } });
  });

  it('keeps a reason field meant as a code as text when it is not code-shaped', () => {
    const m = mapping({
      user: {
        fields: [
          {
            field: { title: 'Account status' },
            values: { frozen: 'suspended' },
            reason_field: { key: 'why', as: 'code' },
          },
        ],
      },
    });
    const code = onlyEvent(
      map(accountStatus('frozen'), { mapping: m, fieldsAsOf: [fieldFact({ key: 'why' }, 'chargeback')] }),
    );
    expect(code.reason).toEqual({ code: 'chargeback' });
    const text = onlyEvent(
      map(accountStatus('frozen'), {
        mapping: m,
        fieldsAsOf: [fieldFact({ key: 'why' }, { value: 'Card declined twice!' })],
      }),
    );
    expect(text.reason).toEqual({ code: 'unspecified', text: 'Card declined twice!' });
  });

  it('reports a value the mapping does not know as unmappable, and asks for no look-ups for it', () => {
    expect(identityLookupsFor('acme', accountStatus('on_probation', 'active'), DEFAULT_ZENDESK_MAPPING)).toEqual({
      userIds: [],
      organizationIds: [],
    });
    const r = map(accountStatus('on_probation', 'active'));
    expect(r).toMatchObject({ outcome: 'unmappable', reason: expect.stringContaining('on_probation') });
    expect(r.outcome === 'unmappable' && r.problems[0]).toMatchObject({
      path: 'event.current',
      message: expect.stringContaining('user.fields.0.values'),
    });
  });

  it('reports a multi-select value as unmappable', () => {
    expect(map(accountStatus(['closed', 'suspended']))).toMatchObject({ outcome: 'unmappable' });
  });

  it('ignores an unmapped field, a cleared field and a change that keeps the status', () => {
    expect(map(accountStatus('x', null, { id: '99', title: 'Shoe size' }))).toMatchObject({
      outcome: 'ignored',
      reason: expect.stringContaining('Shoe size'),
    });
    expect(map(accountStatus(null, 'closed'))).toMatchObject({
      outcome: 'ignored',
      reason: expect.stringContaining('cleared'),
    });
    expect(map(accountStatus('suspended_billing', 'suspended'))).toMatchObject({
      outcome: 'ignored',
      reason: expect.stringContaining('stays suspended'),
    });
  });

  it('reports an event without a field descriptor as invalid', () => {
    expect(map(userEvent('user.custom_field_changed', { current: 'closed' }))).toMatchObject({
      outcome: 'invalid',
      problems: [{ path: 'event.field' }],
    });
  });
});

describe('initiator inference on user events', () => {
  const deactivatedBy = (actorId: unknown, m = DEFAULT_ZENDESK_MAPPING) =>
    onlyEvent(
      map(userEvent('user.active_changed', { current: false, previous: true }, { actor_id: actorId }), { mapping: m }),
    );

  it('the user themself -> customer_initiated', () => {
    expect(deactivatedBy(USER_ID)).toMatchObject({
      initiation: { type: 'customer_initiated' },
      actor: { type: 'customer', id: USER_ID },
    });
  });

  it('an agent -> manual', () => {
    expect(deactivatedBy(AGENT_ID)).toMatchObject({
      initiation: { type: 'manual' },
      actor: { type: 'agent', id: AGENT_ID },
    });
  });

  it.each(['-1', 'zendesk', 'zd:answerBot', -1])('Zendesk itself (%j) -> automatic', (actorId) => {
    expect(deactivatedBy(actorId)).toMatchObject({ initiation: { type: 'automatic' }, actor: { type: 'system' } });
  });

  it('a configured automation user -> automatic (integration)', () => {
    const m = mapping({ initiator: { automation_actor_ids: [777] } });
    expect(deactivatedBy('777', m)).toMatchObject({
      initiation: { type: 'automatic' },
      actor: { type: 'integration', id: '777' },
    });
  });

  it('an actor-less change reads unknown by default; automatic or manual only when the mapping says so', () => {
    expect(deactivatedBy(undefined)).toMatchObject({ initiation: { type: 'unknown' }, actor: { type: 'unknown' } });
    expect(deactivatedBy(undefined, mapping({ initiator: { missing_actor: 'manual' } }))).toMatchObject({
      initiation: { type: 'manual' },
      actor: { type: 'agent' },
    });
    expect(deactivatedBy(undefined, mapping({ initiator: { missing_actor: 'automatic' } }))).toMatchObject({
      initiation: { type: 'automatic' },
      actor: { type: 'system' },
    });
  });
});

describe('user identities', () => {
  it('fills a missing email and the organization external id from the directory', () => {
    const body = userEvent('user.deleted', {}, { email: null, organization_id: undefined });
    const directory = {
      users: { [USER_ID]: { email: 'Dana.Reyes@Example.com', organization_id: Number(ORG_ID) } },
      organizations: { [ORG_ID]: { external_id: SF_ACCOUNT_ID } },
    };
    const e = onlyEvent(map(body, { directory }));
    expect(e.customer).toEqual({ zendesk_user_id: USER_ID, email: 'dana.reyes@example.com' });
    expect(e.account).toEqual({ zendesk_organization_id: ORG_ID, salesforce_account_id: SF_ACCOUNT_ID });
  });

  it('asks for what the payload lacks, and only that', () => {
    const body = userEvent('user.deleted', {}, { email: null });
    expect(identityLookupsFor('acme', body, DEFAULT_ZENDESK_MAPPING)).toEqual({
      userIds: [USER_ID],
      organizationIds: [ORG_ID],
    });
    const complete = {
      users: { [USER_ID]: { email: 'a@example.com', organization_id: ORG_ID } },
      organizations: { [ORG_ID]: { external_id: null } },
    };
    expect(identityLookupsFor('acme', body, DEFAULT_ZENDESK_MAPPING, complete)).toEqual({
      userIds: [],
      organizationIds: [],
    });
  });

  it('asks for the organization found through the user on a second round', () => {
    const body = userEvent('user.deleted', {}, { email: null, organization_id: undefined });
    expect(identityLookupsFor('acme', body, DEFAULT_ZENDESK_MAPPING)).toEqual({
      userIds: [USER_ID],
      organizationIds: [],
    });
    const round2 = identityLookupsFor('acme', body, DEFAULT_ZENDESK_MAPPING, {
      users: { [USER_ID]: { email: 'a@example.com', organization_id: '42' } },
    });
    expect(round2).toEqual({ userIds: [], organizationIds: ['42'] });
  });

  it('asks for no look-up to find a reason (reasons come from field events), nor for an ignored event', () => {
    expect(identityLookupsFor('acme', accountStatus('closed'), DEFAULT_ZENDESK_MAPPING).userIds).toEqual([]);
    expect(
      identityLookupsFor('acme', accountStatus('x', null, { id: '9', title: 'Shoe size' }), DEFAULT_ZENDESK_MAPPING),
    ).toEqual({ userIds: [], organizationIds: [] });
  });

  it('trusts a payload that says the user has no organization ("0") over the directory', () => {
    const body = userEvent('user.deleted', {}, { organization_id: '0' });
    const directory = { users: { [USER_ID]: { email: 'dana.reyes@example.com', organization_id: ORG_ID } } };
    expect(onlyEvent(map(body, { directory })).account).toBeUndefined();
  });

  it('takes a Salesforce Contact id from the user external id, nothing from other external ids', () => {
    expect(
      onlyEvent(map(userEvent('user.deleted', {}, { external_id: '0035g00000AbCdEAAZ' }))).customer
        .salesforce_contact_id,
    ).toBe('0035g00000AbCdEAAZ');
    expect(onlyEvent(map(userEvent('user.deleted', {}, { external_id: 'crm-1234' }))).customer).not.toHaveProperty(
      'salesforce_contact_id',
    );
  });

  it('links to the agent UI only when the subdomain is known and sane', () => {
    expect(onlyEvent(map(userEvent('user.deleted', {}), { subdomain: null })).source.url).toBeUndefined();
    expect(onlyEvent(map(userEvent('user.deleted', {}), { subdomain: 'evil.com/x' })).source.url).toBeUndefined();
  });

  it('uses the event time, normalized', () => {
    expect(onlyEvent(map(userEvent('user.deleted', {}))).occurred_at).toBe(new Date(AT).toISOString());
  });
});
