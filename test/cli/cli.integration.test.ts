import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../connector/store/database.ts';
import {
  TEST_DATABASE_URL,
  asSuperuserBypassingTriggers,
  openTestStore,
  uniqueSchema,
  type TestStore,
} from '../support/databases.ts';
import { event } from '../support/fixtures.ts';
import { run, runCli } from '../support/cli.ts';

const cli = runCli;

describe('standing verify', () => {
  let store: TestStore;
  let env: Record<string, string>;

  beforeAll(async () => {
    store = await openTestStore('postgres', 'cli_verify');
    env = { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: store.schema };
    await store.log.append([
      event({ tenant: 'acme' }),
      event({ tenant: 'acme' }),
      event({ tenant: 'acme' }),
      event({ tenant: 'globex' }),
      event({ tenant: 'globex' }),
    ]);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('prints ok with the count and head for an intact chain, exit 0', async () => {
    const head = await store.log.verify('acme');
    const r = await cli(['verify', '--tenant', 'acme'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(head.ok).toBe(true);
    expect(r.stdout.trim()).toBe(
      `acme: ok, 3 events checked (seq 1-3), head 3 ${head.ok ? head.head.hash : ''}; ` +
        'attribution chain: ok, 0 records checked',
    );
  });

  it('says so for a registered tenant without events', async () => {
    await store.db.query("INSERT INTO tenants (id, name) VALUES ('initech', 'Initech') ON CONFLICT DO NOTHING");
    const r = await cli(['verify', '--tenant', 'initech'], env);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('initech: ok, no events');
  });

  it('refuses a tenant id nobody knows (a typo must not read as ok), exit 2', async () => {
    const r = await cli(['verify', '--tenant', 'initek'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no tenant "initek"');
  });

  it('refuses a malformed tenant id with exit 2', async () => {
    const r = await cli(['verify', '--tenant', 'Not Valid'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--tenant: must be 1-63 lowercase letters');
  });

  it('finds a tampered row: exit 1 and the broken seq printed; other tenants still ok', async () => {
    await asSuperuserBypassingTriggers(
      store.db,
      "UPDATE standing_events SET status_after = 'closed' WHERE tenant = $1 AND seq = 2",
      ['acme'],
    );

    const one = await cli(['verify', '--tenant', 'acme'], env);
    expect(one.code).toBe(1);
    expect(one.stdout).toMatch(
      new RegExp(
        '^acme: BROKEN at seq 2: hash_mismatch \\(expected [0-9a-f]{64}, found [0-9a-f]{64}\\); ' +
          '1 events verified before it$',
        'm',
      ),
    );

    const all = await cli(['verify'], env);
    expect(all.code).toBe(1);
    expect(all.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^acme: BROKEN at seq 2: hash_mismatch/),
      expect.stringMatching(
        /^globex: ok, 2 events checked \(seq 1-2\), head 2 [0-9a-f]{64}; attribution chain: ok, 0 records checked$/,
      ),
    ]);

    const json = await cli(['verify', '--json'], env);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as {
      ok: boolean;
      tenants: { tenant: string; ok: boolean; broken?: { seq: number; problem: string } }[];
    };
    expect(report.ok).toBe(false);
    expect(report.tenants).toEqual([
      expect.objectContaining({
        tenant: 'acme',
        ok: false,
        broken: expect.objectContaining({ seq: 2, problem: 'hash_mismatch' }),
      }),
      expect.objectContaining({ tenant: 'globex', ok: true, checked: 2 }),
    ]);
  });

  it('exit 3 when the database cannot be reached', async () => {
    const r = await cli(['verify'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^standing: cannot open the database/);
  });
});

describe('standing migrate', () => {
  const schema = uniqueSchema('cli_migrate');
  afterAll(async () => {
    const db = await openDatabase({ url: TEST_DATABASE_URL, schema });
    await db.exec(`DROP SCHEMA ${schema} CASCADE`);
    await db.close();
  });

  it('applies the migrations once and lists them', async () => {
    const env = { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema };
    const first = await cli(['migrate'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^applied 001_standing_log\.sql$/m);
    expect(first.stdout).toContain(`already applied (schema ${schema})`);
    const second = await cli(['migrate'], env);
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain('applied 001');
    expect(second.stdout).toMatch(/^0 applied, \d+ already applied/m);
  });
});

describe('standing config and help', () => {
  it('lists the commands and the environment in --help', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['serve', 'migrate', 'verify', 'config'])
      expect(r.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    expect(r.stdout).toContain('STANDING_ADMIN_TOKEN');
    expect(r.stdout).toContain('Exit codes:');
  });

  it('has --help on each command', async () => {
    const r = await cli(['verify', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--tenant <id>');
    expect(r.stdout).toContain('--json');
  });

  it('exit 2 for an unknown command', async () => {
    const r = await cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  it('prints the settings in force with secrets masked', async () => {
    const token = 'cli-config-test-token-0123456789-abcdef';
    const r = await cli(['config'], {
      PORT: '9123',
      STANDING_ADMIN_TOKEN: token,
      DATABASE_URL: 'postgres://app:hunter2@db:5432/x',
      STANDING_DATA_DIR: '/nonexistent/standing',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PORT\s+9123\s+environment$/m);
    expect(r.stdout).toMatch(/^HOST\s+0\.0\.0\.0\s+default$/m);
    expect(r.stdout).toMatch(/^STANDING_ADMIN_TOKEN\s+\(set, hidden\)\s+environment$/m);
    expect(r.stdout).toMatch(
      /^STANDING_MASTER_KEY\s+\(unset: will be generated into \/nonexistent\/standing\/master\.key\)\s+default$/m,
    );
    expect(r.stdout).toContain('postgres://app:****@db:5432/x');
    expect(r.stdout).not.toContain(token);
    expect(r.stdout).not.toContain('hunter2');
  });

  it('exit 2 with the variable named for a bad value', async () => {
    const r = await cli(['config'], { PORT: 'eighty' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('standing: configuration error\nPORT: must be an integer 0-65535\n');
  });

  it('runs through the bin launcher', async () => {
    const r = await run(process.execPath, ['bin/standing.mjs', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: standing \[options\] \[command\]/m);
  });
});
