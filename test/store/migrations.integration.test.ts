import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveMasterKeys } from '../../connector/model/sealing.ts';
import { openDatabase, type Database } from '../../connector/store/database.ts';
import { MigrationChecksumError, migrate } from '../../connector/store/migrate.ts';
import { Retention } from '../../connector/store/retention.ts';
import { StandingLog } from '../../connector/store/standing-log.ts';
import { BACKENDS, TEST_DATABASE_URL, openTestStore, uniqueSchema, type TestStore } from '../support/databases.ts';
import { event } from '../support/fixtures.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../connector/store/migrations/', import.meta.url));
const migrationFiles = async () =>
  (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();

describe.each(BACKENDS)('migrations on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend, 'migrations');
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('records every migration once, in order', async () => {
    const files = await migrationFiles();
    expect(files.length).toBeGreaterThan(0);
    const rows = await store.db.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => `${String(r.version).padStart(3, '0')}_${r.name}.sql`)).toEqual(files);
    for (const r of rows) expect(r.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a 0.1 database whose subjects may merge people and organizations, saying what to do', async () => {
    const schema = uniqueSchema('legacy');
    const db = await openDatabase(
      backend === 'postgres' ? { url: TEST_DATABASE_URL, schema } : { embeddedDataDir: 'memory://', schema },
    );
    try {
      // A database as Standing 0.1 left it: migrations 001 and 002 applied, one subject written.
      const { createHash } = await import('node:crypto');
      const { readFile } = await import('node:fs/promises');
      await db.exec(
        `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      for (const file of (await migrationFiles()).filter((f) => f < '003')) {
        const sql = await readFile(MIGRATIONS_DIR + file, 'utf8');
        await db.exec(sql);
        await db.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          Number(file.slice(0, 3)),
          file.slice(4, -4),
          createHash('sha256').update(sql).digest('hex'),
        ]);
      }
      await db.query(
        "INSERT INTO subjects (tenant, subject_id, wrapped_key) VALUES ('acme', gen_random_uuid(), '\\x00')",
      );
      const refused = await migrate(db).then(
        () => null,
        (err: unknown) => err as { message: string; hint?: string },
      );
      expect(refused?.message).toContain('colleagues of one organization could share one history');
      expect(refused?.hint).toContain('DATABASE_SCHEMA');
      // Nothing of 003 was applied: the old schema stays as it was.
      expect(await db.query('SELECT version FROM schema_migrations ORDER BY version')).toEqual([
        { version: 1 },
        { version: 2 },
      ]);
    } finally {
      if (backend === 'postgres') await db.exec(`DROP SCHEMA ${schema} CASCADE`);
      await db.close();
    }
  });

  it('chains the legal holds recorded before migration 016, so that they verify', async () => {
    const schema = uniqueSchema('holds016');
    const db = await openDatabase(
      backend === 'postgres' ? { url: TEST_DATABASE_URL, schema } : { embeddedDataDir: 'memory://', schema },
    );
    try {
      const { createHash } = await import('node:crypto');
      const { readFile } = await import('node:fs/promises');
      await db.exec(
        `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      for (const file of (await migrationFiles()).filter((f) => f < '016')) {
        const sql = await readFile(MIGRATIONS_DIR + file, 'utf8');
        await db.exec(sql);
        await db.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          Number(file.slice(0, 3)),
          file.slice(4, -4),
          createHash('sha256').update(sql).digest('hex'),
        ]);
      }
      // Holds as the service wrote them before: free-text actors, microsecond times, two tenants.
      await db.exec(`INSERT INTO legal_hold_events (hold_id, action, tenant, subject_id, reason, actor, at) VALUES
        ('00000000-0000-4000-8000-000000000001', 'place', 'acme', NULL, 'matter "1"', 'counsel@example.com',
          '2026-01-02T03:04:05.678901Z'),
        ('00000000-0000-4000-8000-000000000001', 'lift', 'acme', NULL, 'closed', 'counsel@example.com',
          '2026-02-02T03:04:05.1Z'),
        ('00000000-0000-4000-8000-000000000002', 'place', 'globex', gen_random_uuid(), 'x', 'operator',
          '2026-01-01T00:00:00Z')`);
      await migrate(db);
      const retention = new Retention(db);
      expect((await retention.holdLog('acme')).map((h) => [h.seq, h.action, h.at])).toEqual([
        [1, 'place', '2026-01-02T03:04:05.678Z'],
        [2, 'lift', '2026-02-02T03:04:05.100Z'],
      ]);
      expect(await retention.verifyHolds('acme')).toMatchObject({ ok: true, checked: 2 });
      expect(await retention.verifyHolds('globex')).toMatchObject({ ok: true, checked: 1 });
    } finally {
      if (backend === 'postgres') await db.exec(`DROP SCHEMA ${schema} CASCADE`);
      await db.close();
    }
  });

  it('applies nothing when run again', async () => {
    expect(await migrate(store.db)).toEqual({ applied: [], alreadyApplied: (await migrationFiles()).length });
    expect(await migrate(store.db)).toEqual({ applied: [], alreadyApplied: (await migrationFiles()).length });
  });

  it('refuses a migration changed after it was applied', async () => {
    const [first] = await store.db.query<{ checksum: string }>(
      'SELECT checksum FROM schema_migrations WHERE version = 1',
    );
    await store.db.query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1");
    try {
      await expect(migrate(store.db)).rejects.toThrow(MigrationChecksumError);
    } finally {
      await store.db.query('UPDATE schema_migrations SET checksum = $1 WHERE version = 1', [first!.checksum]);
    }
    expect((await migrate(store.db)).applied).toEqual([]);
  });
});

