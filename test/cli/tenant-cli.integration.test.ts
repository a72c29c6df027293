/**
 * `standing tenant ...` and `standing mapping ...` as an operator runs them: a child process on
 * the machine's PostgreSQL, in a schema of its own, with the master key the service would use.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveMasterKeys } from '../../connector/model/sealing.ts';
import { TenantRegistry } from '../../connector/tenants/tenant-registry.ts';
import { DEFAULT_ZENDESK_MAPPING_DOCUMENT, parseMappingDocument } from '../../connector/zendesk/mapping-document.ts';
import { TEST_DATABASE_URL, openTestStore, type TestStore } from '../support/databases.ts';
import { runCli, type Run } from '../support/cli.ts';
import { tenantKey } from '../support/access.ts';

let store: TestStore;
let workDir: string;
const masterKey = randomBytes(32).toString('base64');
const WEBHOOK_SECRET = `whsec-${randomBytes(18).toString('base64url')}`;
const API_TOKEN = `apitok-${randomBytes(12).toString('hex')}`;

/** Runs the CLI with the deployment's variables, as an operator would. */
function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  return runCli(args, {
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: store.schema,
    STANDING_DATA_DIR: join(workDir, 'data'),
    STANDING_MASTER_KEY: masterKey,
    STANDING_ADMIN_TOKEN: randomBytes(24).toString('hex'),
    ...extraEnv,
  });
}

