/**
 * An event whose processing fails the same way on every attempt (a mapper exception, an error the
 * database raises that is not a refusal of the data) is retried a bounded number of times, then
 * quarantined with the error where an admin sees it; the rest of its batch is stored meanwhile.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { authorizationFor } from '../support/access.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import {
  intakeEnv,
  postWebhook,
  startIntakeService,
  waitFor,
  type IntakeEnv,
  stopIntakeService,
} from '../support/intake-harness.ts';
import { userDeactivated as userEvent } from '../support/load.ts';
import { sourceEventDigests } from '../support/source-events.ts';

let env: IntakeEnv;
let svc: ServiceHandle;
const run = `${Date.now()}`;

beforeAll(async () => {
  env = intakeEnv('zd_failures');
  svc = await startIntakeService(env);
  // An error PostgreSQL raises for one event that is not about its data (SQLSTATE P0001). The row
  // keeps a keyed digest of the provider's event id, not the id: the trigger matches the doomed
  // event's digest (hex, computed here with the service's key).
  const [doomedDigest] = sourceEventDigests(svc.resources.secrets.master, 'default', 'zendesk', [`doomed-${run}`]);
  if (!/^[0-9a-f]{64}$/.test(doomedDigest!)) throw new Error(`unexpected digest ${doomedDigest}`);
  await svc.resources.db.exec(`
    CREATE FUNCTION fail_doomed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.public #>> '{source,event_id}' = '${doomedDigest}' THEN
        RAISE EXCEPTION 'doomed event for the test'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER fail_doomed BEFORE INSERT ON standing_events FOR EACH ROW EXECUTE FUNCTION fail_doomed();`);
});
afterAll(async () => {
  await stopIntakeService(env, svc);
});

const rows = async (ids: string[]) =>
  new Map(
    (
      await svc.resources.db.query<{
        event_id: string;
        state: string;
        attempts: number;
        outcome: { reason?: string; problems?: { message: string }[] } | null;
      }>('SELECT event_id, state, attempts, outcome FROM intake_inbox WHERE event_id = ANY($1::text[])', [ids])
    ).map((r) => [r.event_id, r]),
  );

async function postAll(ids: string[], body: (id: string, i: number) => unknown): Promise<void> {
  const statuses = await Promise.all(
    ids.map((id, i) => postWebhook(svc.url, 'default', body(id, i)).then((r) => r.status)),
  );
  expect(new Set(statuses)).toEqual(new Set([202]));
}

// The failure is raised by PostgreSQL (P0001), standing in for a mapper bug: it takes the same path
// as any exception that is not a refusal of the data, and no provider input makes today's mappers
// throw (they validate everything they read).
it(
  'a mapper exception (any error that is not a database refusal) ends in quarantine after bounded attempts, ' +
    'and the rest of its batch is stored',
  async () => {
    const ids = Array.from({ length: 20 }, (_, i) => (i === 7 ? `doomed-${run}` : `fine-${run}-${i}`));
    await postAll(ids, (id, i) => userEvent(id, 640_000 + i));
    const good = ids.filter((id) => !id.startsWith('doomed-'));
    await waitFor(
      'the rest of the batch stored',
      async () =>
        [...(await rows(good)).values()].every((r) => r.state === 'stored') && (await rows(good)).size === good.length,
    );

    const doomed = await waitFor('the failing event quarantined', async () => {
      const r = (await rows([`doomed-${run}`])).get(`doomed-${run}`);
      return r?.state === 'quarantined' ? r : null;
    });
    expect(doomed.outcome?.reason).toBe('processing_failed');
    expect(doomed.outcome?.problems?.[0]?.message).toMatch(/^processing failed 3 times: .*doomed event for the test/);
    const listed = await fetch(`${svc.url}/api/v1/tenants/default/quarantine`, {
      headers: {
        authorization: await authorizationFor(
          svc.url,
          env.env.STANDING_ADMIN_TOKEN!,
          '/api/v1/tenants/default/quarantine',
        ),
      },
    });
    expect(((await listed.json()) as { events: { event_id: string; reason: string }[] }).events).toContainEqual(
      expect.objectContaining({ event_id: `doomed-${run}`, reason: 'processing_failed' }),
    );
    expect((await svc.resources.log.verify('default')).ok).toBe(true);
  },
  30_000,
);
