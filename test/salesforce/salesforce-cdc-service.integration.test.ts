/**
 * Change Data Capture through the running service: a tenant's Salesforce connection set through the
 * admin API makes the worker subscribe (a local Bayeux server stands in for Salesforce's CometD
 * endpoint; only the OAuth token endpoint is mocked), and the change events published there become
 * standing events on the right account and person, each once, in the same log as Zendesk's.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationFor } from '../support/access.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import {
  intakeEnv,
  startIntakeService,
  stopIntakeService,
  waitFor,
  type IntakeEnv,
} from '../support/intake-harness.ts';
import { BayeuxTestServer } from './support/bayeux-server.ts';
import { changeEvent } from './support/messages.ts';

const LOGIN = 'https://login.salesforce.com';
const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

let server: BayeuxTestServer;
let env: IntakeEnv;
let svc: ServiceHandle;
/** Waits until the inbox has stored an event of this record (a cheap probe: the subscriber shares the process). */
const storedFor = (recordId: string) =>
  waitFor(
    `an event of ${recordId} stored`,
    async () => {
      await new Promise((r) => setTimeout(r, 200));
      const rows = await svc.resources.db.query(
        "SELECT 1 FROM intake_inbox WHERE source = 'salesforce' AND state = 'stored' AND event_id LIKE $1",
        [`%:${recordId}`],
      );
      return rows.length > 0;
    },
    45_000,
  );
const api = async (path: string, init: RequestInit = {}) =>
  fetch(`${svc.url}${path}`, {
    ...init,
    headers: {
      authorization: await authorizationFor(svc.url, env.env.STANDING_ADMIN_TOKEN!, path),
      'content-type': 'application/json',
      ...init.headers,
    },
  });

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  server = await BayeuxTestServer.start();
  nock(LOGIN)
    .persist()
    .post('/services/oauth2/token')
    .reply(200, () => ({ access_token: 'T1', instance_url: server.url, token_type: 'Bearer' }));
  // Who made a change is named through a look-up of the User.
  nock(server.url, { allowUnmocked: true })
    .persist()
    .get('/services/data/v60.0/query')
    .query(true)
    .reply(200, {
      totalSize: 1,
      done: true,
      records: [{ attributes: { type: 'User' }, Id: '0055g00000Q1w2eAAB', Name: 'Ana Admin' }],
    });
  env = intakeEnv('sf_cdc_service', { STANDING_SALESFORCE_SETTINGS_REFRESH_MS: '300' });
  svc = await startIntakeService(env);
  const mapping = {
    version: 1,
    account: {
      status_field: 'Status__c',
      values: { Active: 'active', Suspended: 'suspended', Closed: 'closed' },
      reason_field: { name: 'Status_Reason__c' },
    },
  };
  expect(
    (await api('/api/v1/tenants/default/mappings/salesforce', { method: 'PUT', body: JSON.stringify(mapping) })).status,
  ).toBe(200);
  const settings = {
    organization_id: '00D5g000004SxYzEAK',
    instance_url: server.url,
    client_id: '3MVG9consumerKeyForTests',
    username: 'integration@acme.com',
    private_key: pem,
  };
  const res = await api('/api/v1/tenants/default/salesforce', { method: 'PUT', body: JSON.stringify(settings) });
  expect(res.status, await res.clone().text()).toBe(200);
  expect(await res.json()).toMatchObject({ private_key_set: true, refresh_token_set: false });
  expect(JSON.stringify(await (await api('/api/v1/tenants/default/salesforce')).json())).not.toContain('PRIVATE KEY');
}, 60_000);

afterAll(async () => {
  await stopIntakeService(env, svc);
  await server.close();
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('Change Data Capture through the service', () => {
  it('subscribes for the tenant and stores each record of each change event once', { timeout: 60_000 }, async () => {
    const transactionKey = randomUUID();
    const records = ['0015g00000CdcAaAAB', '0015g00000CdcAbAAB'];
    // Subscribed once the worker has read the settings (it replays from -2: earlier messages count too).
    await server.publish(
      '/data/AccountChangeEvent',
      changeEvent(
        1,
        { recordIds: records, transactionKey },
        { Status__c: 'Suspended', Status_Reason__c: 'Chargeback' },
      ),
    );
    await server.publish(
      '/data/AccountChangeEvent',
      changeEvent(
        1,
        { recordIds: records, transactionKey },
        { Status__c: 'Suspended', Status_Reason__c: 'Chargeback' },
      ),
    );
    for (const id of records) {
      await storedFor(id);
      const h = (await (await api(`/api/v1/history?salesforce_account_id=${id}`)).json()) as {
        events: Record<string, unknown>[];
      };
      expect(h.events).toEqual([
        expect.objectContaining({
          about: 'account',
          kind: 'deactivation',
          status: { before: null, after: 'suspended' },
          reason: { code: 'unspecified', text: 'Chargeback' },
          detected_via: 'change_event',
          actor: { type: 'agent', id: '0055g00000Q1w2eAAB', name: 'Ana Admin' },
          source: expect.objectContaining({ system: 'salesforce', object: 'Account', id }),
        }),
      ]);
    }
    // The replay id is stored once the events are durable.
    await waitFor(
      'replay id stored',
      async () =>
        (
          await svc.resources.db.query<{ replay_id: string }>(
            "SELECT replay_id FROM salesforce_replay WHERE tenant = 'default' AND channel = '/data/AccountChangeEvent'",
          )
        )[0],
    );
  });

  it(
    're-reads the record a GAP event names and records what it found as an observation',
    { timeout: 60_000 },
    async () => {
      const id = '0015g00000CdcGaAAB';
      const reread = nock(server.url, { allowUnmocked: true })
        .post(
          '/services/data/v60.0/composite/sobjects/Account',
          (body: { ids: string[]; fields: string[] }) => body.ids.includes(id) && body.fields.includes('Status__c'),
        )
        .reply(200, [{ attributes: { type: 'Account' }, Id: id, Status__c: 'Closed', Status_Reason__c: null }]);
      await server.publish(
        '/data/AccountChangeEvent',
        changeEvent(
          2,
          { recordIds: [id], transactionKey: randomUUID(), changeType: 'GAP_UPDATE', changedFields: [] },
          { Status__c: undefined, Status_Reason__c: undefined },
        ),
      );
      await storedFor(id);
      const h = (await (await api(`/api/v1/history?salesforce_account_id=${id}`)).json()) as {
        events: Record<string, unknown>[];
      };
      expect(h.events).toEqual([
        expect.objectContaining({
          kind: 'status_observed',
          status: { before: null, after: 'closed' },
          detected_via: 'reconciliation',
        }),
      ]);
      expect(reread.isDone()).toBe(true);
    },
  );

  it("refuses a formula field as the status field, from the org's describe", async () => {
    nock(server.url, { allowUnmocked: true })
      .get('/services/data/v60.0/sobjects/Account/describe')
      .reply(200, {
        name: 'Account',
        fields: [
          { name: 'Status__c', calculated: false },
          { name: 'Standing_Formula__c', calculated: true },
        ],
      });
    const res = await api('/api/v1/tenants/default/mappings/salesforce', {
      method: 'PUT',
      body: JSON.stringify({
        version: 1,
        account: { status_field: 'Standing_Formula__c', values: { Good: 'active' } },
      }),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('account.status_field');
  });
});
