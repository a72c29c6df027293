/**
 * `standing db grant --role <name>`: gives a PostgreSQL login role what the service needs and
 * nothing that rewrites the log (the list in connector/store/grants.sql), and registers the
 * configured checkpoint key. `standing checkpoint register-key`: registers the checkpoint key's
 * public half, so that the database accepts the boundaries and checkpoints it signs. Both run as
 * the owner: DATABASE_OWNER_URL, or DATABASE_URL when that is the owner (or the embedded database).
 */
import type { Command } from 'commander';
import { loadCheckpointKey } from '../config/checkpoint-key.ts';
import type { StandingConfig } from '../config/config.ts';
import type { CheckpointKey } from '../model/checkpoint.ts';
import { registerCheckpointKey } from '../store/checkpoint-keys.ts';
import type { Database } from '../store/database.ts';
import { EmbeddedHasOneUserError, grantServiceRole, migrate } from '../store/migrate.ts';
import { CliFailure, EXIT, loadConfigOrFail, withDatabase, type SetExitCode } from './common.ts';

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** `fn` on a connection as the owner, migrated first. */
function withOwner<T>(config: StandingConfig, fn: (db: Database) => Promise<T>): Promise<T> {
  const url = config.database.ownerUrl ?? config.database.url;
  return withDatabase({ ...config, database: { ...config.database, url } }, async (db) => {
    await migrate(db);
    return fn(db);
  });
}

async function register(db: Database, key: CheckpointKey): Promise<string> {
  return registerCheckpointKey(db, key, 'operator').catch((err: unknown) => {
    if ((err as { code?: string }).code === '42501')
      throw new CliFailure(
        'only the schema owner registers a checkpoint key: set DATABASE_OWNER_URL to the owner and run again',
        EXIT.usage,
      );
    throw err;
  });
}

async function runGrant(options: { role: string }): Promise<number> {
  if (!ROLE_NAME.test(options.role))
    throw new CliFailure('--role: must be a lowercase SQL identifier (a-z, 0-9, _)', EXIT.usage);
  const config = loadConfigOrFail();
  if (!config.database.url)
    throw new CliFailure(
      new EmbeddedHasOneUserError(
        'the embedded database has a single user: there is no role to grant; set DATABASE_URL',
      ).message,
      EXIT.usage,
    );
  const key = await loadCheckpointKey(config, { generate: false }).catch((err: Error) => {
    throw new CliFailure(err.message, EXIT.usage);
  });
  const keyId = await withOwner(config, async (db) => {
    await grantServiceRole(db, options.role);
    return key ? register(db, key) : null;
  });
  process.stdout.write(
    `granted the service's rights on schema ${config.database.schema} to ${options.role}; set DATABASE_URL ` +
      `to log in as ${options.role}\n`,
  );
  process.stdout.write(
    keyId
      ? `registered checkpoint key ${keyId}\n`
      : 'no checkpoint key is configured: once STANDING_CHECKPOINT_KEY is set, run `standing checkpoint ' +
          'register-key`\n',
  );
  return EXIT.ok;
}

async function runRegisterKey(): Promise<number> {
  const config = loadConfigOrFail();
  const key = await loadCheckpointKey(config).catch((err: Error) => {
    throw new CliFailure(err.message, EXIT.usage);
  });
  const keyId = await withOwner(config, (db) => register(db, key!));
  process.stdout.write(
    `registered checkpoint key ${keyId}: the database accepts the boundaries and checkpoints it signs\n`,
  );
  return EXIT.ok;
}

export function registerDbCommands(program: Command, setExitCode: SetExitCode): void {
  const db = program.command('db').description('database roles');
  db.command('grant')
    .description(
      "give a login role the service's rights (connector/store/grants.sql) and register the checkpoint key; " +
        'run as the owner',
    )
    .requiredOption(
      '--role <name>',
      'the PostgreSQL role the service logs in as (create it first: CREATE ROLE name LOGIN PASSWORD ...)',
    )
    .action(async (options: { role: string }) => setExitCode(await runGrant(options)));
}

/** Below `standing checkpoint`. */
export function registerCheckpointKeyCommand(checkpoint: Command, setExitCode: SetExitCode): void {
  checkpoint
    .command('register-key')
    .description(
      "register the checkpoint key's public half in the database (as the owner: DATABASE_OWNER_URL), so that " +
        'it accepts what the key signs',
    )
    .action(async () => setExitCode(await runRegisterKey()));
}
