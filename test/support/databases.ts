/**
 * Real databases for integration suites: the machine's PostgreSQL (TEST_DATABASE_URL) and the
 * embedded PGlite. Each suite gets a schema of its own, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../connector/store/database.ts';
import { migrate } from '../../connector/store/migrate.ts';
import { StandingLog } from '../../connector/store/standing-log.ts';
import { deriveMasterKeys, type MasterKeys } from '../../connector/model/sealing.ts';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const BACKENDS = ['postgres', 'embedded'] as const;
export type Backend = (typeof BACKENDS)[number];

export function uniqueSchema(label: string): string {
  return `t_${label.replace(/[^a-z0-9]/g, '_')}_${process.pid}_${randomBytes(3).toString('hex')}`.slice(0, 63);
}

export interface TestStore {
  db: Database;
  log: StandingLog;
  master: MasterKeys;
  schema: string;
  /** Drops the schema (PostgreSQL) and closes the connection. */
  dispose(): Promise<void>;
}

export async function openTestStore(backend: Backend, label: string): Promise<TestStore> {
  const schema = uniqueSchema(label);
  const db = await openDatabase(
    backend === 'postgres' ? { url: TEST_DATABASE_URL, schema } : { embeddedDataDir: 'memory://', schema },
  );
  await migrate(db);
  const master = deriveMasterKeys(randomBytes(32));
  return {
    db,
    log: new StandingLog(db, master),
    master,
    schema,
    dispose: async () => {
      if (backend === 'postgres') await db.exec(`DROP SCHEMA ${schema} CASCADE`);
      await db.close();
    },
  };
}

/** Runs `sql` with triggers off, as an attacker with database superuser rights could. */
export async function asSuperuserBypassingTriggers(db: Database, sql: string, params: unknown[] = []): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SET LOCAL session_replication_role = replica');
    await tx.query(sql, params);
  });
}
