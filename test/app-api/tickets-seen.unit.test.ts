import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ticketSeenFromWebhook } from '../../connector/zendesk/tickets-seen.ts';

const fixture = JSON.parse(readFileSync('/work/shared/fixtures/zendesk/ticket.status_changed.json', 'utf8')) as Record<
  string,
  unknown
>;
const AT = '2026-03-05T09:41:12Z';

describe('ticketSeenFromWebhook', () => {
  it('reads a ticket event-subscription body', () => {
    expect(ticketSeenFromWebhook('acme', fixture, AT)).toEqual({
      tenant: 'acme',
      ticket_id: '48213',
      requester_id: '6596848315901',
      organization_id: '8912017421',
      at: '2026-03-05T09:41:10.000Z',
    });
  });

  it('takes the new requester or organization of a *_changed event', () => {
    const requester = {
      ...fixture,
      type: 'zen:event-type:ticket.requester_changed',
      event: { current: '777', previous: '6596848315901' },
    };
    expect(ticketSeenFromWebhook('acme', requester, AT)).toMatchObject({
      requester_id: '777',
      organization_id: '8912017421',
    });
    const organization = {
      ...fixture,
      type: 'zen:event-type:ticket.organization_changed',
      event: { current: null, previous: '8912017421' },
    };
    expect(ticketSeenFromWebhook('acme', organization, AT)).toMatchObject({
      requester_id: '6596848315901',
      organization_id: null,
    });
  });

  it('reads a trigger body, ignoring unrendered or empty placeholders', () => {
    const body = {
      standing: { kind: 'reinstatement_requested' },
      ticket: { id: '1001', updated_at: '2026-03-01T10:00Z' },
      requester: { id: 7101 },
      organization: { id: '{{ticket.organization.id}}' },
    };
    expect(ticketSeenFromWebhook('acme', body, AT)).toEqual({
      tenant: 'acme',
      ticket_id: '1001',
      requester_id: '7101',
      organization_id: null,
      at: '2026-03-01T10:00:00.000Z',
    });
  });

  it('says null for what is not a ticket event, or names nobody', () => {
    expect(
      ticketSeenFromWebhook('acme', { type: 'zen:event-type:user.active_changed', detail: { id: '1' } }, AT),
    ).toBeNull();
    expect(ticketSeenFromWebhook('acme', { ...fixture, detail: { id: '5' } }, AT)).toBeNull();
    expect(ticketSeenFromWebhook('acme', 'nonsense', AT)).toBeNull();
  });
});
