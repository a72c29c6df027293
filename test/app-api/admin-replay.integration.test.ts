/**
 * A replay from the Zendesk app's admin page is the same act as one through the admin API: while
 * the replay's job waits in the queue, the sweeper leaves the event alone (no second job).
 * An API-only service, so that no worker takes the job; the sweep is run by hand.
 */
import { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { staticLookups } from '../../connector/app-api/zendesk-app-lookups.ts';
import { IntakeInbox } from '../../connector/intake/intake-inbox.ts';
import { createIntakeQueue, type IntakeJobData } from '../../queue/intake-queue.ts';
import { sweepPendingIntake } from '../../queue/intake-sweeper.ts';
import { issueKey } from '../support/access.ts';
import { appToken, createTenant, startAppService, type AppService } from '../support/app-harness.ts';
import { REDIS_URL, stopIntakeService } from '../support/intake-harness.ts';

const SECRET = 'acme-app-shared-secret-replay-0123456789';
let s: AppService;
let inbox: IntakeInbox;
let connection: Redis;
let queue: Queue<IntakeJobData>;

beforeAll(async () => {
  s = await startAppService('app_replay', staticLookups({ roles: { acme: { '7001': 'admin' } } }), {
    STANDING_ROLE: 'api',
  });
  await createTenant(s, { id: 'acme', name: 'Acme', zendesk: { subdomain: 'acme', app_shared_secret: SECRET } });
  inbox = new IntakeInbox(s.handle.resources.db);
  connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  queue = createIntakeQueue({ connection, prefix: s.env.prefix });
});
afterAll(async () => {
  await queue?.close();
  connection?.disconnect();
  await inbox?.close();
  if (s) await stopIntakeService(s.env, s.handle);
});

/** An event quarantined by an earlier run, accepted long enough ago for the sweeper to look at it. */
async function quarantined(eventId: string): Promise<void> {
  const key = { tenant: 'acme', source: 'zendesk' as const, event_id: eventId };
  await inbox.accept({ ...key, body: { type: 'zen:event-type:user.some_future_event', id: eventId }, meta: {} });
  await inbox.load([key]);
  await inbox.settle([
    { ...key, state: 'quarantined', outcome: { reason: 'unknown_event_type', problems: [] }, mapping_version: null },
  ]);
  await s.handle.resources.db.query(
    "UPDATE intake_inbox SET received_at = now() - interval '10 minutes' WHERE tenant = 'acme' AND event_id = $1",
    [eventId],
  );
}

const doors = {
  'the app admin page': async (eventId: string) =>
    fetch(`${s.url}/app/v1/acme/admin/quarantine/replay`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await appToken(SECRET, { tenant: 'acme', user_id: '7001' })}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ event_ids: [eventId] }),
    }),
  'the admin API': async (eventId: string) =>
    fetch(`${s.url}/api/v1/tenants/acme/quarantine/replay`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await issueKey(s.url, s.adminToken, 'acme', 'admin')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ event_ids: [eventId] }),
    }),
};

it.each(Object.keys(doors) as (keyof typeof doors)[])(
  'a replay through %s is not enqueued again by the sweeper while its job waits',
  async (door) => {
    const eventId = `replay-${door.replace(/\W/g, '-')}-${Date.now()}`;
    await quarantined(eventId);
    const waitingBefore = await queue.getWaitingCount();

    const res = await doors[door](eventId);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ replayed: 1, event_ids: [eventId] });
    expect(await queue.getWaitingCount()).toBe(waitingBefore + 1);

    expect(await sweepPendingIntake(inbox, queue, 120_000, 100)).toBe(0);
    expect(await queue.getWaitingCount()).toBe(waitingBefore + 1);
    const [row] = await s.handle.resources.db.query<{ state: string; job_round: string | null }>(
      "SELECT state, job_round FROM intake_inbox WHERE tenant = 'acme' AND event_id = $1",
      [eventId],
    );
    expect(row).toMatchObject({ state: 'pending', job_round: expect.stringMatching(/^-p\d+$/) });
  },
);

it('the app page names the events it replays; a bad cursor or limit is a 400 naming it, as on the API', async () => {
  const headers = {
    authorization: `Bearer ${await appToken(SECRET, { tenant: 'acme', user_id: '7001' })}`,
    'content-type': 'application/json',
  };
  const all = await fetch(`${s.url}/app/v1/acme/admin/quarantine/replay`, { method: 'POST', headers, body: '{}' });
  expect(all.status).toBe(400);
  expect(JSON.stringify(await all.json())).toContain('event_ids');
  const cursor = await fetch(`${s.url}/app/v1/acme/admin/quarantine?cursor=nope`, { headers });
  expect(cursor.status).toBe(400);
  expect(((await cursor.json()) as { error: { code: string } }).error.code).toBe('invalid_cursor');
  const limit = await fetch(`${s.url}/app/v1/acme/admin/quarantine?limit=0`, { headers });
  expect(limit.status).toBe(400);
  expect(((await limit.json()) as { error: { details: { path: string }[] } }).error.details.map((d) => d.path)).toEqual(
    ['limit'],
  );
});
