/** bull-board at /admin/queues: only with the admin token, showing the intake queue. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { intakeEnv, startIntakeService, stopIntakeService, type IntakeEnv } from '../support/intake-harness.ts';

let env: IntakeEnv;
let api: ServiceHandle;
let worker: ServiceHandle;

beforeAll(async () => {
  env = intakeEnv('ops_board');
  api = await startIntakeService({ ...env, env: { ...env.env, STANDING_ROLE: 'api' } });
  worker = await startIntakeService({ ...env, env: { ...env.env, STANDING_ROLE: 'worker' } });
});
afterAll(async () => {
  await stopIntakeService(env, api, worker);
});

it('is served to the admin token only, by the api role only', async () => {
  const admin = { headers: { authorization: `Bearer ${env.env.STANDING_ADMIN_TOKEN}` } };
  expect((await fetch(`${api.url}/admin/queues`)).status).toBe(401);
  expect(
    (
      await fetch(`${api.url}/admin/queues/api/queues`, {
        headers: { authorization: 'Bearer not-the-token-0123456789abcdef0123456789' },
      })
    ).status,
  ).toBe(401);
  const page = await fetch(`${api.url}/admin/queues`, admin);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<html');
  const queues = (await (await fetch(`${api.url}/admin/queues/api/queues`, admin)).json()) as {
    queues: { name: string }[];
  };
  expect(queues.queues.map((q) => q.name)).toContain('standing-intake');
  expect((await fetch(`${worker.url}/admin/queues`, admin)).status).toBe(404);
});
