/**
 * One event the database refuses must not hold back the others of its batch: it is isolated and
 * quarantined with the database's reason, the rest are stored.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ServiceHandle } from '../../connector/service.ts';
import { intakeEnv, postWebhook, startIntakeService, waitFor, type IntakeEnv, stopIntakeService } from '../support/intake-harness.ts';
import { userDeactivated as userEvent } from '../support/load.ts';

let env: IntakeEnv;
let svc: ServiceHandle;

beforeAll(async () => {
  env = intakeEnv('zd_poison');
  svc = await startIntakeService(env);
  // Stands in for any data PostgreSQL refuses (SQLSTATE class 23) for one particular event.
  await svc.resources.db.exec(`
    CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.public #>> '{source,event_id}' LIKE 'poison-%' THEN
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
  const run = Date.now();
  const ids = Array.from({ length: 30 }, (_, i) => (i === 13 ? `poison-${run}` : `good-${run}-${i}`));
  const statuses = await Promise.all(ids.map((id, i) => postWebhook(svc.url, 'default', userEvent(id, 500_000 + i)).then((r) => r.status)));
  expect(new Set(statuses)).toEqual(new Set([202]));

  const states = async () =>
    new Map((await svc.resources.db.query<{ event_id: string; state: string }>('SELECT event_id, state FROM intake_inbox WHERE event_id = ANY($1::text[])', [ids])).map((r) => [r.event_id, r.state]));
  const settled = await waitFor('every event settled', async () => {
    const s = await states();
    return [...s.values()].every((v) => v !== 'pending') && s.size === ids.length ? s : null;
  }, 30_000);
  expect(settled.get(`poison-${run}`)).toBe('quarantined');
  expect([...settled].filter(([id, state]) => id !== `poison-${run}` && state !== 'stored')).toEqual([]);
  const [q] = await svc.resources.db.query<{ outcome: { reason: string; problems: { message: string }[] } }>('SELECT outcome FROM intake_inbox WHERE event_id = $1', [`poison-${run}`]);
  expect(q!.outcome.reason).toBe('storage_refused');
  expect(q!.outcome.problems[0]!.message).toContain('poisoned event for the test');
  expect((await svc.resources.log.verify('default')).ok).toBe(true);
});
