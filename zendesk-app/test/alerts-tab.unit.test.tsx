// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { fail, renderApp, stubClient } from './zaf-stub';
import type { ZafRequestOptions } from '../src/app/lib/zaf-client';
import type { AlertChannels, AlertDeliveriesPage } from '@standing/contracts';

afterEach(cleanup);

const none: AlertChannels = { webhook: null, zendesk_note: null };
const log: AlertDeliveriesPage = {
  deliveries: [
    {
      id: 2,
      alert_key: 'al_1',
      channel: 'webhook',
      code: 'repeated_cycles',
      attempt: 2,
      outcome: 'sent',
      status: 200,
      answer: 'HTTP 200: ok',
      test: false,
      at: '2026-03-01T10:00:00Z',
    },
    {
      id: 1,
      alert_key: 'al_1',
      channel: 'webhook',
      code: 'repeated_cycles',
      attempt: 1,
      outcome: 'retrying',
      status: 503,
      answer: 'HTTP 503: busy (server_error; next attempt in 30 s)',
      test: false,
      at: '2026-03-01T09:59:00Z',
    },
  ],
  next_before: null,
};

function alertsAdmin(channels: AlertChannels = none) {
  const bodies: unknown[] = [];
  const stub = stubClient({
    location: 'nav_bar',
    respond: (o: ZafRequestOptions) => {
      const path = new URL(o.url).pathname.replace('/app/v1/acme/admin', '');
      const key = `${o.type ?? 'GET'} ${path}`;
      if (o.data) bodies.push(JSON.parse(String(o.data)));
      if (key === 'GET /mapping')
        return Promise.resolve({ version: 0, document: {}, changed_by: null, changed_at: null, is_default: true });
      if (key === 'GET /alerts/channels') return Promise.resolve(channels);
      if (key === 'GET /alerts/deliveries') return Promise.resolve(log);
      if (key === 'PUT /alerts/channels')
        return fail(400, {
          code: 'invalid_request',
          message: 'x',
          details: [{ path: 'webhook.secret', message: 'is required to create the webhook' }],
        });
      if (key === 'POST /alerts/test')
        return Promise.resolve({
          alert_key: 'test_1',
          channel: 'webhook',
          outcome: 'sent',
          status: 200,
          answer: 'HTTP 200: ok',
        });
      return fail(404);
    },
  });
  return { ...stub, bodies };
}

describe('alerts tab', () => {
  it('shows the delivery log with each attempt and what the receiver answered', async () => {
    renderApp(alertsAdmin().client);
    fireEvent.click(await screen.findByTestId('tab-alerts'));
    const table = await screen.findByTestId('alerts-log');
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]!.textContent).toContain('sent (attempt 2)');
    expect(rows[2]!.textContent).toContain('HTTP 503: busy');
  });

  it('sends the channels as edited, and shows a refusal at its field', async () => {
    const { client, bodies } = alertsAdmin();
    renderApp(client);
    fireEvent.click(await screen.findByTestId('tab-alerts'));
    fireEvent.change(await screen.findByTestId('alerts-url'), { target: { value: 'https://hooks.example.com/x' } });
    const codes = within(screen.getByTestId('webhook-codes'));
    fireEvent.click(codes.getByLabelText('Suspended with no reason', { selector: 'input' }));
    fireEvent.click(screen.getByTestId('alerts-save'));
    const problem = await screen.findByText((_, el) => el?.getAttribute('data-path') === 'webhook.secret');
    expect(problem.textContent).toContain('is required');
    expect(bodies.at(-1)).toMatchObject({
      webhook: { url: 'https://hooks.example.com/x', enabled: true, warnings: ['suspension_without_reason'] },
      zendesk_note: { enabled: false, warnings: [] },
    });
  });

  it('generates a secret in the browser and sends a test on request', async () => {
    const { client, bodies } = alertsAdmin();
    renderApp(client);
    fireEvent.click(await screen.findByTestId('tab-alerts'));
    fireEvent.click(await screen.findByTestId('alerts-generate'));
    const secret = (screen.getByTestId('alerts-secret') as HTMLInputElement).value;
    expect(secret.length).toBeGreaterThanOrEqual(40);
    expect(bodies).toEqual([]); // generating saves nothing
    fireEvent.click(screen.getByTestId('alerts-test-webhook'));
    await waitFor(() => expect(screen.getByTestId('alerts-test-result').textContent).toContain('Delivered'));
    expect(bodies.at(-1)).toEqual({ channel: 'webhook' });
  });
});
