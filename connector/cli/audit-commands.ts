/**
 * `standing audit list --tenant t` (the read audit's rows: who read or exported whose history, and
 * denied attempts) and `standing audit verify --tenant t` (its hash chain; exit 1 if broken).
 * Tenant `*` is the chain of denials not tied to a tenant.
 */
import type { Command } from 'commander';
import {
  ACCESS_ACTIONS,
  AccessAudit,
  GLOBAL_AUDIT_TENANT,
  type AuditPage,
  type AuditVerifyReport,
} from '../audit/access-audit.ts';
import { AuditListQuery } from '../audit/access-audit-routes.ts';
import { describeIssues } from '../model/standing-event.ts';
import {
  CliFailure,
  EXIT,
  loadConfigOrFail,
  tenantIdArgument,
  writeJson,
  writeTable,
  type SetExitCode,
} from './common.ts';
import { withLog } from './log-access.ts';

export interface AuditListCliOptions {
  tenant: string;
  json?: boolean;
  subjectId?: string;
  action?: string;
  afterSeq?: string;
  limit?: string;
}

const auditTenant = (value: string) => (value === GLOBAL_AUDIT_TENANT ? value : tenantIdArgument(value, '--tenant'));

/** Runs `fn` with the read audit of the configured database, refusing a tenant it knows nothing of. */
async function withAudit<T>(tenant: string, fn: (audit: AccessAudit) => Promise<T>): Promise<T> {
  return withLog(loadConfigOrFail(), async (log) => {
    const audit = new AccessAudit(log.db);
    if (!(await audit.known(tenant)))
      throw new CliFailure(
        `--tenant: no tenant "${tenant}" is registered and none has an audit under that id`,
        EXIT.usage,
      );
    return fn(audit);
  });
}

export async function runAuditList(options: AuditListCliOptions): Promise<number> {
  const tenant = auditTenant(options.tenant);
  const q = AuditListQuery.safeParse({
    subject_id: options.subjectId,
    action: options.action,
    after_seq: options.afterSeq,
    limit: options.limit,
  });
  if (!q.success) {
    const flag = (path: string) => `--${path.replace(/_/g, '-')}`;
    throw new CliFailure(
      describeIssues(q.error)
        .map((p) => `${flag(p.path)}: ${p.message}`)
        .join('\n'),
      EXIT.usage,
    );
  }
  const page: AuditPage = await withAudit(tenant, (audit) => audit.list(tenant, q.data));
  if (options.json) {
    writeJson({ tenant, ...page });
    return EXIT.ok;
  }
  if (page.entries.length === 0)
    process.stdout.write(`${tenant}: no audit rows${q.data.after_seq ? ` after seq ${q.data.after_seq}` : ''}\n`);
  else {
    writeTable([
      ['SEQ', 'AT', 'ACTION', 'OUTCOME', 'WHO', 'ROLE', 'PATH', 'SUBJECTS'],
      ...page.entries.map((e) => [
        String(e.seq),
        e.at,
        e.action,
        e.outcome,
        e.principal.label,
        e.principal.role ?? '-',
        e.path,
        e.subject_ids.length > 0 ? e.subject_ids.join(',') : '-',
      ]),
    ]);
  }
  if (page.next_after_seq !== null) process.stdout.write(`more: --after-seq ${page.next_after_seq}\n`);
  return EXIT.ok;
}

function formatAuditVerify(r: AuditVerifyReport): string {
  if (r.ok)
    return r.head.seq === 0
      ? `${r.tenant}: read audit ok, no rows`
      : `${r.tenant}: read audit ok, ${r.checked} rows checked, head ${r.head.seq} ${r.head.hash}`;
  const b = r.broken;
  const detail =
    'expected' in b && 'found' in b
      ? ` (expected ${b.expected}, found ${b.found})`
      : 'expected' in b
        ? ` (expected seq ${b.expected})`
        : ` (${b.found})`;
  return `${r.tenant}: read audit BROKEN at seq ${b.seq}: ${b.problem}${detail}; ${r.checked} rows verified before it`;
}

export async function runAuditVerify(options: { tenant: string; json?: boolean }): Promise<number> {
  const tenant = auditTenant(options.tenant);
  const report = await withAudit(tenant, (audit) => audit.verify(tenant));
  if (options.json) writeJson(report);
  else process.stdout.write(`${formatAuditVerify(report)}\n`);
  return report.ok ? EXIT.ok : EXIT.broken;
}

export function registerAuditCommands(program: Command, setExitCode: SetExitCode): void {
  const audit = program
    .command('audit')
    .description("the read audit: who read or exported customers' histories, and denied attempts");
  audit
    .command('list')
    .description("a tenant's read audit rows in seq order ('*': denials not tied to a tenant)")
    .requiredOption('--tenant <id>', 'the tenant, or * ')
    .option('--subject-id <uuid>', 'only rows naming this subject')
    .option('--action <action>', `only rows of this action (${ACCESS_ACTIONS.join(', ')})`)
    .option('--after-seq <n>', 'rows after this seq (the "more:" line of the previous page)')
    .option('--limit <n>', 'at most this many rows (default 100, at most 1000)')
    .option('--json', 'machine-readable output')
    .action(async (options: AuditListCliOptions) => setExitCode(await runAuditList(options)));
  audit
    .command('verify')
    .description("check a tenant's read audit hash chain; exit 1 if broken")
    .requiredOption('--tenant <id>', 'the tenant, or *')
    .option('--json', 'machine-readable output')
    .action(async (options: { tenant: string; json?: boolean }) => setExitCode(await runAuditVerify(options)));
}
