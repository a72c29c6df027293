/**
 * Plugs the compliance work into the service: on the `scheduler` (and `all`) role the scheduled
 * checkpoints, retention, SIEM pushes (Splunk, Loggly) and alert runs (queue/compliance-scheduler.ts);
 * on the `api` (and `all`) role the SIEM routes, behind the service's role check (connector/access).
 */
import type { IntakeResources } from './intake-resources.ts';
import { CheckpointKeyMissingError, loadCheckpointKey } from '../config/checkpoint-key.ts';
import type { ReadinessCheck } from '../http/health-routes.ts';
import type { CheckpointKey } from '../model/checkpoint.ts';
import { StartupError, type ServiceExtension, type ServiceResources } from './service.ts';
import { siemRoutes } from '../siem/siem-routes.ts';
import { SplunkTargets } from '../siem/splunk-targets.ts';
import { LogglyTargets } from '../siem/loggly-targets.ts';
import type { Alerts } from '../alerts/alerts.ts';
import { checkpointExporter } from '../store/checkpoint-export.ts';
import { startComplianceScheduler, type ComplianceSchedulerOptions } from '../../queue/compliance-scheduler.ts';
import { roleDuties } from '../config/roles.ts';

export interface ComplianceExtensionOptions {
  /**
   * Overrides of the scheduler's options (tests: a clock, batch sizes).
   * @defaultValue the configuration's intervals
   */
  scheduler?: Partial<Omit<ComplianceSchedulerOptions, 'connection'>>;
}

export async function complianceExtension(
  res: ServiceResources,
  shared: Pick<IntakeResources, 'connection'>,
  options: ComplianceExtensionOptions = {},
  alerts?: Alerts,
): Promise<ServiceExtension> {
  const { config, db, log, logger, metrics, secrets } = res;
  const duties = roleDuties(config.intake.role);
  const targets = new SplunkTargets(db, secrets.master);
  const loggly = new LogglyTargets(db, secrets.master);
  const readinessChecks: Record<string, ReadinessCheck> = {};
  const closers: (() => Promise<void>)[] = [];

  if (duties.scheduler) {
    let key: CheckpointKey | null = null;
    let keyProblem: string | undefined;
    try {
      key = await loadCheckpointKey(config);
    } catch (err) {
      // A key that is set but unreadable is a configuration error; a missing one (production) only stops signing.
      if (!(err instanceof CheckpointKeyMissingError))
        throw new StartupError([
          {
            variable: 'STANDING_CHECKPOINT_KEY',
            message: (err as Error).message.replace(/^STANDING_CHECKPOINT_KEY:?\s*/, ''),
          },
        ]);
      keyProblem = 'STANDING_CHECKPOINT_KEY is not set (required in production)';
    }
    const target = config.checkpoints.exportTarget;
    const { connection } = shared;
    const scheduler = await startComplianceScheduler(
      {
        log,
        targets,
        loggly,
        alerts,
        logger,
        metrics,
        checkpointKey: key,
        checkpointKeyProblem: keyProblem,
        exporter: target ? checkpointExporter(target, config.checkpoints.s3) : undefined,
      },
      { connection, prefix: config.intake.queuePrefix, ...config.schedules, ...options.scheduler },
    );
    readinessChecks.compliance = () => scheduler.checkScheduled();
    closers.push(() => scheduler.close());
  }

  return {
    readinessChecks,
    routers: duties.httpApi
      ? [{ path: '/api/v1', router: siemRoutes({ log, targets, loggly, authorize: res.authorize, audit: res.audit }) }]
      : [],
    close: async () => {
      for (const close of closers) await close();
    },
  };
}
