/**
 * The service schedules reconciliation per tenant (BullMQ job scheduler on the real Redis), runs it
 * at once at start against the nock'd Zendesk, and lists the run through the admin API.
 */
import { Queue } from 'bullmq';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationFor } from '../support/access.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { RECONCILIATION_QUEUE_NAME, reconciliationSchedulerId } from '../../queue/reconciliation-scheduler.ts';
import {
  intakeEnv,
  REDIS_URL,
  startIntakeService,
  stopIntakeService,
  waitFor,
  type IntakeEnv,
} from '../support/intake-harness.ts';

let env: IntakeEnv;
let svc: ServiceHandle;

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  nock('https://acme.zendesk.com')
    .get('/api/v2/incremental/users/cursor.json')
    .query(true)
    .reply(200, {
      users: [
        {
          id: 77,
          active: true,
          suspended: true,
          updated_at: '2026-03-04T09:00:00Z',
          email: 'x@example.com',
          organization_id: null,
        },
      ],
      after_cursor: 'c1',
      end_of_stream: true,
    });
  nock('https://acme.zendesk.com')
    .get('/api/v2/incremental/organizations.json')
    .query(true)
    .reply(200, { organizations: [], end_time: 1772600000, end_of_stream: true });
  env = intakeEnv('reconcile_sched', { STANDING_RECONCILE_INTERVAL_MS: '3600000' });
  svc = await startIntakeService(env);
});
afterAll(async () => {
  await stopIntakeService(env, svc);
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('scheduled reconciliation', () => {
  it('registers a job scheduler per tenant and source, runs it, and lists the run in the admin API', async () => {
    const url = new URL(REDIS_URL);
    const queue = new Queue(RECONCILIATION_QUEUE_NAME, {
      connection: { host: url.hostname, port: Number(url.port || 6379) },
      prefix: env.prefix,
    });
    try {
      const scheduler = await queue.getJobScheduler(reconciliationSchedulerId('default', 'zendesk'));
      expect(scheduler).toMatchObject({ every: 3600000 });
    } finally {
      await queue.close();
    }
    const api = async (path: string) =>
      fetch(`${svc.url}/api/v1${path}`, {
        headers: {
          authorization: await authorizationFor(
            svc.url,
            env.env.STANDING_ADMIN_TOKEN!,
            path.replace('/tenants/nobody/', '/tenants/default/'),
          ),
        },
      });
    const runs = await waitFor('a completed run', async () => {
      const body = (await (await api('/tenants/default/reconciliation/runs')).json()) as { runs: { state: string }[] };
      return body.runs.find((r) => r.state !== 'running') ? body.runs : null;
    });
    expect(runs[0]).toMatchObject({
      source: 'zendesk',
      trigger: 'schedule',
      state: 'completed',
      records_read: 1,
      events_appended: 1,
      drift_found: 1,
      errors: [],
    });
    expect(runs[0]).toHaveProperty('started_at');
    // A key of the default tenant may not read another tenant's runs, known or not.
    expect((await api('/tenants/nobody/reconciliation/runs')).status).toBe(403);
    expect((await api('/tenants/default/reconciliation/runs?limit=0')).status).toBe(400);
    expect((await fetch(`${svc.url}/api/v1/tenants/default/reconciliation/runs`)).status).toBe(401);
  });
});
