/**
 * `standing siem export --tenant t [--after-seq n] [--limit n] [--personal-data]`: the tenant's log
 * rows as SIEM events (NDJSON on stdout, the same lines as GET /api/v1/tenants/{tenant}/siem/events),
 * then the cursor line to resume from. Acts as the operator for now.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { isAllowed } from '../access/permissions.ts';
import type { Principal } from '../access/principal.ts';
import { AccessAudit } from '../audit/access-audit.ts';
import { formatConfigProblems } from '../config/config.ts';
import { loadSecrets } from '../config/secrets.ts';
import { siemEvents } from '../siem/siem-events.ts';
import { registerLogglyCommands } from './loggly-commands.ts';
import { migrateFor } from '../store/open-migrated.ts';
import { StandingLog } from '../store/standing-log.ts';
import { CliFailure, EXIT, loadConfigOrFail, tenantIdArgument, withDatabase, type SetExitCode } from './common.ts';

export interface SiemExportCommandOptions {
  tenant: string;
  /** @defaultValue '0' */
  afterSeq?: string;
  /** @defaultValue unset: every row after the cursor */
  limit?: string;
  /**
   * Include the personal part: only for a principal allowed `personal_data.read` (exit 4 otherwise).
   * @defaultValue false
   */
  personalData?: boolean;
  /** Set by the role check (command-access.ts). @defaultValue the operator */
  principal?: Principal;
}

const seqOption = (name: string, value: string | undefined, min: number): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value) || Number(value) < min)
    throw new CliFailure(`${name}: must be an integer of at least ${min}`, EXIT.usage);
  return Number(value);
};

/** Writes the NDJSON to `out` (stdout), waiting for it to drain; returns the exit code. */
export async function runSiemExport(o: SiemExportCommandOptions, out: Writable = process.stdout): Promise<number> {
  const tenant = tenantIdArgument(o.tenant, '--tenant');
  const principal: Principal = o.principal ?? { type: 'operator' };
  if (o.personalData === true && !isAllowed(principal, 'personal_data.read', tenant)) {
    throw new CliFailure(
      '--personal-data: only an auditor key of the tenant may read personal data (personal_data.read)',
      EXIT.denied,
    );
  }
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
    // Recorded before a line is written: an export that cannot be audited is not given.
    await new AccessAudit(db)
      .record({
        tenant,
        principal,
        action: 'siem.export',
        path: 'cli siem export',
        subject_ids: [],
        detail: { after_seq: afterSeq, personal_data: o.personalData === true },
      })
      .catch((err: unknown) => {
        throw new CliFailure(
          `the export could not be recorded in the read audit, so it is not given: ${(err as Error).message}`,
          EXIT.failed,
        );
      });
    let last = afterSeq;
    let count = 0;
    for await (const e of siemEvents(log, tenant, { afterSeq, limit, personalData: o.personalData === true })) {
      await write(e);
      last = e.seq;
      count++;
    }
    await write({
      type: 'standing.cursor',
      tenant,
      after_seq: afterSeq,
      next_after_seq: last,
      count,
      more: limit !== undefined && count === limit,
      personal_data: o.personalData === true,
    });
  });
  return EXIT.ok;
}

export function registerSiemCommands(program: Command, setExitCode: SetExitCode): void {
  const siem = program.command('siem').description('SIEM export of the log (see docs/compliance.md, "SIEM export")');
  siem
    .command('export')
    .description("write a tenant's log rows as SIEM events (NDJSON) to stdout, then a cursor line to resume from")
    .requiredOption('--tenant <id>', 'the tenant')
    .option('--after-seq <n>', 'only rows after this seq (the next_after_seq of the last cursor line)')
    .option('--limit <n>', 'at most this many rows')
    .option(
      '--personal-data',
      'include the personal part (customer identities, names, reason text, source ids); never for erased subjects',
    )
    .action(async (options: SiemExportCommandOptions) => setExitCode(await runSiemExport(options)));
  registerLogglyCommands(siem, setExitCode);
}
