/** The whole product in one process: the service with Zendesk intake (routes, queue, worker), the compliance jobs and SIEM routes, and the Zendesk app's endpoints. */
import { appApiExtension, combineExtensions, type AppApiOptions } from './app-api-wiring.ts';
import type { StandingConfig } from '../config/config.ts';
import { intakeExtension } from './intake-wiring.ts';
import { complianceExtension, type ComplianceExtensionOptions } from './compliance-wiring.ts';
import { roleDuties } from '../config/roles.ts';
import { startService, type ServiceHandle, type ServiceOptions } from './service.ts';

export function startStanding(
  config: StandingConfig,
  options: Omit<ServiceOptions, 'extend'> & { app?: AppApiOptions; compliance?: ComplianceExtensionOptions } = {},
): Promise<ServiceHandle> {
  const { app, compliance: complianceOptions, ...serviceOptions } = options;
  return startService(config, {
    ...serviceOptions,
    extend: async (resources) => {
      const intake = await intakeExtension(resources, config.intake);
      const compliance = await complianceExtension(resources, complianceOptions).catch(async (err: unknown) => {
        await intake.close?.();
        throw err;
      });
      // The Zendesk app's endpoints are HTTP API: served by the roles that serve it (api, all).
      return roleDuties(config.intake.role).httpApi ? combineExtensions(compliance, intake, appApiExtension(resources, app)) : combineExtensions(compliance, intake);
    },
  });
}
