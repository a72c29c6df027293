/**
 * The composition root: the whole product in one process, or the part its role runs. The service
 * (service.ts) opens what every part shares (database, Redis, the log, the tenants, the read audit,
 * the role check); this adds the intake's shared inbox, queue and BullMQ connection
 * (intake-resources.ts) and the providers (provider-list.ts), then one wiring module per feature:
 * attribution, intake, compliance (checkpoints, retention, SIEM), the Zendesk app's API and reconciliation.
 * Each resource is built once and handed down; nothing below connector/app/ builds a shared one.
 */
import { appApiExtension, type AppApiOptions } from './app-api-wiring.ts';
import { attributionExtension } from './attribution-wiring.ts';
import type { StandingConfig } from '../config/config.ts';
import { intakeExtension } from './intake-wiring.ts';
import { openIntakeResources } from './intake-resources.ts';
import { openProviders } from './provider-list.ts';
import { reconciliationExtension } from './reconciliation-wiring.ts';
import { complianceExtension, type ComplianceExtensionOptions } from './compliance-wiring.ts';
import { roleDuties } from '../config/roles.ts';
import { alertsExtension, openAlerts } from './alerts-wiring.ts';
import type { AlertsOptions } from '../alerts/alerts.ts';
import {
  combineExtensions,
  startService,
  type ServiceExtension,
  type ServiceHandle,
  type ServiceOptions,
} from './service.ts';

export function startStanding(
  config: StandingConfig,
  options: Omit<ServiceOptions, 'extend'> & {
    app?: AppApiOptions;
    compliance?: ComplianceExtensionOptions;
    alerts?: AlertsOptions;
  } = {},
): Promise<ServiceHandle> {
  const { app, compliance: complianceOptions, alerts: alertsOptions, ...serviceOptions } = options;
  return startService(config, {
    ...serviceOptions,
    extend: async (resources) => {
      const shared = openIntakeResources(resources);
      const providers = openProviders(resources, shared, config.intake);
      // The shared part closes last: the workers and schedulers use the queue and the connection until they stop.
      const opened: ServiceExtension[] = [{ close: shared.close }];
      try {
        // Attribution closes after the intake and reconciliation that ask for its runs.
        const attribution = await attributionExtension(resources, shared, config.intake);
        opened.push(attribution);
        const intake = await intakeExtension(resources, shared, providers, config.intake, attribution.requestBehind);
        opened.push(intake);
        const alerts = openAlerts(resources, alertsOptions);
        const compliance = await complianceExtension(resources, shared, complianceOptions, alerts);
        // Compliance's routes and readiness checks come before the intake's.
        opened.splice(1, 0, compliance);
        // The Zendesk app's endpoints are HTTP API: served by the roles that serve it (api, all).
        if (roleDuties(config.intake.role).httpApi)
          opened.push(appApiExtension(resources, { ...shared, alerts }, app), alertsExtension(resources, alerts));
        // Last: its scheduled runs stop first.
        opened.push(await reconciliationExtension(resources, shared, providers, config.intake, attribution.request));
      } catch (err) {
        await combineExtensions(...opened).close?.();
        throw err;
      }
      return combineExtensions(...opened);
    },
  });
}
