// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { answer, event, fail, renderApp, stubClient } from './zaf-stub';

afterEach(cleanup);

const since = new Date(Date.now() - 28 * 3_600_000).toISOString();
const fraudHistory = () => {
  const deact = event(
    {
      kind: 'deactivation',
      status: { before: 'active', after: 'suspended' },
      reason: { code: 'fraud_suspected', text: 'Card used abroad' },
      initiation: { type: 'manual', temporary: true },
    },
    30,
  );
  const requested = event({ kind: 'reinstatement_requested', actor: { type: 'customer' } }, 29);
  const verified = event(
    { kind: 'verification_recorded', verification: [{ method: 'id_document', result: 'passed', at: since }] },
    28.5,
  );
  const approved = event(
    {
      kind: 'reinstatement_approved',
      approvals: [{ by: { type: 'agent', id: '9002' }, role: 'team_lead', decision: 'approved', at: since }],
    },
    28.2,
  );
  const reinstated = event(
    {
      kind: 'reinstatement',
      status: { before: 'suspended', after: 'active' },
      initiation: { type: 'manual', temporary: false },
    },
    28,
  );
  const orgSuspended = event(
    {
      kind: 'deactivation',
      about: 'account',
      status: { before: 'active', after: 'suspended' },
      reason: { code: 'non_payment' },
      initiation: { type: 'automatic', temporary: true },
      source: { system: 'zendesk', object: 'organization', id: '8101', event_id: 'o1' },
      related_ticket_ids: [],
    },
    10,
  );
  return [orgSuspended, reinstated, approved, verified, requested, deact];
};

