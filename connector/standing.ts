/** The whole product in one process: the service with Zendesk intake (routes, queue, worker). */
import type { StandingConfig } from './config.ts';
import { intakeExtension } from './intake/intake-extension.ts';
import { startService, type ServiceHandle, type ServiceOptions } from './service.ts';

export function startStanding(config: StandingConfig, options: Omit<ServiceOptions, 'extend'> = {}): Promise<ServiceHandle> {
  return startService(config, { ...options, extend: (resources) => intakeExtension(resources, config.intake) });
}
