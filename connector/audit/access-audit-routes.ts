/**
 * The read audit over HTTP, mounted at `/api/v1`: `GET /tenants/:tenant/audit` (the rows, in seq
 * order, filtered by subject or action, paged by `after_seq`) and `GET /tenants/:tenant/audit/verify`
 * (the chain re-checked), both `audit.read`; `GET /tenants/:tenant/audit/keys`, the key records
 * only (`audit.read_keys`: the tenant's admins see who was given which key, not who read what).
 * Tenant `*` is the chain of denials not tied to a tenant.
 */
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Permission } from '../access/permissions.ts';
import { NotFoundError, ValidationError } from '../lib/errors.ts';
import { TenantId } from '../model/standing-event.ts';
import {
  ACCESS_ACTIONS,
  AUDIT_LIST_LIMIT,
  GLOBAL_AUDIT_TENANT,
  KEY_ACTIONS,
  type AccessAudit,
} from './access-audit.ts';
import type { AuditVerifyReport } from '../contracts/index.ts';

export interface AccessAuditRoutesDeps {
  audit: AccessAudit;
  /** Authenticates the caller, sets `res.locals.principal`, and answers 401/403 itself. */
  authorize: (permission: Permission) => RequestHandler;
}

const limitMessage = `must be an integer 1-${AUDIT_LIST_LIMIT.max}`;

export const AuditListQuery = z.strictObject({
  subject_id: z.uuid({ error: 'must be a subject uuid' }).optional(),
  action: z.enum(ACCESS_ACTIONS, { error: `must be one of ${ACCESS_ACTIONS.join(', ')}` }).optional(),
  after_seq: z
    .string({ error: 'must be given once' })
    .regex(/^\d{1,15}$/, 'must be a non-negative integer')
    .transform(Number)
    .optional(),
  limit: z
    .string({ error: 'must be given once' })
    .regex(/^\d{1,4}$/, limitMessage)
    .transform(Number)
    .pipe(z.number().int().min(1, limitMessage).max(AUDIT_LIST_LIMIT.max, limitMessage))
    .optional(),
});

/** The key records' query: paging only. */
export const KeyRecordsQuery = AuditListQuery.pick({ after_seq: true, limit: true });

const AuditTenant = z.union([TenantId, z.literal(GLOBAL_AUDIT_TENANT)]);

export function accessAuditRoutes(deps: AccessAuditRoutesDeps): Router {
  const router = Router();
  const tenantOf = async (value: unknown): Promise<string> => {
    const parsed = AuditTenant.safeParse(value);
    if (!parsed.success)
      throw new ValidationError('invalid path', [{ path: 'tenant', message: 'must be a tenant id or *' }]);
    // A mistyped id must not read as an empty, intact audit.
    if (!(await deps.audit.known(parsed.data))) throw new NotFoundError(`no tenant "${parsed.data}"`);
    return parsed.data;
  };
  router.get('/tenants/:tenant/audit', auditPermission(deps), async (req, res) => {
    const tenant = await tenantOf(req.params.tenant);
    const q = AuditListQuery.safeParse(req.query);
    if (!q.success) throw ValidationError.fromZod('invalid query parameters', q.error);
    res.set('Cache-Control', 'no-store').json({ tenant, ...(await deps.audit.list(tenant, q.data)) });
  });
  router.get('/tenants/:tenant/audit/keys', deps.authorize('audit.read_keys'), async (req, res) => {
    const tenant = await tenantOf(req.params.tenant);
    const q = KeyRecordsQuery.safeParse(req.query);
    if (!q.success) throw ValidationError.fromZod('invalid query parameters', q.error);
    res.json({ tenant, ...(await deps.audit.list(tenant, { ...q.data, action: KEY_ACTIONS })) });
  });
  router.get('/tenants/:tenant/audit/verify', auditPermission(deps), async (req, res) => {
    res
      .set('Cache-Control', 'no-store')
      .json((await deps.audit.verify(await tenantOf(req.params.tenant))) satisfies AuditVerifyReport);
  });
  return router;
}

/** A tenant's audit is its auditor's; the `*` chain (refusals tied to no tenant) the operator's. */
function auditPermission(deps: { authorize: (permission: Permission) => RequestHandler }): RequestHandler {
  const tenantAudit = deps.authorize('audit.read');
  const globalAudit = deps.authorize('audit.read_global');
  return (req, res, next) => (req.params.tenant === GLOBAL_AUDIT_TENANT ? globalAudit : tenantAudit)(req, res, next);
}
