/**
 * `standing <command>`: serve, migrate, verify, config, tenant, key, mapping, backfill, db, checkpoint, export,
 * retention, hold, siem, audit, subject. Exit codes: 0 success; 1 a chain is broken (verify); 2 usage, configuration or
 * validation error (including an unknown or duplicate tenant); 3 the command could not run (e.g. database unreachable);
 * 4 not allowed (the role of STANDING_API_KEY, or the operator, may not run it: see cli/command-access.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { CONFIG_REFERENCE, describeConfig } from '../config/config.ts';
import { deriveMasterKeys } from '../model/sealing.ts';
import { TenantId } from '../model/standing-event.ts';
import { registerGdprCommands } from './gdpr-commands.ts';
import { OPERATOR_TOKEN_FILE, MASTER_KEY_FILE } from '../config/secrets.ts';
import { migrateAsOwner } from '../store/open-migrated.ts';
import type { KeyObject } from 'node:crypto';
import { StandingLog, type VerifyReport } from '../store/standing-log.ts';
import { verifyTenant, type TenantVerifyReport } from '../store/checkpoints.ts';
import { readCheckpointCopies } from '../store/checkpoint-export.ts';
import { InvalidCheckpointKeyError, parsePublicKey } from '../model/checkpoint.ts';
import { CHECKPOINT_KEY_FILE, loadCheckpointKey } from '../config/checkpoint-key.ts';
import { type StandingConfig } from '../config/config.ts';
import { CliFailure, EXIT, loadConfigOrFail, readOptionFile, withDatabase } from './common.ts';
import { registerLogCommands } from './log-commands.ts';
import { registerDbCommands } from './db-commands.ts';
import { registerMappingCommands } from './mapping-commands.ts';
import { registerTenantCommands } from './tenant-commands.ts';
import { registerBackfillCommand } from './backfill-registration.ts';
import { registerKeyCommands } from './key-commands.ts';
import { installCommandAccess } from './command-access.ts';
import { registerAuditCommands } from './audit-commands.ts';
import { registerAlertCommands } from './alerts-commands.ts';
import { AccessAudit } from '../audit/access-audit.ts';
import type { MappingKind } from '../intake/intake-source.ts';

async function runMigrate(): Promise<number> {
  const config = loadConfigOrFail();
  const report = await migrateAsOwner(config.database).catch((err: unknown) => {
    throw new CliFailure(`cannot migrate: ${(err as Error).message}`, EXIT.failed);
  });
  for (const file of report.applied) process.stdout.write(`applied ${file}\n`);
  process.stdout.write(
    `${report.applied.length} applied, ${report.alreadyApplied} already applied (schema ${config.database.schema})\n`,
  );
  return EXIT.ok;
}

function formatVerifyLine(report: VerifyReport): string {
  if (!report.ok) {
    const b = report.broken;
    const detail =
      'expected' in b && 'found' in b
        ? ` (expected ${b.expected}, found ${b.found})`
        : 'expected' in b
          ? ` (expected seq ${b.expected})`
          : ` (${b.found})`;
    return (
      `${report.tenant}: BROKEN at seq ${b.seq}: ${b.problem}${detail}; ${report.checked} events verified ` +
      `before it`
    );
  }
  if (report.checked === 0 && report.head.seq === 0) return `${report.tenant}: ok, no events`;
  return (
    `${report.tenant}: ok, ${report.checked} events checked (seq ${report.starts_at}-${report.head.seq}), head ` +
    `${report.head.seq} ${report.head.hash}`
  );
}

function formatCheckpoints(r: TenantVerifyReport): string {
  const c = r.checkpoints;
  if (!r.ok) return '';
  if (!c.latest) return '';
  const signer = c.pinned
    ? 'signed with the pinned key'
    : `signed with key ${c.key_ids.join(', ')} (not pinned: give --public-key)`;
  return `; checkpoint ${c.latest.number} (seq ${c.latest.seq}) ${signer}`;
}

/** The attribution chain's part of the line; when it is the broken chain, the line's BROKEN part says so. */
function formatAttributions(r: TenantVerifyReport): string {
  if (!r.ok || (r.head.seq === 0 && r.attributions.checked === 0)) return '';
  return `; attribution chain: ${r.attributions.ok ? 'ok' : 'BROKEN'}, ${r.attributions.checked} records checked`;
}

