/**
 * GDPR over HTTP, mounted at `/api/v1`:
 *   GET  /tenants/:tenant/subjects/access-export?email=|zendesk_user_id=|salesforce_contact_id=&format=json|csv
 *   POST /tenants/:tenant/subjects/erase   {"identities": {...}, "reason": "..."}
 */
import { Router } from 'express';
import { z } from 'zod';
import { principalLabel, principalOf } from '../access/principal.ts';
import type { Authorize } from '../access/authorize.ts';
import type { AccessAudit } from '../audit/access-audit.ts';
import { recordReadOrRefuse } from '../audit/read-audit.ts';
import { TenantId } from '../model/standing-event.ts';
import { HttpError, ValidationError } from '../lib/errors.ts';
import { once } from '../lib/query-once.ts';
import type { StandingLog } from '../store/standing-log.ts';
import { accessExport, accessExportCsv } from './access-export.ts';
import { eraseSubject, LegalHoldBlocksErasureError } from './erasure.ts';
import { PersonIdentities } from './person-data.ts';
import type { ErasureNotice } from './erasure-broadcast.ts';
import type { ErasureResult } from '../contracts/index.ts';

export interface GdprRoutesDeps {
  log: StandingLog;
  /** The read audit: who read the person's history; the export itself is recorded there too. */
  audit: AccessAudit;
  /** Authenticates the caller, sets `res.locals.principal`, answers 401/403 itself. */
  authorize: Authorize;
  /** Told of each committed erasure (every process then drops its caches of the person). @defaultValue nothing */
  onErased?: (notice: ErasureNotice) => Promise<void>;
}

const ExportQuery = z
  .strictObject({
    email: once(PersonIdentities.shape.email),
    zendesk_user_id: once(PersonIdentities.shape.zendesk_user_id),
    salesforce_contact_id: once(PersonIdentities.shape.salesforce_contact_id),
    format: once(z.enum(['json', 'csv'], { error: 'must be json or csv' }).default('json')),
  })
  .refine((q) => q.email !== undefined || q.zendesk_user_id !== undefined || q.salesforce_contact_id !== undefined, {
    message: 'needs at least one identity of the person: email, zendesk_user_id, salesforce_contact_id',
  });

export const EraseBody = z.strictObject({
  identities: PersonIdentities,
  reason: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(2000, 'must be at most 2000 characters'),
});

const tenantOf = (raw: unknown): string => {
  const t = TenantId.safeParse(raw);
  if (!t.success) throw ValidationError.fromZod('invalid tenant', t.error);
  return t.data;
};

export function gdprRoutes(deps: GdprRoutesDeps): Router {
  const r = Router();
  r.get('/tenants/:tenant/subjects/access-export', deps.authorize('subject.access_export'), async (req, res) => {
    const tenant = tenantOf(req.params.tenant);
    const q = ExportQuery.safeParse(req.query);
    if (!q.success) throw ValidationError.fromZod('invalid query parameters', q.error);
    const { format, ...identities } = q.data;
    const doc = await accessExport(deps.log, deps.audit, tenant, identities);
    await recordReadOrRefuse(deps.audit, res, {
      tenant,
      principal: principalOf(res),
      action: 'subject.access_export',
      path: 'GET /api/v1/tenants/{tenant}/subjects/access-export',
      subject_ids: doc.subjects.map((s) => s.subject_id),
      detail: {
        identity_kinds: Object.keys(identities).filter((k) => identities[k as keyof typeof identities] !== undefined),
        format,
        events: doc.events.length,
      },
    });
    res.set('Cache-Control', 'no-store');
    if (format === 'csv')
      res.type('text/csv; charset=utf-8').attachment('access-export.csv').send(accessExportCsv(doc));
    else res.json(doc);
  });
  r.post('/tenants/:tenant/subjects/erase', deps.authorize('subject.erase'), async (req, res) => {
    const tenant = tenantOf(req.params.tenant);
    const body = EraseBody.safeParse(req.body);
    if (!body.success) throw ValidationError.fromZod('invalid body', body.error);
    const report = await eraseSubject(deps.log, {
      tenant,
      identities: body.data.identities,
      reason: body.data.reason,
      actor: principalLabel(principalOf(res)),
    }).catch((err: unknown) => {
      throw err instanceof LegalHoldBlocksErasureError ? new HttpError(409, 'legal_hold', err.message) : err;
    });
    if (report.subjects.length > 0)
      await deps.onErased?.({ tenant, subject_ids: report.subjects.map((s) => s.subject_id) });
    res.json(report satisfies ErasureResult);
  });
  return r;
}
