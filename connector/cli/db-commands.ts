/**
 * `standing db grant --role <name>`: gives a PostgreSQL login role what the service needs and
 * nothing that rewrites the log (migration 010's standing_grant_service_role). Runs as the owner:
 * DATABASE_OWNER_URL, or DATABASE_URL when that is the owner.
 */
import type { Command } from 'commander';
import { EmbeddedHasOneUserError, grantServiceRole } from '../store/migrate.ts';
import { migrateAsOwner } from '../store/open-migrated.ts';
import { CliFailure, EXIT, loadConfigOrFail, withDatabase, type SetExitCode } from './common.ts';

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

async function runGrant(options: { role: string }): Promise<number> {
  if (!ROLE_NAME.test(options.role)) throw new CliFailure('--role: must be a lowercase SQL identifier (a-z, 0-9, _)', EXIT.usage);
  const config = loadConfigOrFail();
  if (!config.database.url) throw new CliFailure(new EmbeddedHasOneUserError('the embedded database has a single user: there is no role to grant; set DATABASE_URL').message, EXIT.usage);
  await migrateAsOwner(config.database);
  const ownerUrl = config.database.ownerUrl ?? config.database.url;
  await withDatabase({ ...config, database: { ...config.database, url: ownerUrl } }, (db) => grantServiceRole(db, options.role));
  process.stdout.write(`granted the service's rights on schema ${config.database.schema} to ${options.role}; set DATABASE_URL to log in as ${options.role}\n`);
  return EXIT.ok;
}

export function registerDbCommands(program: Command, setExitCode: SetExitCode): void {
  const db = program.command('db').description('database roles');
  db.command('grant')
    .description("give a login role the service's rights: INSERT and SELECT only on the log, no boundary but through retention")
    .requiredOption('--role <name>', 'the PostgreSQL role the service logs in as (create it first: CREATE ROLE name LOGIN PASSWORD ...)')
    .action(async (options: { role: string }) => setExitCode(await runGrant(options)));
}
