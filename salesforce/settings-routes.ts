/**
 * `GET/PUT /api/v1/tenants/{tenant}/salesforce`: a tenant's Salesforce connection (`tenant.settings`: the tenant's
 * admin key or the operator). Secrets are write-only: the answer only says whether each is set.
 */
import { Router } from 'express';
import type { Authorize } from '../connector/access/authorize.ts';
import { HttpError, NotFoundError } from '../connector/lib/errors.ts';
import { TenantId } from '../connector/model/standing-event.ts';
import type { SalesforceSettingsView } from '../connector/contracts/index.ts';
import { toSalesforceView, type SalesforceSettingsStore } from './tenant-settings.ts';

export function salesforceSettingsRoutes(deps: { settings: SalesforceSettingsStore; authorize: Authorize }): Router {
  const r = Router();
  const tenantOf = (value: unknown) => {
    const t = TenantId.safeParse(value);
    if (!t.success) throw new NotFoundError(`no tenant "${String(value)}"`);
    return t.data;
  };
  r.get('/tenants/:tenant/salesforce', deps.authorize('tenant.settings'), async (req, res) => {
    const settings = await deps.settings.get(tenantOf(req.params.tenant));
    if (!settings) throw new NotFoundError(`tenant "${req.params.tenant}" has no Salesforce connection (PUT one)`);
    res.json(toSalesforceView(settings) satisfies SalesforceSettingsView);
  });
  r.put('/tenants/:tenant/salesforce', deps.authorize('tenant.settings'), async (req, res) => {
    const result = await deps.settings.set(tenantOf(req.params.tenant), req.body ?? {});
    if (!result.ok) throw new HttpError(result.status, result.code, result.message, result.problems);
    res.json(toSalesforceView(result.value) satisfies SalesforceSettingsView);
  });
  return r;
}
