/**
 * A replay after a mapping change uses the new mapping in every process, and a stale job cannot
 * settle a row that was replayed after it loaded it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { authorizationFor } from '../support/access.ts';
import { IntakeInbox } from '../../connector/intake/intake-inbox.ts';
import { intakeRound, roundSuffix } from '../../queue/intake-queue.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import {
  intakeEnv,
  postWebhook,
  startIntakeService,
  waitFor,
  type IntakeEnv,
  stopIntakeService,
} from '../support/intake-harness.ts';

let env: IntakeEnv;
let api: ServiceHandle;
let worker: ServiceHandle;
const run = `${Date.now()}`;

beforeAll(async () => {
  // No Zendesk API credentials: no identity look-ups (the payload has what the log needs).
  env = intakeEnv('zd_replay', { ZENDESK_API_EMAIL: '', ZENDESK_API_TOKEN: '' });
  api = await startIntakeService({ ...env, env: { ...env.env, STANDING_ROLE: 'api' } });
  worker = await startIntakeService({ ...env, env: { ...env.env, STANDING_ROLE: 'worker' } });
});
afterAll(async () => {
  await stopIntakeService(env, api, worker);
});

const admin = async (path: string, init: RequestInit = {}) =>
  fetch(`${api.url}/api/v1${path}`, {
    ...init,
    headers: {
      authorization: await authorizationFor(api.url, env.env.STANDING_ADMIN_TOKEN!, path),
      'content-type': 'application/json',
      ...init.headers,
    },
  });
const row = async (id: string) =>
  (
    await api.resources.db.query<{ state: string; attempts: number; mapping_version: number | null }>(
      'SELECT state, attempts, mapping_version FROM intake_inbox WHERE event_id = $1',
      [id],
    )
  )[0];

function frozenAccount(id: string) {
  return {
    type: 'zen:event-type:user.custom_field_changed',
    account_id: 1,
    id,
    time: '2026-03-04T05:33:18Z',
    zendesk_event_version: '2022-06-20',
    subject: 'zen:user:660001',
    detail: { id: '660001', email: 'frozen@example.com', role: 'end-user', external_id: '', organization_id: '0' },
    event: {
      field: { id: '1', key: 'account_status', title: 'Account status' },
      current: 'frozen',
      previous: 'active',
    },
  };
}

it('a replay after a mapping PUT on a separate worker process uses the new mapping', async () => {
  const id = `frozen-${run}`;
  expect((await postWebhook(api.url, 'default', frozenAccount(id))).status).toBe(202);
  // The worker process maps it with the default mapping (which does not know "frozen"), and keeps that mapping cached.
  await waitFor('quarantined', async () => (await row(id))?.state === 'quarantined');

  const current = (await (await admin('/tenants/default/mappings/zendesk')).json()) as {
    document: { user: { fields: { values: Record<string, unknown> }[] } };
  };
  current.document.user.fields[0]!.values.frozen = 'suspended';
  const put = await admin('/tenants/default/mappings/zendesk', {
    method: 'PUT',
    body: JSON.stringify(current.document),
  });
  expect(put.status).toBe(200);
  expect(
    (await admin('/tenants/default/quarantine/replay', { method: 'POST', body: JSON.stringify({ event_ids: [id] }) }))
      .status,
  ).toBe(202);

  const after = await waitFor('processed again', async () => {
    const r = await row(id);
    return r && r.state !== 'pending' ? r : null;
  });
  expect(after).toMatchObject({ state: 'stored', attempts: 2, mapping_version: 1 });
});

it('a stale settle does not re-quarantine a row replayed after it was loaded', async () => {
  const id = `stale-${run}`;
  expect(
    (await postWebhook(api.url, 'default', { ...frozenAccount(id), type: 'zen:event-type:user.some_future_event' }))
      .status,
  ).toBe(202);
  await waitFor('quarantined', async () => (await row(id))?.state === 'quarantined');
  const key = { tenant: 'default', source: 'zendesk' as const, event_id: id };
  const slow = new IntakeInbox(api.resources.db);
  const fast = new IntakeInbox(api.resources.db);
  try {
    await fast.reopen('default', [id], roundSuffix(intakeRound.replay()));
    // Two jobs of the same event load it; one settles it; an admin replays it; then the slow one settles.
    expect(await slow.load([key])).toHaveLength(1);
    expect(await fast.load([key])).toHaveLength(1);
    await fast.settle([
      { ...key, state: 'quarantined', outcome: { reason: 'unknown_event_type', problems: [] }, mapping_version: 0 },
    ]);
    await fast.reopen('default', [id], roundSuffix(intakeRound.replay()));
    await slow.settle([
      { ...key, state: 'quarantined', outcome: { reason: 'stale', problems: [] }, mapping_version: 0 },
    ]);
    expect(await row(id)).toMatchObject({ state: 'pending' });
  } finally {
    await slow.close();
    await fast.close();
  }
});
