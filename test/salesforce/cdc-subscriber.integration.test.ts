import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { changeEvent, contactChangeEvent, gapEvent, mergedChangeEvent, undeleteEvent } from './support/messages.ts';
import { StreamingHarness } from './support/streaming-harness.ts';

const ACCOUNT = '/data/AccountChangeEvent';
const CONTACT = '/data/ContactChangeEvent';
const PLATFORM = '/event/Account_Status__e';
/** The subscriber's notifications of the test under way, shown when a wait fails. */
let progress: string[] = [];
const until = (fn: () => unknown) =>
  vi.waitFor(() => expect(fn(), progress.join('\n')).toBeTruthy(), { timeout: 5_000, interval: 20 });

describe('CometD change event subscriber', () => {
  let h: StreamingHarness;
  beforeAll(async () => {
    h = await StreamingHarness.start('sf_cdc');
  });
  afterAll(async () => {
    await h?.dispose();
  });
  // Each test has a Salesforce org of its own: retained events do not leak between tests.
  beforeEach(() => h.restartServer());
  afterEach(() => h.stopSubscribers());

  it(
    'delivers messages in order and stores a replay id only after onMessage resolved; a rejection does not ' +
      'advance it',
    async () => {
      const tenant = 'order';
      let rejectOnce = true;
      const storedDuringCallback: (number | undefined)[] = [];
      const { subscriber, received, events } = await h.subscriber({
        tenant,
        channels: [ACCOUNT, CONTACT, PLATFORM],
        onMessage: async (m) => {
          if (m.channel !== ACCOUNT) return;
          // The replay id of this message is not stored yet while the callback runs.
          storedDuringCallback.push((await h.stored(tenant))[ACCOUNT]);
          if (m.replayId === 3 && rejectOnce) {
            rejectOnce = false;
            throw new Error('inbox unavailable');
          }
        },
      });
      subscriber.start();
      progress = events;
      await until(() => events.filter((e) => e.startsWith('subscribed')).length === 3);

      await h.server.publish(ACCOUNT, changeEvent(1));
      await h.server.publish(ACCOUNT, mergedChangeEvent(2));
      await h.server.publish(CONTACT, contactChangeEvent(1));
      await h.server.publish(ACCOUNT, gapEvent(3));
      await until(() => received.some((r) => r.channel === ACCOUNT && r.replayId === 3));
      await h.server.publish(ACCOUNT, undeleteEvent(4));
      await h.server.publish(PLATFORM, {
        schema: 'x',
        payload: { Account_Id__c: '0015g00000XyZaBAAV' },
        event: { replayId: 7 },
      });
      await until(() => received.some((r) => r.replayId === 4) && received.some((r) => r.channel === PLATFORM));
      await subscriber.stop();

      const accounts = received.filter((r) => r.channel === ACCOUNT).map((r) => r.replayId);
      expect(accounts).toEqual([1, 2, 3, 4]);
      expect(received.filter((r) => r.channel !== ACCOUNT)).toEqual([
        { channel: CONTACT, replayId: 1, kind: 'change_event' },
        { channel: PLATFORM, replayId: 7, kind: 'platform_event' },
      ]);
      // 3 was rejected once: the stored id stayed at 2, the resubscription asked from 2 and got 3 again.
      expect(storedDuringCallback).toEqual([undefined, 1, 2, 2, 3]);
      expect(events).toContain('lost callback_failed');
      expect(h.server.subscribes.filter((s) => s.channel === ACCOUNT).map((s) => s.replayFrom)).toEqual([-2, 2]);
      expect(await h.stored(tenant)).toEqual({ [ACCOUNT]: 4, [CONTACT]: 1, [PLATFORM]: 7 });
    },
  );

  it('a restart resumes after the stored replay id: nothing lost, nothing twice', async () => {
    const tenant = 'restart';
    const first = await h.subscriber({ tenant, channels: [ACCOUNT] });
    first.subscriber.start();
    progress = first.events;
    await until(() => first.events.includes(`subscribed ${ACCOUNT} -2`));
    await h.server.publish(ACCOUNT, changeEvent(101));
    await h.server.publish(ACCOUNT, changeEvent(102));
    await until(() => first.events.includes(`stored ${ACCOUNT} 102`));
    await first.subscriber.stop();

    // Published while no process was subscribed.
    await h.server.publish(ACCOUNT, changeEvent(103));
    await h.server.publish(ACCOUNT, changeEvent(104));

    const second = await h.subscriber({ tenant, channels: [ACCOUNT] });
    second.subscriber.start();
    progress = second.events;
    await until(() => second.events.includes(`stored ${ACCOUNT} 104`));
    await h.server.publish(ACCOUNT, changeEvent(105));
    await until(() => second.events.includes(`stored ${ACCOUNT} 105`));
    await second.subscriber.stop();

    expect(second.events[0]).toBe(`subscribed ${ACCOUNT} 102`);
    const ids = (r: { replayId: number | null }[]) => r.map((m) => m.replayId).filter((id) => id !== null && id > 100);
    expect([...ids(first.received), ...ids(second.received)]).toEqual([101, 102, 103, 104, 105]);
  });

  it(
    'a session expiring mid-stream (401 on /meta/connect) gets a ' + 'new token and a new client, and loses nothing',
    async () => {
      const tenant = 'expiry';
      h.issue = 'T1';
      h.server.validTokens = new Set(['T1']);
      const { subscriber, received, events } = await h.subscriber({ tenant, channels: [ACCOUNT] });
      subscriber.start();
      progress = events;
      await until(() => events.includes(`subscribed ${ACCOUNT} -2`));
      await h.server.publish(ACCOUNT, changeEvent(201));
      await until(() => events.includes(`stored ${ACCOUNT} 201`));

      const tokenRequests = h.tokenRequests;
      h.issue = 'T2';
      h.server.validTokens = new Set(['T2']);
      await h.server.publish(ACCOUNT, changeEvent(202));
      // 202 arrives on the old client before its session is refused, or is replayed to the new one.
      await until(
        () =>
          events.includes(`stored ${ACCOUNT} 202`) &&
          events.indexOf('lost unauthorized') >= 0 &&
          events.findLastIndex((e) => e.startsWith('subscribed')) > events.indexOf('lost unauthorized'),
      );
      await h.server.publish(ACCOUNT, changeEvent(203));
      await until(() => events.includes(`stored ${ACCOUNT} 203`));
      await subscriber.stop();

      expect(events).toContain('lost unauthorized');
      expect(h.tokenRequests).toBe(tokenRequests + 1);
      expect(h.server.subscribes.filter((s) => s.channel === ACCOUNT).map((s) => [s.token, s.refused])).toEqual([
        ['T1', false],
        ['T2', false],
      ]);
      expect(received.map((r) => r.replayId).filter((id) => id !== null && id > 200)).toEqual([201, 202, 203]);
      h.server.validTokens = null;
    },
  );

  it('a handshake refused for an expired session gets a new token first', async () => {
    const tenant = 'handshake';
    h.issue = 'T5';
    h.server.validTokens = new Set(['T6']);
    const { subscriber, events } = await h.subscriber({ tenant, channels: [ACCOUNT] });
    h.issue = 'T6';
    subscriber.start();
    progress = events;
    await until(() => events.includes(`subscribed ${ACCOUNT} -2`));
    await subscriber.stop();
    expect(events[0]).toBe('lost unauthorized');
    expect(h.server.subscribes.map((s) => s.token)).toEqual(['T6']);
    h.server.validTokens = null;
  });

  it('a token refreshed elsewhere (jsforce on a REST 401) recreates the client with the new token', async () => {
    const tenant = 'refreshed';
    h.issue = 'T3';
    const { subscriber, events, session } = await h.subscriber({ tenant, channels: [CONTACT] });
    subscriber.start();
    progress = events;
    await until(() => events.includes(`subscribed ${CONTACT} -2`));
    h.issue = 'T4';
    const r = await session.refresh();
    expect(r.ok).toBe(true);
    await until(() => events.filter((e) => e.startsWith('subscribed')).length === 2);
    expect(events).toContain('lost token_refreshed');
    expect(
      h.server.subscribes
        .filter((s) => s.channel === CONTACT)
        .map((s) => s.token)
        .slice(-2),
    ).toEqual(['T3', 'T4']);

    // Discarded clients leave no connection behind (jsforce's client opens a WebSocket probe).
    for (let i = 5; i < 15; i++) {
      h.issue = `T${i}`;
      await session.refresh();
      await until(() => events.filter((e) => e.startsWith('subscribed')).length === i - 2);
    }
    await until(() => h.server.openSockets <= 3);
    await subscriber.stop();
  });

  it('a replay id Salesforce no longer retains records a gap and resubscribes from -2', async () => {
    const tenant = 'too_old';
    await h.replay.save(tenant, ACCOUNT, 17);
    // Salesforce still retains 18-20, no longer 17.
    for (const id of [18, 19, 20]) await h.server.publish(ACCOUNT, changeEvent(id));
    h.server.tooOld.add(17);
    const { subscriber, received, events } = await h.subscriber({ tenant, channels: [ACCOUNT] });
    subscriber.start();
    progress = events;
    await until(() => events.includes(`subscribed ${ACCOUNT} -2`));
    await until(() => events.includes(`stored ${ACCOUNT} 20`));
    await subscriber.stop();

    expect(events.slice(0, 2)).toEqual([`gap ${ACCOUNT} 17`, `subscribed ${ACCOUNT} -2`]);
    const gaps = await h.replay.openGaps(tenant);
    expect(gaps).toEqual([
      {
        tenant,
        channel: ACCOUNT,
        fromReplayId: 17,
        detectedAt: expect.any(String),
        reason: expect.stringContaining('400::The replayId {17}'),
      },
    ]);
    // Every retained event was replayed, in order, and the position moved past them.
    expect(received.map((r) => r.replayId)).toEqual([18, 19, 20]);
    expect((await h.stored(tenant))[ACCOUNT]).toBe(20);
  });

  it('reconnects with backoff when the server drops the client, and resumes from the stored replay id', async () => {
    const tenant = 'dropped';
    const { subscriber, received, events } = await h.subscriber({ tenant, channels: [CONTACT], initialReplayId: -1 });
    subscriber.start();
    progress = events;
    await until(() => events.includes(`subscribed ${CONTACT} -1`));
    await h.server.publish(CONTACT, contactChangeEvent(301));
    await until(() => events.includes(`stored ${CONTACT} 301`));
    h.server.connectFailures.push('403::Unknown client', '403::Unknown client');
    await until(
      () =>
        events.filter((e) => e === 'lost unknown_client').length === 2 && events.at(-1) === `subscribed ${CONTACT} 301`,
    );
    await h.server.publish(CONTACT, contactChangeEvent(302));
    await until(() => events.includes(`stored ${CONTACT} 302`));
    await subscriber.stop();
    expect(received.map((r) => r.replayId)).toEqual([301, 302]);
  });

  it('reconnects when the server goes away and comes back, resuming from the stored replay id', async () => {
    const tenant = 'outage';
    const { subscriber, received, events } = await h.subscriber({ tenant, channels: [ACCOUNT] });
    subscriber.start();
    progress = events;
    await until(() => events.includes(`subscribed ${ACCOUNT} -2`));
    await h.server.publish(ACCOUNT, changeEvent(401));
    await until(() => events.includes(`stored ${ACCOUNT} 401`));

    const down = h.server;
    await down.close();
    await until(() => events.includes('lost transport_down'));
    // Published while the client could not reach the server.
    down.retain(ACCOUNT, changeEvent(402));
    h.server = await down.restart();
    await until(() => events.includes(`stored ${ACCOUNT} 402`));
    await h.server.publish(ACCOUNT, changeEvent(403));
    await until(() => events.includes(`stored ${ACCOUNT} 403`));
    await subscriber.stop();
    expect(events.filter((e) => e.startsWith('subscribed'))).toEqual([
      `subscribed ${ACCOUNT} -2`,
      `subscribed ${ACCOUNT} 401`,
    ]);
    expect(received.map((r) => r.replayId)).toEqual([401, 402, 403]);
  });
});
