/**
 * A tenant's Zendesk settings: which account (the subdomain), the API credentials (the email of the
 * user owning the token, the token), the webhook signing secret and the Zendesk app's shared secret.
 * The secrets are sealed at rest under the tenant-secrets key, as Salesforce's are
 * (salesforce/tenant-settings.ts); the API only says whether they are set.
 *
 * Unlike Salesforce's, these settings are kept in the tenant's own row (`tenants.zendesk_subdomain`,
 * `zendesk_api_email`, and the sealed `secrets`), so a tenant is created with them in one statement: the
 * tenant registry (connector/tenants/tenant-registry.ts) reads and writes them through this module,
 * which is why it imports nothing above the core (docs/layers.md gives it its own row), and
 * `ZendeskSettingsStore` reads and changes them through the registry.
 */
import { z } from 'zod';
import { seal, unseal, type MasterKeys } from '../model/sealing.ts';
import { describeIssues, type FieldProblem } from '../model/standing-event.ts';
import type { Outcome } from '../lib/result.ts';
import { ZENDESK_TEST_SECRET_REFUSED, ZENDESK_TEST_SIGNING_SECRET } from '../config/zendesk-test-secret.ts';
import { problemsText } from '../lib/problems.ts';

export const ZENDESK_SUBDOMAIN = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/i, 'must be the subdomain only, e.g. "acme" for acme.zendesk.com');

/**
 * The Zendesk API base: an https URL (a proxy may add a path), or plain http to a loopback address (a
 * local stand-in of Zendesk's API for tests and the demo), which production refuses (`zendeskApiBase`).
 */
