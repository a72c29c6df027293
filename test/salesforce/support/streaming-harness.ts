/**
 * What the streaming suites share: a local Bayeux server standing in for Salesforce's CometD
 * endpoint, the token endpoint mocked with nock (JWT bearer; the token it issues is whatever
 * `issue` says), real PostgreSQL for the replay store, and a recording `onMessage`.
 */
import { generateKeyPairSync } from 'node:crypto';
import nock from 'nock';
import type { SubscribedMessage } from '../../../salesforce/change-event.ts';
import {
  CometdChangeEventSubscriber,
  type CometdSubscriberOptions,
  type SubscriberObserver,
} from '../../../salesforce/cdc-subscriber.ts';
import {
  SalesforceConnectionFactory,
  type SalesforceSession,
  type SalesforceSettingsInput,
} from '../../../salesforce/connection.ts';
import { PgReplayStore } from '../../../salesforce/replay-store.ts';
import { openTestStore, type TestStore } from '../../support/databases.ts';
import { BayeuxTestServer } from './bayeux-server.ts';

export const LOGIN = 'https://login.salesforce.com';
const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

export interface Received {
  channel: string;
  replayId: number | null;
  kind: SubscribedMessage['kind'];
}

export class StreamingHarness {
  /** The access token the mocked token endpoint issues next. */
  issue = 'T1';
  tokenRequests = 0;
  /** How many of the next token requests answer 503. */
  failTokens = 0;
  private readonly running = new Set<CometdChangeEventSubscriber>();

  private constructor(
    public server: BayeuxTestServer,
    readonly store: TestStore,
    readonly replay: PgReplayStore,
  ) {}

  static async start(label: string): Promise<StreamingHarness> {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    const [server, store] = await Promise.all([BayeuxTestServer.start(), openTestStore('postgres', label)]);
    const h = new StreamingHarness(server, store, new PgReplayStore(store.db));
    nock(LOGIN)
      .persist()
      .post('/services/oauth2/token')
      .reply(() => {
        h.tokenRequests++;
        if (h.failTokens > 0) {
          h.failTokens--;
          return [503, 'Service Unavailable'];
        }
        return [200, { access_token: h.issue, instance_url: h.server.url, token_type: 'Bearer' }];
      });
    return h;
  }

  /** A new Bayeux server (a fresh org: no retained events, no subscribers). */
  async restartServer(): Promise<void> {
    await this.server.close();
    this.server = await BayeuxTestServer.start();
  }

  /** Stops every subscriber this harness made (a failed test leaves none running). */
  async stopSubscribers(): Promise<void> {
    await Promise.all([...this.running].map((s) => s.stop()));
    this.running.clear();
  }

  /** JWT bearer settings pointing at the mocked login URL and the Bayeux server. */
  settings(): SalesforceSettingsInput {
    return {
      instanceUrl: this.server.url,
      loginUrl: LOGIN,
      clientId: '3MVG9consumerKey',
      apiVersion: this.server.apiVersion,
      auth: { kind: 'jwt', username: 'integration@acme.com', privateKeyPem: pem },
    };
  }

  async session(tenant = 'acme'): Promise<SalesforceSession> {
    const r = await new SalesforceConnectionFactory().connect(tenant, this.settings());
    if (!r.ok) throw r.error;
    return r.value;
  }

  /** A subscriber recording what `onMessage` got into `received`; `onMessage` may be replaced. */
  async subscriber(
    options: CometdSubscriberOptions & { tenant?: string; onMessage?: (m: SubscribedMessage) => Promise<void> } = {},
  ): Promise<{
    subscriber: CometdChangeEventSubscriber;
    received: Received[];
    events: string[];
    session: SalesforceSession;
  }> {
    const session = await this.session(options.tenant);
    const received: Received[] = [];
    const events: string[] = [];
    const observer: SubscriberObserver = {
      subscribed: (ch, from) => events.push(`subscribed ${ch} ${from}`),
      connectionLost: (reason) => events.push(`lost ${reason}`),
      gap: (g) => events.push(`gap ${g.channel} ${g.fromReplayId}`),
      stored: (ch, id) => events.push(`stored ${ch} ${id}`),
    };
    const subscriber = new CometdChangeEventSubscriber(
      {
        session,
        store: this.replay,
        onMessage: async (_tenant, channel, message) => {
          await options.onMessage?.(message);
          received.push({ channel, replayId: message.replayId, kind: message.kind });
        },
      },
      { backoff: { initialMs: 50, maxMs: 400, jitter: 0 }, subscribeTimeoutMs: 5000, observer, ...options },
    );
    this.running.add(subscriber);
    return { subscriber, received, events, session };
  }

  async stored(tenant = 'acme'): Promise<Record<string, number>> {
    return Object.fromEntries(
      await this.replay.load(tenant, [
        '/data/AccountChangeEvent',
        '/data/ContactChangeEvent',
        '/event/Account_Status__e',
      ]),
    );
  }

  async dispose(): Promise<void> {
    await this.stopSubscribers();
    nock.cleanAll();
    nock.enableNetConnect();
    await Promise.all([this.server.close(), this.store.dispose()]);
  }
}
