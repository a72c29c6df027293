/**
 * The SQL connection behind the store: real PostgreSQL through `pg`, or embedded PostgreSQL
 * (PGlite, Postgres compiled to WebAssembly) when no DATABASE_URL is given. Both speak the same
 * dialect; the store and the migrations are written once against this small interface.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { PGlite as PGliteType } from '@electric-sql/pglite';
import { lockEmbeddedDataDir } from './embedded-lock.ts';
import { isDatabaseUnavailable, isRefusedData } from './database-errors.ts';

/** `application_name` of our PostgreSQL sessions unless the connection string sets one. */
export const DEFAULT_APPLICATION_NAME = 'standing';

export type Row = Record<string, unknown>;

export interface QueryOptions {
  /**
   * Run as a named prepared statement (PostgreSQL): parsed once per connection and, after a few
   * runs, planned once. Pays off for small, frequent reads (history pages: p50 4.7 -> 4.0 ms);
   * it made the append path's statements slower (generic plans), so it is opt-in.
   * @defaultValue false
   */
  prepare?: boolean;
}

export interface SqlClient {
  /** One statement with `$n` parameters. */
  query<R extends object = Row>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<R[]>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends SqlClient {
  readonly kind: 'postgres' | 'embedded';
  /** Runs `fn` in one transaction on one connection; rolls back if it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /**
   * PostgreSQL connection string. Without it, the embedded database is used.
   * @defaultValue undefined (embedded)
   */
  url?: string;
  /**
   * Directory of the embedded database's files; `memory://` keeps it in memory.
   * @defaultValue `.standing/pgdata`
   */
  embeddedDataDir?: string;
  /**
   * Schema holding every table; lets several tenants' test suites or deployments share one database.
   * @defaultValue `standing`
   */
  schema?: string;
  /**
   * Most connections in the pool (PostgreSQL only).
   * @defaultValue 10
   */
  poolSize?: number;
  /**
   * Called when the database becomes unreachable (a query failed for want of a connection) and
   * when it answers again: once per change of state, not per query (PostgreSQL only).
   * @defaultValue undefined
   */
  onAvailabilityChange?: (available: boolean, err?: unknown) => void;
}

export const DEFAULT_DATABASE_OPTIONS = {
  embeddedDataDir: '.standing/pgdata',
  schema: 'standing',
  poolSize: 10,
} as const;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const schema = options.schema ?? DEFAULT_DATABASE_OPTIONS.schema;
  if (!SCHEMA_NAME.test(schema)) throw new RangeError(`schema "${schema}" must be a lowercase SQL identifier`);
  return options.url
    ? openPostgres(
        options.url,
        schema,
        options.poolSize ?? DEFAULT_DATABASE_OPTIONS.poolSize,
        options.onAvailabilityChange,
      )
    : openEmbedded(options.embeddedDataDir ?? DEFAULT_DATABASE_OPTIONS.embeddedDataDir, schema);
}

// int8 (seq numbers, counts) as JS numbers: safe up to 2^53, far beyond any chain length.
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

async function openPostgres(
  url: string,
  schema: string,
  max: number,
  onAvailabilityChange?: (available: boolean, err?: unknown) => void,
): Promise<Database> {
  // application_name names our sessions in pg_stat_activity; a connection string's own wins.
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: pgTypes,
    options: `-c search_path=${schema}`,
    application_name: DEFAULT_APPLICATION_NAME,
  });
  // An idle client's network error must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  // Created only when missing: the service's restricted role (see docs/operations.md, Protecting the past) may not
  // create schemas, and CREATE SCHEMA IF NOT EXISTS checks that right even when the schema exists.
  const existing = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (existing.rowCount === 0) {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`).catch((err: unknown) => {
      // Two processes creating it at once: the loser's IF NOT EXISTS still collides in the catalog.
      if (!isRefusedData(err) && (err as { code?: unknown }).code !== '42P06') throw err;
    });
  }
  let available = true;
  const observe = <T>(work: Promise<T>): Promise<T> =>
    work.then(
      (v) => {
        if (!available) {
          available = true;
          onAvailabilityChange?.(true);
        }
        return v;
      },
      (err: unknown) => {
        if (available && isDatabaseUnavailable(err)) {
          available = false;
          onAvailabilityChange?.(false, err);
        }
        throw err;
      },
    );
  const run = async <R extends object>(
    c: pg.Pool | pg.PoolClient,
    text: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ) =>
    (
      await observe(
        c.query<R & Row>({
          name: options?.prepare ? statementName(text) : undefined,
          text,
          values: params as unknown[] | undefined,
        }),
      )
    ).rows as R[];
  return {
    kind: 'postgres',
    query: (text, params, options) => run(pool, text, params, options),
    exec: async (sql) => {
      await pool.query(sql);
    },
    transaction: async (fn) => {
      const client = await observe(pool.connect());
      // A checked-out client has no pool listener: a connection lost mid-transaction (server
      // restart, pg_terminate_backend) would be an uncaught 'error' and end the process. The
      // failing query rejects on its own; the broken client is discarded on release.
      let broken: Error | undefined;
      const onError = (err: Error) => {
        broken = err;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn({
          query: (text, params, options) => run(client, text, params, options),
          exec: async (sql) => {
            await client.query(sql);
          },
        });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        if (!broken) await client.query('ROLLBACK').catch(() => undefined);
        broken ??= isDatabaseUnavailable(err) ? (err as Error) : undefined;
        throw err;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

// The name derives from the text, so one name never stands for two statements.
const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `s${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

async function openEmbedded(dataDir: string, schema: string): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  let unlock = async () => undefined as void;
  if (!dataDir.startsWith('memory://')) {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dataDir, { recursive: true });
    unlock = await lockEmbeddedDataDir(dataDir);
  }
  let db: PGliteType;
  try {
    db = await PGlite.create(dataDir);
  } catch (err) {
    await unlock();
    throw err;
  }
  await db.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path TO ${schema}`);
  const run = async <R extends object>(c: Pick<PGliteType, 'query'>, text: string, params?: readonly unknown[]) =>
    (await c.query<R & Row>(text, params as unknown[] | undefined)).rows.map(fromEmbedded) as R[];
  return {
    kind: 'embedded',
    query: (text, params) => run(db, text, params),
    exec: async (sql) => {
      await db.exec(sql);
    },
    // PGlite has one connection and serializes transactions itself.
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          query: (text, params) => run(tx, text, params),
          exec: async (sql) => {
            await tx.exec(sql);
          },
        }),
      ),
    close: async () => {
      await db.close();
      await unlock();
    },
  };
}

/** PGlite returns bytea as Uint8Array where pg returns Buffer: give the store one shape. */
function fromEmbedded<R extends Row>(row: R): R {
  for (const k of Object.keys(row)) {
    const v = row[k];
    if (v instanceof Uint8Array && !Buffer.isBuffer(v))
      (row as Row)[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  }
  return row;
}
