/**
 * The providers of a deployment, built once by the root (standing.ts) and handed to the intake and
 * reconciliation wiring. A new provider is one line here (and its mapping kind in providers.ts).
 */
import type { IntakeSettings } from '../config/intake-settings.ts';
import type { IntakeResources } from './intake-resources.ts';
import type { ProviderWiring } from './provider-wiring.ts';
import { salesforceProvider, type SalesforceProvider } from './salesforce-wiring.ts';
import type { ServiceResources } from './service.ts';
import { zendeskProvider } from './zendesk-wiring.ts';

export interface Providers {
  /** Every provider, in the order their routes are served. */
  all: readonly ProviderWiring[];
  /** Salesforce by name: scheduled reconciliation reads through its sessions. */
  salesforce: SalesforceProvider;
}

export function openProviders(res: ServiceResources, shared: IntakeResources, settings: IntakeSettings): Providers {
  const salesforce = salesforceProvider(res, shared, settings);
  return { all: [zendeskProvider(res, shared, settings), salesforce], salesforce };
}
