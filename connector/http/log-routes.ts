/**
 * `GET /api/v1/tenants/{tenant}/verify`: the tenant's chain, checkpoints and boundaries re-checked
 * (as `standing verify --tenant`), for an auditor without database access.
 */
import { Router } from 'express';
import type { KeyObject } from 'node:crypto';
import type { Authorize } from '../access/authorize.ts';
import { NotFoundError } from '../lib/errors.ts';
import { TenantId } from '../model/standing-event.ts';
import { verifyTenant } from '../store/checkpoints.ts';
import type { StandingLog } from '../store/standing-log.ts';
import type { LogVerifyReport } from '../contracts/index.ts';

export interface LogRoutesDeps {
  log: StandingLog;
  authorize: Authorize;
  /** The key checkpoints must be signed with (the configured checkpoint key's public half), if any. */
  publicKey: () => Promise<KeyObject | undefined>;
}

/** Mounted at `/api/v1`. */
export function logRoutes({ log, authorize, publicKey }: LogRoutesDeps): Router {
  const r = Router();
  r.get('/tenants/:tenant/verify', authorize('log.verify'), async (req, res) => {
    const t = TenantId.safeParse(req.params.tenant);
    // Registered, or with a chain: a mistyped id must not read as "ok".
    const known = t.success
      ? await log.db.query(
          'SELECT 1 FROM tenants WHERE id = $1 UNION ALL SELECT 1 FROM chain_heads WHERE tenant = $1',
          [t.data],
        )
      : [];
    if (!t.success || known.length === 0) throw new NotFoundError(`no tenant "${String(req.params.tenant)}"`);
    res
      .set('Cache-Control', 'no-store')
      .json((await verifyTenant(log, t.data, { publicKey: await publicKey() })) satisfies LogVerifyReport);
  });
  return r;
}
