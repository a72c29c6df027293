import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgReplayStore } from '../../salesforce/replay-store.ts';
import { BACKENDS, openTestStore, type TestStore } from '../support/databases.ts';

describe.each(BACKENDS)('replay store on %s', (backend) => {
  let store: TestStore;
  let replay: PgReplayStore;
  beforeAll(async () => {
    store = await openTestStore(backend, 'sf_replay');
    replay = new PgReplayStore(store.db);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('keeps the last replay id per tenant and channel', async () => {
    await replay.save('acme', '/data/AccountChangeEvent', 6734);
    await replay.save('acme', '/data/AccountChangeEvent', 6740);
    await replay.save('acme', '/event/Account_Status__e', 3);
    await replay.save('globex', '/data/AccountChangeEvent', 12);
    expect(
      Object.fromEntries(
        await replay.load('acme', ['/data/AccountChangeEvent', '/data/ContactChangeEvent', '/event/Account_Status__e']),
      ),
    ).toEqual({
      '/data/AccountChangeEvent': 6740,
      '/event/Account_Status__e': 3,
    });
  });

  it('records a gap and moves the channel to -2 in one step; open gaps are listed oldest first', async () => {
    await replay.save('initech', '/data/ContactChangeEvent', 40);
    await replay.recordGap(
      {
        tenant: 'initech',
        channel: '/data/ContactChangeEvent',
        fromReplayId: 40,
        reason: '400::The replayId {40} you provided was invalid.',
      },
      -2,
    );
    await replay.recordGap(
      {
        tenant: 'initech',
        channel: '/data/AccountChangeEvent',
        fromReplayId: 7,
        reason: '400::The replayId {7} you provided was invalid.',
      },
      -2,
    );
    expect((await replay.load('initech', ['/data/ContactChangeEvent'])).get('/data/ContactChangeEvent')).toBe(-2);
    const gaps = await replay.openGaps('initech');
    expect(gaps.map((g) => [g.channel, g.fromReplayId])).toEqual([
      ['/data/ContactChangeEvent', 40],
      ['/data/AccountChangeEvent', 7],
    ]);
    expect(Number.isNaN(Date.parse(gaps[0]!.detectedAt))).toBe(false);
    expect(await replay.openGaps('acme')).toEqual([]);
  });
});
