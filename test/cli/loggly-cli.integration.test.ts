/**
 * `standing siem loggly set|show` with the tenant's keys: the token read from a file and never printed,
 * absent options kept, personal data only with an auditor key, an agent refused.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_DATABASE_URL, openTestStore, type TestStore } from '../support/databases.ts';
import { runCli, type Run } from '../support/cli.ts';
import { tenantKey } from '../support/access.ts';

let store: TestStore;
let workDir: string;
const masterKey = randomBytes(32).toString('base64');
const tenant = `loggly-${randomBytes(2).toString('hex')}`;
const TOKEN = 'c0ffee00-1f7e-4c1a-9d8b-abcdefabcdef';
const keys: Record<string, string> = {};
const cli = (args: string[], role: string): Promise<Run> =>
  runCli(args, {
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: store.schema,
    STANDING_DATA_DIR: join(workDir, 'data'),
    STANDING_MASTER_KEY: masterKey,
    STANDING_API_KEY: keys[role]!,
  });

beforeAll(async () => {
  store = await openTestStore('postgres', 'loggly_cli');
  workDir = mkdtempSync(join(tmpdir(), 'standing-loggly-cli-'));
  for (const role of ['agent', 'admin', 'auditor'] as const) keys[role] = await tenantKey(store.db, tenant, role);
});
afterAll(async () => {
  await store?.dispose();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

it('sets the target from a token file, shows it without the token, and keeps what is not given', async () => {
  const file = join(workDir, 'token');
  writeFileSync(file, `${TOKEN}\n`);
  const missing = await cli(['siem', 'loggly', 'set', '--tenant', tenant, '--tag', 'audit'], 'admin');
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('token');

  const set = await cli(['siem', 'loggly', 'set', '--tenant', tenant, '--token-file', file, '--tag', 'audit'], 'admin');
  expect(set.code, set.stderr).toBe(0);
  expect(JSON.parse(set.stdout)).toMatchObject({ tenant, tag: 'audit', enabled: true, token: { last4: 'cdef' } });

  const off = await cli(['siem', 'loggly', 'set', '--tenant', tenant, '--disable'], 'admin');
  expect(JSON.parse(off.stdout)).toMatchObject({ tag: 'audit', enabled: false });
  const shown = await cli(['siem', 'loggly', 'show', '--tenant', tenant], 'auditor');
  expect(shown.code).toBe(0);
  expect(JSON.parse(shown.stdout)).toMatchObject({ tag: 'audit', enabled: false, last_seq: 0 });
  for (const r of [set, off, shown]) expect(r.stdout + r.stderr).not.toContain(TOKEN);
});

it('lets only an auditor turn personal data on, and refuses an agent', async () => {
  const admin = await cli(['siem', 'loggly', 'set', '--tenant', tenant, '--personal-data'], 'admin');
  expect(admin.code).toBe(4);
  const auditor = await cli(['siem', 'loggly', 'set', '--tenant', tenant, '--personal-data'], 'auditor');
  expect(JSON.parse(auditor.stdout)).toMatchObject({ include_personal_data: true });
  expect((await cli(['siem', 'loggly', 'show', '--tenant', tenant], 'agent')).code).toBe(4);
});
