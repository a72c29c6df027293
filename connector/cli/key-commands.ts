/**
 * `standing key create|list|revoke`: a tenant's API keys (the operator's provisioning, as
 * `/api/v1/tenants/{t}/keys`, with the same rules: connector/access/key-issuance.ts). The secret is
 * printed once, by `create`; creations and revocations are recorded in the tenant's read audit.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { ApiKeyStore } from '../access/api-keys.ts';
import { KeyIssuer } from '../keys/key-issuance.ts';
import { TENANT_ROLES, type Principal } from '../access/principal.ts';
import type { StandingConfig } from '../config/config.ts';
import type { Database } from '../store/database.ts';
import {
  CliFailure,
  EXIT,
  tenantIdArgument,
  validationFailure,
  withTenantRegistry,
  writeJson,
  writeTable,
  type SetExitCode,
} from './common.ts';

interface KeyOptions {
  tenant: string;
  /** Set by the role check (command-access.ts): who creates or revokes, as recorded. @defaultValue the operator */
  principal?: Principal;
  json?: boolean;
}

async function withKeys<T>(
  tenantArg: string,
  fn: (db: Database, tenant: string, config: StandingConfig) => Promise<T>,
): Promise<T> {
  const tenant = tenantIdArgument(tenantArg, '--tenant');
  return withTenantRegistry(async (tenants, config) => {
    if (!(await tenants.get(tenant))) throw new CliFailure(`--tenant: no tenant "${tenant}"`, EXIT.usage);
    return fn(tenants.db, tenant, config);
  });
}

const issuerFor = (db: Database, config: StandingConfig) =>
  new KeyIssuer(db, { operatorAuditorKeys: config.operatorAuditorKeys });
const OPERATOR: Principal = { type: 'operator' };

export async function createKey(o: KeyOptions & { role: string; name: string }): Promise<number> {
  const created = await withKeys(o.tenant, (db, tenant, config) =>
    issuerFor(db, config).create(tenant, { role: o.role, name: o.name }, o.principal ?? OPERATOR, 'cli key create'),
  );
  if (!created.ok && 'refused' in created) throw new CliFailure(created.refused, EXIT.denied);
  if (!created.ok) throw validationFailure('invalid API key', created.problems);
  if (o.json) writeJson({ ...created.view, key: created.key });
  else {
    process.stderr.write(
      `created ${created.view.role} key ${created.view.key_id} for tenant ${created.view.tenant}; it is ` +
        `shown only now:\n`,
    );
    process.stdout.write(`${created.key}\n`);
  }
  return EXIT.ok;
}

export async function listKeys(o: KeyOptions & { all?: boolean }): Promise<number> {
  const keys = await withKeys(o.tenant, (db, tenant) =>
    new ApiKeyStore(db).list(tenant, { includeRevoked: o.all === true }),
  );
  if (o.json) writeJson({ keys });
  else
    writeTable([
      ['KEY', 'ROLE', 'NAME', 'CREATED', 'BY', 'LAST USED', 'REVOKED'],
      ...keys.map((k) => [
        k.key_id,
        k.role,
        k.name,
        k.created_at,
        k.created_by,
        k.last_used_at ?? '-',
        k.revoked_at ?? '-',
      ]),
    ]);
  return EXIT.ok;
}

export async function revokeKey(keyId: string, o: KeyOptions): Promise<number> {
  const outcome = await withKeys(o.tenant, (db, tenant, config) =>
    issuerFor(db, config).revoke(tenant, keyId, o.principal ?? OPERATOR, 'cli key revoke'),
  );
  if (!outcome) throw new CliFailure(`<key-id>: tenant "${o.tenant}" has no key "${keyId}"`, EXIT.usage);
  const revoked = outcome.key;
  if (o.json) writeJson(revoked);
  else
    process.stdout.write(
      `key ${revoked.key_id} of tenant ${revoked.tenant} revoked at ${revoked.revoked_at} by ${revoked.revoked_by}\n`,
    );
  return EXIT.ok;
}

export function registerKeyCommands(program: Command, setExitCode: SetExitCode): void {
  const key = program
    .command('key')
    .description("a tenant's API keys: one per role and purpose, stored hashed (operator)");
  key
    .command('create')
    .description('create a key; its secret is printed once, on stdout')
    .requiredOption('--tenant <id>', 'the tenant')
    .addOption(new Option('--role <role>', 'what the key may do').choices(TENANT_ROLES).makeOptionMandatory())
    .requiredOption('--name <name>', 'what the key is for (who holds it)')
    .option('--json', 'machine-readable output (includes the key)')
    .action(async (o: KeyOptions & { role: string; name: string }) => setExitCode(await createKey(o)));
  key
    .command('list')
    .description("list a tenant's keys (never their secrets)")
    .requiredOption('--tenant <id>', 'the tenant')
    .option('--all', 'include revoked keys')
    .option('--json', 'machine-readable output')
    .action(async (o: KeyOptions & { all?: boolean }) => setExitCode(await listKeys(o)));
  key
    .command('revoke')
    .description('revoke a key at once, in every process')
    .argument('<key-id>', 'the key id (the part after stk_, as listed)')
    .requiredOption('--tenant <id>', 'the tenant')
    .option('--json', 'machine-readable output')
    .action(async (keyId: string, o: KeyOptions) => setExitCode(await revokeKey(keyId, o)));
}
