/**
 * Wires attribution (who made each change, and how, from Zendesk's audit log and ticket audits):
 * its queue on the root's BullMQ connection, the job on the worker role, the sweep on the scheduler
 * role. The intake and reconciliation ask for a tenant's run after they stored events (`request`).
 */
import type { IntakeSettings } from '../config/intake-settings.ts';
import { roleDuties } from '../config/roles.ts';
import { attributeZendeskTenant, type ZendeskAttributionOptions } from '../zendesk/attribution.ts';
import { startAttributionQueue, type AttributionQueue } from '../../queue/attribution-queue.ts';
import type { IntakeResources } from './intake-resources.ts';
import type { ServiceExtension, ServiceResources } from './service.ts';

export interface AttributionWiring extends ServiceExtension {
  /** Asks for attribution runs of the tenants whose log grew (deduplicated per tenant; errors are logged). */
  requestBehind(): void;
  /** Asks for one tenant's run. */
  request(tenant: string): void;
}

export async function attributionExtension(
  res: ServiceResources,
  shared: Pick<IntakeResources, 'connection'>,
  settings: IntakeSettings,
  options: ZendeskAttributionOptions = {},
): Promise<AttributionWiring> {
  const { log, logger, tenants } = res;
  const duties = roleDuties(settings.role);
  const { sweepEveryMs, windowSeconds } = settings.attribution;
  if (sweepEveryMs === 0) return { requestBehind: () => undefined, request: () => undefined };
  const queue: AttributionQueue = await startAttributionQueue(
    {
      attribute: (tenant) =>
        attributeZendeskTenant({ store: log.attributions, tenants }, tenant, {
          matchWindowSeconds: windowSeconds,
          ...options,
        }),
      tenantsBehind: () => log.attributions.tenantsBehind(),
      logger,
    },
    {
      connection: shared.connection,
      prefix: settings.queuePrefix,
      work: duties.worker,
      sweepEveryMs: duties.scheduler ? sweepEveryMs : 0,
    },
  );
  const warn = (err: unknown) =>
    logger.warn({ err: { message: (err as Error).message } }, 'attribution run could not be queued; the sweep retries');
  // After a batch, at most one look at which tenants are behind is in flight at a time.
  let asking = false;
  return {
    requestBehind: () => {
      if (asking) return;
      asking = true;
      queue
        .requestBehind()
        .catch(warn)
        .finally(() => {
          asking = false;
        });
    },
    request: (tenant) => void queue.request(tenant).catch(warn),
    close: () => queue.close(),
  };
}
