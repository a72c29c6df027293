/**
 * `GET /api/v1/tenants/{tenant}/insights`: a tenant's deactivations and reinstatements per bucket,
 * the time they take, and how many reinstatements the warnings flag (docs/insights.md). Counts only:
 * the tenant's admin and auditor keys, and the operator for any tenant.
 * `GET /api/v1/tenants/{tenant}/insights/customers`: the customers one warning flags, a read of
 * personal data for the roles that read histories (an auditor key), recorded in the read audit.
 */
import { Router } from 'express';
import type { Authorize } from '../access/authorize.ts';
import { principalOf } from '../access/principal.ts';
import type { AccessAudit } from '../audit/access-audit.ts';
import type { InsightCustomers, Insights } from '../contracts/index.ts';
import type { AppSettingsStore } from '../history/app-settings.ts';
import {
  answerInsightCustomers,
  answerInsights,
  InsightCustomersQuery,
  InsightsQuery,
  parseInsightsQuery,
} from '../history/insights-answer.ts';
import { NotFoundError } from '../lib/errors.ts';
import { TenantId } from '../model/standing-event.ts';
import type { InsightsStore } from '../store/insights.ts';

export interface InsightsRoutesDeps {
  insights: InsightsStore;
  authorize: Authorize;
  /** The drill-down is recorded here before it is sent. */
  audit: AccessAudit;
  /** The tenants' warning thresholds: the flagged counts use the same ones the warnings do. */
  settings: Pick<AppSettingsStore, 'warnings'>;
}

function tenantParam(value: unknown): string {
  const t = TenantId.safeParse(value);
  if (!t.success) throw new NotFoundError(`no tenant "${String(value)}"`);
  return t.data;
}

/** Mounted at `/api/v1`. */
export function insightsRoutes({ insights, authorize, audit, settings }: InsightsRoutesDeps): Router {
  const router = Router();
  router.get('/tenants/:tenant/insights', authorize('insights.read'), async (req, res) => {
    const tenant = tenantParam(req.params.tenant);
    const q = parseInsightsQuery(InsightsQuery, req.query);
    res.json((await answerInsights(insights, tenant, q, await settings.warnings(tenant))) satisfies Insights);
  });
  router.get('/tenants/:tenant/insights/customers', authorize('history.read'), async (req, res) => {
    const tenant = tenantParam(req.params.tenant);
    const query = parseInsightsQuery(InsightCustomersQuery, req.query);
    const answer = await answerInsightCustomers(insights, audit, res, {
      tenant,
      principal: principalOf(res),
      path: `GET /api/v1/tenants/${tenant}/insights/customers`,
      query,
      settings: await settings.warnings(tenant),
    });
    res.json(answer satisfies InsightCustomers);
  });
  return router;
}
