/** Per-tenant settings of the app features: the history warnings' thresholds (table tenant_app_settings). */
import { LRUCache } from 'lru-cache';
import type { SqlClient } from '../store/database.ts';
import { DEFAULT_WARNING_SETTINGS, WarningSettings } from './standing-warnings.ts';
import { describeIssues, type ParseResult } from '../model/standing-event.ts';

export class AppSettingsStore {
  private readonly cache = new LRUCache<string, { v: WarningSettings }>({ max: 10_000, ttl: 5000 });

  constructor(private readonly db: SqlClient) {}

  async warnings(tenant: string): Promise<WarningSettings> {
    const hit = this.cache.get(tenant);
    if (hit) return hit.v;
    const [row] = await this.db.query<{ warnings: unknown }>(
      'SELECT warnings FROM tenant_app_settings WHERE tenant = $1',
      [tenant],
    );
    const parsed = row ? WarningSettings.safeParse(row.warnings) : null;
    const v = parsed?.success ? parsed.data : DEFAULT_WARNING_SETTINGS;
    this.cache.set(tenant, { v });
    return v;
  }

  /** Validates and stores; the tenant must exist (foreign key). */
  async setWarnings(tenant: string, input: unknown): Promise<ParseResult<WarningSettings>> {
    const parsed = WarningSettings.safeParse(input);
    if (!parsed.success) return { ok: false, problems: describeIssues(parsed.error) };
    await this.db.query(
      `INSERT INTO tenant_app_settings (tenant, warnings) VALUES ($1, $2::jsonb)
       ON CONFLICT (tenant) DO UPDATE SET warnings = excluded.warnings, updated_at = now()`,
      [tenant, JSON.stringify(parsed.data)],
    );
    this.cache.delete(tenant);
    return { ok: true, value: parsed.data };
  }
}
