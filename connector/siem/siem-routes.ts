/**
 * SIEM export over HTTP:
 *   GET /tenants/:tenant/siem/events?after_seq=&limit=   NDJSON, one SiemEvent per log row in seq
 *       order, then a final `{"type":"standing.cursor", ...}` line (docs/compliance.md, "SIEM export").
 *   GET/PUT /tenants/:tenant/siem/splunk                  the tenant's Splunk HEC target.
 *   GET/PUT /tenants/:tenant/siem/loggly                  the tenant's Loggly target.
 * Who may do what comes from `authorize` (connector/access): personal data only for callers
 * holding `personal_data.read` on the tenant.
 */
import { once } from 'node:events';
import { Router, type RequestHandler, type Response } from 'express';
import type { AccessAudit } from '../audit/access-audit.ts';
import { recordReadOrRefuse } from '../audit/read-audit.ts';
import { z } from 'zod';
import { isAllowed, type Permission } from '../access/permissions.ts';
import { principalLabel, principalOf } from '../access/principal.ts';
import { HttpError, NotFoundError, ValidationError } from '../lib/errors.ts';
import { TenantId } from '../model/standing-event.ts';
import type { StandingLog } from '../store/standing-log.ts';
import { siemEvents } from './siem-events.ts';
import { InvalidSiemTargetError, UnknownTenantError, type SplunkTargets } from './splunk-targets.ts';
import type { LogglyTarget, SplunkTarget } from '../contracts/index.ts';
import type { LogglyTargets } from './loggly-targets.ts';

export interface SiemRoutesDeps {
  log: StandingLog;
  targets: SplunkTargets;
  loggly: LogglyTargets;
  /** Authenticates the caller, sets `res.locals.principal`, answers 401/403 itself. */
  authorize: (permission: Permission) => RequestHandler;
  /** Every stream is recorded in the read audit before its first line. */
  audit: AccessAudit;
}

export const SIEM_LIMITS = { defaultLimit: 1000, maxLimit: 100_000 } as const;

const SeqParam = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a non-negative integer')
  .transform(Number);
export const SiemEventsQuery = z.strictObject({
  after_seq: SeqParam.optional(),
  limit: SeqParam.refine(
    (n) => n >= 1 && n <= SIEM_LIMITS.maxLimit,
    `must be between 1 and ${SIEM_LIMITS.maxLimit}`,
  ).optional(),
});

/** The response header naming the cursor the request started from (the next one is in the final line). */
export const SIEM_CURSOR_TRAILER = 'X-Standing-Next-After-Seq';

