/**
 * Fills the log for the history benchmark: one target customer's events appended for real through
 * `StandingLog.append`, interleaved (so they are spread over the heap as in production) with a
 * large filler of other customers' rows written straight into `standing_events` by
 * `INSERT ... SELECT FROM generate_series`. The filler has the same columns and sizes but does NOT
 * form a valid hash chain: it exists only to give the indexes and the heap a production-like size.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '../connector/store/database.ts';
import type { StandingLog } from '../connector/store/standing-log.ts';
import type { NewStandingEvent } from '../connector/model/standing-event.ts';
import { chunk } from './harness.ts';

export interface HistorySeedOptions {
  /** Tenant of the target customer and of most filler rows. */
  tenant: string;
  /** Filler rows in total. */
  fillerEvents: number;
  /** Distinct filler customers; a multiple of 10 (each keeps one tenant). */
  fillerSubjects: number;
  /** Rounds of filler INSERT, each followed by a few target appends. */
  rounds: number;
  /** Bytes of each filler row's sealed part (measured on a real event). */
  sealedBytes: number;
  /** Filler `seq` values start above this, far from the target's chain. */
  fillerSeqBase: number;
}

/** One filler subject in ten goes to each of two other tenants; the rest share the target's tenant. */
const FILLER_TENANT = (tenant: string, n: string) =>
  `CASE ${n} % 10 WHEN 3 THEN 'initech' WHEN 7 THEN 'globex' ELSE '${tenant}' END`;

/** A UUID-shaped id per filler subject: cheap to compute, yet spread over the index like random ones. */
const FILLER_SUBJECT = (k: string) =>
  `(lpad(to_hex((${k} * 2654435761) % 4294967296), 8, '0') || '-5b1e-4c7a-8000-' || lpad(to_hex(${k}), 12, '0'))::uuid`;

/**
 * $1 first n, $2 last n, $3 subjects, $4 seq base, $5 bytea tail of the sealed part. Built from
 * cheap string functions (no md5, no gen_random_uuid, no jsonb_build_object): generating the rows,
 * not writing them, is what limits the seeding speed.
 */
const INSERT_FILLER = (tenant: string) => `
INSERT INTO standing_events
  (tenant, seq, id, kind, status_before, status_after, occurred_at, recorded_at, subject_id, public, sealed,
    prev_hash, hash)
SELECT f.tenant, $4::bigint + n,
       (lpad(to_hex(n), 8, '0') || '-f111-4e7a-8000-' || lpad(to_hex($4::bigint + n), 12, '0'))::uuid,
       (ARRAY['status_observed','deactivation','reinstatement','reinstatement_requested','verification_recorded'])[1
         + n % 5],
       (ARRAY[NULL,'active','suspended','suspended',NULL])[1 + n % 5],
       (ARRAY['active','suspended','active',NULL,NULL])[1 + n % 5],
       f.occurred_at, f.occurred_at + interval '3 seconds', f.subject_id,
       ('{"actor_type":"system","detected_via":"webhook",' ||
        (ARRAY['"initiation":null,"reason_code":null',
               '"initiation":{"temporary":true,"type":"automatic"},"reason_code":"non_payment"',
               '"initiation":{"temporary":false,"type":"manual"},"reason_code":"payment_received"',
               '"initiation":null,"reason_code":"customer_request"',
               '"initiation":null,"reason_code":null'])[1 + n % 5] ||
        ',"related_ticket_ids":' || CASE WHEN n % 3 = 0 THEN '["' || (4000000 + n) || '"]' ELSE '[]' END ||
        ',"source":{"event_id":"filler-' || n || '","id":"' || (360000000000 + f.k) ||
        '","object":"user","system":"zendesk","url":"https://example.zendesk.com/agent/users/' || (360000000000 +
          f.k) || '"}}')::jsonb,
       decode(lpad(to_hex(n), 16, '0'), 'hex') || $5::bytea,
       lpad(to_hex($4::bigint + n - 1), 64, 'a'),
       lpad(to_hex($4::bigint + n), 64, 'a')
FROM generate_series($1::bigint, $2::bigint) AS n
CROSS JOIN LATERAL (
  SELECT ${FILLER_TENANT(tenant, 'n')} AS tenant,
         n % $3::bigint AS k,
         ${FILLER_SUBJECT('(n % $3::bigint)')} AS subject_id,
         timestamptz '2024-01-01T00:00:00Z' + ((n * 2654435761) % 63072000) * interval '1 second' AS occurred_at
) f`;

