/**
 * Opens the database the service works on, with every migration applied. With an owner URL, the
 * migrations run on a short-lived connection as the owner and the service's own connection (the
 * restricted role) only checks that none is pending; without one, the single connection migrates.
 */
import { openDatabase, type Database, type DatabaseOptions } from './database.ts';
import { assertMigrated, migrate, type MigrationReport } from './migrate.ts';

export interface MigratedDatabaseOptions extends DatabaseOptions {
  /**
   * Connection string of the schema's owner, used only to migrate (DATABASE_OWNER_URL). Unset: the
   * service's own connection migrates, and so owns the tables (that mode does not protect the past).
   * @defaultValue undefined
   */
  ownerUrl?: string;
}

/** Applies the migrations as the owner when one is configured, else on the service's connection. */
export async function migrateAsOwner(options: MigratedDatabaseOptions): Promise<MigrationReport> {
  const db = await openDatabase({ ...options, url: options.ownerUrl ?? options.url, poolSize: 1 });
  try {
    return await migrate(db);
  } finally {
    await db.close();
  }
}

export async function openMigratedDatabase(
  options: MigratedDatabaseOptions,
): Promise<{ db: Database; migrations: MigrationReport }> {
  if (options.ownerUrl && options.url) {
    const migrations = await migrateAsOwner(options);
    const db = await openDatabase(options);
    try {
      await assertMigrated(db);
    } catch (err) {
      await db.close();
      throw err;
    }
    return { db, migrations };
  }
  const db = await openDatabase(options);
  try {
    return { db, migrations: await migrate(db) };
  } catch (err) {
    await db.close();
    throw err;
  }
}

/**
 * Migrates for a command about to work on `db`: on a connection of the owner's when one is
 * configured, else on `db` itself (no second connection).
 */
export async function migrateFor(db: Database, options: MigratedDatabaseOptions): Promise<MigrationReport> {
  return options.ownerUrl && options.url ? migrateAsOwner(options) : migrate(db);
}
