import { generateKeyPairSync } from 'node:crypto';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SalesforceConnectionFactory, type SalesforceTokens } from '../../salesforce/connection.ts';

const LOGIN = 'https://login.salesforce.com';
const INSTANCE = 'https://acme.my.salesforce.com';
const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const jwtSettings = {
  instanceUrl: INSTANCE,
  loginUrl: LOGIN,
  clientId: '3MVG9consumerKey',
  auth: { kind: 'jwt' as const, username: 'integration@acme.com', privateKeyPem: pem },
};
const rtSettings = {
  instanceUrl: INSTANCE,
  loginUrl: LOGIN,
  clientId: '3MVG9consumerKey',
  auth: { kind: 'refresh_token' as const, clientSecret: 'consumer-secret', refreshToken: 'R1' },
};
const token = (access: string, extra: Record<string, unknown> = {}) => ({
  access_token: access,
  instance_url: INSTANCE,
  id: `${LOGIN}/id/00D5g000000AAAA/0055g00000Q1w2eAAB`,
  token_type: 'Bearer',
  issued_at: '1775282402000',
  ...extra,
});
const QUERY = '/services/data/v60.0/query';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const claims = (assertion: string) =>
  JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;

describe('Salesforce connection', () => {
  it('JWT bearer: signs an assertion, and re-signs once when a REST call answers 401 INVALID_SESSION_ID', async () => {
    const assertions: string[] = [];
    nock(LOGIN)
      .post(
        '/services/oauth2/token',
        (b: Record<string, string>) =>
          b.grant_type === 'urn:ietf:params:oauth:grant-type:jwt-bearer' &&
          assertions.push(b.assertion ?? '') > 0 &&
          b.client_id === undefined,
      )
      .reply(200, token('T1'))
      .post('/services/oauth2/token', (b: Record<string, string>) => assertions.push(b.assertion ?? '') > 0)
      .reply(200, token('T2'));
    nock(INSTANCE)
      .get(QUERY)
      .query(true)
      .matchHeader('authorization', 'Bearer T1')
      .reply(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }])
      .get(QUERY)
      .query(true)
      .matchHeader('authorization', 'Bearer T2')
      .reply(200, { totalSize: 1, done: true, records: [{ Id: '0015g00000XyZaBAAV' }] });

    const r = await new SalesforceConnectionFactory().connect('acme', jwtSettings);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const refreshed: SalesforceTokens[] = [];
    r.value.onRefresh((t) => refreshed.push(t));
    const res = await r.value.connection.query<{ Id: string }>('SELECT Id FROM Account LIMIT 1');
    expect(res.records[0]?.Id).toBe('0015g00000XyZaBAAV');
    expect(assertions).toHaveLength(2);
    expect(claims(assertions[0]!)).toMatchObject({ iss: '3MVG9consumerKey', sub: 'integration@acme.com', aud: LOGIN });
    expect(refreshed.map((t) => t.accessToken)).toEqual(['T2']);
    expect(r.value.connection.accessToken).toBe('T2');
    expect(nock.isDone()).toBe(true);
  });

  it('refresh token: rotated tokens go to onTokens, and the rotated one is used for the next refresh', async () => {
    const sent: string[] = [];
    nock(LOGIN)
      .post(
        '/services/oauth2/token',
        (b: Record<string, string>) =>
          b.grant_type === 'refresh_token' &&
          b.client_id === '3MVG9consumerKey' &&
          b.client_secret === 'consumer-secret' &&
          sent.push(b.refresh_token ?? '') > 0,
      )
      .reply(200, token('T1', { refresh_token: 'R2' }))
      .post('/services/oauth2/token', (b: Record<string, string>) => sent.push(b.refresh_token ?? '') > 0)
      .reply(200, token('T2', { refresh_token: 'R3' }));
    nock(INSTANCE)
      .get(QUERY)
      .query(true)
      .matchHeader('authorization', 'Bearer T1')
      .reply(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }])
      .get(QUERY)
      .query(true)
      .matchHeader('authorization', 'Bearer T2')
      .reply(200, { totalSize: 0, done: true, records: [] });

    const persisted: [string, string | null][] = [];
    const factory = new SalesforceConnectionFactory({
      onTokens: async (tenant, t) => void persisted.push([tenant, t.refreshToken]),
    });
    const r = await factory.connect('acme', rtSettings);
    if (!r.ok) throw r.error;
    await r.value.connection.query('SELECT Id FROM Account LIMIT 1');
    expect(sent).toEqual(['R1', 'R2']);
    expect(persisted).toEqual([
      ['acme', 'R2'],
      ['acme', 'R3'],
    ]);
  });

  it('a REST call whose fresh session is refused too fails instead of refreshing forever', async () => {
    let tokens = 0;
    let queries = 0;
    nock(LOGIN)
      .persist()
      .post('/services/oauth2/token')
      .reply(() => [200, token(`T${++tokens}`)]);
    nock(INSTANCE)
      .persist()
      .get(QUERY)
      .query(true)
      .reply(() => [401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID', n: ++queries }]]);
    const r = await new SalesforceConnectionFactory().connect('acme', jwtSettings);
    if (!r.ok) throw r.error;
    await expect(r.value.connection.query('SELECT Id FROM Account LIMIT 1')).rejects.toThrow(/moments ago/);
    expect([tokens, queries]).toEqual([2, 2]);
  });

  it(
    'returns provider failures as values: refused grant, ' + 'unavailable endpoint, network error, bad settings',
    async () => {
      const factory = new SalesforceConnectionFactory();
      nock(LOGIN)
        .post('/services/oauth2/token')
        .reply(400, { error: 'invalid_grant', error_description: 'expired access/refresh token' });
      const refused = await factory.connect('acme', rtSettings);
      expect(
        refused.ok
          ? null
          : { failure: refused.error.failure, code: refused.error.code, retryable: refused.error.retryable },
      ).toEqual({ failure: 'rejected', code: 'invalid_grant', retryable: false });

      nock(LOGIN).post('/services/oauth2/token').reply(503, 'Service Unavailable');
      const down = await factory.connect('acme', jwtSettings);
      expect(down.ok ? null : [down.error.failure, down.error.retryable]).toEqual(['unavailable', true]);

      // A refused connection (nock's replyWithError never settles jsforce's node-fetch stream).
      nock.enableNetConnect('127.0.0.1');
      const network = await factory.connect('acme', { ...jwtSettings, loginUrl: 'http://127.0.0.1:1' });
      nock.disableNetConnect();
      expect(network.ok ? null : network.error.failure).toBe('unavailable');

      nock(LOGIN).post('/services/oauth2/token').delay(2000).reply(200, token('late'));
      const slow = await new SalesforceConnectionFactory({ tokenTimeoutMs: 50 }).connect('acme', jwtSettings);
      expect(slow.ok ? null : [slow.error.failure, slow.error.code]).toEqual(['unavailable', 'timeout']);

      const bad = await factory.connect('acme', {
        ...jwtSettings,
        auth: { ...jwtSettings.auth, privateKeyPem: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----' },
      });
      expect(bad.ok ? null : [bad.error.failure, bad.error.message]).toEqual([
        'invalid_settings',
        'the private key is not a readable PEM private key',
      ]);
      const invalid = await factory.connect('acme', { ...rtSettings, instanceUrl: 'acme' });
      expect(invalid.ok ? null : invalid.error.message).toMatch(/^Salesforce settings: instanceUrl: /);
      expect(invalid.ok ? '' : invalid.error.message).not.toContain('R1');
    },
  );
});
