/**
 * `standing siem export --tenant t [--after-seq n] [--limit n] [--personal-data]`: the tenant's log
 * rows as SIEM events (NDJSON on stdout, the same lines as GET /api/v1/tenants/{tenant}/siem/events),
 * then the cursor line to resume from. Acts as the operator for now.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { formatConfigProblems } from '../config.ts';
import { loadSecrets } from '../secrets.ts';
import { siemEvents } from '../siem/siem-events.ts';
import { migrateFor } from '../store/open-migrated.ts';
import { StandingLog } from '../store/standing-log.ts';
import { CliFailure, EXIT, loadConfigOrFail, tenantIdArgument, withDatabase, type SetExitCode } from './common.ts';

export interface SiemExportCommandOptions {
  tenant: string;
  /** @defaultValue '0' */
  afterSeq?: string;
  /** @defaultValue unset: every row after the cursor */
  limit?: string;
  /** Include the personal part (the lead gates this by role). @defaultValue false */
  personalData?: boolean;
}

const seqOption = (name: string, value: string | undefined, min: number): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value) || Number(value) < min) throw new CliFailure(`${name}: must be an integer of at least ${min}`, EXIT.usage);
  return Number(value);
};

/** Writes the NDJSON to `out` (stdout), waiting for it to drain; returns the exit code. */
export async function runSiemExport(o: SiemExportCommandOptions, out: Writable = process.stdout): Promise<number> {
  const tenant = tenantIdArgument(o.tenant, '--tenant');
  const afterSeq = seqOption('--after-seq', o.afterSeq, 0) ?? 0;
  const limit = seqOption('--limit', o.limit, 1);
  const config = loadConfigOrFail();
  const secrets = await loadSecrets(config);
  if (!secrets.ok) throw new CliFailure(`configuration error\n${formatConfigProblems(secrets.problems)}`, EXIT.usage);
  const write = async (value: unknown) => {
    if (!out.write(`${JSON.stringify(value)}\n`)) await once(out, 'drain');
  };
  await withDatabase(config, async (db) => {
    await migrateFor(db, config.database);
    const log = new StandingLog(db, secrets.secrets.master);
    let last = afterSeq;
    let count = 0;
    for await (const e of siemEvents(log, tenant, { afterSeq, limit, personalData: o.personalData === true })) {
      await write(e);
      last = e.seq;
      count++;
    }
    await write({ type: 'standing.cursor', tenant, after_seq: afterSeq, next_after_seq: last, count, more: limit !== undefined && count === limit, personal_data: o.personalData === true });
  });
  return EXIT.ok;
}

export function registerSiemCommands(program: Command, setExitCode: SetExitCode): void {
  const siem = program.command('siem').description('SIEM export of the log (see README "SIEM export")');
  siem
    .command('export')
    .description("write a tenant's log rows as SIEM events (NDJSON) to stdout, then a cursor line to resume from")
    .requiredOption('--tenant <id>', 'the tenant')
    .option('--after-seq <n>', 'only rows after this seq (the next_after_seq of the last cursor line)')
    .option('--limit <n>', 'at most this many rows')
    .option('--personal-data', 'include the personal part (customer identities, names, reason text, source ids); never for erased subjects')
    .action(async (options: SiemExportCommandOptions) => setExitCode(await runSiemExport(options)));
}
