/**
 * Salesforce through the one intake: Outbound Messages posted to the running service and change
 * events handed over as the subscriber does, into the same inbox, worker and log as Zendesk's
 * webhooks, on the machine's PostgreSQL and Redis.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationFor } from '../support/access.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { enqueueIntake, createIntakeQueue } from '../../queue/intake-queue.ts';
import { acceptChangeEvent } from '../../salesforce/change-event-intake.ts';
import { IntakeInbox } from '../../connector/intake/intake-inbox.ts';
import {
  intakeEnv,
  postWebhook,
  startIntakeService,
  stopIntakeService,
  waitFor,
  REDIS_URL,
  type IntakeEnv,
} from '../support/intake-harness.ts';
import { Redis } from 'ioredis';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/salesforce/${name}`, import.meta.url), 'utf8');
const ORG = '00D5g000004SxYzEAK';
const MAPPING = {
  version: 1,
  account: {
    status_field: 'Status__c',
    values: { Active: 'active', Suspended: { status: 'suspended', reason_code: 'non_payment' }, Closed: 'closed' },
    reason_field: { name: 'Status_Reason__c' },
  },
};

let env: IntakeEnv;
let svc: ServiceHandle;
const api = async (path: string, init: RequestInit = {}) =>
  fetch(`${svc.url}${path}`, {
    ...init,
    headers: {
      authorization: await authorizationFor(svc.url, env.env.STANDING_ADMIN_TOKEN!, path),
      'content-type': 'application/json',
      ...init.headers,
    },
  });
const postOutbound = (xml: string, tenant = 'default', contentType: string | null = 'text/xml; charset=utf-8') =>
  fetch(`${svc.url}/webhooks/salesforce/${tenant}/outbound`, {
    method: 'POST',
    headers: { ...(contentType === null ? {} : { 'content-type': contentType }), soapaction: '""' },
    body: Buffer.from(xml),
  });
const inboxRows = (eventId: string) =>
  svc.resources.db.query<{ state: string }>(
    "SELECT state FROM intake_inbox WHERE source = 'salesforce' AND event_id = $1",
    [eventId],
  );
const settled = (eventId: string) =>
  waitFor(`${eventId} settled`, async () => {
    const [r] = await inboxRows(eventId);
    return r && r.state !== 'pending' ? r : null;
  });
/** A fixture message for another notification and record. */
const outbound = (notificationId: string, accountId: string, status = 'Suspended') =>
  fixture('outbound-message.xml')
    .replace('04l5g00000AbCdEAAV', notificationId)
    .replace('0015g00000XyZaBAAV', accountId)
    .replace('>Suspended<', `>${status}<`);
let n = 0;
/**
 * A unique 18-character id: unique in its first 15 characters (the id proper; the last three only
 * encode its letters' case, and `AAA` says all lower case), as Standing compares ids by those.
 */
const sfId = (prefix: string) =>
  `${prefix}${String(Date.now() % 10_000_000).padStart(7, '0')}${String(++n).padStart(5, '0')}AAA`;

