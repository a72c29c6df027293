// @vitest-environment jsdom
/**
 * The "who" line of timeline entries: names and roles from the events' attribution records, the
 * trigger named, the reason an event stays unknown, and an actor known only by id looked up live
 * through the ZAF client and labelled as the current name.
 */
import { cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { answer, event, renderApp, stubClient } from './zaf-stub';

afterEach(cleanup);

const readAt = new Date().toISOString();

describe('who made each change', () => {
  it('names the actor, the trigger and the kind; says why one stays unknown; looks id-only people up', async () => {
    const events = [
      event(
        {
          kind: 'deactivation',
          status: { before: 'active', after: 'suspended' },
          initiation: { type: 'manual', temporary: true },
          actor: { type: 'agent', id: '9001' },
          attribution: {
            initiation: 'automatic',
            actor: { type: 'agent', id: '9001', name: 'Alex Agent', role: 'agent' },
            rule: { kind: 'trigger', id: '360004417', title: 'Fraud auto-suspend' },
            via: 'web',
            source: 'zendesk_ticket_audit',
            record_id: '8001',
            read_at: readAt,
          },
        },
        3,
      ),
      event(
        {
          kind: 'deactivation',
          status: { before: 'active', after: 'suspended' },
          initiation: { type: 'unknown', temporary: true },
          actor: { type: 'unknown' },
          source: { system: 'zendesk', object: 'user', id: '7102', event_id: 'u1' },
          attribution: {
            initiation: 'unknown',
            actor: { type: 'unknown' },
            source: 'zendesk_audit_log',
            read_at: readAt,
            unknown_reason: { code: 'no_audit_log_plan', message: 'Zendesk plan has no audit log' },
          },
        },
        2,
      ),
      event(
        {
          kind: 'reinstatement_approved',
          approvals: [{ by: { type: 'agent', id: '9003' }, role: 'team_lead', decision: 'approved', at: readAt }],
        },
        1.5,
      ),
      event(
        {
          kind: 'reinstatement',
          status: { before: 'suspended', after: 'active' },
          initiation: { type: 'manual', temporary: false },
          actor: { type: 'agent', id: '9002' },
        },
        1,
      ),
    ];
    const { client, request } = stubClient({
      respond: async (o) =>
        o.url === '/api/v2/users/9002.json'
          ? { user: { id: 9002, name: 'Tara Lead' } }
          : o.url === '/api/v2/users/9003.json'
            ? { user: { id: 9003, name: 'Ola Berg' } }
            : answer({ events }),
    });
    renderApp(client);
    await screen.findByTestId('timeline');
    await waitFor(() =>
      expect(screen.getAllByTestId('who').map((w) => w.textContent)).toEqual([
        'By Tara Lead (agent; current name in Zendesk) · manual',
        'Cause unknown · Zendesk plan has no audit log',
        'By Alex Agent (agent) · via trigger ‘Fraud auto-suspend’ · automatic',
      ]),
    );
    await waitFor(() =>
      expect(screen.getByTestId('step').textContent).toContain(
        'Approved by Ola Berg (current name in Zendesk) (team lead)',
      ),
    );
    const lookups = request.mock.calls.filter(([o]) => o.url.startsWith('/api/v2/users/')).map(([o]) => o.url);
    expect([...new Set(lookups)].sort()).toEqual(['/api/v2/users/9002.json', '/api/v2/users/9003.json']);
    expect(screen.getAllByTestId('who')[2]!.getAttribute('title')).toBe(
      "According to the ticket's audit trail in Zendesk",
    );
  });

  it("names in the first fold an approver the approval step named by id, from the step's attribution", async () => {
    const reinstated = event(
      { kind: 'reinstatement', status: { before: 'suspended', after: 'active' }, actor: { type: 'agent', id: '9001' } },
      1,
    );
    const approved = event(
      {
        kind: 'reinstatement_approved',
        actor: { type: 'agent', id: '9002' },
        approvals: [{ by: { type: 'agent', id: '9002' }, role: 'team_lead', decision: 'approved', at: readAt }],
        attribution: {
          initiation: 'manual',
          actor: { type: 'agent', id: '9002', name: 'Tara Lead', role: 'agent' },
          via: 'web',
          source: 'zendesk_ticket_audit',
          record_id: '8004',
          read_at: readAt,
        },
      },
      2,
    );
    const since = reinstated.occurred_at;
    const { client } = stubClient({
      respond: async () =>
        answer({
          current: { status: 'active', since, seconds_since_change: 3600 },
          person: { current: { status: 'active', since, seconds_since_change: 3600 } },
          events: [reinstated, approved],
        }),
    });
    renderApp(client);
    await screen.findByTestId('timeline');
    expect(screen.getByTestId('badge-person-by').textContent).toBe('Approved by Tara Lead');
  });

  it('names in the first fold an actor known only by id with the live name, labelled as such', async () => {
    const suspended = event(
      { kind: 'deactivation', status: { before: 'active', after: 'suspended' }, actor: { type: 'agent', id: '9002' } },
      1,
    );
    const since = suspended.occurred_at;
    const { client } = stubClient({
      respond: async (o) =>
        o.url === '/api/v2/users/9002.json'
          ? { user: { id: 9002, name: 'Tara Lead' } }
          : answer({
              current: { status: 'suspended', since, seconds_since_change: 3600 },
              person: { current: { status: 'suspended', since, seconds_since_change: 3600 } },
              events: [suspended],
            }),
    });
    renderApp(client);
    await screen.findByTestId('timeline');
    await waitFor(() =>
      expect(screen.getByTestId('badge-person-by').textContent).toBe('By Tara Lead (current name in Zendesk)'),
    );
  });
});
