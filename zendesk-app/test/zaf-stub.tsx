/** A stubbed ZAF client, as Zendesk's scaffold tests stub `ZAFClient`: answers from fixtures, records requests. */
import { configure, render } from '@testing-library/react';
import { vi } from 'vitest';
import { App } from '../src/app/App';
import { ClientProvider } from '../src/app/contexts/ClientProvider';
import type { ZafClient, ZafRequestOptions } from '../src/app/lib/zaf-client';
import type { SidebarPage, StandingEvent } from '@standing/contracts';

// The first render of a suite imports Garden and styled-components: slow on a shared 2-core machine.
configure({ asyncUtilTimeout: 5000 });

export type Responder = (o: ZafRequestOptions) => Promise<unknown>;

export function stubClient(o: { location?: string; locale?: string; respond: Responder }) {
  const request = vi.fn((options: ZafRequestOptions) => o.respond(options));
  const client: ZafClient = {
    on: vi.fn(),
    get: vi.fn(async (path: string | string[]) => {
      const p = Array.isArray(path) ? path[0] : path;
      if (p === 'currentUser') return { currentUser: { id: 9001, locale: o.locale ?? 'en-US', role: 'agent' } };
      if (p === 'ticket.id') return { 'ticket.id': 1001 };
      return {};
    }),
    invoke: vi.fn(async () => ({})),
    request: request as unknown as ZafClient['request'],
    metadata: vi.fn(async () => ({ settings: { connector_url: 'https://standing.example.com/', tenant: 'acme' } })),
    context: vi.fn(async () => ({ location: o.location ?? 'ticket_sidebar', ticketId: 1001 })),
  };
  return { client, request };
}

export function renderApp(client: ZafClient) {
  return render(
    <ClientProvider client={client}>
      <App />
    </ClientProvider>,
  );
}

/** What client.request rejects with for a non-2xx answer (a jqXHR-like object). */
export const fail = (status: number, error?: { code: string; message: string; details?: unknown }) =>
  Promise.reject({
    status,
    responseJSON: error ? { error } : undefined,
    responseText: error ? JSON.stringify({ error }) : '',
  });

const H = 3_600_000;
let n = 0;
export function event(p: Partial<StandingEvent> & Pick<StandingEvent, 'kind'>, hoursAgo: number): StandingEvent {
  n++;
  const occurredAt = new Date(Date.now() - hoursAgo * H).toISOString();
  return {
    id: `ev-${n}`,
    seq: n,
    tenant: 'acme',
    status: { before: null, after: null },
    actor: { type: 'agent', id: '9001' },
    source: {
      system: 'zendesk',
      object: 'ticket',
      id: '1001',
      url: 'https://acme.zendesk.com/agent/tickets/1001',
      event_id: `z-${n}`,
    },
    related_ticket_ids: ['1001'],
    detected_via: 'webhook',
    occurred_at: occurredAt,
    recorded_at: occurredAt,
    erased: false,
    about: 'person',
    ...p,
  };
}

export function answer(p: Partial<SidebarPage> = {}): SidebarPage {
  return {
    tenant: 'acme',
    subject: { kind: 'person' },
    current: null,
    person: { current: null },
    accounts: [],
    events: [],
    next_cursor: null,
    warnings: [],
    quarantined: 0,
    synced_at: new Date().toISOString(),
    ticket: {
      id: '1001',
      requester_id: '7101',
      organization_id: null,
      confirmed_by: 'ticket_events',
      seen_at: new Date().toISOString(),
    },
    ...p,
  };
}