function file(name: string, content: string): string {
  const path = join(workDir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

const registry = (key = masterKey) =>
  new TenantRegistry(store.db, deriveMasterKeys(Buffer.from(key, 'base64')), { cacheTtlMs: 1 });
const neverShowsSecrets = (r: Run) => {
  for (const secret of [WEBHOOK_SECRET, API_TOKEN]) expect(r.stdout + r.stderr).not.toContain(secret);
};

beforeAll(async () => {
  store = await openTestStore('postgres', 'cli_tenant');
  workDir = mkdtempSync(join(tmpdir(), 'standing-tenant-cli-'));
});
afterAll(async () => {
  await store?.dispose();
  rmSync(workDir, { recursive: true, force: true });
});

describe('standing tenant create', () => {
  it('creates a tenant with the webhook secret from a file and prints the view, not the secret', async () => {
    const secretFile = file('acme-webhook-secret', `${WEBHOOK_SECRET}\n`);
    const r = await cli([
      'tenant',
      'create',
      'acme',
      '--name',
      'Acme Corp',
      '--zendesk-subdomain',
      'acme',
      '--zendesk-api-email',
      'ops@acme.example',
      '--zendesk-webhook-secret-file',
      secretFile,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tenant acme created$/m);
    expect(r.stdout).toMatch(/^\s+zendesk subdomain\s+acme$/m);
    expect(r.stdout).toMatch(/^\s+zendesk webhook secret\s+set$/m);
    expect(r.stdout).toMatch(/^\s+zendesk api token\s+not set$/m);
    neverShowsSecrets(r);
  });

  it('seals the secret at rest, and the service (same master key) reads it back', async () => {
    const [row] = await store.db.query<{ row: string }>(
      "SELECT row_to_json(t)::text AS row FROM tenants t WHERE id = 'acme'",
    );
    expect(row?.row).toContain('"zendesk_subdomain":"acme"');
    // bytea shows as hex in row_to_json: look for the secret in clear and hex-encoded.
    expect(row?.row).not.toContain(WEBHOOK_SECRET);
    expect(row?.row).not.toContain(Buffer.from(WEBHOOK_SECRET).toString('hex'));
    const acme = await registry().get('acme');
    expect(acme?.zendesk).toEqual({
      subdomain: 'acme',
      api_url: null,
      api_email: 'ops@acme.example',
      webhook_secret: WEBHOOK_SECRET,
      api_token: null,
      app_shared_secret: null,
    });
    await expect(registry(randomBytes(32).toString('base64')).get('acme')).rejects.toThrow();
  });

  it('takes secrets from the environment only with --secrets-from-env', async () => {
    const r = await cli(['tenant', 'create', 'globex', '--name', 'Globex', '--secrets-from-env', '--json'], {
      ZENDESK_API_TOKEN: API_TOKEN,
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      id: 'globex',
      name: 'Globex',
      zendesk: {
        subdomain: null,
        api_url: null,
        api_email: null,
        webhook_secret_set: false,
        api_token_set: true,
        app_shared_secret_set: false,
      },
    });
    neverShowsSecrets(r);
    expect((await registry().get('globex'))?.zendesk.api_token).toBe(API_TOKEN);

    const withoutFlag = await cli(['tenant', 'create', 'initech', '--name', 'Initech', '--json'], {
      ZENDESK_API_TOKEN: API_TOKEN,
    });
    expect(withoutFlag.code).toBe(0);
    expect((JSON.parse(withoutFlag.stdout) as { zendesk: { api_token_set: boolean } }).zendesk.api_token_set).toBe(
      false,
    );
  });

  it('has no option that takes a secret on the command line', async () => {
    const r = await cli(['tenant', 'create', 'hooli', '--name', 'Hooli', '--zendesk-webhook-secret', WEBHOOK_SECRET]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--zendesk-webhook-secret'");
    expect(await registry().get('hooli')).toBeNull();
  });

  it('refuses an invalid subdomain with exit 2, naming the field, and creates nothing', async () => {
    const r = await cli([
      'tenant',
      'create',
      'umbrella',
      '--name',
      'Umbrella',
      '--zendesk-subdomain',
      'umbrella.zendesk.com',
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^zendesk\.subdomain \(--zendesk-subdomain\): must be the subdomain only/m);
    expect(await registry().get('umbrella')).toBeNull();
  });

  it('refuses a too-short secret naming the field, without echoing it', async () => {
    const r = await cli([
      'tenant',
      'create',
      'umbrella',
      '--name',
      'Umbrella',
      '--zendesk-webhook-secret-file',
      file('short', 'tiny-secret'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^zendesk\.webhook_secret .*: must be the webhook signing secret/m);
    expect(r.stderr).not.toContain('tiny-secret');
  });

  it('exit 2 for a duplicate id, a missing secret file and a bad id', async () => {
    const duplicate = await cli(['tenant', 'create', 'acme', '--name', 'Again']);
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toBe('standing: tenant "acme" already exists\n');
    const missing = await cli([
      'tenant',
      'create',
      'umbrella',
      '--name',
      'Umbrella',
      '--zendesk-api-token-file',
      join(workDir, 'nope'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^standing: --zendesk-api-token-file: cannot read .*nope \(ENOENT\)$/m);
    const badId = await cli(['tenant', 'create', 'Not Valid', '--name', 'X']);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toMatch(/^id \(<id>\): must be 1-63 lowercase letters/m);
  });
});

describe('standing tenant show, list, update', () => {
  it('show and list never print a secret', async () => {
    const show = await cli(['tenant', 'show', 'acme', '--json']);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toEqual({
      id: 'acme',
      name: 'Acme Corp',
      zendesk: {
        subdomain: 'acme',
        api_url: null,
        api_email: 'ops@acme.example',
        webhook_secret_set: true,
        api_token_set: false,
        app_shared_secret_set: false,
      },
    });
    const list = await cli(['tenant', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+ZENDESK_SUBDOMAIN\s+WEBHOOK_SECRET\s+API_TOKEN$/);
    expect(list.stdout).toMatch(/^acme\s+Acme Corp\s+acme\s+set\s+-$/m);
    expect(list.stdout).toMatch(/^globex\s+Globex\s+-\s+-\s+set$/m);
    const listJson = await cli(['tenant', 'list', '--json']);
    expect((JSON.parse(listJson.stdout) as { tenants: { id: string }[] }).tenants.map((t) => t.id)).toEqual([
      'acme',
      'globex',
      'initech',
    ]);
    for (const r of [show, list, listJson]) neverShowsSecrets(r);
  });

  it('show of an unknown tenant is exit 2', async () => {
    const r = await cli(['tenant', 'show', 'nosuch']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('standing: no tenant "nosuch"\n');
  });

  it('update changes what is given, keeps the rest, and clears with --clear-*', async () => {
    const r = await cli([
      'tenant',
      'update',
      'acme',
      '--name',
      'Acme Inc',
      '--zendesk-api-token-file',
      file('acme-token', API_TOKEN),
      '--clear-zendesk-api-email',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      id: 'acme',
      name: 'Acme Inc',
      zendesk: {
        subdomain: 'acme',
        api_url: null,
        api_email: null,
        webhook_secret_set: true,
        api_token_set: true,
        app_shared_secret_set: false,
      },
    });
    neverShowsSecrets(r);
    expect((await registry().get('acme'))?.zendesk).toEqual({
      subdomain: 'acme',
      api_url: null,
      api_email: null,
      webhook_secret: WEBHOOK_SECRET,
      api_token: API_TOKEN,
      app_shared_secret: null,
    });

    const proxied = await cli(['tenant', 'update', 'acme', '--zendesk-api-url', 'https://zd-proxy.acme.example/zd/']);
    expect(proxied.code).toBe(0);
    expect((await registry().get('acme'))?.zendesk.api_url).toBe('https://zd-proxy.acme.example/zd');
    const plain = await cli(['tenant', 'update', 'acme', '--zendesk-api-url', 'http://zd-proxy.acme.example']);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('--zendesk-api-url');

    const cleared = await cli(['tenant', 'update', 'acme', '--clear-zendesk-api-token']);
    expect(cleared.code).toBe(0);
    expect(cleared.stdout).toMatch(/^\s+zendesk api token\s+not set$/m);
    expect((await registry().get('acme'))?.zendesk.api_token).toBeNull();
  });

  it(
    'sets the Zendesk app shared secret from a file, refuses ' + 'a short one naming the option, and clears it',
    async () => {
      const appSecret = 'app-shared-secret-for-the-zendesk-app-0123';
      const set = await cli([
        'tenant',
        'update',
        'acme',
        '--zendesk-app-shared-secret-file',
        file('acme-app', appSecret),
        '--json',
      ]);
      expect(set.code).toBe(0);
      expect(
        (JSON.parse(set.stdout) as { zendesk: { app_shared_secret_set: boolean } }).zendesk.app_shared_secret_set,
      ).toBe(true);
      expect(set.stdout).not.toContain(appSecret);
      expect((await registry().get('acme'))?.zendesk.app_shared_secret).toBe(appSecret);
      const short = await cli([
        'tenant',
        'update',
        'acme',
        '--zendesk-app-shared-secret-file',
        file('acme-app-short', 'short'),
      ]);
      expect(short.code).toBe(2);
      expect(short.stderr).toMatch(
        /zendesk\.app_shared_secret \(--zendesk-app-shared-secret-file\): must be at least 32 characters/,
      );
      const cleared = await cli(['tenant', 'update', 'acme', '--clear-zendesk-app-shared-secret']);
      expect(cleared.code).toBe(0);
      expect(cleared.stdout).toMatch(/^\s+zendesk app shared secret\s+not set$/m);
    },
  );

  it('update refuses nothing-to-change, set-and-clear, and an unknown tenant (exit 2)', async () => {
    const nothing = await cli(['tenant', 'update', 'acme']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('nothing to change');
    const both = await cli(['tenant', 'update', 'acme', '--zendesk-subdomain', 'x', '--clear-zendesk-subdomain']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(
      "option '--clear-zendesk-subdomain' cannot be used with option '--zendesk-subdomain <subdomain>'",
    );
    const unknown = await cli(['tenant', 'update', 'nosuch', '--name', 'X']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('standing: tenant "nosuch" does not exist\n');
    expect((await registry().get('acme'))?.zendesk.subdomain).toBe('acme');
  });
});

describe('standing mapping', () => {
  it('default prints the built-in document, which is valid', async () => {
    const r = await cli(['mapping', 'default']);
    expect(r.code).toBe(0);
    const doc: unknown = JSON.parse(r.stdout);
    expect(doc).toEqual(DEFAULT_ZENDESK_MAPPING_DOCUMENT);
    expect(parseMappingDocument(doc).ok).toBe(true);
  });

  // Mapping commands need the tenant's admin key (STANDING_API_KEY): the operator provisions only.
  let admin: Record<string, string>;
  let adminLabel: string;
  beforeAll(async () => {
    const key = await tenantKey(store.db, 'acme', 'admin');
    admin = { STANDING_API_KEY: key };
    adminLabel = `api-key:${key.split('_')[1]}`;
  });

  it('show prints the default when none is set, saying so on stderr', async () => {
    const r = await cli(['mapping', 'show', 'acme'], admin);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(DEFAULT_ZENDESK_MAPPING_DOCUMENT);
    expect(r.stderr).toContain('tenant acme has no zendesk mapping set: showing the built-in default');
    const json = await cli(['mapping', 'show', 'acme', '--json'], admin);
    expect(JSON.parse(json.stdout)).toMatchObject({ version: 0, is_default: true, changed_by: null });
  });

  it('set refuses an invalid document, printing each path, and records nothing', async () => {
    const bad = file(
      'bad-mapping.json',
      JSON.stringify({
        version: 1,
        user: { active_changed: { deactivated_status: 'vanished' } },
        organization: { colour: 'red' },
      }),
    );
    const r = await cli(['mapping', 'set', 'acme', '--file', bad], admin);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^user\.active_changed\.deactivated_status: must be deleted or deactivated$/m);
    expect(r.stderr).toMatch(/^organization\.colour: unknown key "colour"$/m);
    expect(await registry().mappingHistory('acme', 'zendesk')).toEqual([]);

    const notJson = await cli(['mapping', 'set', 'acme', '--file', file('not-json.json', '{"version": 1,')], admin);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('--file: ');
    expect(notJson.stderr).toContain('is not valid JSON');
  });

  it('set records versions as changed by the authenticated key; history and show --version read them', async () => {
    const doc = structuredClone(DEFAULT_ZENDESK_MAPPING_DOCUMENT);
    doc.ticket = { tags: [{ tag: 'please_reinstate', kind: 'reinstatement_requested' }] };
    const first = await cli(['mapping', 'set', 'acme', '--file', file('mapping-1.json', JSON.stringify(doc))], admin);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`tenant acme: zendesk mapping version 1 recorded (changed by ${adminLabel})\n`);

    const history = await cli(['mapping', 'history', 'acme'], admin);
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(
      new RegExp(
        `^VERSION\\s+CHANGED_BY\\s+CHANGED_AT\\n` +
          `1\\s+${adminLabel}\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\n$`,
      ),
    );

    // Neither $USER nor an --actor argument can name someone else.
    expect(
      (await cli(['mapping', 'set', 'acme', '--file', file('mapping-x.json', '{}'), '--actor', 'dana'], admin)).stderr,
    ).toContain("unknown option '--actor'");
    const second = await cli(
      [
        'mapping',
        'set',
        'acme',
        '--file',
        file('mapping-2.json', JSON.stringify(DEFAULT_ZENDESK_MAPPING_DOCUMENT)),
        '--json',
      ],
      { ...admin, USER: 'dana' },
    );
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ version: 2, changed_by: adminLabel });
    const versions = JSON.parse((await cli(['mapping', 'history', 'acme', '--json'], admin)).stdout) as {
      versions: { version: number; changed_by: string; changed_at: string }[];
    };
    expect(versions.versions.map((v) => v.version)).toEqual([2, 1]);

    const v1 = await cli(['mapping', 'show', 'acme', '--version', '1'], admin);
    expect(v1.code).toBe(0);
    expect(JSON.parse(v1.stdout)).toEqual(doc);
    expect(v1.stderr).toContain(`version 1, changed by ${adminLabel}`);
    const current = JSON.parse((await cli(['mapping', 'show', 'acme', '--json'], admin)).stdout) as {
      version: number;
      is_default: boolean;
    };
    expect(current).toMatchObject({ version: 2, is_default: false });
    const missing = await cli(['mapping', 'show', 'acme', '--version', '9'], admin);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--version: tenant "acme" has no zendesk mapping version 9');
  }, 120_000);

  it('set by the operator, another role or another tenant is refused with exit 4; a revoked key too', async () => {
    const path = file('mapping-ok.json', JSON.stringify(DEFAULT_ZENDESK_MAPPING_DOCUMENT));
    const operator = await cli(['mapping', 'set', 'acme', '--file', path]);
    expect(operator.code).toBe(4);
    expect(operator.stderr).toContain('the operator token may not mapping.write (allowed: admin)');
    const auditor = await cli(['mapping', 'set', 'acme', '--file', path], {
      STANDING_API_KEY: await tenantKey(store.db, 'acme', 'auditor'),
    });
    expect(auditor.code).toBe(4);
    const unknown = await cli(['mapping', 'set', 'nosuch', '--file', path], admin);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('is not for tenant "nosuch"');
    const revoked = await tenantKey(store.db, 'acme', 'admin');
    expect((await cli(['key', 'revoke', revoked.split('_')[1]!, '--tenant', 'acme'])).code).toBe(0);
    const afterRevoke = await cli(['mapping', 'show', 'acme'], { STANDING_API_KEY: revoked });
    expect(afterRevoke.code).toBe(4);
    expect(afterRevoke.stderr).toContain('STANDING_API_KEY: not a valid API key');
    expect((await registry().mappingHistory('acme', 'zendesk')).length).toBe(2);
  }, 120_000);

  it('exit 3 when the database cannot be reached', async () => {
    const r = await cli(['tenant', 'list'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^standing: cannot open the database/);
  });
});
