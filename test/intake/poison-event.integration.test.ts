/**
 * One event the database refuses must not hold back the others of its batch: it is isolated and
 * quarantined with the database's reason, the rest are stored.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
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
const run = Date.now();
const poisonId = `poison-${run}`;

beforeAll(async () => {
  env = intakeEnv('zd_poison');
  svc = await startIntakeService(env);
  // Stands in for any data PostgreSQL refuses (SQLSTATE class 23) for one particular event. The row
  // keeps a keyed digest of the provider's event id, not the id: the trigger matches the poisoned
  // event's digest (hex, computed here with the service's key).
  const [poisonDigest] = sourceEventDigests(svc.resources.secrets.master, 'default', 'zendesk', [poisonId]);
  if (!/^[0-9a-f]{64}$/.test(poisonDigest!)) throw new Error(`unexpected digest ${poisonDigest}`);
  await svc.resources.db.exec(`
    CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.public #>> '{source,event_id}' = '${poisonDigest}' THEN
        RAISE EXCEPTION 'poisoned event for the test' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER refuse_poison BEFORE INSERT ON standing_events FOR EACH ROW EXECUTE FUNCTION refuse_poison();`);
});

afterAll(async () => {
  await stopIntakeService(env, svc);
});

it('quarantines the refused event and stores the rest of its batch', async () => {
  const ids = Array.from({ length: 30 }, (_, i) => (i === 13 ? poisonId : `good-${run}-${i}`));
  const statuses = await Promise.all(
    ids.map((id, i) => postWebhook(svc.url, 'default', userEvent(id, 500_000 + i)).then((r) => r.status)),
  );
  expect(new Set(statuses)).toEqual(new Set([202]));

  const states = async () =>
    new Map(
      (
        await svc.resources.db.query<{ event_id: string; state: string }>(
          'SELECT event_id, state FROM intake_inbox WHERE event_id = ANY($1::text[])',
          [ids],
        )
      ).map((r) => [r.event_id, r.state]),
    );
  const settled = await waitFor(
    'every event settled',
    async () => {
      const s = await states();
      return [...s.values()].every((v) => v !== 'pending') && s.size === ids.length ? s : null;
    },
    30_000,
  );
  expect(settled.get(poisonId)).toBe('quarantined');
  expect([...settled].filter(([id, state]) => id !== poisonId && state !== 'stored')).toEqual([]);
  const [q] = await svc.resources.db.query<{ outcome: { reason: string; problems: { message: string }[] } }>(
    'SELECT outcome FROM intake_inbox WHERE event_id = $1',
    [poisonId],
  );
  expect(q!.outcome.reason).toBe('storage_refused');
  expect(q!.outcome.problems[0]!.message).toContain('poisoned event for the test');
  // In the log: each of the others once, the refused one not at all.
  const good = ids.filter((id) => id !== poisonId);
  const logged = await svc.resources.db.query<{ source_event_id: string }>(
    'SELECT source_event_id FROM standing_events WHERE source_event_id = ANY($1::text[])',
    [sourceEventDigests(svc.resources.secrets.master, 'default', 'zendesk', ids)],
  );
  expect(logged.map((r) => r.source_event_id).sort()).toEqual(
    sourceEventDigests(svc.resources.secrets.master, 'default', 'zendesk', good).sort(),
  );
  expect((await svc.resources.log.verify('default')).ok).toBe(true);
});
