/**
 * The role check of every `standing` command. A command runs as the principal of
 * `STANDING_API_KEY` (a tenant's key) when it is set, else as the operator: without a key the CLI
 * runs with the deployment's own configuration (database credentials, master key), which is the
 * operator's. Each command names the permission it needs below; a refusal is recorded like an
 * API refusal and exits 4.
 */
import type { Command } from 'commander';
import { ApiKeyStore } from '../access/api-keys.ts';
import { refusal, type DenialRecorder } from '../access/authorize.ts';
import type { Permission } from '../access/permissions.ts';
import { principalLabel, type Principal } from '../access/principal.ts';
import type { Database } from '../store/database.ts';
import { CliFailure, EXIT, loadConfigOrFail, withDatabase } from './common.ts';

/** Where a command names its tenant: `--tenant`, its first argument, or nowhere (not about one tenant). */
type TenantFrom = 'option' | 'argument' | 'none';

/** What each command needs; `null`: prints only built-in text, needs nothing (e.g. `mapping default`). */
export const CLI_PERMISSIONS: Readonly<Record<string, { permission: Permission; tenant: TenantFrom } | null>> = {
  serve: { permission: 'service.operate', tenant: 'none' },
  demo: { permission: 'service.operate', tenant: 'none' },
  migrate: { permission: 'service.operate', tenant: 'none' },
  config: { permission: 'service.operate', tenant: 'none' },
  'db grant': { permission: 'service.operate', tenant: 'none' },
  verify: { permission: 'log.verify', tenant: 'option' },
  checkpoint: { permission: 'log.checkpoint', tenant: 'option' },
  'checkpoint register-key': { permission: 'service.operate', tenant: 'none' },
  export: { permission: 'log.export', tenant: 'option' },
  'tenant create': { permission: 'tenants.provision', tenant: 'none' },
  'tenant list': { permission: 'tenants.provision', tenant: 'none' },
  'tenant update': { permission: 'tenant.settings', tenant: 'argument' },
  'tenant show': { permission: 'tenant.settings', tenant: 'argument' },
  'key create': { permission: 'tenants.provision', tenant: 'option' },
  'key list': { permission: 'tenants.provision', tenant: 'option' },
  'key revoke': { permission: 'tenants.provision', tenant: 'option' },
  'mapping show': { permission: 'mapping.read', tenant: 'argument' },
  'mapping set': { permission: 'mapping.write', tenant: 'argument' },
  'mapping history': { permission: 'mapping.read', tenant: 'argument' },
  'mapping default': null,
  backfill: { permission: 'reconciliation.run', tenant: 'option' },
  'retention set': { permission: 'retention.manage', tenant: 'option' },
  'retention show': { permission: 'retention.manage', tenant: 'option' },
  'retention apply': { permission: 'retention.apply', tenant: 'option' },
  'hold place': { permission: 'hold.manage', tenant: 'option' },
  'hold lift': { permission: 'hold.manage', tenant: 'option' },
  'hold list': { permission: 'hold.manage', tenant: 'option' },
  'audit list': { permission: 'audit.read', tenant: 'option' },
  'audit verify': { permission: 'audit.read', tenant: 'option' },
  'subject export': { permission: 'subject.access_export', tenant: 'option' },
  'subject erase': { permission: 'subject.erase', tenant: 'option' },
  'siem export': { permission: 'siem.export', tenant: 'option' },
  'siem loggly show': { permission: 'siem.configure', tenant: 'option' },
  'siem loggly set': { permission: 'siem.configure', tenant: 'option' },
  'alerts channels show': { permission: 'tenant.settings', tenant: 'option' },
  'alerts channels set': { permission: 'tenant.settings', tenant: 'option' },
  'alerts deliveries': { permission: 'tenant.settings', tenant: 'option' },
};

export const API_KEY_ENV = 'STANDING_API_KEY';

/** `tenant create`, `verify`: the command's name below the program. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The principal the CLI acts as, and what to record refusals with. */
export interface CliAccessOptions {
  /** @defaultValue the `STANDING_API_KEY` environment variable */
  apiKey?: string;
  /** Opens the database to look the key up and record refusals. @defaultValue the configured database */
  withDb?: <T>(fn: (db: Database) => Promise<T>) => Promise<T>;
  /** Where refusals are recorded, given the open database. */
  denials: (db: Database) => DenialRecorder;
}

/**
 * Checks the role before a command's action runs; sets its `actor` option to the principal's label
 * (who a change is recorded as), its `principal` option (who a read is audited as) and, for a
 * tenant's key without `--tenant`, the key's tenant.
 */
export function installCommandAccess(program: Command, options: CliAccessOptions): void {
  program.hook('preAction', async (_root, action) => {
    const path = commandPath(action);
    if (!(path in CLI_PERMISSIONS)) throw new Error(`command "${path}" has no entry in CLI_PERMISSIONS`);
    const need = CLI_PERMISSIONS[path];
    if (need === null || need === undefined) return;
    const key = options.apiKey ?? process.env[API_KEY_ENV];
    const withDb = options.withDb ?? (<T>(fn: (db: Database) => Promise<T>) => withDatabase(loadConfigOrFail(), fn));
    const named =
      need.tenant === 'option'
        ? (action.opts() as { tenant?: unknown }).tenant
        : need.tenant === 'argument'
          ? action.args[0]
          : undefined;
    let tenant = typeof named === 'string' ? named : null;

    let principal: Principal = { type: 'operator' };
    if (key !== undefined && key !== '') {
      const found = await withDb((db) => new ApiKeyStore(db).authenticate(key.trim()));
      if (!found) {
        await withDb((db) =>
          options.denials(db).recordDenied({
            tenant,
            principal: null,
            path: `cli ${path}`,
            permission: need.permission,
            reason: 'invalid credentials',
          }),
        );
        throw new CliFailure(`${API_KEY_ENV}: not a valid API key (unknown, revoked or mistyped)`, EXIT.denied);
      }
      principal = found;
      if (tenant === null && need.tenant === 'option') {
        tenant = found.tenant;
        action.setOptionValue('tenant', found.tenant);
      }
    }
    const why = refusal(principal, need.permission, tenant);
    if (why !== null) {
      await withDb((db) =>
        options
          .denials(db)
          .recordDenied({ tenant, principal, path: `cli ${path}`, permission: need.permission, reason: why }),
      );
      throw new CliFailure(
        `${why}${principal.type === 'operator' ? ` — set ${API_KEY_ENV} to a key of that role` : ''}`,
        EXIT.denied,
      );
    }
    action.setOptionValue('actor', principalLabel(principal));
    action.setOptionValue('principal', principal);
  });
}
