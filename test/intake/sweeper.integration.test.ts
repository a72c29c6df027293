/**
 * The sweeper recovers events whose job was lost (Redis emptied after the webhook was answered)
 * and purges settled payloads past retention, on the machine's PostgreSQL and Redis.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IntakeInbox } from '../../connector/intake/intake-inbox.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { createIntakeQueue } from '../../queue/intake-queue.ts';
import { sweepPendingIntake } from '../../queue/intake-sweeper.ts';
import {
  REDIS_URL,
  dropRedisPrefix,
  intakeEnv,
  postWebhook,
  startIntakeService,
  waitFor,
  type IntakeEnv,
  stopIntakeService,
} from '../support/intake-harness.ts';
import { sourceEventDigests } from '../support/source-events.ts';

let env: IntakeEnv;
const services: ServiceHandle[] = [];

beforeAll(() => {
  env = intakeEnv('zd_sweeper');
});

afterAll(async () => {
  await stopIntakeService(env, ...services);
});

it('re-enqueues an accepted event whose job Redis lost, and it is stored once', async () => {
  const api = await startIntakeService({ ...env, env: { ...env.env, STANDING_ROLE: 'api' } });
  services.push(api);
  const id = `sweep-${Date.now()}`;
  const res = await postWebhook(api.url, 'default', {
    type: 'zen:event-type:user.active_changed',
    account_id: 1,
    id,
    time: '2026-03-04T05:33:18Z',
    zendesk_event_version: '2022-06-20',
    subject: 'zen:user:424242',
    detail: { id: '424242', email: 'swept@example.com', role: 'end-user', external_id: '', organization_id: '0' },
    event: { current: false, previous: true },
  });
  expect(res.status).toBe(202);

  // Redis restarted without persistence: every queue key is gone, the inbox row is not.
  await dropRedisPrefix(env.prefix);
  await api.resources.db.query(
    "UPDATE intake_inbox SET received_at = now() - interval '5 minutes' WHERE event_id = $1",
    [id],
  );

  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = createIntakeQueue({ connection, prefix: env.prefix });
  const inbox = new IntakeInbox(api.resources.db);
  try {
    expect(await sweepPendingIntake(inbox, queue, 120_000, 100)).toBe(1);
    expect(await queue.getWaitingCount()).toBe(1);
  } finally {
    await queue.close();
    connection.disconnect();
  }

  const worker = await startIntakeService({ ...env, env: { ...env.env, STANDING_ROLE: 'worker' } });
  services.push(worker);
  await waitFor(
    'stored',
    async () =>
      (await api.resources.db.query<{ state: string }>('SELECT state FROM intake_inbox WHERE event_id = $1', [id]))[0]
        ?.state === 'stored',
  );
  const [digest] = sourceEventDigests(api.resources.secrets.master, 'default', 'zendesk', [id]);
  const rows = await api.resources.db.query<{ n: number }>(
    'SELECT count(*) AS n FROM standing_events WHERE source_event_id = $1',
    [digest],
  );
  expect(Number(rows[0]!.n)).toBe(1);

  // Past retention the raw payload goes; the log keeps the event.
  expect(await inbox.purgeSettled(30)).toBe(0);
  await api.resources.db.query(
    "UPDATE intake_inbox SET processed_at = now() - interval '31 days' WHERE event_id = $1",
    [id],
  );
  expect(await inbox.purgeSettled(30)).toBe(1);
  expect(await api.resources.db.query('SELECT 1 FROM intake_inbox WHERE event_id = $1', [id])).toHaveLength(0);
  const after = await api.resources.db.query<{ n: number }>(
    'SELECT count(*) AS n FROM standing_events WHERE source_event_id = $1',
    [digest],
  );
  expect(Number(after[0]!.n)).toBe(1);
});
