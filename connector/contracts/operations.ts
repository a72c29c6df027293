/**
 * The answers of the operator's side of the API: readiness, tenants, API keys, and the webhook's
 * acknowledgement. Secrets never appear: a tenant's are shown as set or not, a key's once, at creation.
 */
import { z } from 'zod';
import { Instant, TenantId } from './common.ts';

const Count = z.number().int().min(0).nullable();

export const Readiness = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), z.enum(['ok', 'failed', 'timeout'])),
  failing: z.array(z.string()).optional().describe('The checks that did not answer ok (only when not ready).'),
  backlog: z
    .object({
      inbox_pending: Count,
      inbox_oldest_pending_age_seconds: Count,
      queue_waiting: Count,
      queue_oldest_waiting_age_seconds: Count,
    })
    .optional()
    .describe('The intake backlog (any part `null` when its dependency did not answer). Reported, never decides readiness.'),
});
export type Readiness = z.infer<typeof Readiness>;

export const TenantView = z.object({
  id: TenantId,
  name: z.string(),
  zendesk: z.object({
    subdomain: z.string().nullable(),
    api_email: z.string().nullable(),
    webhook_secret_set: z.boolean(),
    api_token_set: z.boolean(),
    app_shared_secret_set: z.boolean(),
  }),
});
export type TenantView = z.infer<typeof TenantView>;

export const TenantList = z.object({ tenants: z.array(TenantView) });
export type TenantList = z.infer<typeof TenantList>;

export const ApiKey = z.object({
  key_id: z.string(),
  tenant: TenantId,
  role: z.enum(['agent', 'admin', 'auditor']),
  name: z.string(),
  created_by: z.string(),
  created_at: Instant,
  revoked_by: z.string().nullable(),
  revoked_at: Instant.nullable(),
  last_used_at: Instant.nullable().describe('Refreshed at most once a minute.'),
});
export type ApiKey = z.infer<typeof ApiKey>;

/** The one answer that holds a key's secret. */
export const CreatedApiKey = ApiKey.extend({ key: z.string().describe('`stk_<key_id>_<secret>`: shown in this answer only.') });
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

export const ApiKeyList = z.object({ keys: z.array(ApiKey) });
export type ApiKeyList = z.infer<typeof ApiKeyList>;

export const WebhookAck = z.object({
  status: z.enum(['accepted', 'duplicate']),
  event_id: z.string().describe('The id the event is deduplicated by.'),
});
export type WebhookAck = z.infer<typeof WebhookAck>;
