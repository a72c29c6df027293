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
    .describe(
      'The intake backlog (any part `null` when its dependency did not answer). Reported, never decides readiness.',
    ),
});
export type Readiness = z.infer<typeof Readiness>;

export const TenantView = z.object({
  id: TenantId,
  name: z.string(),
  zendesk: z.object({
    subdomain: z.string().nullable(),
    api_url: z.string().nullable().describe('The Zendesk API base; `null`: https://<subdomain>.zendesk.com.'),
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
export const CreatedApiKey = ApiKey.extend({
  key: z.string().describe('`stk_<key_id>_<secret>`: shown in this answer only.'),
});
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

export const ApiKeyList = z.object({ keys: z.array(ApiKey) });
export type ApiKeyList = z.infer<typeof ApiKeyList>;

/** `GET|PUT /api/v1/tenants/{tenant}/salesforce`: the connection, its secrets shown only as set or not. */
export const SalesforceSettingsView = z.object({
  tenant: TenantId,
  organization_id: z.string().nullable().describe('The org Outbound Messages are checked against (00D...).'),
  instance_url: z
    .string()
    .nullable()
    .describe('e.g. https://acme.my.salesforce.com: links to records, and the API host.'),
  login_url: z.string().describe('https://login.salesforce.com, https://test.salesforce.com (sandboxes) or My Domain.'),
  client_id: z.string().nullable().describe("The connected app's consumer key."),
  username: z.string().nullable().describe('The integration user (JWT bearer flow).'),
  cdc_channels: z
    .array(z.string())
    .nullable()
    .describe('`null`: the default channels (Account and Contact change events).'),
  private_key_set: z.boolean(),
  refresh_token_set: z.boolean(),
  client_secret_set: z.boolean(),
});
export type SalesforceSettingsView = z.infer<typeof SalesforceSettingsView>;

export const WebhookAck = z.object({
  status: z.enum(['accepted', 'duplicate']),
  event_id: z.string().describe('The id the event is deduplicated by.'),
});
export type WebhookAck = z.infer<typeof WebhookAck>;
