/**
 * The Zendesk provider in a deployment: its source (mapping, directory look-ups, tickets seen for
 * the Zendesk app), its webhook route and its reconciler. Its settings (connector/zendesk/settings.ts)
 * are kept in the tenant's row, so its settings store reads through the tenant registry.
 */
import type { IntakeSettings } from '../config/intake-settings.ts';
import { zendeskScheduledReconciler } from '../zendesk/reconciler.ts';
import { ZendeskSettingsStore } from '../zendesk/settings.ts';
import { ZendeskSource } from '../zendesk/source.ts';
import { recordTicketsSeen } from '../zendesk/tickets-seen.ts';
import { zendeskWebhookRoute } from '../zendesk/webhook-route.ts';
import { ZendeskDirectory } from '../zendesk/zendesk-directory.ts';
import type { IntakeResources } from './intake-resources.ts';
import type { ProviderWiring } from './provider-wiring.ts';
import type { ServiceResources } from './service.ts';

export function zendeskProvider(
  res: ServiceResources,
  shared: IntakeResources,
  settings: IntakeSettings,
): ProviderWiring {
  const { db, log, logger, tenants } = res;
  const webhook = zendeskWebhookRoute(
    { settings: new ZendeskSettingsStore(tenants), inbox: shared.inbox, enqueue: shared.jobs.enqueue, logger },
    settings.webhook,
  );
  const directory = new ZendeskDirectory();
  res.erasures.onErasure(() => directory.forgetAll());
  return {
    source: new ZendeskSource(log.fieldValues, directory, {
      companionWaitMs: settings.worker.companionWaitMs,
      recordTicketsSeen: (rows) => recordTicketsSeen(db, rows),
    }),
    directRoutes: [webhook.route],
    routers: [],
    reconciler: zendeskScheduledReconciler(),
    close: () => webhook.close(),
  };
}
