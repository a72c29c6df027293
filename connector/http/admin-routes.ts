/**
 * Admin API: tenants (the operator provisions them), their mapping documents (versioned, every
 * change recorded with the authenticated principal and when), and the quarantine with replay.
 */
import { Router } from 'express';
import { TenantId } from '../model/standing-event.ts';
import type { InboxAdminActions } from '../intake/admin-actions.ts';
import { toView, type RegistryResult, type TenantRegistry } from '../tenants/tenant-registry.ts';
import type { AnySource, Sources } from '../intake/intake-source.ts';
import { actionValue } from './errors.ts';
import { HttpError, NotFoundError, ValidationError } from '../lib/errors.ts';
import type { Authorize } from '../access/authorize.ts';
import { principalLabel, principalOf } from '../access/principal.ts';
import type {
  CurrentMapping,
  InboxPage,
  MappingVersion,
  MappingVersions,
  QuarantinePage,
  ReplayResult,
  TenantList,
  TenantView,
} from '../contracts/index.ts';

export interface AdminRoutesDeps {
  tenants: TenantRegistry;
  /** The quarantine and inbox actions (list, inspect, replay), shared with the Zendesk app's admin page. */
  inboxActions: InboxAdminActions;
  /** The sources whose mapping documents the API serves (`/mappings/zendesk`, `/mappings/salesforce`). */
  sources: Sources;
  authorize: Authorize;
}

function unwrap<T>(r: RegistryResult<T>): T {
  if (r.ok) return r.value;
  throw new HttpError(r.status, r.code, r.message, r.problems);
}

function tenantParam(value: unknown): string {
  const t = TenantId.safeParse(value);
  if (!t.success) throw new NotFoundError(`no tenant "${String(value)}"`);
  return t.data;
}

function sourceParam(sources: Sources, value: unknown): AnySource {
  const s = [...sources.values()].find((m) => m.name === value);
  if (!s) throw new NotFoundError(`no mapping source "${String(value)}" (known: ${[...sources.keys()].join(', ')})`);
  return s;
}

export function adminRoutes(deps: AdminRoutesDeps): Router {
  const { tenants, authorize } = deps;
  const actions = deps.inboxActions;
  const r = Router();

  r.get('/tenants', authorize('tenants.provision'), async (_req, res) => {
    res.json({ tenants: await tenants.list() } satisfies TenantList);
  });
  r.post('/tenants', authorize('tenants.provision'), async (req, res) => {
    res.status(201).json(toView(unwrap(await tenants.create(req.body))) satisfies TenantView);
  });
  r.get('/tenants/:tenant', authorize('tenant.settings'), async (req, res) => {
    const t = await tenants.get(tenantParam(req.params.tenant));
    if (!t) throw new NotFoundError(`no tenant "${req.params.tenant}"`);
    res.json(toView(t) satisfies TenantView);
  });
  r.patch('/tenants/:tenant', authorize('tenant.settings'), async (req, res) => {
    res.json(toView(unwrap(await tenants.update(tenantParam(req.params.tenant), req.body))) satisfies TenantView);
  });

  r.get('/tenants/:tenant/mappings/:source', authorize('mapping.read'), async (req, res) => {
    const tenant = await requireTenant(tenants, req.params.tenant);
    const source = sourceParam(deps.sources, req.params.source);
    const current = await tenants.currentMapping(tenant, source.name);
    res.json(
      (current
        ? { ...current, is_default: false }
        : {
            version: 0,
            document: source.defaultMappingDocument,
            changed_by: null,
            changed_at: null,
            is_default: true,
          }) satisfies CurrentMapping,
    );
  });
  r.put('/tenants/:tenant/mappings/:source', authorize('mapping.write'), async (req, res) => {
    const tenant = await requireTenant(tenants, req.params.tenant);
    const source = sourceParam(deps.sources, req.params.source);
    const parsed = source.parseMapping(req.body);
    if (!parsed.ok) throw new ValidationError('mapping document', parsed.problems);
    const refused = (await source.checkMappingWithProvider?.(tenant, parsed.mapping)) ?? [];
    if (refused.length > 0) throw new ValidationError('mapping document', refused);
    res.json(
      unwrap(
        await tenants.setMapping(tenant, source.name, req.body, principalLabel(principalOf(res))),
      ) satisfies MappingVersion,
    );
  });
  r.get('/tenants/:tenant/mappings/:source/versions', authorize('mapping.read'), async (req, res) => {
    const tenant = await requireTenant(tenants, req.params.tenant);
    res.json({
      versions: await tenants.mappingHistory(tenant, sourceParam(deps.sources, req.params.source).name),
    } satisfies MappingVersions);
  });

  r.get('/tenants/:tenant/quarantine', authorize('quarantine.read'), async (req, res) => {
    res.json(
      actionValue(
        await actions.quarantine(await requireTenant(tenants, req.params.tenant), req.query),
      ) satisfies QuarantinePage,
    );
  });
  // Any state of the inbox, e.g. `?state=ignored`: events deliberately not mapped, with the reason.
  r.get('/tenants/:tenant/inbox', authorize('quarantine.read'), async (req, res) => {
    res.json(
      actionValue(
        await actions.inspect(await requireTenant(tenants, req.params.tenant), req.query),
      ) satisfies InboxPage,
    );
  });
  // Without `event_ids`, every quarantined event of the tenant.
  r.post('/tenants/:tenant/quarantine/replay', authorize('quarantine.replay'), async (req, res) => {
    const tenant = await requireTenant(tenants, req.params.tenant);
    res
      .status(202)
      .json(actionValue(await actions.replay(tenant, req.body, { allowAll: true })) satisfies ReplayResult);
  });
  return r;
}

async function requireTenant(tenants: TenantRegistry, value: unknown): Promise<string> {
  const id = tenantParam(value);
  if (!(await tenants.get(id))) throw new NotFoundError(`no tenant "${id}"`);
  return id;
}
