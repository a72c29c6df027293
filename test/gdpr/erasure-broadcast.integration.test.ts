/**
 * An erasure through the API reaches every process: another process of the deployment (here a
 * worker sharing the database and Redis) that holds the person's data key in memory drops it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { issueKey } from '../support/access.ts';
import { event } from '../support/fixtures.ts';
import {
  intakeEnv,
  startIntakeService,
  stopIntakeService,
  waitFor,
  type IntakeEnv,
} from '../support/intake-harness.ts';

const DANA = { zendesk_user_id: '7300001', email: 'dana.broadcast@example.com' };
let env: IntakeEnv;
let api: ServiceHandle;
let worker: ServiceHandle;

beforeAll(async () => {
  env = intakeEnv('erasure_broadcast');
  api = await startIntakeService({ ...env, env: { ...env.env, STANDING_ROLE: 'api' } });
  worker = await startIntakeService({ ...env, env: { ...env.env, STANDING_ROLE: 'worker' } });
});
afterAll(async () => {
  await stopIntakeService(env, worker, api);
});

it("drops the person's cached data key in every process", async () => {
  await worker.resources.log.append([event({ tenant: 'default', customer: DANA })]);
  const [subject] = await worker.resources.log.subjects.find('default', DANA);
  expect(worker.resources.log.subjects.holdsKey('default', subject!)).toBe(true);

  const admin = await issueKey(api.url, env.env.STANDING_ADMIN_TOKEN!, 'default', 'admin');
  const res = await fetch(`${api.url}/api/v1/tenants/default/subjects/erase`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ identities: { email: DANA.email }, reason: 'broadcast test' }),
  });
  expect(res.status).toBe(200);
  await waitFor(
    'the worker dropped the key',
    async () => !worker.resources.log.subjects.holdsKey('default', subject!),
    5000,
  );
  expect(api.resources.log.subjects.holdsKey('default', subject!)).toBe(false);
}, 60_000);
