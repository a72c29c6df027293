/**
 * The Zendesk app's admin page (nav_bar): the tenant's mapping (view, edit, preview a draft against
 * the latest inbox events), the quarantine (list, inspect, replay), reconciliation runs, the
 * warning thresholds, the insights (counts only), and the tenant's API keys created and revoked (the
 * read audit's key records). Every route needs a valid app token *and* a caller Zendesk confirms is an
 * admin: the token's `user_id` claim is only a hint, so the role is asked of the Zendesk API.
 */
import { Router, type RequestHandler } from 'express';
import { principalLabel, principalOf, type Principal } from '../access/principal.ts';
import { z } from 'zod';
import type { InboxAdminActions } from '../intake/admin-actions.ts';
import { actionValue } from '../http/errors.ts';
import { HttpError, ValidationError } from '../lib/errors.ts';
import type { Database } from '../store/database.ts';
import { KEY_ACTIONS, type AccessAudit } from '../audit/access-audit.ts';
import { KeyRecordsQuery } from '../audit/access-audit-routes.ts';
import type { TenantRegistry } from '../tenants/tenant-registry.ts';
import { mapZendeskWebhook } from '../zendesk/map-event.ts';
import { ReconciliationStore } from '../reconciliation/reconciliation-store.ts';
import { DEFAULT_ZENDESK_MAPPING_DOCUMENT, parseMappingDocument } from '../zendesk/mapping-document.ts';
import type { AppSettingsStore } from '../history/app-settings.ts';
import { answerInsights, InsightsQuery, parseInsightsQuery } from '../history/insights-answer.ts';
import type { InsightsStore } from '../store/insights.ts';
import { appCaller } from './app-token.ts';
import {
  KeyRecordsPage,
  type AppReconciliationRuns,
  type CurrentMapping,
  type Insights,
  type MappingPreview,
  type MappingPreviewRow,
  type MappingVersion,
  type QuarantinePage,
  type ReplayResult,
  type WarningSettings,
} from '../contracts/index.ts';
import type { ZendeskAppLookups } from './zendesk-app-lookups.ts';

export interface AdminAppRoutesDeps {
  db: Database;
  tenants: TenantRegistry;
  /** The quarantine actions (list, replay), shared with the admin API. */
  inboxActions: InboxAdminActions;
  settings: AppSettingsStore;
  lookups: ZendeskAppLookups;
  authenticate: RequestHandler;
  /** Where the key records are read (as `GET /api/v1/tenants/{tenant}/audit/keys`). */
  audit: AccessAudit;
  /** The insights' figures (as `GET /api/v1/tenants/{tenant}/insights`: counts, no customer). */
  insights: InsightsStore;
}

export const PREVIEW_LIMIT = { default: 20, max: 100 } as const;
const PreviewBody = z.strictObject({
  document: z.unknown(),
  limit: z.number().int().min(1).max(PREVIEW_LIMIT.max).default(PREVIEW_LIMIT.default),
});

/** 403 unless Zendesk says the user named in the token is an admin of this tenant's Zendesk. */
export function requireZendeskAdmin(lookups: ZendeskAppLookups): RequestHandler {
  return async (_req, res, next) => {
    try {
      const { tenant, claims } = appCaller(res);
      if (!claims.user_id) throw new HttpError(403, 'forbidden', 'the app token names no user (claim user_id)');
      const r = await lookups.userRole(tenant, claims.user_id);
      if (r.role === 'unavailable')
        throw new HttpError(503, 'zendesk_unavailable', "the user's role could not be confirmed with the Zendesk API");
      if (r.role !== 'admin') throw new HttpError(403, 'forbidden', 'only Zendesk admins may use the admin page');
      res.locals.principal = {
        type: 'app_user',
        tenant: tenant.id,
        role: 'admin',
        zendesk_user_id: claims.user_id,
      } satisfies Principal;
      next();
    } catch (err) {
      next(err);
    }
  };
}

