/**
 * Tenants (client companies served by one deployment) and their versioned mapping documents. A
 * tenant's row also holds its Zendesk settings, which connector/zendesk/settings.ts validates, seals
 * (under a key derived from the master key) and shows; the registry stores them with the tenant.
 * The `default` tenant can be configured from environment variables alone (see `syncDefaultTenant`).
 */
import { z } from 'zod';
import { LRUCache } from 'lru-cache';
import type { MasterKeys } from '../model/sealing.ts';
import { TenantId, describeIssues, type FieldProblem } from '../model/standing-event.ts';
import type { Database } from '../store/database.ts';
import type { Outcome } from '../lib/result.ts';
import {
  applyZendeskPatch,
  NO_ZENDESK_SETTINGS,
  toZendeskView,
  ZendeskSettingsPatch,
  zendeskSettingsColumns,
  zendeskSettingsOfRow,
  type ZendeskSettingsRow,
  type ZendeskSettingsView,
  type ZendeskTenantSettings,
} from '../zendesk/settings.ts';
import { problemsText } from '../lib/problems.ts';

export const TenantCreateInput = z.strictObject({
  id: TenantId,
  name: z.string().trim().min(1, 'must not be empty').max(200),
  zendesk: ZendeskSettingsPatch.default({}),
});
export const TenantUpdateInput = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200).optional(),
  zendesk: ZendeskSettingsPatch.optional(),
});

export interface Tenant {
  id: string;
  name: string;
  zendesk: ZendeskTenantSettings;
}

/** What the admin API shows of a tenant: never the secrets themselves. */
export interface TenantView {
  id: string;
  name: string;
  zendesk: ZendeskSettingsView;
}

export interface MappingVersion {
  version: number;
  document: unknown;
  changed_by: string;
  changed_at: string;
}

export type RegistryResult<T> = Outcome<
  T,
  { status: 400 | 404 | 409; code: string; message: string; problems?: FieldProblem[] }
>;

export interface TenantRegistryOptions {
  /**
   * How long a tenant's settings (and the parsed mapping document) are cached in memory. Settings
   * changed through this process are visible at once; by another process after at most this long.
   * Mapping changes are visible at once everywhere (see `currentMapping`).
   * @defaultValue 5000 ms
   */
  cacheTtlMs?: number;
}

export const toView = (t: Tenant): TenantView => ({ id: t.id, name: t.name, zendesk: toZendeskView(t.zendesk) });

/** A `tenants` row as read. */
interface TenantRow extends ZendeskSettingsRow {
  name: string;
}

export class TenantRegistry {
  private readonly tenants: LRUCache<string, { tenant: Tenant | null }>;
  private readonly mappings: LRUCache<string, { current: MappingVersion | null }>;

  constructor(
    readonly db: Database,
    private readonly keys: MasterKeys,
    options: TenantRegistryOptions = {},
  ) {
    const ttl = options.cacheTtlMs ?? 5000;
    this.tenants = new LRUCache({ max: 10_000, ttl });
    this.mappings = new LRUCache({ max: 10_000, ttl });
  }

  async get(id: string): Promise<Tenant | null> {
    const hit = this.tenants.get(id);
    if (hit) return hit.tenant;
    const [row] = await this.db.query<TenantRow>(
      'SELECT id, name, zendesk_subdomain, zendesk_api_url, zendesk_api_email, secrets FROM tenants WHERE id = $1',
      [id],
    );
    const tenant = row ? this.fromRow(row) : null;
    this.tenants.set(id, { tenant });
    return tenant;
  }

  async list(): Promise<TenantView[]> {
    const rows = await this.db.query<TenantRow>(
      'SELECT id, name, zendesk_subdomain, zendesk_api_url, zendesk_api_email, secrets FROM tenants ORDER BY id',
    );
    return rows.map((r) => toView(this.fromRow(r)));
  }

