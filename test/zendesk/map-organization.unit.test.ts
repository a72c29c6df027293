import { describe, expect, it } from 'vitest';
import { identityLookupsFor } from '../../connector/zendesk/map-event.ts';
import { DEFAULT_ZENDESK_MAPPING } from '../../connector/zendesk/mapping-document.ts';
import {
  AGENT_ID,
  eventsOf,
  fieldFact,
  map,
  mapping,
  onlyEvent,
  ORG_ID,
  organizationEvent,
  SF_ACCOUNT_ID,
} from './zendesk-bodies.ts';

const withTags = mapping({
  organization: {
    tags: [
      { tag: 'suspended', added: { status: 'suspended', reason_code: 'non_payment' }, removed: 'active' },
      { tag: 'closed', added: 'closed' },
    ],
  },
});

describe('organization.deleted', () => {
  it('maps to a deactivation of the account, one with the Salesforce Account in external_id, cause unknown', () => {
    const e = onlyEvent(map(organizationEvent('organization.deleted', {})));
    expect(e).toMatchObject({
      kind: 'deactivation',
      status: { before: null, after: 'deleted' },
      initiation: { type: 'unknown', temporary: false },
      actor: { type: 'unknown' },
      reason: { code: 'zendesk_organization_deleted' },
      source: { object: 'organization', id: ORG_ID, url: `https://acme.zendesk.com/agent/organizations/${ORG_ID}` },
    });
    expect(e.customer).toEqual({ zendesk_organization_id: ORG_ID, salesforce_account_id: SF_ACCOUNT_ID });
  });

  it.each(['0015g00000XyZab', '001000000000001AAA'])('accepts a 15- or 18-character Account id (%s)', (externalId) => {
    expect(
      onlyEvent(map(organizationEvent('organization.deleted', {}, { external_id: externalId }))).customer
        .salesforce_account_id,
    ).toBe(externalId);
  });

  it.each(['0035g00000AbCdEAAZ', 'ERP-00042', '', null])(
    'does not take %j for a Salesforce Account id',
    (externalId) => {
      expect(
        onlyEvent(map(organizationEvent('organization.deleted', {}, { external_id: externalId }))).customer,
      ).toEqual({ zendesk_organization_id: ORG_ID });
    },
  );

  it(
    'keeps the organization apart from the Salesforce Account when the mapping says the external id is ' +
      'something else',
    () => {
      const m = mapping({ identities: { organization_external_id_is_salesforce_account: false } });
      expect(onlyEvent(map(organizationEvent('organization.deleted', {}), { mapping: m })).customer).toEqual({
        zendesk_organization_id: ORG_ID,
      });
    },
  );

  it('needs no look-up when the payload carries the external id (even an empty one)', () => {
    expect(
      identityLookupsFor(
        'acme',
        organizationEvent('organization.deleted', {}, { external_id: null }),
        DEFAULT_ZENDESK_MAPPING,
      ).organizationIds,
    ).toEqual([]);
  });

  it('is ignored when turned off', () => {
    expect(
      map(organizationEvent('organization.deleted', {}), {
        mapping: mapping({ organization: { deleted: { enabled: false } } }),
      }),
    ).toMatchObject({ outcome: 'ignored' });
  });

  it('an agent deleting it -> manual', () => {
    expect(onlyEvent(map(organizationEvent('organization.deleted', {}, { actor_id: AGENT_ID })))).toMatchObject({
      initiation: { type: 'manual' },
      actor: { type: 'agent', id: AGENT_ID },
    });
  });
});

describe('organization.custom_field_changed', () => {
  const change = (current: unknown, previous: unknown = 'active') =>
    organizationEvent('organization.custom_field_changed', {
      field: { id: '360002', title: 'Account status', type: 'dropdown' },
      current,
      previous,
    });

  it(
    'maps account_status = closed to a lasting deactivation, with the reason text the reason field held at the ' +
      'time',
    () => {
      const fieldsAsOf = [fieldFact({ id: '360003', title: 'Account status reason' }, 'Contract ended')];
      const e = onlyEvent(map(change('closed'), { fieldsAsOf }));
      expect(e).toMatchObject({
        kind: 'deactivation',
        status: { before: 'active', after: 'closed' },
        initiation: { temporary: false },
        reason: { code: 'unspecified', text: 'Contract ended' },
      });
    },
  );

  it.each([
    ['suspended_fraud', 'suspended', 'fraud_suspected'],
    ['deactivated', 'deactivated', undefined],
  ])('maps account_status = %s as docs/zendesk.md says', (value, status, code) => {
    const e = onlyEvent(map(change(value)));
    expect(e.status.after).toBe(status);
    expect(e.reason?.code).toBe(code);
  });

  it('needs no look-up of the organization for its reason field', () => {
    expect(identityLookupsFor('acme', change('closed'), DEFAULT_ZENDESK_MAPPING).organizationIds).toEqual([]);
  });

  it('reports a value the mapping does not know as unmappable', () => {
    expect(map(change('archived'))).toMatchObject({
      outcome: 'unmappable',
      problems: [{ path: 'event.current', message: expect.stringContaining('organization.fields.0.values') }],
    });
  });
});

describe('organization.tags_changed', () => {
  const tags = (event: Record<string, unknown>) => organizationEvent('organization.tags_changed', event);

  it('maps the tag suspended being added to a temporary suspension with its reason code', () => {
    const e = onlyEvent(map(tags({ added: { tags: ['suspended'] }, removed: { tags: [] } }), { mapping: withTags }));
    expect(e).toMatchObject({
      kind: 'deactivation',
      status: { after: 'suspended' },
      initiation: { temporary: true },
      reason: { code: 'non_payment' },
      evidence: { tag: 'suspended', change: 'added' },
    });
    expect(e.source.event_id).not.toContain('#');
  });

  it('maps the tag suspended being removed to a reinstatement', () => {
    expect(
      onlyEvent(map(tags({ added: { tags: [] }, removed: { tags: ['suspended'] } }), { mapping: withTags })),
    ).toMatchObject({ kind: 'reinstatement', status: { after: 'active' } });
  });

  it('yields one event per matching rule, suffixed #1, #2 in rule order', () => {
    const body = tags({ added: { tags: ['closed'] }, removed: { tags: ['suspended'] } });
    const events = eventsOf(map(body, { mapping: withTags }));
    expect(events.map((e) => [e.status.after, e.source.event_id])).toEqual([
      ['active', `${String(body.id)}#1`],
      ['closed', `${String(body.id)}#2`],
    ]);
  });

  it.each([
    ['nested under tags', { tags: { added: { tags: ['Suspended'] }, removed: { tags: [] } } }],
    ['plain arrays', { added: ['suspended'], removed: [] }],
    ['current/previous lists', { current: ['vip', 'suspended'], previous: ['vip'] }],
  ])('reads the tag change when given as %s', (_shape, event) => {
    expect(onlyEvent(map(tags(event), { mapping: withTags })).status.after).toBe('suspended');
  });

  it('ignores tags no rule mentions, and every tag change under the default mapping', () => {
    expect(map(tags({ added: { tags: ['vip'] }, removed: { tags: [] } }), { mapping: withTags })).toMatchObject({
      outcome: 'ignored',
    });
    expect(map(tags({ added: { tags: ['suspended'] }, removed: { tags: [] } }))).toMatchObject({ outcome: 'ignored' });
  });

  it('reports an event that says nothing about tags as invalid', () => {
    expect(map(tags({ something: 'else' }), { mapping: withTags })).toMatchObject({
      outcome: 'invalid',
      problems: [{ path: 'event.tags_added' }],
    });
  });
});
