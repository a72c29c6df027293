/**
 * What every `standing` command shares: exit codes, the failure type that carries one, the
 * configuration, and the database / tenant registry opened the way the service opens them.
 */
import { readFile } from 'node:fs/promises';
import { formatConfigProblems, parseConfig, type StandingConfig } from '../config/config.ts';
import { TenantId, type FieldProblem } from '../model/standing-event.ts';
import { loadSecrets } from '../config/secrets.ts';
import type { MasterKeys } from '../model/sealing.ts';
import { openDatabase, type Database } from '../store/database.ts';
import { migrateFor } from '../store/open-migrated.ts';
import { TenantRegistry } from '../tenants/tenant-registry.ts';
import { StandingError } from '../lib/errors.ts';

export const EXIT = { ok: 0, broken: 1, usage: 2, failed: 3, denied: 4 } as const;

/** Sets the process exit code once a command's action is done. */
export type SetExitCode = (code: number) => void;

/** An expected failure: printed as `standing: <message>` and exited with `exitCode`. */
export class CliFailure extends StandingError {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** `path: message` lines under a heading, for input that failed validation. */
export function validationFailure(heading: string, problems: readonly FieldProblem[]): CliFailure {
  return new CliFailure(`${heading}\n${problems.map((p) => `${p.path}: ${p.message}`).join('\n')}`, EXIT.usage);
}

/** A tenant id given as an argument, checked before anything is opened. */
export function tenantIdArgument(value: string, argument = '<id>'): string {
  const id = TenantId.safeParse(value);
  if (!id.success) throw new CliFailure(`${argument}: ${id.error.issues[0]?.message ?? 'invalid'}`, EXIT.usage);
  return id.data;
}

export function loadConfigOrFail(): StandingConfig {
  const parsed = parseConfig();
  if (!parsed.ok) throw new CliFailure(`configuration error\n${formatConfigProblems(parsed.problems)}`, EXIT.usage);
  return parsed.config;
}

export async function withDatabase<T>(config: StandingConfig, fn: (db: Database) => Promise<T>): Promise<T> {
  let db: Database;
  try {
    db = await openDatabase(config.database);
  } catch (err) {
    throw new CliFailure(`cannot open the database: ${(err as Error).message}`, EXIT.failed);
  }
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/**
 * Runs `fn` with a tenant registry on the configured database (migrated first), sealing with the
 * master key the service itself resolves (environment, or the data directory's key file), so
 * what the CLI writes the service can read.
 */
export async function withTenantRegistry<T>(
  fn: (tenants: TenantRegistry, config: StandingConfig) => Promise<T>,
): Promise<T> {
  return withSealingDatabase((db, master, config) => fn(new TenantRegistry(db, master), config));
}

/**
 * Runs `fn` on the configured database (migrated first) with the master key the service itself
 * resolves, for a command that seals or unseals what the service reads (a token, a secret).
 */
export async function withSealingDatabase<T>(
  fn: (db: Database, master: MasterKeys, config: StandingConfig) => Promise<T>,
): Promise<T> {
  const config = loadConfigOrFail();
  const secrets = await loadSecrets(config);
  if (!secrets.ok) throw new CliFailure(`configuration error\n${formatConfigProblems(secrets.problems)}`, EXIT.usage);
  return withDatabase(config, async (db) => {
    await migrateFor(db, config.database);
    return fn(db, secrets.secrets.master, config);
  });
}

/**
 * Reads a file an option names (a secret or a document). Errors name the option, never the
 * content. Surrounding whitespace is dropped: `echo secret > file` adds a newline.
 */
export async function readOptionFile(option: string, path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new CliFailure(`${option}: cannot read ${path} (${code})`, EXIT.usage);
  }
  const trimmed = text.trim();
  if (trimmed === '') throw new CliFailure(`${option}: ${path} is empty`, EXIT.usage);
  return trimmed;
}

export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Left-aligned columns, two spaces apart. */
export function writeTable(rows: readonly (readonly string[])[]): void {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  for (const row of rows)
    process.stdout.write(
      `${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}\n`,
    );
}