  async create(input: unknown): Promise<RegistryResult<Tenant>> {
    const parsed = TenantCreateInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    const { id, name, zendesk } = parsed.data;
    const tenant: Tenant = { id, name, zendesk: applyZendeskPatch(NO_ZENDESK_SETTINGS, zendesk) };
    const columns = zendeskSettingsColumns(this.keys, id, tenant.zendesk);
    const rows = await this.db.query(
      `INSERT INTO tenants (id, name, zendesk_subdomain, zendesk_api_email, secrets, zendesk_api_url)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [id, name, columns.zendesk_subdomain, columns.zendesk_api_email, columns.secrets, columns.zendesk_api_url],
    );
    if (rows.length === 0)
      return { ok: false, status: 409, code: 'tenant_exists', message: `tenant "${id}" already exists` };
    this.tenants.delete(id);
    return { ok: true, value: tenant };
  }

  /** Changes some settings; a `null` clears one, an absent key keeps it. */
  async update(id: string, input: unknown): Promise<RegistryResult<Tenant>> {
    const parsed = TenantUpdateInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    this.tenants.delete(id);
    const current = await this.get(id);
    if (!current) return { ok: false, status: 404, code: 'tenant_not_found', message: `tenant "${id}" does not exist` };
    const next: Tenant = {
      id,
      name: parsed.data.name ?? current.name,
      zendesk: applyZendeskPatch(current.zendesk, parsed.data.zendesk ?? {}),
    };
    const columns = zendeskSettingsColumns(this.keys, id, next.zendesk);
    await this.db.query(
      `UPDATE tenants SET name = $2, zendesk_subdomain = $3, zendesk_api_email = $4, secrets = $5,
        zendesk_api_url = $6, updated_at = now() WHERE id = $1`,
      [id, next.name, columns.zendesk_subdomain, columns.zendesk_api_email, columns.secrets, columns.zendesk_api_url],
    );
    this.tenants.delete(id);
    return { ok: true, value: next };
  }

  /** Makes the `default` tenant match what the environment says (env is authoritative for it). */
  async syncDefaultTenant(env: {
    subdomain?: string;
    apiUrl?: string;
    webhookSecret?: string;
    apiEmail?: string;
    apiToken?: string;
  }): Promise<Tenant> {
    const zendesk = {
      subdomain: env.subdomain ?? null,
      api_url: env.apiUrl ?? null,
      webhook_secret: env.webhookSecret ?? null,
      api_email: env.apiEmail ?? null,
      api_token: env.apiToken ?? null,
    };
    this.tenants.delete('default');
    const existing = await this.get('default');
    let r = existing
      ? await this.update('default', { zendesk })
      : await this.create({ id: 'default', name: 'Default tenant', zendesk });
    // Another process starting at the same time created it first: apply ours over it.
    if (!r.ok && r.code === 'tenant_exists') r = await this.update('default', { zendesk });
    if (!r.ok) throw new Error(`default tenant from environment: ${r.message} ${JSON.stringify(r.problems ?? [])}`);
    return r.value;
  }

  /**
   * The tenant's current mapping document for a source, or null when none was ever set. Always
   * the latest version, whichever process set it: a cached document is used only after a cheap
   * check (an index-only read of the latest version number) that it is still current, so a replay
   * right after a mapping change uses the new mapping in every process.
   */
  async currentMapping(tenant: string, source: string): Promise<MappingVersion | null> {
    const key = `${tenant}\u0000${source}`;
    const hit = this.mappings.get(key);
    if (hit) {
      const [latest] = await this.db.query<{ version: number | null }>(
        'SELECT max(version) AS version FROM mapping_versions WHERE tenant = $1 AND source = $2',
        [tenant, source],
      );
      if ((latest?.version ?? null) === (hit.current?.version ?? null)) return hit.current;
    }
    const [row] = await this.db.query<{ version: number; document: unknown; changed_by: string; changed_at: Date }>(
      `SELECT version, document, changed_by, changed_at FROM mapping_versions WHERE tenant = $1 AND source = $2
        ORDER BY version DESC LIMIT 1`,
      [tenant, source],
    );
    const current = row
      ? {
          version: row.version,
          document: row.document,
          changed_by: row.changed_by,
          changed_at: new Date(row.changed_at).toISOString(),
        }
      : null;
    this.mappings.set(key, { current });
    return current;
  }

  /** Records a new version of a (validated) mapping document; the previous versions stay readable. */
  async setMapping(
    tenant: string,
    source: string,
    document: unknown,
    changedBy: string,
  ): Promise<RegistryResult<MappingVersion>> {
    if (!(await this.get(tenant)))
      return { ok: false, status: 404, code: 'tenant_not_found', message: `tenant "${tenant}" does not exist` };
    const [row] = await this.db.query<{ version: number; changed_at: Date }>(
      `INSERT INTO mapping_versions (tenant, source, version, document, changed_by)
       SELECT $1, $2, coalesce(max(version), 0) + 1, $3::jsonb, $4 FROM mapping_versions WHERE tenant = $1
         AND source = $2
       RETURNING version, changed_at`,
      [tenant, source, JSON.stringify(document), changedBy],
    );
    this.mappings.delete(`${tenant}\u0000${source}`);
    return {
      ok: true,
      value: {
        version: row!.version,
        document,
        changed_by: changedBy,
        changed_at: new Date(row!.changed_at).toISOString(),
      },
    };
  }

  async mappingHistory(tenant: string, source: string): Promise<MappingVersion[]> {
    const rows = await this.db.query<{ version: number; document: unknown; changed_by: string; changed_at: Date }>(
      `SELECT version, document, changed_by, changed_at FROM mapping_versions WHERE tenant = $1 AND source = $2
        ORDER BY version DESC`,
      [tenant, source],
    );
    return rows.map((r) => ({
      version: r.version,
      document: r.document,
      changed_by: r.changed_by,
      changed_at: new Date(r.changed_at).toISOString(),
    }));
  }

  private fromRow(r: TenantRow): Tenant {
    return { id: r.id, name: r.name, zendesk: zendeskSettingsOfRow(this.keys, r) };
  }
}

function invalid(error: z.ZodError): {
  ok: false;
  status: 400;
  code: string;
  message: string;
  problems: FieldProblem[];
} {
  const problems = describeIssues(error);
  return {
    ok: false,
    status: 400,
    code: 'invalid_tenant',
    message: problemsText(problems),
    problems,
  };
}
