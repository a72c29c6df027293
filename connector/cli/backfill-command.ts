/**
 * `standing backfill --tenant T --source zendesk|salesforce --since DATE`: imports a tenant's
 * history from a date through reconciliation, with a progress bar (records, rate, ETA over the time
 * range). Resumable: each page's checkpoint (`<stream>@backfill`, kept apart from the scheduled
 * runs') is written once the page is in the log, so after Ctrl-C or a crash the same command goes
 * on from the last durable page. Safe while the service runs (with DATABASE_URL): the log dedupes,
 * and a finding the service records meanwhile is the same entry (transition-matching.ts).
 */
import cliProgress from 'cli-progress';
import type { Connection } from 'jsforce';
import { formatConfigProblems } from '../config/config.ts';
import { loadSecrets } from '../config/secrets.ts';
import { migrate } from '../store/migrate.ts';
import { StandingLog } from '../store/standing-log.ts';
import { TenantRegistry } from '../tenants/tenant-registry.ts';
import { ReconciliationStore } from '../reconciliation/reconciliation-store.ts';
import type { SourceName } from '../model/standing-event.ts';
import { reconcileZendesk, type ZendeskReconcilerDeps } from '../zendesk/reconciler.ts';
import type { ReconcileOptions, RunResult } from '../reconciliation/reconcile-run.ts';
import { reconcileSalesforce } from '../../salesforce/reconciler.ts';
import { salesforceSessions } from '../../salesforce/tenant-sessions.ts';
import { SalesforceSettingsStore } from '../../salesforce/tenant-settings.ts';
import { CliFailure, EXIT, loadConfigOrFail, tenantIdArgument, withDatabase } from './common.ts';

export interface BackfillRequest {
  tenant: string;
  source: SourceName;
  since: Date;
  /** Stop before the next page when it returns a reason (Ctrl-C). */
  shouldStop?: () => string | null;
  onProgress?: ReconcileOptions['onProgress'];
}

export interface BackfillDeps extends ZendeskReconcilerDeps {
  tenants: Pick<TenantRegistry, 'currentMapping' | 'get'>;
  /** The tenant's Salesforce connection (salesforce/connection.ts once wired), or null. */
  salesforceConnection: (tenant: string) => Promise<Connection | null>;
}

/** One backfill run (no paging cap: it goes to the end unless stopped). */
export async function runBackfill(deps: BackfillDeps, r: BackfillRequest): Promise<RunResult> {
  const options: ReconcileOptions = {
    trigger: 'backfill',
    since: r.since,
    maxPages: Number.MAX_SAFE_INTEGER,
    shouldStop: r.shouldStop,
    onProgress: r.onProgress,
  };
  if (r.source === 'zendesk') {
    const tenant = await deps.tenants.get(r.tenant);
    if (!tenant) throw new CliFailure(`--tenant: no tenant "${r.tenant}"`, EXIT.usage);
    return reconcileZendesk(deps, tenant, options);
  }
  const conn = await deps.salesforceConnection(r.tenant);
  if (!conn)
    throw new CliFailure(
      `tenant "${r.tenant}" has no Salesforce connection (PUT /api/v1/tenants/{tenant}/salesforce: ` +
        `instance_url, client_id and credentials)`,
      EXIT.usage,
    );
  return reconcileSalesforce(deps, r.tenant, conn, options);
}

/** The line a finished backfill prints: drift counts only what the log lacked or contradicted. */
export function backfillSummary(run: RunResult): string {
  const c = run.counters;
  return (
    `backfill ${run.state}: ${c.pages} pages, ${c.records_read} records read, ${c.events_appended} events ` +
    `appended, ${c.drift_found} differences found (run ${run.id})`
  );
}

const parseSince = (value: string): Date => {
  const t = Date.parse(value);
  if (Number.isNaN(t) || !/^\d{4}-\d\d-\d\d/.test(value))
    throw new CliFailure('--since: must be a date, e.g. 2025-01-01 or 2025-01-01T00:00:00Z', EXIT.usage);
  if (t > Date.now()) throw new CliFailure('--since: must be in the past', EXIT.usage);
  return new Date(t);
};

export async function backfillAction(o: {
  tenant: string;
  source: SourceName;
  since: string;
  progress: boolean;
}): Promise<number> {
  const tenant = tenantIdArgument(o.tenant, '--tenant');
  const since = parseSince(o.since);
  const config = loadConfigOrFail();
  const secrets = await loadSecrets(config);
  if (!secrets.ok) throw new CliFailure(`configuration error\n${formatConfigProblems(secrets.problems)}`, EXIT.usage);
  return withDatabase(config, async (db) => {
    await migrate(db);
    const master = secrets.secrets.master;
    const tenants = new TenantRegistry(db, master);
    const { sessions } = salesforceSessions(new SalesforceSettingsStore(db, master));
    const deps: BackfillDeps = {
      log: new StandingLog(db, master),
      store: new ReconciliationStore(db),
      tenants,
      salesforceConnection: (t) => sessions.connection(t),
    };
    let interrupted = 0;
    const onSigint = () => {
      interrupted++;
      if (interrupted > 1) process.exit(130); // the checkpoint is already at the last durable page
      process.stderr.write(
        '\nstopping after the current page (Ctrl-C again to quit now); run the same command to resume\n',
      );
    };
    process.on('SIGINT', onSigint);
    const bar =
      o.progress && process.stderr.isTTY
        ? new cliProgress.SingleBar(
            {
              format:
                '{stream} |{bar}| {percentage}% of the range | {records} records | {rate}/s | {events} ' +
                'appended | ETA {eta_formatted}',
              etaBuffer: 20,
              stream: process.stderr,
            },
            cliProgress.Presets.shades_classic,
          )
        : null;
    const started = Date.now();
    const span = Math.max(1, started - since.getTime());
    bar?.start(1000, 0, { stream: '', records: 0, rate: 0, events: 0 });
    try {
      const run = await runBackfill(deps, {
        tenant,
        source: o.source,
        since,
        shouldStop: () => (interrupted > 0 ? 'interrupted (Ctrl-C); run the same backfill again to resume' : null),
        onProgress: (p) => {
          const at = p.latestAt ? Date.parse(p.latestAt) : since.getTime();
          const fraction = p.endOfStream ? 1 : Math.min(1, Math.max(0, (at - since.getTime()) / span));
          const rate = Math.round(p.counters.records_read / Math.max(0.001, (Date.now() - started) / 1000));
          const payload = {
            stream: p.stream,
            records: p.counters.records_read,
            rate,
            events: p.counters.events_appended,
          };
          if (bar) bar.update(Math.round(fraction * 1000), payload);
          else process.stderr.write(`${p.stream}: ${payload.records} records, ${rate}/s, ${payload.events} appended\n`);
        },
      });
      bar?.stop();
      process.stdout.write(`${backfillSummary(run)}\n`);
      for (const e of run.counters.errors) process.stdout.write(`  ${e.stream}: ${e.message}\n`);
      return run.state === 'failed' ? EXIT.failed : EXIT.ok;
    } finally {
      bar?.stop();
      process.off('SIGINT', onSigint);
    }
  });
}
