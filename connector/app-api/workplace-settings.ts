/**
 * A tenant's settings of the app's actions (table tenant_workplace_settings): the public key that
 * proves the acting agent, who may approve a reinstatement (four eyes), the reason codes agents pick
 * from when suspending or deactivating, and whether an approval is also applied in Zendesk.
 */
import { createPublicKey } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { SqlClient } from '../store/database.ts';
import { describeIssues, type ParseResult } from '../model/standing-event.ts';

const ZendeskId = z.string().regex(/^\d{1,20}$/, 'must be a Zendesk id (digits)');
const Code = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'must be a lowercase code of letters, digits, _ . -');
const Label = z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters');

const Pem = z
  .string()
  .max(10_000, 'must be at most 10000 characters')
  .refine((pem) => {
    try {
      return createPublicKey(pem).asymmetricKeyType === 'rsa';
    } catch {
      return false;
    }
  }, 'must be an RSA public key in PEM form (GET /api/v2/apps/{app_id}/public_key.pem)');

export const WorkplaceSettings = z.strictObject({
  /**
   * The app's public key: Zendesk signs the JWT it posts to the app page (signed URLs) with the
   * app's private key, RS256. `null`: the app's actions are off for this tenant.
   */
  app_public_key: Pem.nullable().default(null),
  /** The app installation's id: when set, the JWT's `aud` must name it. */
  app_installation_id: ZendeskId.nullable().default(null),
  /** Who may approve or deny a reinstatement: any of these Zendesk roles, or a member of any of these groups. */
  approvers: z
    .strictObject({
      roles: z
        .array(z.enum(['admin', 'agent']))
        .max(2)
        .default(['admin']),
      group_ids: z.array(ZendeskId).max(100).default([]),
    })
    .default({ roles: ['admin'], group_ids: [] }),
  /** The reason codes of a suspension or deactivation, with the words agents read in each language. */
  reason_codes: z
    .array(z.strictObject({ code: Code, labels: z.record(z.string().regex(/^[a-z]{2}$/), Label) }))
    .max(100)
    .default([
      { code: 'fraud_suspected', labels: { en: 'Fraud suspected', de: 'Betrugsverdacht' } },
      { code: 'non_payment', labels: { en: 'Non-payment', de: 'Zahlungsverzug' } },
      { code: 'terms_violation', labels: { en: 'Terms violation', de: 'Verstoß gegen die AGB' } },
      { code: 'customer_request', labels: { en: 'Customer request', de: 'Auf Wunsch des Kunden' } },
    ]),
  /**
   * After an approval the app sets this user field (person) or organization field (account) to
   * `active_value` through the ZAF client; the webhook that follows is the same change. Off when `null`.
   */
  apply_in_zendesk: z
    .strictObject({
      user_field_key: z.string().regex(/^[a-z0-9_]{1,64}$/, 'must be a field key'),
      organization_field_key: z.string().regex(/^[a-z0-9_]{1,64}$/, 'must be a field key'),
      active_value: z.string().min(1).max(200),
    })
    .nullable()
    .default(null),
});
export type WorkplaceSettings = z.output<typeof WorkplaceSettings>;

export const DEFAULT_WORKPLACE_SETTINGS: WorkplaceSettings = WorkplaceSettings.parse({});

export class WorkplaceSettingsStore {
  private readonly cache = new LRUCache<string, { v: WorkplaceSettings }>({ max: 10_000, ttl: 5000 });

  constructor(private readonly db: SqlClient) {}

  async get(tenant: string): Promise<WorkplaceSettings> {
    const hit = this.cache.get(tenant);
    if (hit) return hit.v;
    const [row] = await this.db.query<{ settings: unknown }>(
      'SELECT settings FROM tenant_workplace_settings WHERE tenant = $1',
      [tenant],
    );
    const parsed = row ? WorkplaceSettings.safeParse(row.settings) : null;
    const v = parsed?.success ? parsed.data : DEFAULT_WORKPLACE_SETTINGS;
    this.cache.set(tenant, { v });
    return v;
  }

  /** Validates and stores the whole document; the tenant must exist (foreign key). */
  async set(tenant: string, input: unknown): Promise<ParseResult<WorkplaceSettings>> {
    const parsed = WorkplaceSettings.safeParse(input);
    if (!parsed.success) return { ok: false, problems: describeIssues(parsed.error) };
    await this.db.query(
      `INSERT INTO tenant_workplace_settings (tenant, settings) VALUES ($1, $2::jsonb)
       ON CONFLICT (tenant) DO UPDATE SET settings = excluded.settings, updated_at = now()`,
      [tenant, JSON.stringify(parsed.data)],
    );
    this.cache.delete(tenant);
    return { ok: true, value: parsed.data };
  }
}
