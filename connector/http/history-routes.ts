/**
 * `GET /api/v1/history`: one customer's standing events, newest first, found by any of its
 * identities, with the status in force. Needs `history.read` (an auditor key).
 */
import { Router } from 'express';
import type { Authorize } from '../access/authorize.ts';
import { principalOf } from '../access/principal.ts';
import { z } from 'zod';
import { CustomerIdentities, IDENTITY_KINDS, SUBJECT_KINDS, TenantId } from '../model/standing-event.ts';
import type { StandingLog } from '../store/standing-log.ts';
import { ValidationError } from '../lib/errors.ts';
import { once } from '../lib/query-once.ts';
import type { AppSettingsStore } from '../history/app-settings.ts';
import type { AccessAudit } from '../audit/access-audit.ts';
import type { HistoryPage } from '../contracts/index.ts';
import { answerHistory } from '../history/history-answer.ts';

export const DEFAULT_TENANT = 'default';
export const HISTORY_LIMIT = { default: 50, max: 500 } as const;

const text = z.string();
const identity = CustomerIdentities.shape;
const limitMessage = `must be an integer 1-${HISTORY_LIMIT.max}`;

export const HistoryQuery = z
  .strictObject({
    tenant: once(TenantId.optional()),
    zendesk_user_id: once(identity.zendesk_user_id),
    email: once(identity.email),
    zendesk_organization_id: once(identity.zendesk_organization_id),
    salesforce_account_id: once(identity.salesforce_account_id),
    salesforce_contact_id: once(identity.salesforce_contact_id),
    limit: once(
      text
        .regex(/^\d{1,6}$/, limitMessage)
        .transform(Number)
        .pipe(z.number().int().min(1, limitMessage).max(HISTORY_LIMIT.max, limitMessage))
        .default(HISTORY_LIMIT.default),
    ),
    cursor: once(text.min(1, 'must not be empty').max(1024, 'must be at most 1024 characters').optional()),
    about: once(z.enum(['all', ...SUBJECT_KINDS], { error: 'must be all, person or account' }).default('all')),
  })
  .superRefine((q, ctx) => {
    if (!IDENTITY_KINDS.some((kind) => q[kind] !== undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: `needs at least one identity: ${IDENTITY_KINDS.join(', ')}` });
    }
  });

export interface HistoryRoutesDeps {
  log: StandingLog;
  /** Authenticates the caller and checks the role; runs before the query is even parsed. */
  authorize: Authorize;
  /** Every answer is recorded here before it is sent (docs/compliance.md, "Read audit"). */
  audit: AccessAudit;
  /** The tenants' warning thresholds (shared with the Zendesk app's settings routes, one cache). */
  settings: Pick<AppSettingsStore, 'warnings'>;
}

/** Mounted at `/api/v1`. */
export function historyRoutes({ log, authorize, audit, settings }: HistoryRoutesDeps): Router {
  const router = Router();
  router.get('/history', authorize('history.read'), async (req, res) => {
    const parsed = HistoryQuery.safeParse(req.query);
    if (!parsed.success) throw ValidationError.fromZod('invalid query parameters', parsed.error);
    const { tenant: named, limit, cursor, about, ...identities } = parsed.data;
    // A tenant's key reads its own tenant when the query names none (authorize checked a named one).
    const principal = principalOf(res);
    const tenant = named ?? (principal.type === 'operator' ? DEFAULT_TENANT : principal.tenant);
    const page = await answerHistory(audit, res, {
      tenant,
      principal,
      path: 'GET /api/v1/history',
      identityKinds: IDENTITY_KINDS.filter((k) => identities[k] !== undefined),
      about,
      cursor,
      read: () => log.history(tenant, identities, { limit, cursor, about }),
      // The same warnings the Zendesk app shows, from the tenant's thresholds, so every client agrees.
      settings: () => settings.warnings(tenant),
    });
    res.json(page satisfies HistoryPage);
  });
  return router;
}
