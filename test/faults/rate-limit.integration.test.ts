/**
 * A provider's 429 delays that tenant and that provider only: its jobs wait (without spending an
 * attempt) while other tenants' events flow. Only Zendesk's HTTP is mocked (nock).
 */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import nock from 'nock';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IntakeInbox } from '../../connector/intake/intake-inbox.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import type { IntakeJobData } from '../../queue/intake-queue.ts';
import { sweepPendingIntake } from '../../queue/intake-sweeper.ts';
import {
  intakeEnv,
  postWebhook,
  startIntakeService,
  waitFor,
  type IntakeEnv,
  stopIntakeService,
} from '../support/intake-harness.ts';
import { userDeactivated } from '../support/load.ts';

let env: IntakeEnv;
let svc: ServiceHandle;
const run = `${Date.now()}`;
const SLOW_SECRET = randomBytes(32).toString('base64');

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  env = intakeEnv('zd_ratelimit');
  svc = await startIntakeService(env);
  const created = await fetch(`${svc.url}/api/v1/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${env.env.STANDING_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      id: 'slow',
      name: 'Slow Co',
      zendesk: {
        subdomain: 'slowco',
        webhook_secret: SLOW_SECRET,
        api_email: 'ops@slowco.example',
        api_token: 'slowco-api-token',
      },
    }),
  });
  expect(created.status).toBe(201);
});
afterAll(async () => {
  await stopIntakeService(env, svc);
  nock.cleanAll();
  nock.enableNetConnect();
});

const userEvent = (id: string, user: number, email?: string) => userDeactivated(id, user, { email });

const states = async (ids: string[]) =>
  await svc.resources.db.query<{ event_id: string; state: string; attempts: number }>(
    'SELECT event_id, state, attempts FROM intake_inbox WHERE event_id = ANY($1::text[]) ORDER BY event_id',
    [ids],
  );

it("one tenant's 429 does not stop another tenant", async () => {
  // Slow Co's users lack an email: the worker asks Zendesk, which answers 429 for a minute.
  const limited = nock('https://slowco.zendesk.com')
    .persist()
    .get(/\/api\/v2\/users\/\d+\.json/)
    .reply(429, { error: 'TooManyRequests' }, { 'Retry-After': '60', 'Content-Type': 'application/json' });
  const slowIds = Array.from({ length: 3 }, (_, i) => `slow-${run}-${i}`);
  const otherIds = Array.from({ length: 12 }, (_, i) => `other-${run}-${i}`);
  // Sent together, so the two tenants' events share batches.
  const statuses = await Promise.all([
    ...slowIds.map((id, i) =>
      postWebhook(svc.url, 'slow', userEvent(id, 670_000 + i), { secret: SLOW_SECRET }).then((r) => r.status),
    ),
    ...otherIds.map((id, i) =>
      postWebhook(svc.url, 'default', userEvent(id, 671_000 + i, `o${i}@example.com`)).then((r) => r.status),
    ),
  ]);
  expect(new Set(statuses)).toEqual(new Set([202]));

  await waitFor(
    'the other tenant stored',
    async () => (await states(otherIds)).filter((r) => r.state === 'stored').length === otherIds.length,
  );
  expect(limited.isDone()).toBe(true);
  // Slow Co's events wait in the inbox, their jobs delayed, no attempt spent, nothing failed.
  expect((await states(slowIds)).map((r) => [r.state, r.attempts])).toEqual(slowIds.map(() => ['pending', 0]));
  const queue = new Queue<IntakeJobData>('standing-intake', {
    connection: { url: env.env.REDIS_URL },
    prefix: env.prefix,
  });
  try {
    const delayed = await queue.getDelayed();
    expect(delayed.map((j) => j.data.event_id).sort()).toEqual(slowIds);
    expect(delayed.every((j) => j.delay >= 50_000 || j.timestamp + j.delay > Date.now() + 50_000)).toBe(true);
    expect(await queue.getFailedCount()).toBe(0);
    // Nor does the sweeper double jobs waiting out a 429, however long their events have been pending.
    const inbox = new IntakeInbox(svc.resources.db);
    expect(await sweepPendingIntake(inbox, queue, 0, 100)).toBe(0);
    await inbox.close();
  } finally {
    await queue.close();
  }
});
