// @vitest-environment jsdom
/**
 * The sidebar's actions panel: the session the connector wrote into the page, one idempotency key per
 * form (kept for a retry after a failed call), the connector's refusals in words, and what it says
 * without a session.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import type { ZafRequestOptions } from '../src/app/lib/zaf-client';
import { answer, fail, renderApp, stubClient } from './zaf-stub';

const SESSION = 'A'.repeat(43);
const OPTIONS = {
  agent: { id: '9001', name: 'Alex Agent', may_approve: true },
  reason_codes: [{ code: 'non_payment', labels: { en: 'Non-payment', de: 'Zahlungsverzug' } }],
};

function withSession(): void {
  const meta = document.createElement('meta');
  meta.name = 'standing-session';
  meta.content = SESSION;
  document.head.append(meta);
}

afterEach(() => {
  document.head.querySelector('meta[name="standing-session"]')?.remove();
  cleanup();
});

const bodies = (calls: [ZafRequestOptions][]) =>
  calls
    .filter(([o]) => o.url.endsWith('/actions') && o.type === 'POST')
    .map(([o]) => JSON.parse(String(o.data)) as { idempotency_key: string; action: string; reason?: string });

describe('actions panel', () => {
  it('says it cannot record steps when the page carries no session', async () => {
    renderApp(stubClient({ respond: async () => answer() }).client);
    fireEvent.click(await screen.findByTestId('actions-open'));
    expect(screen.getByTestId('actions-unavailable').textContent).toMatch(/signed URLs/);
  });

  it('retries a failed call with the same key, then starts a new key for the next step', async () => {
    withSession();
    let failures = 1;
    const { client, request } = stubClient({
      respond: async (o) => {
        if (o.url.includes('/actions/options')) return OPTIONS;
        if (o.url.endsWith('/actions')) {
          expect(o.headers?.['X-Standing-Session']).toBe(SESSION);
          if (failures-- > 0) return fail(0);
          return { event_ids: ['00000000-0000-4000-8000-000000000001'], duplicate: false, apply_in_zendesk: null };
        }
        return answer();
      },
    });
    renderApp(client);
    fireEvent.click(await screen.findByTestId('actions-open'));
    expect((await screen.findByTestId('acting-agent')).textContent).toContain('Alex Agent');
    fireEvent.change(screen.getByTestId('f-reason'), { target: { value: 'Paid' } });
    fireEvent.click(screen.getByTestId('action-submit'));
    expect((await screen.findByTestId('action-error')).textContent).toMatch(
      /could not be reached.*not be recorded twice/,
    );
    expect(screen.getByTestId('action-submit').textContent).toBe('Retry');
    fireEvent.click(screen.getByTestId('action-submit'));
    expect((await screen.findByTestId('action-done')).textContent).toBe('Recorded.');
    fireEvent.change(screen.getByTestId('f-reason'), { target: { value: 'Again' } });
    fireEvent.click(screen.getByTestId('action-submit'));
    await waitFor(() => expect(bodies(request.mock.calls as [ZafRequestOptions][])).toHaveLength(3));
    const [first, retry, next] = bodies(request.mock.calls as [ZafRequestOptions][]);
    expect(retry!.idempotency_key).toBe(first!.idempotency_key);
    expect(next!.idempotency_key).not.toBe(first!.idempotency_key);
    expect(first).toMatchObject({
      action: 'request_reinstatement',
      reason: 'Paid',
      ticket_id: '1001',
      about: 'person',
    });
  });

  it("says the connector's four-eyes refusal in the agent's words", async () => {
    withSession();
    const { client } = stubClient({
      locale: 'de',
      respond: async (o) => {
        if (o.url.includes('/actions/options')) return OPTIONS;
        if (o.url.endsWith('/actions')) return fail(409, { code: 'four_eyes', message: 'four eyes: ...' });
        return answer();
      },
    });
    renderApp(client);
    fireEvent.click(await screen.findByTestId('actions-open'));
    await screen.findByTestId('acting-agent');
    fireEvent.change(screen.getByTestId('f-action'), { target: { value: 'approve' } });
    fireEvent.change(screen.getByTestId('f-reason'), { target: { value: 'ok' } });
    fireEvent.click(screen.getByTestId('action-submit'));
    const error = await screen.findByTestId('action-error');
    expect(error.getAttribute('data-code')).toBe('four_eyes');
    expect(error.textContent).toMatch(/^Vier-Augen-Prinzip/);
  });
});