beforeAll(async () => {
  env = intakeEnv('sf_intake');
  svc = await startIntakeService(env);
  expect(
    (
      await api('/api/v1/tenants/default/salesforce', {
        method: 'PUT',
        body: JSON.stringify({ organization_id: ORG, instance_url: 'https://acme.my.salesforce.com' }),
      })
    ).status,
  ).toBe(200);
  const res = await api('/api/v1/tenants/default/mappings/salesforce', {
    method: 'PUT',
    body: JSON.stringify(MAPPING),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}, 60_000);
afterAll(async () => {
  await stopIntakeService(env, svc);
});

describe('Salesforce Outbound Messages', () => {
  it('stores the notification, then answers the exact acknowledgement; a redelivery is one entry', async () => {
    const notification = sfId('04l');
    const account = sfId('001');
    const first = await postOutbound(outbound(notification, account));
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toContain('text/xml');
    expect((await first.text()).replace(/\s+/g, '')).toBe(fixture('outbound-ack.xml').replace(/\s+/g, ''));
    // Already committed when the ack was sent.
    expect(await inboxRows(`om:${notification}`)).toHaveLength(1);
    expect((await postOutbound(outbound(notification, account))).status).toBe(200);
    expect((await settled(`om:${notification}`)).state).toBe('stored');
    const h = (await (await api(`/api/v1/history?salesforce_account_id=${account}`)).json()) as {
      subject: { kind: string };
      current: { status: string };
      events: Record<string, unknown>[];
    };
    expect(h.subject.kind).toBe('account');
    expect(h.events).toHaveLength(1);
    expect(h.events[0]).toMatchObject({
      about: 'account',
      kind: 'deactivation',
      status: { after: 'suspended' },
      reason: { code: 'non_payment', text: 'Non-payment' },
      source: {
        system: 'salesforce',
        object: 'Account',
        id: account,
        url: `https://acme.my.salesforce.com/${account}`,
        event_id: `om:${notification}`,
      },
      detected_via: 'outbound_message',
    });
    expect(h.current.status).toBe('suspended');
  });

  it('refuses another organization and malformed XML with a SOAP fault, storing nothing', async () => {
    const notification = sfId('04l');
    const other = await postOutbound(outbound(notification, sfId('001')).replace(ORG, '00D000000000001AAA'));
    expect(other.status).toBe(403);
    expect(await other.text()).toContain('<faultcode>soapenv:Client</faultcode>');
    const bad = await postOutbound('<notifications><unclosed></notifications>');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('soapenv:Fault');
    expect(await inboxRows(`om:${notification}`)).toHaveLength(0);
    expect((await postOutbound(outbound(sfId('04l'), sfId('001')), 'nobody')).status).toBe(404);
  });

  it(
    'answers 415 with a SOAP fault naming text/xml to any other content type, storing nothing; text/xml with ' +
      'or without charset is read',
    async () => {
      for (const type of [
        'application/soap+xml; charset=utf-8',
        'application/json',
        'text/plain',
        'application/xml',
        'text/xml; charset=iso-8859-1',
        'not a type',
        null,
      ]) {
        const notification = sfId('04l');
        const res = await postOutbound(outbound(notification, sfId('001')), 'default', type);
        expect(res.status, String(type)).toBe(415);
        expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8');
        const fault = await res.text();
        expect(fault).toContain('<faultcode>soapenv:Client</faultcode>');
        expect(fault).toMatch(
          /<faultstring>[^<]*an outbound message is text\/xml; charset=utf-8 \(SOAP 1\.1\)<\/faultstring>/,
        );
        expect(await inboxRows(`om:${notification}`)).toHaveLength(0);
      }
      for (const type of ['text/xml', 'Text/XML; charset="UTF-8"']) {
        const notification = sfId('04l');
        expect((await postOutbound(outbound(notification, sfId('001')), 'default', type)).status, type).toBe(200);
        expect(await inboxRows(`om:${notification}`)).toHaveLength(1);
      }
    },
  );

  it('joins the Zendesk organization whose external_id is the Account Id: one account, both systems', async () => {
    const account = sfId('001');
    const orgId = String(Date.now() % 1_000_000_000);
    const zd = {
      type: 'zen:event-type:organization.deleted',
      account_id: 1,
      id: randomUUID(),
      time: '2026-03-04T06:00:00Z',
      zendesk_event_version: '2022-06-20',
      subject: `zen:organization:${orgId}`,
      detail: { id: orgId, external_id: account, name: 'Reyes Logistics' },
      event: {},
    };
    expect((await postWebhook(svc.url, 'default', zd)).status).toBe(202);
    const notification = sfId('04l');
    expect((await postOutbound(outbound(notification, account, 'Closed'))).status).toBe(200);
    await settled(`om:${notification}`);
    await waitFor(
      'zendesk stored',
      async () =>
        (
          await svc.resources.db.query<{ state: string }>(
            "SELECT state FROM intake_inbox WHERE event_id = $1 AND state = 'stored'",
            [zd.id],
          )
        ).length > 0,
    );
    const h = (await (await api(`/api/v1/history?zendesk_organization_id=${orgId}`)).json()) as {
      accounts: { identities: Record<string, string> }[];
      events: { source: { system: string } }[];
    };
    expect(h.events.map((e) => e.source.system).sort()).toEqual(['salesforce', 'zendesk']);
    expect(h.accounts).toEqual([
      expect.objectContaining({ identities: expect.objectContaining({ zendesk_organization_id: orgId }) }),
    ]);
  });
});

describe('Salesforce change events', () => {
  it('become one standing event per record, each once however often delivered', async () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = createIntakeQueue({ connection: redis, prefix: env.prefix });
    const inbox = new IntakeInbox(svc.resources.db);
    try {
      const message = JSON.parse(fixture('AccountChangeEvent.json')) as {
        payload: { ChangeEventHeader: Record<string, unknown> } & Record<string, unknown>;
      };
      const ids = [sfId('001'), sfId('001')];
      message.payload.ChangeEventHeader.recordIds = ids;
      message.payload.ChangeEventHeader.transactionKey = randomUUID();
      message.payload.Status__c = 'Closed';
      const deps = {
        accept: (e: Parameters<IntakeInbox['accept']>[0]) => inbox.accept(e),
        enqueue: (keys: Parameters<typeof enqueueIntake>[1] extends readonly (infer K)[] ? K[] : never) =>
          enqueueIntake(queue, keys),
      };
      expect(await acceptChangeEvent(deps, 'default', '/data/AccountChangeEvent', message)).toBe(2);
      expect(await acceptChangeEvent(deps, 'default', '/data/AccountChangeEvent', message)).toBe(0);
      for (const id of ids) {
        const key = `cdc:${String(message.payload.ChangeEventHeader.transactionKey)}:1:${id}`;
        expect((await settled(key)).state).toBe('stored');
        const h = (await (await api(`/api/v1/history?salesforce_account_id=${id}`)).json()) as {
          events: Record<string, unknown>[];
        };
        expect(h.events).toEqual([
          expect.objectContaining({
            kind: 'deactivation',
            status: { before: null, after: 'closed' },
            detected_via: 'change_event',
            source: expect.objectContaining({ event_id: key }),
          }),
        ]);
      }
    } finally {
      await inbox.close();
      await queue.close();
      redis.disconnect();
    }
  });

  it('keeps an unknown status value in quarantine until the Salesforce mapping knows it', async () => {
    const notification = sfId('04l');
    expect((await postOutbound(outbound(notification, sfId('001'), 'Frozen'))).status).toBe(200);
    const row = await settled(`om:${notification}`);
    expect(row.state).toBe('quarantined');
    const q = (await (await api('/api/v1/tenants/default/quarantine')).json()) as {
      events: { event_id: string; source: string; problems: { path: string }[] }[];
    };
    expect(q.events.find((e) => e.event_id === `om:${notification}`)).toMatchObject({
      source: 'salesforce',
      problems: [{ path: 'Status__c' }],
    });
    const bad = await api('/api/v1/tenants/default/mappings/salesforce', {
      method: 'PUT',
      body: JSON.stringify({ version: 1, account: { status_field: 'Status__c', values: { Frozen: 'iced' } } }),
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('account.values.Frozen');
  });
});
