/**
 * Plugs the Zendesk app's endpoints into the service: `/app/v1/:tenant/sidebar` and
 * `/app/v1/:tenant/admin/*` (app JWT), plus `/api/v1/tenants/:tenant/app-settings/warnings`
 * (`tenant.settings`, for automation).
 */
import express, { Router, type RequestHandler } from 'express';
import type { ServiceExtension, ServiceResources } from './service.ts';

import { NotFoundError, ValidationError } from '../lib/errors.ts';
import { TenantId } from '../model/standing-event.ts';
import type { TenantRegistry } from '../tenants/tenant-registry.ts';
import type { IntakeResources } from './intake-resources.ts';
import { adminAppRoutes, requireZendeskAdmin } from '../app-api/admin-app-routes.ts';
import { alertRoutes } from '../alerts/alert-routes.ts';
import type { Alerts } from '../alerts/alerts.ts';
import { appCaller, requireAppToken, type AppCaller } from '../app-api/app-token.ts';
import { sidebarHistoryFromLog, type SidebarHistory } from '../app-api/sidebar-history.ts';
import { sidebarRoutes } from '../app-api/sidebar-routes.ts';
import { nodeZendeskLookups, type ZendeskAppLookups } from '../app-api/zendesk-app-lookups.ts';
import {
  agentSessionRoutes,
  AgentSessions,
  requireAgentSession,
  type AppPageOptions,
} from '../app-api/agent-session.ts';
import { workplaceActionRoutes } from '../app-api/workplace-actions.ts';
import { WorkplaceSettingsStore } from '../app-api/workplace-settings.ts';

export interface AppApiOptions {
  /**
   * Confirms tickets and roles with Zendesk.
   * @defaultValue node-zendesk with the tenant's API token, cached 60 s
   */
  lookups?: ZendeskAppLookups;
  /** @defaultValue the standing log (see app-api/sidebar-history.ts) */
  history?: SidebarHistory;
  /**
   * The built app, served as the signed-URL page that proves the acting agent (app-api/agent-session.ts).
   * @defaultValue none: the page answers 404 and the sidebar's actions are off
   */
  appPage?: AppPageOptions;
}

export function appApiExtension(
  res: ServiceResources,
  shared: Pick<IntakeResources, 'actions'> & { alerts?: Alerts },
  options: AppApiOptions = {},
): ServiceExtension {
  if (res.config.intake.role === 'worker') return {};
  const { db, log, audit, tenants, appSettings: settings } = res;
  const { actions } = shared;
  const lookups = options.lookups ?? nodeZendeskLookups();
  res.erasures.onErasure(() => lookups.forgetAll?.());
  const authenticate = requireAppToken(tenants);
  const workplace = new WorkplaceSettingsStore(db);
  const sessions = new AgentSessions(db);
  const history = options.history ?? sidebarHistoryFromLog(log);

  const app = Router({ mergeParams: true });
  app.use(
    sidebarRoutes({
      db,
      history,
      settings,
      lookups,
      authenticate: appTokenOrKey(tenants, authenticate, res.authorize('history.read_ticket')),
      audit,
    }),
  );
  // The alerts tab (AlertsTab.tsx): before the admin routes, the same guard.
  if (shared.alerts)
    app.use(
      '/admin/alerts',
      authenticate,
      requireZendeskAdmin(lookups),
      alertRoutes({ alerts: shared.alerts, tenantOf: async (_req, r) => appCaller(r).tenant.id }),
    );
  app.use(
    '/admin',
    adminAppRoutes({
      db,
      tenants,
      inboxActions: actions,
      settings,
      lookups,
      authenticate,
      audit,
      insights: log.insights,
    }),
  );
  app.use(
    workplaceActionRoutes({
      db,
      log,
      history,
      settings: workplace,
      lookups,
      audit,
      authenticate: [authenticate, requireAgentSession(sessions)],
    }),
  );
  const appRouter = Router();
  const page = options.appPage ?? (res.config.appDir ? { dir: res.config.appDir } : undefined);
  appRouter.use(agentSessionRoutes({ tenants, settings: workplace, sessions, lookups, page }));
  appRouter.use('/:tenant', app);

  const bearer = Router();
  bearer.get('/tenants/:tenant/app-settings/warnings', res.authorize('tenant.settings'), async (req, res2) => {
    res2.json(await settings.warnings(await existingTenant(tenants, req.params.tenant)));
  });
  bearer.put(
    '/tenants/:tenant/app-settings/warnings',
    res.authorize('tenant.settings'),
    express.json(),
    async (req, res2) => {
      const saved = await settings.setWarnings(await existingTenant(tenants, req.params.tenant), req.body);
      if (!saved.ok) throw new ValidationError('warning settings', saved.problems);
      res2.json(saved.value);
    },
  );

  bearer.get('/tenants/:tenant/app-settings/workplace', res.authorize('tenant.settings'), async (req, res2) => {
    res2.json(await workplace.get(await existingTenant(tenants, req.params.tenant)));
  });
  bearer.put(
    '/tenants/:tenant/app-settings/workplace',
    res.authorize('tenant.settings'),
    express.json(),
    async (req, res2) => {
      const saved = await workplace.set(await existingTenant(tenants, req.params.tenant), req.body);
      if (!saved.ok) throw new ValidationError('workplace settings', saved.problems);
      res2.json(saved.value);
    },
  );

  return {
    routers: [
      { path: '/app/v1', router: appRouter },
      { path: '/api/v1', router: bearer },
    ],
  };
}

async function existingTenant(tenants: TenantRegistry, value: unknown): Promise<string> {
  const id = TenantId.safeParse(value);
  if (!id.success || !(await tenants.get(id.data))) throw new NotFoundError(`no tenant "${String(value)}"`);
  return id.data;
}

/**
 * The sidebar also takes a tenant's API key (an agent's, for a helpdesk integration outside the
 * Zendesk app): the ticket is still confirmed before its customers' history is served.
 */
function appTokenOrKey(tenants: TenantRegistry, appToken: RequestHandler, apiKey: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const token = /^Bearer[ \t]+(\S+)/i.exec(req.headers.authorization ?? '')?.[1];
    // A JWT (three dot-separated parts) is the app's; anything else goes to the service's role check.
    if (token === undefined || token.split('.').length === 3) {
      appToken(req, res, next);
      return;
    }
    apiKey(req, res, (err?: unknown) => {
      if (err !== undefined) {
        next(err);
        return;
      }
      tenants
        .get(String(req.params.tenant))
        .then((tenant) => {
          if (!tenant) throw new NotFoundError(`no tenant "${String(req.params.tenant)}"`);
          res.locals.appCaller = { tenant, claims: { tenant: tenant.id, exp: 0 } } satisfies AppCaller;
          next();
        })
        .catch(next);
    });
  };
}
