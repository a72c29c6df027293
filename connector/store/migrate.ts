/**
 * Versioned migrations: `migrations/NNN_name.sql`, applied in order at start, each in its own
 * transaction, recorded in `schema_migrations` with a checksum so an edited, already-applied file
 * is refused instead of silently diverging. Written here rather than with a migration library
 * because the same runner must drive both `pg` and the embedded PGlite.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.ts';
import { StandingError } from '../lib/errors.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const GRANTS_FILE = fileURLToPath(new URL('./grants.sql', import.meta.url));
const FILE_NAME = /^(\d{3})_([a-z0-9_]+)\.sql$/;
// Any constant: serializes concurrent migrators (several replicas starting at once).
const MIGRATION_LOCK = 7_301_952;

export class MigrationChecksumError extends StandingError {
  override name = 'MigrationChecksumError';
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

export async function migrate(db: Database): Promise<MigrationReport> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => FILE_NAME.test(f)).sort();
  // Under the lock too: concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog
  // ("duplicate key value violates unique constraint pg_type_typname_nsp_index").
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
  });
  const applied: string[] = [];
  let alreadyApplied = 0;
  for (const file of files) {
    const [, version, name] = FILE_NAME.exec(file)!;
    const sql = await readFile(MIGRATIONS_DIR + file, 'utf8');
    const checksum = createHash('sha256').update(sql).digest('hex');
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const [row] = await tx.query<{ checksum: string }>('SELECT checksum FROM schema_migrations WHERE version = $1', [
        Number(version),
      ]);
      if (row) {
        if (row.checksum !== checksum)
          throw new MigrationChecksumError(`migration ${file} was changed after it was applied`);
        return false;
      }
      // Multi-statement SQL needs the simple-query protocol: no parameters in migration files.
      await tx.exec(sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        Number(version),
        name,
        checksum,
      ]);
      return true;
    });
    if (done) applied.push(file);
    else alreadyApplied++;
  }
  // The service role's rights (grants.sql), re-applied so new tables and functions are covered
  // (PostgreSQL only: PGlite has one user). Only the schema's owner may redefine them.
  if (db.kind === 'postgres') await applyGrants(db);
  return { applied, alreadyApplied };
}

export class PendingMigrationsError extends StandingError {
  override name = 'PendingMigrationsError';
}

/**
 * For a service that does not migrate (it runs as the restricted role, DATABASE_OWNER_URL
 * migrates): refuses to go on while a migration file is not applied yet.
 */
export async function assertMigrated(db: Database): Promise<void> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => FILE_NAME.test(f)).sort();
  const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations').catch(() => []);
  const done = new Set(rows.map((r) => Number(r.version)));
  const pending = files.filter((f) => !done.has(Number(FILE_NAME.exec(f)![1])));
  if (pending.length > 0) {
    throw new PendingMigrationsError(
      `migrations not applied yet: ${pending.join(', ')}; run \`standing migrate\` with DATABASE_OWNER_URL set`,
    );
  }
}

export class EmbeddedHasOneUserError extends StandingError {
  override name = 'EmbeddedHasOneUserError';
}

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

async function applyGrants(db: Database): Promise<void> {
  const [me] = await db.query<{ owner: boolean }>(
    `SELECT n.nspowner = r.oid OR r.rolsuper AS owner FROM pg_namespace n, pg_roles r
      WHERE n.nspname = current_schema() AND r.rolname = current_user`,
  );
  if (!me?.owner) return;
  const sql = await readFile(GRANTS_FILE, 'utf8');
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(sql);
    for (const { role_name } of await tx.query<{ role_name: string }>(
      'SELECT role_name FROM service_role_grants ORDER BY role_name',
    )) {
      await tx.query('SELECT standing_grant_service_role($1)', [role_name]);
    }
  });
}

/**
 * Gives a PostgreSQL role what the service needs and nothing that rewrites the log (the list in
 * connector/store/grants.sql). Run on a connection as the owner; re-applied by `migrate`.
 */
export async function grantServiceRole(db: Database, role: string): Promise<void> {
  if (db.kind !== 'postgres')
    throw new EmbeddedHasOneUserError('the embedded database has a single user: there is no role to grant');
  if (!ROLE_NAME.test(role)) throw new RangeError(`role "${role}" must be a lowercase SQL identifier`);
  await db.query('SELECT standing_grant_service_role($1)', [role]);
}