export function siemRoutes(deps: SiemRoutesDeps): Router {
  const r = Router();
  const tenantOf = async (value: unknown): Promise<string> => {
    const t = TenantId.safeParse(value);
    if (!t.success) throw new NotFoundError(`no tenant "${String(value)}"`);
    const [exists] = await deps.log.db.query('SELECT 1 FROM tenants WHERE id = $1', [t.data]);
    if (!exists) throw new NotFoundError(`no tenant "${t.data}"`);
    return t.data;
  };

  r.get('/tenants/:tenant/siem/events', deps.authorize('siem.export'), async (req, res) => {
    const tenant = await tenantOf(req.params.tenant);
    const q = SiemEventsQuery.safeParse(req.query);
    if (!q.success) throw ValidationError.fromZod('query', q.error);
    const afterSeq = q.data.after_seq ?? 0;
    const limit = q.data.limit ?? SIEM_LIMITS.defaultLimit;
    const personalData = isAllowed(principalOf(res), 'personal_data.read', tenant);
    await recordReadOrRefuse(deps.audit, res, {
      tenant,
      principal: principalOf(res),
      action: 'siem.export',
      path: 'GET /api/v1/tenants/{tenant}/siem/events',
      subject_ids: [],
      detail: { after_seq: afterSeq, limit, personal_data: personalData },
    });
    res.status(200).set({
      'Content-Type': 'application/x-ndjson; charset=utf-8',
      'Cache-Control': 'no-store',
      Trailer: SIEM_CURSOR_TRAILER,
    });
    let last = afterSeq;
    let count = 0;
    try {
      for await (const e of siemEvents(deps.log, tenant, { afterSeq, limit, personalData })) {
        if (res.destroyed) return;
        if (!(await writeLine(res, e))) return;
        last = e.seq;
        count++;
      }
      await writeLine(res, {
        type: 'standing.cursor',
        tenant,
        after_seq: afterSeq,
        next_after_seq: last,
        count,
        more: count === limit,
        personal_data: personalData,
      });
      res.addTrailers({ [SIEM_CURSOR_TRAILER]: String(last) });
      res.end();
    } catch (err) {
      // Nothing sent yet: the error handler answers (503 when the database is down).
      if (!res.headersSent) {
        res.removeHeader('Trailer');
        throw err;
      }
      // Headers are gone: cut the stream, so the client sees no cursor line and resumes from its last row.
      res.destroy(err as Error);
    }
  });

  r.get('/tenants/:tenant/siem/splunk', deps.authorize('siem.configure'), async (req, res) => {
    const tenant = await tenantOf(req.params.tenant);
    const target = await deps.targets.get(tenant);
    if (!target) throw new NotFoundError(`tenant "${tenant}" has no Splunk target (PUT one)`);
    res.json(target satisfies SplunkTarget);
  });

  r.put('/tenants/:tenant/siem/splunk', deps.authorize('siem.configure'), async (req, res) => {
    const tenant = await tenantOf(req.params.tenant);
    const body = personalDataChecked(req.body, res, tenant);
    res.json(
      (await targetPut('splunk target', () =>
        deps.targets.put(tenant, body, principalLabel(principalOf(res))),
      )) satisfies SplunkTarget,
    );
  });

  r.get('/tenants/:tenant/siem/loggly', deps.authorize('siem.configure'), async (req, res) => {
    const tenant = await tenantOf(req.params.tenant);
    const target = await deps.loggly.get(tenant);
    if (!target) throw new NotFoundError(`tenant "${tenant}" has no Loggly target (PUT one)`);
    res.json(target satisfies LogglyTarget);
  });

  r.put('/tenants/:tenant/siem/loggly', deps.authorize('siem.configure'), async (req, res) => {
    const tenant = await tenantOf(req.params.tenant);
    const body = personalDataChecked(req.body, res, tenant);
    res.json(
      (await targetPut('loggly target', () =>
        deps.loggly.put(tenant, body, principalLabel(principalOf(res))),
      )) satisfies LogglyTarget,
    );
  });
  return r;
}

/** The body, once a request to include personal data is known to come from a caller allowed to read it. */
function personalDataChecked(raw: unknown, res: Response, tenant: string): unknown {
  const body: unknown = raw ?? {};
  if (
    isRecord(body) &&
    body.include_personal_data === true &&
    !isAllowed(principalOf(res), 'personal_data.read', tenant)
  )
    throw new HttpError(
      403,
      'forbidden',
      'include_personal_data: only a caller allowed to read personal data (personal_data.read) may turn it on',
      [{ path: 'include_personal_data', message: 'needs the personal_data.read permission' }],
    );
  return body;
}

/** A target's PUT, its store's errors as HTTP answers. */
async function targetPut<T>(what: string, put: () => Promise<T>): Promise<T> {
  try {
    return await put();
  } catch (err) {
    if (err instanceof InvalidSiemTargetError) throw new ValidationError(what, err.problems);
    if (err instanceof UnknownTenantError) throw new NotFoundError(err.message);
    throw err;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Writes one NDJSON line, waiting for the socket to drain when its buffer is full; false once the client is gone. */
async function writeLine(res: Response, value: unknown): Promise<boolean> {
  if (res.write(`${JSON.stringify(value)}\n`)) return true;
  // Both listeners go once either fires: a long stream waits many times.
  const ac = new AbortController();
  try {
    return await Promise.race([
      once(res, 'drain', { signal: ac.signal }).then(() => true),
      once(res, 'close', { signal: ac.signal }).then(() => false),
    ]);
  } finally {
    ac.abort();
  }
}
