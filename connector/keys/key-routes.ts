/**
 * `/api/v1/tenants/:tenant/keys`: the operator creates, lists and revokes a tenant's API keys; an
 * auditor key is issued by the tenant's auditors (and by the operator as key-issuance.ts allows).
 * The secret is in the creation answer only. Every creation and revocation is in the read audit.
 */
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../lib/errors.ts';
import { TenantId } from '../model/standing-event.ts';
import type { TenantRegistry } from '../tenants/tenant-registry.ts';
import type { ApiKeyStore } from '../access/api-keys.ts';
import { ForbiddenError, requestPath, type Authorize } from '../access/authorize.ts';
import { issuePermission, type KeyIssuer } from './key-issuance.ts';
import { principalOf } from '../access/principal.ts';
import type { ApiKey, ApiKeyList, CreatedApiKey } from '../contracts/index.ts';

export interface KeyRoutesDeps {
  keys: ApiKeyStore;
  issuer: KeyIssuer;
  tenants: Pick<TenantRegistry, 'get'>;
  authorize: Authorize;
}

const ListQuery = z.strictObject({
  include_revoked: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
});

async function existingTenant(tenants: KeyRoutesDeps['tenants'], value: unknown): Promise<string> {
  const id = TenantId.safeParse(value);
  if (!id.success || !(await tenants.get(id.data))) throw new NotFoundError(`no tenant "${String(value)}"`);
  return id.data;
}

/** Mounted at `/api/v1`. */
export function keyRoutes({ keys, issuer, tenants, authorize }: KeyRoutesDeps): Router {
  const r = Router();
  // The role asked for decides the permission: the body is parsed by then (createApp's JSON parser).
  const byRole: RequestHandler = (req, res, next) => {
    const role: unknown =
      typeof req.body === 'object' && req.body !== null ? (req.body as { role?: unknown }).role : undefined;
    return authorize(issuePermission(role))(req, res, next);
  };
  r.post('/tenants/:tenant/keys', byRole, async (req, res) => {
    const tenant = await existingTenant(tenants, req.params.tenant);
    const created = await issuer.create(tenant, req.body ?? {}, principalOf(res), requestPath(req));
    if (!created.ok && 'refused' in created) throw new ForbiddenError(created.refused);
    if (!created.ok) throw new ValidationError('API key', created.problems);
    res.status(201).json({ ...created.view, key: created.key } satisfies CreatedApiKey);
  });
  r.get('/tenants/:tenant/keys', authorize('tenants.provision'), async (req, res) => {
    const tenant = await existingTenant(tenants, req.params.tenant);
    const q = ListQuery.safeParse(req.query);
    if (!q.success) throw ValidationError.fromZod('query', q.error);
    res.json({
      keys: await keys.list(tenant, { includeRevoked: q.data.include_revoked === 'true' }),
    } satisfies ApiKeyList);
  });
  r.delete('/tenants/:tenant/keys/:key_id', authorize('tenants.provision'), async (req, res) => {
    const tenant = await existingTenant(tenants, req.params.tenant);
    const revoked = await issuer.revoke(tenant, String(req.params.key_id), principalOf(res), requestPath(req));
    if (!revoked) throw new NotFoundError(`tenant "${tenant}" has no key "${req.params.key_id}"`);
    res.json(revoked.key satisfies ApiKey);
  });
  return r;
}
