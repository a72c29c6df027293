/**
 * `standing subject export` and `standing subject erase`: GDPR access export and erasure of a
 * person, by any of their identities. Act as the operator.
 */
import { open } from 'node:fs/promises';
import type { Command } from 'commander';
import { Redis } from 'ioredis';
import { erasureChannel, publishErasure, type ErasureNotice } from '../gdpr/erasure-broadcast.ts';
import { accessExport, accessExportCsv, type HistoryReadsLog } from '../gdpr/access-export.ts';
import { eraseSubject, LegalHoldBlocksErasureError } from '../gdpr/erasure.ts';
import { PersonIdentities } from '../gdpr/person-data.ts';
import { describeIssues } from '../model/standing-event.ts';
import type { Principal } from '../access/principal.ts';
import type { AccessAudit } from '../audit/access-audit.ts';
import type { Database } from '../store/database.ts';
import { StandingLog } from '../store/standing-log.ts';
import {
  CliFailure,
  EXIT,
  loadConfigOrFail,
  tenantIdArgument,
  validationFailure,
  withSealingDatabase,
  writeJson,
  type SetExitCode,
} from './common.ts';

export interface SubjectOptions {
  tenant: string;
  email?: string;
  zendeskUserId?: string;
  salesforceContactId?: string;
  /** Set by the role check (command-access.ts): who is recorded. */
  actor?: string;
  principal?: Principal;
}

/** The read audit on the command's database: the reads listed in an export, and the export itself. */
export type ReadsFor = (db: Database) => HistoryReadsLog & Pick<AccessAudit, 'record'>;

function identitiesOf(o: SubjectOptions): PersonIdentities {
  const parsed = PersonIdentities.safeParse({
    email: o.email,
    zendesk_user_id: o.zendeskUserId,
    salesforce_contact_id: o.salesforceContactId,
  });
  if (!parsed.success) {
    const flag = {
      email: '--email',
      zendesk_user_id: '--zendesk-user-id',
      salesforce_contact_id: '--salesforce-contact-id',
    } as Record<string, string>;
    throw validationFailure(
      'invalid identities',
      describeIssues(parsed.error).map((p) => ({
        path: flag[p.path] ?? '--email|--zendesk-user-id|--salesforce-contact-id',
        message: p.message,
      })),
    );
  }
  return parsed.data;
}

/** A StandingLog with the real master key (the person's data is unsealed, identities looked up by blind index). */
async function withSealedLog<T>(fn: (log: StandingLog) => Promise<T>): Promise<T> {
  return withSealingDatabase((db, master) => fn(new StandingLog(db, master)));
}

export async function runSubjectExport(
  o: SubjectOptions & { format?: string; out?: string },
  readsFor: ReadsFor,
): Promise<number> {
  const tenant = tenantIdArgument(o.tenant, '--tenant');
  const identities = identitiesOf(o);
  const format = o.format ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new CliFailure('--format: must be json or csv', EXIT.usage);
  const doc = await withSealedLog(async (log) => {
    const audit = readsFor(log.db);
    const exported = await accessExport(log, audit, tenant, identities);
    // Recorded before anything is written out: an export that cannot be audited is not given.
    await audit
      .record({
        tenant,
        principal: o.principal ?? { type: 'operator' },
        action: 'subject.access_export',
        path: 'cli subject export',
        subject_ids: exported.subjects.map((s) => s.subject_id),
        detail: { format, events: exported.events.length },
      })
      .catch((err: unknown) => {
        throw new CliFailure(
          `the export could not be recorded in the read audit, so it is not given: ${(err as Error).message}`,
          EXIT.failed,
        );
      });
    return exported;
  });
  const text = format === 'csv' ? accessExportCsv(doc) : `${JSON.stringify(doc, null, 2)}\n`;
  if (o.out === undefined) {
    process.stdout.write(text);
    return EXIT.ok;
  }
  // Never overwrites, and readable by the owner only: the file holds the person's data.
  const file = await open(o.out, 'wx', 0o600).catch((err: NodeJS.ErrnoException) => {
    throw new CliFailure(
      `--out: ${err.code === 'EEXIST' ? 'the file exists (not overwritten)' : err.message}`,
      EXIT.usage,
    );
  });
  try {
    await file.writeFile(text, 'utf8');
  } finally {
    await file.close();
  }
  process.stderr.write(
    `${tenant}: ${doc.subjects.length} subject(s), ${doc.events.length} event(s) written to ${o.out}\n`,
  );
  return EXIT.ok;
}