/** Subjects and two identities each for the filler, so the directory tables have a realistic size too. */
const INSERT_FILLER_SUBJECTS = (tenant: string) => `
WITH s AS (
  SELECT ${FILLER_TENANT(tenant, 'k')} AS tenant, ${FILLER_SUBJECT('k')} AS subject_id, k
  FROM generate_series(0, $1::bigint - 1) AS k
), subjects_made AS (
  INSERT INTO subjects (tenant, subject_id, kind, wrapped_key)
  SELECT tenant, subject_id, 'person', decode(lpad(to_hex(k), 120, '0'), 'hex') FROM s
)
INSERT INTO subject_identities (tenant, digest, subject_id)
SELECT tenant, 'd' || lpad(to_hex(k), 63, '0'), subject_id FROM s
UNION ALL
SELECT tenant, 'e' || lpad(to_hex(k), 63, '0'), subject_id FROM s`;

/** Writes the filler in rounds and appends the target's events in between; returns the filler time. */
export async function seedHistory(
  db: Database,
  log: StandingLog,
  target: readonly NewStandingEvent[],
  o: HistorySeedOptions,
  progress: (message: string) => void,
): Promise<{ fillerMs: number; appendMs: number }> {
  if (o.fillerSubjects % 10 !== 0) throw new RangeError('fillerSubjects must be a multiple of 10');
  let fillerMs = 0;
  let appendMs = 0;
  let t = performance.now();
  await db.query(INSERT_FILLER_SUBJECTS(o.tenant), [o.fillerSubjects]);
  fillerMs += performance.now() - t;
  const perRound = Math.ceil(o.fillerEvents / o.rounds);
  const sealedTail = randomBytes(Math.max(0, o.sealedBytes - 8));
  const targetBatches = chunk(target, Math.ceil(target.length / o.rounds));
  for (let round = 0; round < o.rounds; round++) {
    const first = round * perRound;
    const last = Math.min(o.fillerEvents, first + perRound) - 1;
    t = performance.now();
    if (first <= last)
      await db.query(INSERT_FILLER(o.tenant), [first, last, o.fillerSubjects, o.fillerSeqBase, sealedTail]);
    fillerMs += performance.now() - t;
    const batch = targetBatches[round];
    if (batch) {
      t = performance.now();
      const outcomes = await log.append(batch);
      appendMs += performance.now() - t;
      if (outcomes.some((x) => x.status !== 'appended'))
        throw new Error('history seed: a target event was not appended');
    }
    if ((round + 1) % Math.max(1, Math.floor(o.rounds / 5)) === 0)
      progress(`history: seeded ${(last + 1).toLocaleString('en-US')} filler rows`);
  }
  return { fillerMs, appendMs };
}

/**
 * Only filler rows (no target, no subjects), in chunks, for a log of production size under another
 * benchmark; `tenant` should be one that benchmark does not write, as the filler forms no chain.
 */
export async function seedFiller(
  db: Database,
  o: Pick<HistorySeedOptions, 'tenant' | 'fillerEvents' | 'fillerSubjects' | 'sealedBytes' | 'fillerSeqBase'>,
): Promise<void> {
  const sealedTail = randomBytes(Math.max(0, o.sealedBytes - 8));
  for (let first = 0; first < o.fillerEvents; first += 100_000) {
    const last = Math.min(o.fillerEvents, first + 100_000) - 1;
    await db.query(INSERT_FILLER(o.tenant), [first, last, o.fillerSubjects, o.fillerSeqBase, sealedTail]);
  }
}