/**
 * The key checkpoints must be signed with: --public-key, else the public half of the configured key (never generated
 * here).
 */
async function pinnedPublicKey(config: StandingConfig, file: string | undefined): Promise<KeyObject | undefined> {
  try {
    if (file !== undefined) return parsePublicKey(await readOptionFile('--public-key', file));
    return (await loadCheckpointKey(config, { generate: false }))?.publicKey;
  } catch (err) {
    if (err instanceof InvalidCheckpointKeyError)
      throw new CliFailure(`${file !== undefined ? '--public-key: ' : ''}${err.message}`, EXIT.usage);
    throw err;
  }
}

async function runVerify(options: {
  tenant?: string;
  json?: boolean;
  publicKey?: string;
  checkpoints?: string;
}): Promise<number> {
  if (options.tenant !== undefined) {
    const tenant = TenantId.safeParse(options.tenant);
    if (!tenant.success) throw new CliFailure(`--tenant: ${tenant.error.issues[0]?.message ?? 'invalid'}`, EXIT.usage);
  }
  const config = loadConfigOrFail();
  const publicKey = await pinnedPublicKey(config, options.publicKey);
  const reports = await withDatabase(config, async (db) => {
    // Verifying reads hashes and public columns only, never sealed data: no master key is needed,
    // so an auditor can run it with database access alone.
    const log = new StandingLog(db, deriveMasterKeys(randomBytes(32)));
    const tenants = options.tenant !== undefined ? [options.tenant] : await log.tenants();
    if (options.tenant !== undefined) {
      // A mistyped id must not read as "ok": it has to be a registered tenant or have a chain.
      const known = await db.query(
        'SELECT 1 FROM tenants WHERE id = $1 UNION ALL SELECT 1 FROM chain_heads WHERE tenant = $1',
        [options.tenant],
      );
      if (known.length === 0)
        throw new CliFailure(
          `--tenant: no tenant "${options.tenant}" is registered and none has events under that id`,
          EXIT.usage,
        );
    }
    const out: TenantVerifyReport[] = [];
    for (const tenant of tenants) {
      const copies =
        options.checkpoints !== undefined
          ? await readCheckpointCopies(options.checkpoints, tenant).catch((err: Error) => {
              throw new CliFailure(`--checkpoints: ${err.message}`, EXIT.usage);
            })
          : [];
      out.push(await verifyTenant(log, tenant, { publicKey, copies }));
    }
    return out;
  });
  const ok = reports.every((r) => r.ok);
  if (options.json) process.stdout.write(`${JSON.stringify({ ok, tenants: reports }, null, 2)}\n`);
  else if (reports.length === 0) process.stdout.write('no tenant has any events yet\n');
  else
    for (const r of reports)
      process.stdout.write(`${formatVerifyLine(r)}${formatCheckpoints(r)}${formatAttributions(r)}\n`);
  return ok ? EXIT.ok : EXIT.broken;
}

function runConfig(): number {
  const config = loadConfigOrFail();
  const rows = describeConfig().map((row) => {
    const secretFile =
      row.name === 'STANDING_MASTER_KEY'
        ? MASTER_KEY_FILE
        : row.name === 'STANDING_OPERATOR_TOKEN'
          ? OPERATOR_TOKEN_FILE
          : row.name === 'STANDING_CHECKPOINT_KEY'
            ? CHECKPOINT_KEY_FILE
            : undefined;
    if (row.name === 'STANDING_DATA_DIR') return { ...row, value: config.dataDir };
    // Set under its former name: the token is in force, and the STANDING_ADMIN_TOKEN row says so too.
    if (row.name === 'STANDING_OPERATOR_TOKEN' && row.source !== 'environment' && config.operatorToken !== undefined)
      return { ...row, value: '(set as STANDING_ADMIN_TOKEN, hidden)', source: 'environment' };
    if (!secretFile || row.source === 'environment') return row;
    const path = join(config.dataDir, secretFile);
    const value = existsSync(path)
      ? `(unset: read from ${path})`
      : config.production
        ? '(unset: REQUIRED in production)'
        : `(unset: will be generated into ${path})`;
    return { ...row, value };
  });
  const width = (pick: (r: (typeof rows)[number]) => string) => Math.max(...rows.map((r) => pick(r).length));
  const [wName, wValue] = [width((r) => r.name), width((r) => r.value)];
  for (const r of rows) process.stdout.write(`${r.name.padEnd(wName)}  ${r.value.padEnd(wValue)}  ${r.source}\n`);
  return EXIT.ok;
}