describe('migrations on a fresh PostgreSQL schema', () => {
  const schema = uniqueSchema('migrations_fresh');
  const handles: Database[] = [];
  afterAll(async () => {
    await handles[0]?.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    for (const db of handles) await db.close();
  });

  it('apply every file once even with several migrators starting together', async () => {
    for (let i = 0; i < 3; i++) handles.push(await openDatabase({ url: TEST_DATABASE_URL, schema, poolSize: 2 }));
    const reports = await Promise.all(handles.map((db) => migrate(db)));
    const files = await migrationFiles();
    expect(reports.flatMap((r) => r.applied).sort()).toEqual(files);
    for (const r of reports) expect(r.applied.length + r.alreadyApplied).toBe(files.length);
    expect(await migrate(handles[0]!)).toEqual({ applied: [], alreadyApplied: files.length });
  });
});

describe('embedded database in a directory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'standing-pgdata-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps its data across close and reopen', async () => {
    const master = deriveMasterKeys(randomBytes(32));
    const tenant = 'persist';
    const customer = { email: 'persist@example.com' };

    const first = await openDatabase({ embeddedDataDir: dir });
    let appendedId: string;
    try {
      expect((await migrate(first)).applied).toEqual(await migrationFiles());
      const [outcome] = await new StandingLog(first, master).append([event({ tenant, customer })]);
      appendedId = outcome!.id;
    } finally {
      await first.close();
    }
    expect((await readdir(dir)).length).toBeGreaterThan(0);

    const reopened = await openDatabase({ embeddedDataDir: dir });
    try {
      expect(await migrate(reopened)).toEqual({ applied: [], alreadyApplied: (await migrationFiles()).length });
      const log = new StandingLog(reopened, master);
      const history = await log.history(tenant, customer);
      expect(history.events.map((e) => e.id)).toEqual([appendedId]);
      expect(history.events[0]).toMatchObject({ erased: false, customer: { email: 'persist@example.com' } });
      expect(await log.verify(tenant)).toMatchObject({ ok: true, checked: 1 });
      expect((await log.append([event({ tenant, customer })]))[0]).toMatchObject({ status: 'appended', seq: 2 });
    } finally {
      await reopened.close();
    }
  });
});
