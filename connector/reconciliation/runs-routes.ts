/**
 * `GET /api/v1/tenants/{tenant}/reconciliation/runs?limit=&source=` (admin or auditor key): a tenant's
 * reconciliation runs, newest first, with their start and end, pages, records read, events appended,
 * drift found and errors.
 */
import { Router } from 'express';
import type { Authorize } from '../access/authorize.ts';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../lib/errors.ts';
import { TenantId, describeIssues } from '../model/standing-event.ts';
import type { TenantRegistry } from '../tenants/tenant-registry.ts';
import type { ReconciliationStore } from './reconciliation-store.ts';
import type { ReconciliationRunsPage } from '../contracts/index.ts';
import { SOURCE_SYSTEMS } from '../model/standing-event.ts';

const RunsQuery = z.strictObject({
  limit: z.coerce.number().int('must be an integer').min(1).max(500).default(50),
  source: z.enum(SOURCE_SYSTEMS, { error: 'must be zendesk or salesforce' }).optional(),
});

export function reconciliationRoutes(deps: {
  store: ReconciliationStore;
  tenants: Pick<TenantRegistry, 'get'>;
  authorize: Authorize;
}): Router {
  const r = Router();
  r.get('/tenants/:tenant/reconciliation/runs', deps.authorize('reconciliation.read'), async (req, res) => {
    const tenant = TenantId.safeParse(req.params.tenant);
    if (!tenant.success || !(await deps.tenants.get(tenant.data)))
      throw new NotFoundError(`no tenant "${String(req.params.tenant)}"`);
    const q = RunsQuery.safeParse(req.query);
    if (!q.success) throw new ValidationError('invalid query', describeIssues(q.error));
    res.json({
      tenant: tenant.data,
      runs: await deps.store.listRuns(tenant.data, q.data),
    } satisfies ReconciliationRunsPage);
  });
  return r;
}
