/**
 * `standing siem export` with the tenant's keys: NDJSON on stdout, resumable, personal data only with --personal-data
 * and an auditor key.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deriveMasterKeys } from '../../connector/model/sealing.ts';
import { StandingLog } from '../../connector/store/standing-log.ts';
import { TEST_DATABASE_URL, openTestStore, type TestStore } from '../support/databases.ts';
import { runCli, type Run } from '../support/cli.ts';
import { event } from '../support/fixtures.ts';
import { tenantKey } from '../support/access.ts';

let store: TestStore;
let workDir: string;
const masterKey = randomBytes(32).toString('base64');
const tenant = `siem-${randomBytes(2).toString('hex')}`;
const email = `siem-${randomBytes(3).toString('hex')}@example.com`;

const keys: Record<string, string> = {};
function cli(args: string[], role = 'auditor'): Promise<Run> {
  return runCli(args, {
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: store.schema,
    STANDING_DATA_DIR: join(workDir, 'data'),
    STANDING_MASTER_KEY: masterKey,
    STANDING_API_KEY: keys[role]!,
  });
}
const parse = (r: Run) =>
  r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  store = await openTestStore('postgres', 'siem_cli');
  workDir = mkdtempSync(join(tmpdir(), 'standing-siem-cli-'));
  await new StandingLog(store.db, deriveMasterKeys(Buffer.from(masterKey, 'base64'))).append([
    event({ tenant, customer: { email } }),
    event({ tenant }),
    event({ tenant }),
  ]);
  for (const role of ['admin', 'auditor'] as const) keys[role] = await tenantKey(store.db, tenant, role);
});
afterAll(async () => {
  await store?.dispose();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

it('writes the rows after the cursor, then the cursor line; personal data only when asked', async () => {
  const all = await cli(['siem', 'export', '--tenant', tenant], 'admin');
  expect(all.code).toBe(0);
  const lines = parse(all);
  expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, undefined]);
  expect(lines.at(-1)).toMatchObject({ type: 'standing.cursor', next_after_seq: 3, count: 3, personal_data: false });
  expect(all.stdout).not.toContain(email);
  const rest = parse(
    await cli(['siem', 'export', '--tenant', tenant, '--after-seq', '1', '--limit', '1', '--personal-data']),
  );
  expect(rest.map((l) => l.seq)).toEqual([2, undefined]);
  expect(rest.at(-1)).toMatchObject({ after_seq: 1, next_after_seq: 2, more: true, personal_data: true });
  expect(parse(await cli(['siem', 'export', '--tenant', tenant, '--personal-data', '--limit', '1']))[0]).toMatchObject({
    personal: { customer: { email } },
  });
  // An admin key streams the pseudonymous events only; both exports are in the read audit.
  const refused = await cli(['siem', 'export', '--tenant', tenant, '--personal-data'], 'admin');
  expect(refused.code).toBe(4);
  expect(refused.stderr).toContain('--personal-data');
  const audited = await store.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM access_audit WHERE tenant = $1 AND action = 'siem.export'
      AND path = 'cli siem export'`,
    [tenant],
  );
  expect(audited[0]!.n).toBe(3);
}, 120_000);

it('names a bad option (exit 2)', async () => {
  const bad = await cli(['siem', 'export', '--tenant', tenant, '--after-seq', 'x']);
  expect(bad).toMatchObject({ code: 2 });
  expect(bad.stderr).toContain('--after-seq');
});