function environmentHelp(): string {
  const w = Math.max(...CONFIG_REFERENCE.map((e) => e.name.length));
  const lines = CONFIG_REFERENCE.map((e) => `  ${e.name.padEnd(w)}  ${e.description} Default: ${e.default}`);
  return (
    `\nEnvironment:\n${lines.join('\n')}\n\nExit codes: 0 ok, 1 broken chain (verify), 2 usage, configuration ` +
    `or validation error, 3 could not run, 4 not allowed for this key's role (STANDING_API_KEY) or the ` +
    `operator.\n`
  );
}

/**
 * What the commands `serve` and `demo` start: the process entry (connector/cli.ts) hands them in,
 * so the commands do not import the composition root above them.
 */
export interface CliEntries {
  /** Starts the service in this process (connector/main.ts). */
  serve(): Promise<unknown>;
  /** Starts the demo (demo/run-demo.ts). */
  demo(): Promise<unknown>;
  /** The providers' mapping documents (connector/app/providers.ts). */
  mappingKinds: readonly MappingKind[];
}

const NO_ENTRIES: CliEntries = {
  serve: () => Promise.reject(new CliFailure('serve: not available here (run the standing command)', EXIT.usage)),
  demo: () => Promise.reject(new CliFailure('demo: not available here (run the standing command)', EXIT.usage)),
  mappingKinds: [],
};

export function buildProgram(setExitCode: (code: number) => void, entries: CliEntries = NO_ENTRIES): Command {
  const program = new Command('standing')
    .description('Standing: the tamper-evident history of customer account standing.')
    .exitOverride()
    .showHelpAfterError()
    .addHelpText('after', environmentHelp());
  const run = (action: () => Promise<number> | number) => async () => setExitCode(await action());

  program
    .command('serve')
    .description('start the HTTP service (same as npm start)')
    .action(async () => {
      await entries.serve();
    });
  program
    .command('demo')
    .description('the Zendesk app on demo data in a local host page, without Zendesk (same as npm run demo)')
    .action(async () => {
      await entries.demo();
    });
  program.command('migrate').description('apply pending database migrations and list them').action(run(runMigrate));
  program
    .command('verify')
    .description("verify tenants' hash chains; exit 1 if any is broken")
    .addOption(new Option('--tenant <id>', 'verify only this tenant (default: every tenant with a chain)'))
    .option('--json', 'machine-readable output')
    .option(
      '--public-key <file>',
      'SPKI PEM the checkpoints and boundaries must be signed with (default: the public half of the ' +
        'configured checkpoint key, if any)',
    )
    .option(
      '--checkpoints <dir>',
      'a directory of checkpoint copies (STANDING_CHECKPOINT_EXPORT): each must be in the database unchanged',
    )
    .action(async (options: { tenant?: string; json?: boolean; publicKey?: string; checkpoints?: string }) =>
      setExitCode(await runVerify(options)),
    );
  program.command('config').description('print every setting in force, secrets masked').action(run(runConfig));
  registerTenantCommands(program, setExitCode);
  registerMappingCommands(program, setExitCode, entries.mappingKinds);
  registerBackfillCommand(program, setExitCode);
  registerDbCommands(program, setExitCode);
  registerLogCommands(program, setExitCode);
  registerGdprCommands(program, setExitCode, (db) => new AccessAudit(db));
  registerAuditCommands(program, setExitCode);
  registerKeyCommands(program, setExitCode);
  registerAlertCommands(program, setExitCode);
  installCommandAccess(program, { denials: (db) => new AccessAudit(db) });
  return program;
}

export async function runCli(argv: readonly string[], entries: CliEntries): Promise<number> {
  let exitCode: number = EXIT.ok;
  try {
    await buildProgram((code) => (exitCode = code), entries).parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (err instanceof CliFailure) {
      process.stderr.write(`standing: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`standing: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.failed;
  }
  return exitCode;
}
