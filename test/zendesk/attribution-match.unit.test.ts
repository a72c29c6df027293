/**
 * How a Zendesk record becomes an attribution (connector/zendesk/attribution-match.ts), for the cases
 * the integration test does not post: an automation's own audit, Zendesk itself as the actor, an
 * integration user, and the match window's edge.
 */
import { describe, expect, it } from 'vitest';
import { fromAuditLog, fromTicketAudit, type MatchContext } from '../../connector/zendesk/attribution-match.ts';
import type { AuditLogEntry, TicketAudit } from '../../connector/zendesk/audit-clients.ts';

const T = '2026-03-04T05:33:18.000Z';
const ctx = (o: Partial<MatchContext> = {}): MatchContext => ({
  readAt: '2026-03-04T05:34:00.000Z',
  windowSeconds: 60,
  automationActorIds: new Set(),
  users: new Map(),
  ...o,
});
const entry = (o: Partial<AuditLogEntry>): AuditLogEntry => ({
  id: '1',
  action: 'update',
  actor_id: '7001',
  actor_name: 'Mara Lindqvist',
  change_description: 'Suspended: changed from false to true',
  created_at: T,
  source_id: '501',
  source_type: 'user',
  ...o,
});
const userEvent = { occurredAt: T, object: 'user', objectId: '501', customerUserId: '501' };

describe('the audit log', () => {
  it('takes the entry of that user nearest the event, within the window and not beyond', () => {
    const at = (s: number) => new Date(Date.parse(T) + s * 1000).toISOString();
    const entries = [
      entry({ id: 'far', created_at: at(61), actor_id: '1' }),
      entry({ id: 'other-user', source_id: '777', created_at: T }),
      entry({ id: 'near', created_at: at(-59) }),
    ];
    expect(fromAuditLog(entries, userEvent, ctx()).record_id).toBe('near');
    expect(fromAuditLog([entries[0]!], userEvent, ctx())).toMatchObject({
      initiation: 'unknown',
      unknown_reason: { code: 'no_audit_entry', message: 'no audit entry within ±60 s of the event' },
    });
  });

  it("counts Zendesk's own actor and the mapping's integration users as automatic", () => {
    expect(fromAuditLog([entry({ actor_id: '-1', actor_name: 'Zendesk' })], userEvent, ctx())).toMatchObject({
      initiation: 'automatic',
      actor: { type: 'system', name: 'Zendesk' },
    });
    const integration = ctx({ automationActorIds: new Set(['7001']) });
    expect(fromAuditLog([entry({})], userEvent, integration)).toMatchObject({
      initiation: 'automatic',
      actor: { type: 'integration', id: '7001' },
    });
  });
});

describe('ticket audits', () => {
  const automationAudit: TicketAudit = {
    id: '42',
    author_id: '-1',
    created_at: T,
    via: { channel: 'rule', source: { rel: 'automation', from: { id: '360009', title: 'Close after 30 days' } } },
    events: [{ type: 'Change', field_name: 'status', via: null }],
  };
  const ticketEvent = { occurredAt: T, object: 'ticket', objectId: '4242', customerUserId: '502' };

  it("names the automation of an automation's own update, made by Zendesk itself", () => {
    expect(fromTicketAudit([automationAudit], ticketEvent, ctx())).toEqual({
      initiation: 'automatic',
      actor: { type: 'system' },
      rule: { kind: 'automation', id: '360009', title: 'Close after 30 days' },
      via: 'rule',
      source: 'zendesk_ticket_audit',
      record_id: '42',
      read_at: '2026-03-04T05:34:00.000Z',
    });
  });

  it('takes the requester updating their own ticket as customer-initiated, an agent as manual', () => {
    const by = (author: string) => ({ ...automationAudit, author_id: author, via: { channel: 'web' } });
    const users = new Map([['7002', { id: '7002', name: 'Tomasz Nowak', role: 'admin' }]]);
    expect(fromTicketAudit([by('502')], ticketEvent, ctx())).toMatchObject({
      initiation: 'customer_initiated',
      actor: { type: 'customer', id: '502' },
    });
    expect(fromTicketAudit([by('7002')], ticketEvent, ctx({ users }))).toMatchObject({
      initiation: 'manual',
      actor: { type: 'agent', id: '7002', name: 'Tomasz Nowak', role: 'admin' },
      via: 'web',
    });
  });
});
