/**
 * Wire shapes every answer shares: instants, ids, the error body. Core: imports zod and the model's
 * closed vocabularies only, so the Zendesk app can import the inferred types (never the values).
 */
import { z } from 'zod';
import { ACCOUNT_STATUSES, SUBJECT_KINDS, TenantId } from '../model/standing-event.ts';

export { TenantId };

/** Every instant the API writes comes from `Date#toISOString` (or PostgreSQL in UTC). */
export const Instant = z.iso
  .datetime({ offset: true })
  .describe('UTC, millisecond precision, e.g. 2026-03-04T05:33:18.000Z.');
export type Instant = z.infer<typeof Instant>;

export const SalesforceId = z.string().regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/);

export const AccountStatus = z.enum(ACCOUNT_STATUSES);
export type AccountStatus = z.infer<typeof AccountStatus>;

/** What a history or an event is about. */
export const About = z.enum(SUBJECT_KINDS);
export type About = z.infer<typeof About>;

export const Uuid = z.uuid();

/** One problem of a request, at its dotted path. */
export const FieldProblem = z.object({
  path: z.string().describe('Dotted path, e.g. `detail.id`, or `(root)`.'),
  message: z.string(),
});
export type FieldProblem = z.infer<typeof FieldProblem>;

/** Every error answer (connector/http/errors.ts). `details` is a `FieldProblem[]` for `invalid_request`. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string().meta({
      examples: [
        'invalid_request',
        'invalid_json',
        'invalid_cursor',
        'invalid_tenant',
        'invalid_signature',
        'unauthorized',
        'not_found',
        'tenant_exists',
        'payload_too_large',
        'invalid_encoding',
        'unsupported_encoding',
        'internal',
      ],
    }),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
