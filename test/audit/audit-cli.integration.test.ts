/**
 * `standing export` is recorded in the read audit; `standing audit list` and `audit verify` with the tenant's auditor
 * key (child processes, real PostgreSQL).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AccessAudit } from '../../connector/audit/access-audit.ts';
import {
  TEST_DATABASE_URL,
  asSuperuserBypassingTriggers,
  openTestStore,
  type TestStore,
} from '../support/databases.ts';
import { runCli, type Run } from '../support/cli.ts';
import { event } from '../support/fixtures.ts';
import { tenantKey } from '../support/access.ts';

let store: TestStore;
let workDir: string;
const tenant = `aud-${randomBytes(2).toString('hex')}`;

let auditorKey: string;
/** As the tenant's auditor, or with `asOperator` without a key (the operator). */
function cli(args: string[], asOperator = false): Promise<Run> {
  return runCli(args, {
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: store.schema,
    STANDING_DATA_DIR: join(workDir, 'data'),
    STANDING_MASTER_KEY: randomBytes(32).toString('base64'),
    ...(asOperator ? {} : { STANDING_API_KEY: auditorKey }),
  });
}

beforeAll(async () => {
  store = await openTestStore('postgres', 'audit_cli');
  workDir = mkdtempSync(join(tmpdir(), 'standing-audit-cli-'));
  await store.log.append([event({ tenant }), event({ tenant })]);
  auditorKey = await tenantKey(store.db, tenant, 'auditor');
});
afterAll(async () => {
  await store?.dispose();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

it("records the operator's refused export and the auditor's export, lists them, and verifies the chain", async () => {
  const out = join(workDir, 'export.ndjson');
  expect((await cli(['export', '--tenant', tenant, '--out', out], true)).code).toBe(4);
  expect((await cli(['export', '--tenant', tenant, '--out', out])).code).toBe(0);
  expect((await cli(['export', '--tenant', tenant, '--out', out])).code).toBe(2);
  const listed = await cli(['audit', 'list', '--tenant', tenant, '--json']);
  expect(listed.code).toBe(0);
  const page = JSON.parse(listed.stdout) as { entries: Record<string, unknown>[]; next_after_seq: number | null };
  const label = `api-key:${auditorKey.split('_')[1]}`;
  expect(page.entries).toEqual([
    expect.objectContaining({
      seq: 1,
      action: 'denied',
      outcome: 'denied',
      path: 'cli export',
      principal: { type: 'operator', label: 'operator', role: 'operator' },
      detail: expect.objectContaining({ permission: 'log.export' }),
    }),
    expect.objectContaining({
      seq: 2,
      action: 'log.export',
      outcome: 'allowed',
      path: 'cli export',
      subject_ids: [],
      principal: expect.objectContaining({ type: 'api_key', label, role: 'auditor' }),
      detail: { rows: 2 },
    }),
  ]);
  const table = await cli(['audit', 'list', '--tenant', tenant]);
  expect(table.stdout).toMatch(/^SEQ +AT +ACTION/);
  expect(table.stdout).toMatch(new RegExp(`\\n2 +\\S+ +log\\.export +allowed +${label} +auditor +cli export +-\\n$`));
  expect(await cli(['audit', 'verify', '--tenant', tenant])).toMatchObject({
    code: 0,
    stdout: expect.stringMatching(new RegExp(`^${tenant}: read audit ok, 2 rows checked, head 2 [0-9a-f]{64}\\n$`)),
  });
}, 120_000);

it('exits 1 naming the seq of a row altered behind the triggers', async () => {
  const audit = new AccessAudit(store.db);
  await audit.record({
    tenant,
    principal: { type: 'operator' },
    action: 'history.read',
    path: 'GET /api/v1/history',
    subject_ids: [],
  });
  await audit.record({
    tenant,
    principal: { type: 'operator' },
    action: 'history.read',
    path: 'GET /api/v1/history',
    subject_ids: [],
  });
  await asSuperuserBypassingTriggers(
    store.db,
    `UPDATE access_audit SET path = 'somewhere else' WHERE tenant = $1 AND seq = 4`,
    [tenant],
  );
  const v = await cli(['audit', 'verify', '--tenant', tenant]);
  expect(v.code).toBe(1);
  expect(v.stdout).toContain(`${tenant}: read audit BROKEN at seq 4: hash_mismatch`);
  const json = await cli(['audit', 'verify', '--tenant', tenant, '--json']);
  expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, broken: { seq: 4, problem: 'hash_mismatch' } });
}, 60_000);

it("refuses another tenant's audit (exit 4) and bad options (exit 2, naming the option)", async () => {
  expect(await cli(['audit', 'list', '--tenant', 'nobody-here'])).toMatchObject({
    code: 4,
    stderr: expect.stringContaining('is not for tenant "nobody-here"'),
  });
  expect(await cli(['audit', 'list', '--tenant', tenant, '--limit', '0', '--subject-id', 'x'])).toMatchObject({
    code: 2,
    stderr: expect.stringMatching(/--subject-id: .*\n--limit: must be an integer 1-1000/),
  });
  expect(existsSync(join(workDir, 'export.ndjson'))).toBe(true);
}, 60_000);