export const ZENDESK_API_URL = z
  .url({ message: 'must be an https URL, e.g. https://acme.zendesk.com' })
  .refine(
    (u) => /^https:\/\/[a-z0-9.-]+(:\d+)?(\/[^?#]*)?$/i.test(u) || LOOPBACK_HTTP.test(u),
    'must be an https URL (plain http only to 127.0.0.1 or localhost), without query or fragment',
  )
  .transform((u) => u.replace(/\/+$/, ''));
const LOOPBACK_HTTP = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/[^?#]*)?$/i;

/** A change of a tenant's Zendesk settings: a `null` clears one, an absent key keeps it. */
export const ZendeskSettingsPatch = z.strictObject({
  subdomain: ZENDESK_SUBDOMAIN.nullable().optional(),
  /** Where the Zendesk API is reached; `null`: `https://<subdomain>.zendesk.com`. */
  api_url: ZENDESK_API_URL.nullable().optional(),
  /** From Zendesk Admin Center > Webhooks > (webhook) > Signing secret. */
  webhook_secret: z
    .string()
    .min(16, 'must be the webhook signing secret Zendesk shows (at least 16 characters)')
    .refine((v) => v.trim() !== ZENDESK_TEST_SIGNING_SECRET, ZENDESK_TEST_SECRET_REFUSED)
    .nullable()
    .optional(),
  api_email: z.email({ message: 'must be the email of the Zendesk user owning the API token' }).nullable().optional(),
  api_token: z.string().min(8, 'must be a Zendesk API token').nullable().optional(),
  /** The Zendesk app's secure `shared_secret` setting: signs the app's JWTs (HS256, so at least 32 characters). */
  app_shared_secret: z
    .string()
    .min(32, 'must be at least 32 characters (the Zendesk app signs its tokens with it, HS256)')
    .nullable()
    .optional(),
});
export type ZendeskSettingsPatch = z.infer<typeof ZendeskSettingsPatch>;

export interface ZendeskTenantSettings {
  subdomain: string | null;
  /** The API base when not `https://<subdomain>.zendesk.com` (a proxy, a local stand-in). */
  api_url: string | null;
  api_email: string | null;
  webhook_secret: string | null;
  api_token: string | null;
  app_shared_secret: string | null;
}

/** What the API shows: never the secrets. */
export interface ZendeskSettingsView {
  subdomain: string | null;
  api_url: string | null;
  api_email: string | null;
  webhook_secret_set: boolean;
  api_token_set: boolean;
  app_shared_secret_set: boolean;
}

export const NO_ZENDESK_SETTINGS: ZendeskTenantSettings = {
  subdomain: null,
  api_url: null,
  api_email: null,
  webhook_secret: null,
  api_token: null,
  app_shared_secret: null,
};

export const toZendeskView = (s: ZendeskTenantSettings): ZendeskSettingsView => ({
  subdomain: s.subdomain,
  api_url: s.api_url,
  api_email: s.api_email,
  webhook_secret_set: s.webhook_secret !== null,
  api_token_set: s.api_token !== null,
  app_shared_secret_set: s.app_shared_secret !== null,
});

/** The settings after a (parsed) change: a `null` clears one, an absent key keeps it. */
export function applyZendeskPatch(current: ZendeskTenantSettings, patch: ZendeskSettingsPatch): ZendeskTenantSettings {
  const pick = <T>(v: T | null | undefined, keep: T | null) => (v === undefined ? keep : v);
  return {
    subdomain: pick(patch.subdomain, current.subdomain),
    api_url: pick(patch.api_url, current.api_url),
    api_email: pick(patch.api_email, current.api_email),
    webhook_secret: pick(patch.webhook_secret, current.webhook_secret),
    api_token: pick(patch.api_token, current.api_token),
    app_shared_secret: pick(patch.app_shared_secret, current.app_shared_secret),
  };
}

/**
 * The API base every Zendesk client of the tenant uses: its `api_url`, else `https://<subdomain>.zendesk.com`.
 * Plain http (a loopback stand-in) is refused in production.
 */
export function zendeskApiBase(
  s: Pick<ZendeskTenantSettings, 'subdomain' | 'api_url'>,
  production = process.env.NODE_ENV === 'production',
): string | null {
  if (s.api_url) return production && s.api_url.startsWith('http:') ? null : s.api_url;
  return s.subdomain ? `https://${s.subdomain}.zendesk.com` : null;
}

/** What the API clients (incremental export, directory look-ups, audits) need, or the first setting missing. */
export function zendeskCredentialsOf(
  s: ZendeskTenantSettings,
): { ok: true; subdomain: string; email: string; token: string; baseUrl: string } | { ok: false; missing: string } {
  if (!s.subdomain) return { ok: false, missing: 'subdomain' };
  if (!s.api_email) return { ok: false, missing: 'api_email' };
  if (!s.api_token) return { ok: false, missing: 'api_token' };
  const baseUrl = zendeskApiBase(s);
  if (!baseUrl) return { ok: false, missing: 'api_url (plain http is refused in production)' };
  return { ok: true, subdomain: s.subdomain, email: s.api_email, token: s.api_token, baseUrl };
}

/** The sealed envelope of the tenant row's `secrets` column (its field names are the stored ones). */
interface Secrets {
  zendesk_webhook_secret: string | null;
  zendesk_api_token: string | null;
  /** Absent in envelopes sealed before the Zendesk app existed. */
  zendesk_app_shared_secret?: string | null;
}

/** The Zendesk columns of a `tenants` row. */
export interface ZendeskSettingsRow {
  id: string;
  zendesk_subdomain: string | null;
  zendesk_api_url: string | null;
  zendesk_api_email: string | null;
  secrets: Buffer | null;
}

/** The settings' values for the `tenants` row of `tenant`: its plain columns and the sealed secrets. */
export function zendeskSettingsColumns(
  keys: MasterKeys,
  tenant: string,
  s: ZendeskTenantSettings,
): {
  zendesk_subdomain: string | null;
  zendesk_api_url: string | null;
  zendesk_api_email: string | null;
  secrets: Buffer;
} {
  const secrets: Secrets = {
    zendesk_webhook_secret: s.webhook_secret,
    zendesk_api_token: s.api_token,
    zendesk_app_shared_secret: s.app_shared_secret,
  };
  return {
    zendesk_subdomain: s.subdomain,
    zendesk_api_url: s.api_url,
    zendesk_api_email: s.api_email,
    // Bound to the tenant: an envelope copied into another tenant's row does not open.
    secrets: seal(keys.tenantSecrets, Buffer.from(JSON.stringify(secrets)), `tenant-secrets:${tenant}`),
  };
}

/** The settings a `tenants` row holds (its secrets unsealed). */
export function zendeskSettingsOfRow(keys: MasterKeys, r: ZendeskSettingsRow): ZendeskTenantSettings {
  const s: Secrets = r.secrets
    ? (JSON.parse(unseal(keys.tenantSecrets, r.secrets, `tenant-secrets:${r.id}`).toString('utf8')) as Secrets)
    : { zendesk_webhook_secret: null, zendesk_api_token: null };
  return {
    subdomain: r.zendesk_subdomain,
    api_url: r.zendesk_api_url ?? null,
    api_email: r.zendesk_api_email,
    webhook_secret: s.zendesk_webhook_secret,
    api_token: s.zendesk_api_token,
    app_shared_secret: s.zendesk_app_shared_secret ?? null,
  };
}

export type ZendeskSettingsResult = Outcome<
  ZendeskTenantSettings,
  { status: 400 | 404 | 409; code: string; message: string; problems?: FieldProblem[] }
>;

/**
 * The tenant registry as the store uses it (structurally: the registry sits above this module).
 * Its cache is the settings' cache: the store keeps none of its own.
 */
export interface ZendeskSettingsRows {
  get(tenant: string): Promise<{ zendesk: ZendeskTenantSettings } | null>;
  update(
    tenant: string,
    input: { zendesk: ZendeskSettingsPatch },
  ): Promise<
    Outcome<
      { zendesk: ZendeskTenantSettings },
      { status: 400 | 404 | 409; code: string; message: string; problems?: FieldProblem[] }
    >
  >;
}

/** A tenant's Zendesk settings, read and changed the way salesforce/tenant-settings.ts does Salesforce's. */
export class ZendeskSettingsStore {
  constructor(private readonly rows: ZendeskSettingsRows) {}

  /** The tenant's settings, or null when there is no such tenant. */
  async get(tenant: string): Promise<ZendeskTenantSettings | null> {
    return (await this.rows.get(tenant))?.zendesk ?? null;
  }

  /** Changes a tenant's settings: a `null` clears one, an absent key keeps it. */
  async set(tenant: string, input: unknown): Promise<ZendeskSettingsResult> {
    const parsed = ZendeskSettingsPatch.safeParse(input);
    if (!parsed.success) {
      const problems = describeIssues(parsed.error);
      return {
        ok: false,
        status: 400,
        code: 'invalid_settings',
        message: problemsText(problems),
        problems,
      };
    }
    const r = await this.rows.update(tenant, { zendesk: parsed.data });
    return r.ok ? { ok: true, value: r.value.zendesk } : r;
  }
}
