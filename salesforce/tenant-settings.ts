/**
 * A tenant's Salesforce connection: which org (Outbound Messages are checked against its id),
 * where to log in, the connected app, and the credentials (sealed at rest under the tenant-secrets
 * key, as the Zendesk secrets are; the API only says whether they are set).
 */
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { seal, unseal, type MasterKeys } from '../connector/model/sealing.ts';
import { describeIssues, type FieldProblem } from '../connector/model/standing-event.ts';
import type { Database } from '../connector/store/database.ts';
import type { SalesforceSettingsInput as ConnectionSettings } from './connection.ts';
import type { Outcome } from '../connector/lib/result.ts';
import { problemsText } from '../connector/lib/problems.ts';

const OrgId = z
  .string()
  .regex(
    /^00D[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/,
    'must be a Salesforce organization id (00D..., 15 or 18 characters)',
  );
/** An https origin; plain http only on the loopback interface (a local stand-in for tests and demos). */
const HttpsOrigin = z
  .url({ message: 'must be an https URL' })
  .refine(
    (u) => /^https:\/\/[a-z0-9.-]+(:\d+)?\/?$/i.test(u) || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/i.test(u),
    'must be an https origin without a path, e.g. https://acme.my.salesforce.com',
  )
  .transform((u) => u.replace(/\/$/, ''));

export const SalesforceSettingsPatch = z.strictObject({
  organization_id: OrgId.nullable().optional(),
  /** `https://acme.my.salesforce.com`: links to records, and the API host. */
  instance_url: HttpsOrigin.nullable().optional(),
  /** `https://login.salesforce.com`, `https://test.salesforce.com` (sandboxes) or My Domain. */
  login_url: HttpsOrigin.nullable().optional(),
  /** The connected app's consumer key. */
  client_id: z.string().trim().min(10, 'must be the connected app consumer key').max(300).nullable().optional(),
  /** The integration user (JWT bearer flow subject). */
  username: z.string().trim().min(3).max(255).nullable().optional(),
  /** Change Data Capture / Platform Event channels; `null` for the default (Account and Contact change events). */
  cdc_channels: z
    .array(
      z
        .string()
        .regex(
          /^\/(data|event)\/[A-Za-z0-9_]{1,80}$/,
          'must be a channel such as /data/AccountChangeEvent or /event/Account_Status__e',
        ),
    )
    .min(1, 'must name at least one channel (or null for the default)')
    .max(20)
    .nullable()
    .optional(),
  /** PEM private key of the certificate uploaded to the connected app (JWT bearer flow). Write-only. */
  private_key: z.string().includes('PRIVATE KEY', { message: 'must be a PEM private key' }).nullable().optional(),
  /** A refresh token (refresh-token flow). Write-only. */
  refresh_token: z.string().min(10, 'must be a Salesforce refresh token').nullable().optional(),
  /** The connected app's consumer secret (refresh-token flow). Write-only. */
  client_secret: z.string().min(8, 'must be the connected app consumer secret').nullable().optional(),
});

export interface SalesforceTenantSettings {
  tenant: string;
  organization_id: string | null;
  instance_url: string | null;
  login_url: string;
  client_id: string | null;
  username: string | null;
  cdc_channels: string[] | null;
  private_key: string | null;
  refresh_token: string | null;
  client_secret: string | null;
}

/** What the API shows: never the secrets. */
export type SalesforceSettingsView = Omit<
  SalesforceTenantSettings,
  'private_key' | 'refresh_token' | 'client_secret'
> & {
  private_key_set: boolean;
  refresh_token_set: boolean;
  client_secret_set: boolean;
};

export const toSalesforceView = ({
  private_key,
  refresh_token,
  client_secret,
  ...rest
}: SalesforceTenantSettings): SalesforceSettingsView => ({
  ...rest,
  private_key_set: private_key !== null,
  refresh_token_set: refresh_token !== null,
  client_secret_set: client_secret !== null,
});

/**
 * What the API connection needs (salesforce/connection.ts), or why the settings do not make one:
 * the instance URL, the connected app, and a private key with a username (JWT bearer) or a refresh token.
 */
export function connectionSettingsOf(
  s: SalesforceTenantSettings,
): { ok: true; settings: ConnectionSettings } | { ok: false; missing: string } {
  if (!s.instance_url) return { ok: false, missing: 'instance_url' };
  if (!s.client_id) return { ok: false, missing: 'client_id' };
  if (s.private_key) {
    if (!s.username) return { ok: false, missing: 'username' };
    return {
      ok: true,
      settings: {
        instanceUrl: s.instance_url,
        loginUrl: s.login_url,
        clientId: s.client_id,
        auth: { kind: 'jwt', username: s.username, privateKeyPem: s.private_key },
      },
    };
  }
  if (s.refresh_token) {
    return {
      ok: true,
      settings: {
        instanceUrl: s.instance_url,
        loginUrl: s.login_url,
        clientId: s.client_id,
        auth: {
          kind: 'refresh_token',
          refreshToken: s.refresh_token,
          ...(s.client_secret ? { clientSecret: s.client_secret } : {}),
        },
      },
    };
  }
  return { ok: false, missing: 'private_key or refresh_token' };
}

export type SettingsResult = Outcome<
  SalesforceTenantSettings,
  { status: 400 | 404; code: string; message: string; problems?: FieldProblem[] }
>;

interface Secrets {
  private_key: string | null;
  refresh_token: string | null;
  client_secret: string | null;
}
/** A stored row: the settings with their secrets sealed together. */
type Row = Omit<SalesforceTenantSettings, keyof Secrets> & { secrets: Buffer | null };

export interface SalesforceSettingsStoreOptions {
  /**
   * How long settings are cached; changes through this process show at once, others' after this.
   * @defaultValue 5000 ms
   */
  cacheTtlMs?: number;
}

export class SalesforceSettingsStore {
  private readonly cache: LRUCache<string, { settings: SalesforceTenantSettings | null }>;

  constructor(
    private readonly db: Database,
    private readonly keys: MasterKeys,
    options: SalesforceSettingsStoreOptions = {},
  ) {
    this.cache = new LRUCache({ max: 10_000, ttl: options.cacheTtlMs ?? 5000 });
  }

  async get(tenant: string): Promise<SalesforceTenantSettings | null> {
    const hit = this.cache.get(tenant);
    if (hit) return hit.settings;
    const [row] = await this.db.query<Row>(
      `SELECT tenant, organization_id, instance_url, login_url, client_id, username, cdc_channels, secrets
        FROM salesforce_settings WHERE tenant = $1`,
      [tenant],
    );
    const settings = row ? this.fromRow(row) : null;
    this.cache.set(tenant, { settings });
    return settings;
  }

  /** Creates or changes a tenant's settings: a `null` clears one, an absent key keeps it. */
  async set(tenant: string, input: unknown): Promise<SettingsResult> {
    const parsed = SalesforceSettingsPatch.safeParse(input);
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
    const [exists] = await this.db.query('SELECT 1 FROM tenants WHERE id = $1', [tenant]);
    if (!exists)
      return { ok: false, status: 404, code: 'tenant_not_found', message: `tenant "${tenant}" does not exist` };
    this.cache.delete(tenant);
    const current = (await this.get(tenant)) ?? {
      tenant,
      organization_id: null,
      instance_url: null,
      login_url: 'https://login.salesforce.com',
      client_id: null,
      username: null,
      cdc_channels: null,
      private_key: null,
      refresh_token: null,
      client_secret: null,
    };
    const pick = <T>(v: T | null | undefined, old: T): T | null => (v === undefined ? old : v);
    const i = parsed.data;
    const next: SalesforceTenantSettings = {
      tenant,
      organization_id: pick(i.organization_id, current.organization_id),
      instance_url: pick(i.instance_url, current.instance_url),
      login_url: pick(i.login_url, current.login_url) ?? 'https://login.salesforce.com',
      client_id: pick(i.client_id, current.client_id),
      username: pick(i.username, current.username),
      cdc_channels: pick(i.cdc_channels, current.cdc_channels),
      private_key: pick(i.private_key, current.private_key),
      refresh_token: pick(i.refresh_token, current.refresh_token),
      client_secret: pick(i.client_secret, current.client_secret),
    };
    await this.db.query(
      `INSERT INTO salesforce_settings (tenant, organization_id, instance_url, login_url, client_id, username,
        cdc_channels, secrets, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
       ON CONFLICT (tenant) DO UPDATE SET organization_id = $2, instance_url = $3, login_url = $4, client_id = $5,
         username = $6, cdc_channels = $7, secrets = $8, updated_at = now()`,
      [
        tenant,
        next.organization_id,
        next.instance_url,
        next.login_url,
        next.client_id,
        next.username,
        next.cdc_channels,
        this.seal(next),
      ],
    );
    this.cache.delete(tenant);
    return { ok: true, value: next };
  }

  /** Tenants with a Salesforce connection row. */
  async tenants(): Promise<string[]> {
    return (await this.db.query<{ tenant: string }>('SELECT tenant FROM salesforce_settings ORDER BY tenant')).map(
      (r) => r.tenant,
    );
  }

  /** Keeps a refresh token Salesforce rotated (refresh-token flow). */
  async rotateRefreshToken(tenant: string, refreshToken: string): Promise<void> {
    await this.set(tenant, { refresh_token: refreshToken });
  }

  private seal(s: SalesforceTenantSettings): Buffer {
    const secrets: Secrets = {
      private_key: s.private_key,
      refresh_token: s.refresh_token,
      client_secret: s.client_secret,
    };
    return seal(this.keys.tenantSecrets, Buffer.from(JSON.stringify(secrets)), `salesforce-secrets:${s.tenant}`);
  }

  private fromRow(r: Row): SalesforceTenantSettings {
    const s: Secrets = r.secrets
      ? (JSON.parse(
          unseal(this.keys.tenantSecrets, r.secrets, `salesforce-secrets:${r.tenant}`).toString('utf8'),
        ) as Secrets)
      : { private_key: null, refresh_token: null, client_secret: null };
    return {
      tenant: r.tenant,
      organization_id: r.organization_id,
      instance_url: r.instance_url,
      login_url: r.login_url,
      client_id: r.client_id,
      username: r.username,
      cdc_channels: r.cdc_channels,
      ...s,
    };
  }
}