describe('ticket sidebar', () => {
  it('shows a loading state until the connector answers', async () => {
    const { client } = stubClient({ respond: () => new Promise(() => undefined) });
    renderApp(client);
    expect(await screen.findByTestId('state-loading')).toHaveProperty(
      'textContent',
      expect.stringContaining('Loading standing history'),
    );
  });

  it('calls the connector through the secure proxy with a JWT signed by the shared_secret setting', async () => {
    const { client, request } = stubClient({ respond: async () => answer() });
    renderApp(client);
    await screen.findByTestId('state-empty');
    const o = request.mock.calls[0]![0];
    expect(o).toMatchObject({
      url: 'https://standing.example.com/app/v1/acme/sidebar?ticket_id=1001&about=all',
      type: 'GET',
      secure: true,
      headers: { Authorization: 'Bearer {{jwt.token}}' },
      jwt: { algorithm: 'HS256', secret_key: '{{setting.shared_secret}}', claims: { tenant: 'acme', user_id: '9001' } },
    });
  });

  it('shows badges, warnings and the timeline with the workflow grouped under its reinstatement', async () => {
    const events = fraudHistory();
    const { client } = stubClient({
      respond: async () =>
        answer({
          person: { current: { status: 'active', since, seconds_since_change: 100_800 } },
          accounts: [
            {
              subject_id: 'a1',
              relation: 'member',
              identities: { zendesk_organization_id: '8101' },
              current: { status: 'suspended', since: events[0]!.occurred_at, seconds_since_change: 36_000 },
              linked_since: null,
            },
          ],
          events,
          warnings: [
            {
              code: 'reactivation_after_fraud',
              about: 'person',
              event_ids: [],
              details: { hours: 2, window_hours: 72, reason_code: 'fraud_suspected' },
              message: '',
            },
          ],
        }),
    });
    renderApp(client);
    await screen.findByTestId('timeline');
    expect(screen.getByTestId('badge-person').getAttribute('data-status')).toBe('active');
    const account = screen.getByTestId('badge-account');
    expect(account.getAttribute('data-status')).toBe('suspended');
    // First fold: why (the reason in words) and by whom.
    expect(screen.getByTestId('badge-account-why').textContent).toBe('non-payment');
    expect(screen.getByTestId('badge-account-by').textContent).toBe('By Zendesk user #9001');
    expect(screen.getByTestId('warning').textContent).toBe(
      'Person: Reactivated 2\u00a0h after a suspension for fraud suspected (window 72\u00a0h).',
    );
    const entries = screen.getAllByTestId('timeline-entry');
    expect(entries.map((e) => e.getAttribute('data-kind'))).toEqual(['deactivation', 'reinstatement', 'deactivation']);
    const steps = within(entries[1]!).getAllByTestId('step');
    expect(steps.map((s) => s.getAttribute('data-kind'))).toEqual([
      'reinstatement_requested',
      'verification_recorded',
      'reinstatement_approved',
    ]);
    expect(steps[2]!.textContent).toContain('Approved by Zendesk user #9002 (team lead)');
    expect(entries[2]!.textContent).toMatch(
      /Active → Suspended.*fraud suspected – Card used abroad.*By Zendesk user #9001 \(agent\) · manual/s,
    );
    const time = entries[1]!.querySelector('time')!;
    expect(time.getAttribute('title')).toMatch(/\d\d:\d\d/);
    expect(time.textContent).toBe('yesterday');
    expect(within(entries[2]!).getByRole('link').getAttribute('href')).toBe(
      'https://acme.zendesk.com/agent/tickets/1001',
    );
  });

  it('filters by kind locally and by person/account on the server', async () => {
    const { client, request } = stubClient({
      respond: async (o) => {
        const page = answer({ events: o.url.includes('about=account') ? [fraudHistory()[0]!] : fraudHistory() });
        return { ...page, ticket: { ...page.ticket, organization_id: '8101' } };
      },
    });
    renderApp(client);
    await screen.findByTestId('timeline');
    fireEvent.change(screen.getByTestId('filter-kind'), { target: { value: 'reinstatements' } });
    expect(screen.getAllByTestId('timeline-entry').map((e) => e.getAttribute('data-kind'))).toEqual(['reinstatement']);
    fireEvent.change(screen.getByTestId('filter-kind'), { target: { value: 'deactivations' } });
    expect(screen.getAllByTestId('timeline-entry')).toHaveLength(2);
    fireEvent.change(screen.getByTestId('filter-about'), { target: { value: 'account' } });
    await waitFor(() => expect(screen.getAllByTestId('timeline-entry')).toHaveLength(1));
    expect(request.mock.calls.at(-1)![0].url).toContain('about=account');
    expect((screen.getByTestId('filter-about') as HTMLSelectElement).value).toBe('account');
  });

  it('loads more with the cursor and refreshes', async () => {
    const [first, second] = [
      event({ kind: 'deactivation', status: { before: 'active', after: 'closed' } }, 1),
      event({ kind: 'status_observed', status: { before: null, after: 'active' } }, 100),
    ];
    const { client, request } = stubClient({
      respond: async (o) =>
        o.url.includes('cursor=c1') ? answer({ events: [second!] }) : answer({ events: [first!], next_cursor: 'c1' }),
    });
    renderApp(client);
    fireEvent.click(await screen.findByTestId('load-more'));
    await waitFor(() => expect(screen.getAllByTestId('timeline-entry')).toHaveLength(2));
    expect(screen.queryByTestId('load-more')).toBeNull();
    expect(screen.getByTestId('last-synced').textContent).toContain('Last synced now');
    fireEvent.click(screen.getByTestId('refresh'));
    await waitFor(() => expect(request).toHaveBeenCalledTimes(3));
  });

  it('offers "About" only when the requester has an organization', async () => {
    renderApp(stubClient({ respond: async () => answer({ events: fraudHistory() }) }).client);
    await screen.findByTestId('timeline');
    expect(screen.queryByTestId('filter-about')).toBeNull();
  });

  it('says when nothing is recorded, and when filters hide everything', async () => {
    const { client } = stubClient({
      respond: async () => answer({ events: [event({ kind: 'reinstatement_requested' }, 2)] }),
    });
    renderApp(client);
    await screen.findByTestId('timeline');
    fireEvent.change(screen.getByTestId('filter-kind'), { target: { value: 'deactivations' } });
    expect(screen.getByTestId('state-empty-filtered').textContent).toBe('No entries match these filters.');
    cleanup();
    renderApp(stubClient({ respond: async () => answer() }).client);
    expect((await screen.findByTestId('state-empty')).textContent).toContain('No standing changes recorded');
  });

  it.each([
    ['state-unknown', () => fail(404, { code: 'unknown_ticket', message: 'x' }), 'Unknown customer', true],
    ['state-unauthorized', () => fail(401, { code: 'unauthorized', message: 'x' }), 'Not authorized', false],
    [
      'state-unauthorized',
      () => fail(401, { code: 'unauthorized', message: 'the app token is not valid: signature' }),
      'shared secret does not match',
      false,
    ],
    ['state-domain', () => fail(403, { code: 'not_whitelisted', message: 'x' }), 'allowed domains', false],
    ['state-unreachable', () => fail(502), 'Connector unreachable', true],
    ['state-unreachable', () => fail(0), 'Connector unreachable', true],
  ])('shows %s for a failed request', async (testId, respond, title, retry) => {
    const { client, request } = stubClient({ respond });
    renderApp(client);
    const state = await screen.findByTestId(testId);
    expect(state.textContent).toContain(title);
    const button = within(state).queryByRole('button', { name: 'Retry' });
    expect(button !== null).toBe(retry);
    if (button) {
      fireEvent.click(button);
      await waitFor(() => expect(request).toHaveBeenCalledTimes(2));
    }
  });

  it('shows repeated unapproved reinstatements of one subject as one warning with their number', async () => {
    const w = (id: string, about: 'person' | 'account') => ({
      code: 'reinstatement_without_approval' as const,
      about,
      event_ids: [id],
      details: {},
      message: '',
    });
    renderApp(
      stubClient({
        respond: async () =>
          answer({
            events: [event({ kind: 'reinstatement' }, 1)],
            warnings: [w('a', 'person'), w('b', 'person'), w('c', 'person'), w('d', 'account')],
          }),
      }).client,
    );
    await screen.findByTestId('timeline');
    expect(screen.getAllByTestId('warning').map((e) => e.textContent)).toEqual([
      'Person: 3 reinstatements with no recorded approval.',
      'Account: Reinstated with no recorded approval.',
    ]);
  });

  it('speaks the agent’s language (German), English otherwise', async () => {
    renderApp(
      stubClient({
        locale: 'de-CH',
        respond: async () => answer({ person: { current: { status: 'suspended', since, seconds_since_change: 1 } } }),
      }).client,
    );
    expect((await screen.findByTestId('badge-person')).textContent).toContain('Gesperrt');
    expect(screen.getByRole('heading').textContent).toBe('Kontostatus');
  });
});
