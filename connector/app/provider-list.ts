/**
 * The providers of a deployment, built once by the root (standing.ts) and handed to the intake and
 * reconciliation wiring. A new provider is one line here (and its mapping kind in providers.ts).
 */
import type { IntakeSettings } from '../config/intake-settings.ts';
import type { IntakeResources } from './intake-resources.ts';
import type { ProviderWiring } from './provider-wiring.ts';
import { salesforceProvider } from './salesforce-wiring.ts';
import type { ServiceResources } from './service.ts';
import { zendeskProvider } from './zendesk-wiring.ts';

export interface Providers {
  /** Every provider, in the order their routes are served (and a tenant's reconciliation scheduled). */
  all: readonly ProviderWiring[];
}

export function openProviders(res: ServiceResources, shared: IntakeResources, settings: IntakeSettings): Providers {
  return { all: [zendeskProvider(res, shared, settings), salesforceProvider(res, shared, settings)] };
}
