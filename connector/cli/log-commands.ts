/**
 * `standing checkpoint` (sign and record each tenant's head, copy it to STANDING_CHECKPOINT_EXPORT)
 * and `standing export --tenant t --out file` (what tools/verify-export.mjs checks offline).
 */
import { rm } from 'node:fs/promises';
import type { Command } from 'commander';
import { checkpointExporter } from '../store/checkpoint-export.ts';
import { writeCheckpoints } from '../store/checkpoints.ts';
import { exportLog } from '../store/log-export.ts';
import { loadCheckpointKey } from '../config/checkpoint-key.ts';
import { signingKey, withLog } from './log-access.ts';
import { CliFailure, EXIT, loadConfigOrFail, tenantIdArgument, writeJson, type SetExitCode } from './common.ts';
import { registerCheckpointKeyCommand } from './db-commands.ts';
import { registerRetentionCommands } from './retention-commands.ts';
import { registerSiemCommands } from './siem-commands.ts';
import { AccessAudit } from '../audit/access-audit.ts';
import type { Principal } from '../access/principal.ts';

async function runCheckpoint(options: { tenant?: string; json?: boolean }): Promise<number> {
  const tenants = options.tenant !== undefined ? [tenantIdArgument(options.tenant, '--tenant')] : undefined;
  const config = loadConfigOrFail();
  const key = await signingKey(config);
  const target = config.checkpoints.exportTarget;
  const exporter = target ? checkpointExporter(target, config.checkpoints.s3) : undefined;
  const outcomes = await withLog(config, (log) => writeCheckpoints(log, key, { tenants, exporter }));
  if (options.json) writeJson({ key_id: key.keyId, export: exporter?.target ?? null, outcomes });
  else if (outcomes.length === 0) process.stdout.write('no tenant has any events yet\n');
  for (const o of options.json ? [] : outcomes) {
    const line =
      o.status === 'written'
        ? `checkpoint ${o.number} at seq ${o.seq}` +
          (exporter
            ? o.exported
              ? `, copied to ${exporter.target}`
              : `, NOT copied: ${o.export_error ?? 'no target'}`
            : '')
        : o.status === 'unchanged'
          ? `unchanged since checkpoint ${o.number}` +
            (o.exported === false ? `, NOT copied: ${o.export_error ?? ''}` : '')
          : o.status === 'raced'
            ? 'another writer checkpointed it meanwhile'
            : `REFUSED: ${o.broken.problem} at seq ${o.broken.seq}; run standing verify`;
    process.stdout.write(`${o.tenant}: ${line}\n`);
  }
  if (outcomes.some((o) => o.status === 'refused')) return EXIT.broken;
  return outcomes.some((o) => (o.status === 'written' || o.status === 'unchanged') && exporter && o.exported !== true)
    ? EXIT.failed
    : EXIT.ok;
}

interface ExportCommandOptions {
  tenant: string;
  out: string;
  /** Write the attribution chain too (a version 2 export). */
  attributions?: boolean;
  principal?: Principal;
}

async function runExport(options: ExportCommandOptions): Promise<number> {
  const tenant = tenantIdArgument(options.tenant, '--tenant');
  const config = loadConfigOrFail();
  const key = await loadCheckpointKey(config, { generate: false }).catch(() => null);
  const result = await withLog(config, async (log) => {
    const written = await exportLog(log, tenant, options.out, {
      publicKey: key ?? undefined,
      attributions: options.attributions === true,
    }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST')
        throw new CliFailure(`--out: ${options.out} exists; exports never overwrite`, EXIT.usage);
      throw err;
    });
    // Recorded once the file exists (a refused export is no read); an export that cannot be recorded is removed.
    await new AccessAudit(log.db)
      .record({
        tenant,
        principal: options.principal ?? { type: 'operator' },
        action: 'log.export',
        path: 'cli export',
        subject_ids: [],
        detail: { rows: written.rows },
      })
      .catch(async (err: unknown) => {
        await rm(options.out, { force: true });
        throw new CliFailure(
          `the export could not be recorded in the read audit, so ${options.out} was removed: ` +
            `${(err as Error).message}`,
          EXIT.failed,
        );
      });
    return written;
  });
  process.stdout.write(
    `${tenant}: ${result.rows} rows, ${result.checkpoints} checkpoints, ${result.boundaries} boundaries` +
      `${result.attributions !== undefined ? `, ${result.attributions} attribution records` : ''} ` +
      `written to ${options.out}\n`,
  );
  return EXIT.ok;
}

export function registerLogCommands(program: Command, setExitCode: SetExitCode): void {
  const checkpoint = program
    .command('checkpoint')
    .description(
      "sign each tenant's chain head (after checking the rows since the last checkpoint) and copy it to " +
        'STANDING_CHECKPOINT_EXPORT',
    )
    .option('--tenant <id>', 'only this tenant')
    .option('--json', 'machine-readable output')
    .action(async (options: { tenant?: string; json?: boolean }) => setExitCode(await runCheckpoint(options)));
  registerCheckpointKeyCommand(checkpoint, setExitCode);
  program
    .command('export')
    .description("write a tenant's log, boundaries, checkpoints and public key as NDJSON for tools/verify-export.mjs")
    .requiredOption('--tenant <id>', 'the tenant')
    .requiredOption('--out <file>', 'file to create (never overwritten)')
    .option('--attributions', 'also write the attribution chain (export version 2; needs this release of the tool)')
    .action(async (options: ExportCommandOptions) => setExitCode(await runExport(options)));
  registerRetentionCommands(program, setExitCode);
  registerSiemCommands(program, setExitCode);
}
