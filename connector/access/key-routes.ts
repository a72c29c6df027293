/**
 * `/api/v1/tenants/:tenant/keys`: the operator creates, lists and revokes a tenant's API keys.
 * The secret is in the creation answer only.
 */
import { Router } from 'express';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../http/errors.ts';
import { TenantId } from '../model/standing-event.ts';
import type { TenantRegistry } from '../tenants/tenant-registry.ts';
import type { ApiKeyStore } from './api-keys.ts';
import type { Authorize } from './authorize.ts';
import { principalLabel, principalOf } from './principal.ts';
import type { ApiKey, ApiKeyList, CreatedApiKey } from '../contracts/index.ts';

export interface KeyRoutesDeps {
  keys: ApiKeyStore;
  tenants: Pick<TenantRegistry, 'get'>;
  authorize: Authorize;
}

const ListQuery = z.strictObject({ include_revoked: z.enum(['true', 'false'], { error: 'must be true or false' }).optional() });

async function existingTenant(tenants: KeyRoutesDeps['tenants'], value: unknown): Promise<string> {
  const id = TenantId.safeParse(value);
  if (!id.success || !(await tenants.get(id.data))) throw new NotFoundError(`no tenant "${String(value)}"`);
  return id.data;
}

/** Mounted at `/api/v1`. */
export function keyRoutes({ keys, tenants, authorize }: KeyRoutesDeps): Router {
  const r = Router();
  r.post('/tenants/:tenant/keys', authorize('tenants.provision'), async (req, res) => {
    const tenant = await existingTenant(tenants, req.params.tenant);
    const created = await keys.create(tenant, req.body ?? {}, principalLabel(principalOf(res)));
    if (!created.ok) throw new ValidationError('API key', created.problems);
    res.status(201).json({ ...created.view, key: created.key } satisfies CreatedApiKey);
  });
  r.get('/tenants/:tenant/keys', authorize('tenants.provision'), async (req, res) => {
    const tenant = await existingTenant(tenants, req.params.tenant);
    const q = ListQuery.safeParse(req.query);
    if (!q.success) throw ValidationError.fromZod('query', q.error);
    res.json({ keys: await keys.list(tenant, { includeRevoked: q.data.include_revoked === 'true' }) } satisfies ApiKeyList);
  });
  r.delete('/tenants/:tenant/keys/:key_id', authorize('tenants.provision'), async (req, res) => {
    const tenant = await existingTenant(tenants, req.params.tenant);
    const revoked = await keys.revoke(tenant, String(req.params.key_id), principalLabel(principalOf(res)));
    if (!revoked) throw new NotFoundError(`tenant "${tenant}" has no key "${req.params.key_id}"`);
    res.json(revoked satisfies ApiKey);
  });
  return r;
}
