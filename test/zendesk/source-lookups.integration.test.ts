/**
 * The Zendesk source maps each row once and again only when a look-up brought an entry the mapping
 * read: rows of one batch about the same user all get what the look-up found, and a tenant without
 * API credentials still reports each look-up it could not make. Real node-zendesk against nock.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PendingInboxRow } from '../../connector/intake/intake-inbox.ts';
import type { NewStandingEvent } from '../../connector/model/standing-event.ts';
import type { Tenant } from '../../connector/tenants/tenant-registry.ts';
import { DEFAULT_ZENDESK_MAPPING } from '../../connector/zendesk/mapping-document.ts';
import { ZendeskSource } from '../../connector/zendesk/source.ts';
import { ZendeskDirectory } from '../../connector/zendesk/zendesk-directory.ts';
import { openTestStore, type TestStore } from '../support/databases.ts';
import { AT, ORG_ID, USER_ID, userEvent } from './zendesk-bodies.ts';

const CONTACT = '003000000000001AAA';
const withApi = {
  id: 'acme',
  name: 'Acme',
  zendesk: { subdomain: 'acme', api_email: 'api@acme.example', api_token: 'token-token', webhook_secret: null },
} as unknown as Tenant;
const withoutApi = {
  id: 'bare',
  name: 'Bare',
  zendesk: { subdomain: 'bare', api_email: null, api_token: null, webhook_secret: null },
} as unknown as Tenant;

let store: TestStore;
beforeAll(async () => {
  nock.disableNetConnect();
  store = await openTestStore('embedded', 'source_lookups');
});
afterAll(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  await store.dispose();
});

function rowsOf(tenant: Tenant, detail: Record<string, unknown> = {}): PendingInboxRow[] {
  const complete = userEvent('user.active_changed', { current: false, previous: true }, detail);
  // Zendesk sends no email here: the user must be looked up.
  const noEmail = userEvent('user.suspended_changed', { current: true, previous: false }, { ...detail, email: null });
  return [complete, noEmail].map((body) => ({
    tenant: tenant.id,
    source: 'zendesk',
    event_id: String(body.id),
    body,
    meta: {},
    received_at: AT,
    attempts: 0,
  }));
}

const eventsOf = (outcome: unknown): NewStandingEvent[] => {
  expect(outcome).toMatchObject({ outcome: 'events' });
  return (outcome as { events: NewStandingEvent[] }).events;
};

describe('ZendeskSource look-ups', () => {
  it('a looked-up user reaches every row about them, the one that asked and the one that did not', async () => {
    const api = nock('https://acme.zendesk.com')
      .get(`/api/v2/users/${USER_ID}.json`)
      .reply(200, { user: { id: Number(USER_ID), email: 'dana.reyes@example.com', external_id: CONTACT } });
    const source = new ZendeskSource(store.log.fieldValues, new ZendeskDirectory());
    const mapped = await source.mapRows({
      tenant: withApi,
      mapping: DEFAULT_ZENDESK_MAPPING,
      // In no organization: the complete row asks for nothing, yet reads the user's entry.
      rows: rowsOf(withApi, { organization_id: null }),
      now: Date.parse(AT) + 60_000,
    });
    expect(api.isDone()).toBe(true);
    expect(mapped.skipped).toEqual([]);
    for (const outcome of mapped.outcomes) {
      const [event] = eventsOf(outcome);
      expect(event!.customer).toMatchObject({ zendesk_user_id: USER_ID, salesforce_contact_id: CONTACT });
    }
  });

  it('without API credentials maps rows from their payloads, reporting each look-up not made once', async () => {
    const source = new ZendeskSource(store.log.fieldValues, new ZendeskDirectory());
    const mapped = await source.mapRows({
      tenant: withoutApi,
      mapping: DEFAULT_ZENDESK_MAPPING,
      rows: rowsOf(withoutApi),
      now: Date.parse(AT) + 60_000,
    });
    expect([...(mapped.skipped ?? [])].sort()).toEqual([
      `organization ${ORG_ID}: no Zendesk API credentials configured`,
      `user ${USER_ID}: no Zendesk API credentials configured`,
    ]);
    const [complete, noEmail] = mapped.outcomes.map((o) => eventsOf(o)[0]!);
    expect(complete!.customer).toEqual({ zendesk_user_id: USER_ID, email: 'dana.reyes@example.com' });
    expect(noEmail!.customer).toEqual({ zendesk_user_id: USER_ID });
    expect(noEmail!.account).toEqual({ zendesk_organization_id: ORG_ID });
  });
});
