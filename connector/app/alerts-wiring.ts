/**
 * Plugs alerting into the service: one `Alerts` per process (its scheduled run is the compliance
 * scheduler's `alerts` job, compliance-wiring.ts), the Zendesk note seam, the metrics of every
 * attempt, and the bearer API `/api/v1/tenants/{tenant}/alerts/*` (`tenant.settings`). The Zendesk
 * app's admin page mounts the same routes (app-api-wiring.ts).
 */
import { Router } from 'express';
import { alertRoutes } from '../alerts/alert-routes.ts';
import { Alerts, type AlertsOptions } from '../alerts/alerts.ts';
import { NotFoundError } from '../lib/errors.ts';
import { TenantId } from '../model/standing-event.ts';
import type { TenantRegistry } from '../tenants/tenant-registry.ts';
import { zendeskNoteSender } from '../zendesk/alert-note.ts';
import type { ServiceExtension, ServiceResources } from './service.ts';

export function openAlerts(res: ServiceResources, options: AlertsOptions = {}): Alerts {
  const { db, log, secrets, appSettings, tenants, metrics } = res;
  return new Alerts(
    {
      db,
      log,
      keys: secrets.master,
      settings: (tenant) => appSettings.warnings(tenant),
      note: zendeskNoteSender(tenants),
      onAttempt: ({ alert, record }) =>
        metrics.alertDeliveries.inc({ tenant: alert.tenant, channel: alert.channel, outcome: record.outcome }),
    },
    options,
  );
}

/** The bearer API's alert routes (API roles only). */
export function alertsExtension(res: ServiceResources, alerts: Alerts): ServiceExtension {
  const router = Router();
  router.use(
    '/tenants/:tenant/alerts',
    res.authorize('tenant.settings'),
    alertRoutes({ alerts, tenantOf: (req) => existingTenant(res.tenants, req.params.tenant) }),
  );
  return { routers: [{ path: '/api/v1', router }] };
}

export async function existingTenant(tenants: TenantRegistry, value: unknown): Promise<string> {
  const id = TenantId.safeParse(value);
  if (!id.success || !(await tenants.get(id.data))) throw new NotFoundError(`no tenant "${String(value)}"`);
  return id.data;
}
