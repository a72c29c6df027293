/**
 * `standing checkpoint`, `verify`, `export`, `retention`, `hold`, `db grant` and `checkpoint register-key` as an
 * operator runs them: child processes on the machine's PostgreSQL, in a schema of their own, with the checkpoint key
 * generated into the data directory as outside production.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseCheckpointKey } from '../../connector/model/checkpoint.ts';
import { deriveMasterKeys } from '../../connector/model/sealing.ts';
import { StandingLog } from '../../connector/store/standing-log.ts';
import { TEST_DATABASE_URL, openTestStore, type TestStore } from '../support/databases.ts';
import { run, runCli, type Run } from '../support/cli.ts';
import { event } from '../support/fixtures.ts';
import { tenantKey } from '../support/access.ts';

let store: TestStore;
let workDir: string;
const masterKey = randomBytes(32).toString('base64');
const tenant = `cli-${randomBytes(2).toString('hex')}`;
const email = `held-${randomBytes(3).toString('hex')}@example.com`;

function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  return runCli(args, {
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: store.schema,
    STANDING_DATA_DIR: join(workDir, 'data'),
    STANDING_MASTER_KEY: masterKey,
    ...extraEnv,
  });
}

beforeAll(async () => {
  store = await openTestStore('postgres', 'log_cli');
  workDir = mkdtempSync(join(tmpdir(), 'standing-log-cli-'));
  await new StandingLog(store.db, deriveMasterKeys(Buffer.from(masterKey, 'base64'))).append([
    event({ tenant, customer: { email } }),
    event({ tenant }),
    event({ tenant }),
  ]);
});
afterAll(async () => {
  await store?.dispose();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

it('checkpoints, verifies against the checkpoint key, and exports what the offline verifier accepts', async () => {
  const exportDir = join(workDir, 'copies');
  const cp = await cli(['checkpoint', '--tenant', tenant], { STANDING_CHECKPOINT_EXPORT: exportDir });
  expect(cp).toMatchObject({ code: 0, stdout: `${tenant}: checkpoint 1 at seq 3, copied to ${exportDir}\n` });
  const v = await cli(['verify', '--tenant', tenant, '--checkpoints', exportDir]);
  expect(v.code).toBe(0);
  expect(v.stdout).toContain('; checkpoint 1 (seq 3) signed with the pinned key');
  const out = join(workDir, 'export.ndjson');
  // Export is an auditor's: the operator is refused (exit 4), the tenant's auditor key may.
  expect((await cli(['export', '--tenant', tenant, '--out', out])).code).toBe(4);
  const auditor = { STANDING_API_KEY: await tenantKey(store.db, tenant, 'auditor') };
  expect((await cli(['export', '--tenant', tenant, '--out', out], auditor)).code).toBe(0);
  expect((await cli(['export', '--tenant', tenant, '--out', out], auditor)).code).toBe(2);
  const offline = await run(process.execPath, ['tools/verify-export.mjs', out]);
  expect(offline).toMatchObject({ code: 0 });
  expect(offline.stdout).toMatch(new RegExp(`^${tenant}: ok, 3 rows \\(seq 1-3\\), 1 checkpoints, 0 boundaries`));
}, 120_000);

it('records a retention policy and a legal hold found by identity, with who did it', async () => {
  // The policy is the tenant admin's, holds the auditor's; each is recorded as the key that did it.
  const adminKey = await tenantKey(store.db, tenant, 'admin');
  const auditorKey = await tenantKey(store.db, tenant, 'auditor');
  expect(
    await cli(['retention', 'set', '--tenant', tenant, '--category', 'telecom'], { STANDING_API_KEY: adminKey }),
  ).toMatchObject({ code: 0, stdout: `${tenant}: retention policy v1: telecom\n` });
  expect(
    (
      await cli(['hold', 'place', '--tenant', tenant, '--identity', `email=${email}`, '--reason', 'x'], {
        STANDING_API_KEY: adminKey,
      })
    ).code,
  ).toBe(4);
  const placed = await cli(
    ['hold', 'place', '--tenant', tenant, '--identity', `email=${email}`, '--reason', 'matter 17', '--json'],
    { STANDING_API_KEY: auditorKey },
  );
  expect(placed.code).toBe(0);
  const [hold] = JSON.parse(placed.stdout) as { hold_id: string; subject_id: string }[];
  expect(hold?.subject_id).toMatch(/^[0-9a-f-]{36}$/);
  const applied = await cli(['retention', 'apply', '--tenant', tenant]);
  expect(applied).toMatchObject({ code: 0, stdout: `${tenant}: nothing expired\n` });
  const [row] = await store.db.query<{ actor: string; reason: string }>(
    'SELECT actor, reason FROM legal_hold_events WHERE hold_id = $1',
    [hold!.hold_id],
  );
  expect(row).toEqual({ actor: `api-key:${auditorKey.split('_')[1]}`, reason: 'matter 17' });
  const listed = await cli(['hold', 'list', '--tenant', tenant], { STANDING_API_KEY: auditorKey });
  expect(listed).toMatchObject({ code: 0, stdout: expect.stringContaining('hold chain: ok, 1 events verified') });
}, 120_000);

it('db grant has no role to grant on the embedded database', async () => {
  const r = await runCli(['db', 'grant', '--role', 'standing_app'], { STANDING_DATA_DIR: join(workDir, 'embedded') });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('single user');
});

it('db grant gives a role INSERT and SELECT on the log and no more, and re-running it is harmless', async () => {
  const role = `standing_cli_${process.pid}_${randomBytes(3).toString('hex')}`;
  await store.db.exec(`CREATE ROLE ${role} NOLOGIN`);
  try {
    const seed = randomBytes(32).toString('base64');
    const keyId = parseCheckpointKey(seed).keyId;
    for (let i = 0; i < 2; i++)
      expect(await cli(['db', 'grant', '--role', role], { STANDING_CHECKPOINT_KEY: seed })).toMatchObject({
        code: 0,
        stdout: expect.stringContaining(`registered checkpoint key ${keyId}`),
      });
    expect(await store.db.query('SELECT registered_by FROM checkpoint_keys WHERE key_id = $1', [keyId])).toEqual([
      { registered_by: 'operator' },
    ]);
    const rotated = randomBytes(32).toString('base64');
    expect(await cli(['checkpoint', 'register-key'], { STANDING_CHECKPOINT_KEY: rotated })).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(`registered checkpoint key ${parseCheckpointKey(rotated).keyId}`),
    });
    const can = async (table: string, privilege: string) =>
      (
        await store.db.query<{ ok: boolean }>('SELECT has_table_privilege($1, $2, $3) AS ok', [
          role,
          `${store.schema}.${table}`,
          privilege,
        ])
      )[0]!.ok;
    expect([
      await can('standing_events', 'INSERT'),
      await can('standing_events', 'SELECT'),
      await can('standing_events', 'UPDATE'),
      await can('standing_events', 'DELETE'),
    ]).toEqual([true, true, false, false]);
    expect([
      await can('chain_boundaries', 'INSERT'),
      await can('chain_heads', 'UPDATE'),
      await can('legal_hold_events', 'INSERT'),
      await can('intake_inbox', 'DELETE'),
    ]).toEqual([false, false, false, true]);
    expect(
      await Promise.all(['INSERT', 'SELECT', 'UPDATE', 'DELETE', 'TRUNCATE'].map((p) => can('access_audit', p))),
    ).toEqual([true, true, false, false, false]);
    expect(
      await Promise.all(['INSERT', 'SELECT', 'UPDATE', 'DELETE', 'TRUNCATE'].map((p) => can('access_audit_heads', p))),
    ).toEqual([true, true, true, false, false]);
  } finally {
    await store.db.exec(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
  }
});