export function adminAppRoutes(deps: AdminAppRoutesDeps): Router {
  const { db, tenants, settings, inboxActions } = deps;
  const reconciliation = new ReconciliationStore(db);
  const r = Router({ mergeParams: true });
  r.use(deps.authenticate, requireZendeskAdmin(deps.lookups));

  r.get('/mapping', async (_req, res) => {
    const { tenant } = appCaller(res);
    const current = await tenants.currentMapping(tenant.id, 'zendesk');
    res.json(
      (current
        ? { ...current, is_default: false }
        : {
            version: 0,
            document: DEFAULT_ZENDESK_MAPPING_DOCUMENT,
            changed_by: null,
            changed_at: null,
            is_default: true,
          }) satisfies CurrentMapping,
    );
  });

  r.put('/mapping', async (req, res) => {
    const { tenant } = appCaller(res);
    const parsed = parseMappingDocument(req.body);
    if (!parsed.ok) throw new ValidationError('mapping document', parsed.problems);
    const saved = await tenants.setMapping(tenant.id, 'zendesk', req.body, principalLabel(principalOf(res)));
    if (!saved.ok) throw new HttpError(saved.status, saved.code, saved.message, saved.problems);
    res.json(saved.value satisfies MappingVersion);
  });

  // How the latest inbox events would map under a draft, before it is saved. No identity look-ups
  // are made for a preview, so identities a payload lacks stay absent.
  r.post('/mapping/preview', async (req, res) => {
    const { tenant } = appCaller(res);
    const body = PreviewBody.safeParse(req.body ?? {});
    if (!body.success) throw ValidationError.fromZod('body', body.error);
    const parsed = parseMappingDocument(body.data.document);
    if (!parsed.ok) throw new ValidationError('mapping document', parsed.problems);
    const rows = await db.query<{
      event_id: string;
      received_at: Date | string;
      body: unknown;
      meta: Record<string, string> | null;
      state: string;
    }>(
      `SELECT event_id, received_at, body, meta, state FROM intake_inbox
       WHERE tenant = $1 AND source = 'zendesk' ORDER BY received_at DESC, event_id DESC LIMIT $2`,
      [tenant.id, body.data.limit],
    );
    const events = rows.map((row): MappingPreviewRow => {
      const receivedAt = new Date(row.received_at).toISOString();
      const result = mapZendeskWebhook({
        tenant: tenant.id,
        body: row.body,
        mapping: parsed.mapping,
        subdomain: tenant.zendesk.subdomain,
        invocationId: row.meta?.invocation_id ?? null,
        receivedAt,
      });
      const type =
        typeof row.body === 'object' && row.body !== null ? (row.body as { type?: unknown }).type : undefined;
      return {
        event_id: row.event_id,
        received_at: receivedAt,
        type: typeof type === 'string' ? type : 'trigger body',
        current_state: row.state,
        outcome: result.outcome,
        ...(result.outcome === 'events'
          ? {
              events: result.events.map((e) => ({
                kind: e.kind,
                status: e.status,
                reason_code: e.reason?.code ?? null,
              })),
            }
          : result.outcome === 'ignored' || result.outcome === 'wait'
            ? { reason: result.reason }
            : { reason: result.outcome === 'unmappable' ? result.reason : 'invalid', problems: result.problems }),
      };
    });
    res.json({ events } satisfies MappingPreview);
  });

  r.get('/quarantine', async (req, res) => {
    res.json(actionValue(await inboxActions.quarantine(appCaller(res).tenant.id, req.query)) satisfies QuarantinePage);
  });

  // The page names the events it replays (never "all").
  r.post('/quarantine/replay', async (req, res) => {
    res
      .status(202)
      .json(actionValue(await inboxActions.replay(appCaller(res).tenant.id, req.body)) satisfies ReplayResult);
  });

  // The tenant's reconciliation and backfill runs, newest first (as GET /api/v1/tenants/{tenant}/reconciliation/runs).
  r.get('/reconciliation', async (_req, res) => {
    res.json({
      runs: await reconciliation.listRuns(appCaller(res).tenant.id, { limit: 50 }),
    } satisfies AppReconciliationRuns);
  });

  // Who was given which key and when: a Zendesk admin sees each key that can read its customers.
  r.get('/key-records', async (req, res) => {
    const q = KeyRecordsQuery.safeParse(req.query);
    if (!q.success) throw ValidationError.fromZod('query', q.error);
    // Parsed, not only typed: the audit stores `detail` as any record, the app reads a key's id, role and name in it.
    res.json(KeyRecordsPage.parse(await deps.audit.list(appCaller(res).tenant.id, { ...q.data, action: KEY_ACTIONS })));
  });

  // The insights tab: the same figures as the API, counts only (the drill-down needs an auditor key).
  r.get('/insights', async (req, res) => {
    const tenant = appCaller(res).tenant.id;
    const q = parseInsightsQuery(InsightsQuery, req.query);
    res.json((await answerInsights(deps.insights, tenant, q, await settings.warnings(tenant))) satisfies Insights);
  });

  r.get('/warning-settings', async (_req, res) => {
    res.json((await settings.warnings(appCaller(res).tenant.id)) satisfies WarningSettings);
  });
  r.put('/warning-settings', async (req, res) => {
    const saved = await settings.setWarnings(appCaller(res).tenant.id, req.body);
    if (!saved.ok) throw new ValidationError('warning settings', saved.problems);
    res.json(saved.value satisfies WarningSettings);
  });
  return r;
}