export async function runSubjectErase(
  o: SubjectOptions & { reason: string; yes?: boolean; json?: boolean },
): Promise<number> {
  const tenant = tenantIdArgument(o.tenant, '--tenant');
  const identities = identitiesOf(o);
  const reason = o.reason.trim();
  if (reason === '' || reason.length > 2000) throw new CliFailure('--reason: must be 1-2000 characters', EXIT.usage);
  if (!o.yes) throw new CliFailure('erasure cannot be undone: add --yes to confirm', EXIT.usage);
  const report = await withSealedLog((log) =>
    eraseSubject(log, { tenant, identities, reason, actor: o.actor ?? 'operator' }).catch((err: unknown) => {
      throw err instanceof LegalHoldBlocksErasureError ? new CliFailure(err.message, EXIT.failed) : err;
    }),
  );
  if (report.subjects.length > 0)
    await announceErasure({ tenant, subject_ids: report.subjects.map((x) => x.subject_id) });
  if (o.json) writeJson(report);
  else {
    process.stdout.write(
      `${tenant}: erased ${report.subjects.length} ` +
        `subject(s)${report.subjects.map((s) => ` ${s.subject_id} (erasure entry seq ${s.erasure_seq})`).join(',')}\n`,
    );
    process.stdout.write(
      `inbox payloads redacted: ${report.inbox_rows_redacted}, field values deleted: ` +
        `${report.field_values_deleted}, app ticket records deleted: ${report.tickets_seen_deleted}\n`,
    );
  }
  return EXIT.ok;
}

export function registerGdprCommands(program: Command, setExitCode: SetExitCode, readsFor: ReadsFor): void {
  const subject = program.command('subject').description("GDPR: a person's access export and erasure");
  const who = (c: Command) =>
    c
      .requiredOption('--tenant <id>', 'the tenant')
      .option('--email <address>', "the person's email")
      .option('--zendesk-user-id <id>', "the person's Zendesk user id")
      .option('--salesforce-contact-id <id>', "the person's Salesforce Contact id");
  who(
    subject
      .command('export')
      .description('everything held about a person, with chain proofs (JSON; --format csv: the events)'),
  )
    .option('--format <format>', 'json (complete) or csv (events)', 'json')
    .option('--out <file>', 'write to this new file (mode 600) instead of stdout')
    .action(async (o: SubjectOptions & { format?: string; out?: string }) =>
      setExitCode(await runSubjectExport(o, readsFor)),
    );
  who(
    subject
      .command('erase')
      .description('erase a person: destroys their key, redacts every copy; refused under a legal hold'),
  )
    .requiredOption('--reason <text>', "why (a request reference; not the person's data)")
    .option('--yes', 'confirm: erasure cannot be undone')
    .option('--json', 'machine-readable output')
    .action(async (o: SubjectOptions & { reason: string; yes?: boolean; json?: boolean }) =>
      setExitCode(await runSubjectErase(o)),
    );
}

/**
 * Tells the running processes to drop what they cache of the person (docs/compliance.md, "GDPR: access and erasure").
 */
async function announceErasure(notice: ErasureNotice): Promise<void> {
  const config = loadConfigOrFail();
  const redis = new Redis(config.redisUrl, {
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    lazyConnect: true,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  const told = await redis.connect().then(
    () => publishErasure(redis, erasureChannel(config.intake.queuePrefix), notice),
    () => false,
  );
  redis.disconnect();
  if (!told)
    process.stderr.write(
      'warning: Redis did not take the erasure notice: running processes drop their cached copies when those ' +
        'expire (at most 10 minutes)\n',
    );
}
