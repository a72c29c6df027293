/**
 * API keys: one per tenant, role and purpose. The key is `stk_<key id>_<secret>`; only the
 * SHA-256 of the secret is stored (a 256-bit random secret needs no slow hash: there is nothing
 * to guess), so the key is shown once, when created. A revoked key fails at once in every process:
 * each request looks its key up (one primary-key read), nothing is cached.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { SqlClient } from '../store/database.ts';
import { describeIssues, type FieldProblem } from '../model/standing-event.ts';
import { TENANT_ROLES, type Principal, type TenantRole } from './principal.ts';

const KEY_PATTERN = /^stk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
/** How often `last_used_at` is refreshed per key and process: a write per request would double the cost of a read. */
const LAST_USED_EVERY_MS = 60_000;

export const NewApiKey = z.strictObject({
  role: z.enum(TENANT_ROLES, { error: `must be one of ${TENANT_ROLES.join(', ')}` }),
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
});
export type NewApiKey = z.infer<typeof NewApiKey>;

/** A key as listed: never its secret. */
export interface ApiKeyView {
  key_id: string;
  tenant: string;
  role: TenantRole;
  name: string;
  created_by: string;
  created_at: string;
  revoked_by: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

interface ApiKeyRow {
  key_id: string;
  tenant: string;
  role: TenantRole;
  name: string;
  secret_sha256: Buffer | Uint8Array;
  created_by: string;
  created_at: Date | string;
  revoked_by: string | null;
  revoked_at: Date | string | null;
  last_used_at: Date | string | null;
}

export type CreateKeyResult = { ok: true; key: string; view: ApiKeyView } | { ok: false; problems: FieldProblem[] };

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();
const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());
const COLUMNS =
  'key_id, tenant, role, name, secret_sha256, created_by, created_at, revoked_by, revoked_at, last_used_at';

function toView(r: ApiKeyRow): ApiKeyView {
  return {
    key_id: r.key_id,
    tenant: r.tenant,
    role: r.role,
    name: r.name,
    created_by: r.created_by,
    created_at: iso(r.created_at) ?? '',
    revoked_by: r.revoked_by,
    revoked_at: iso(r.revoked_at),
    last_used_at: iso(r.last_used_at),
  };
}

/** Whether a bearer token has the shape of an API key (else it may be the operator token). */
export const looksLikeApiKey = (token: string) => token.startsWith('stk_');

export class ApiKeyStore {
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(private readonly db: SqlClient) {}

  /** Creates a key for an existing tenant; the returned `key` is the only time the secret is seen. */
  async create(tenant: string, input: unknown, createdBy: string): Promise<CreateKeyResult> {
    const parsed = NewApiKey.safeParse(input);
    if (!parsed.success) {
      return { ok: false, problems: describeIssues(parsed.error) };
    }
    const keyId = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const rows = await this.db.query<ApiKeyRow>(
      `INSERT INTO api_keys (key_id, tenant, role, name, secret_sha256, created_by) VALUES ($1, $2, $3, $4, $5, $6)
        RETURNING ${COLUMNS}`,
      [keyId, tenant, parsed.data.role, parsed.data.name, sha256(secret), createdBy],
    );
    return { ok: true, key: `stk_${keyId}_${secret}`, view: toView(rows[0]!) };
  }

  async list(tenant: string, options: { includeRevoked?: boolean } = {}): Promise<ApiKeyView[]> {
    const rows = await this.db.query<ApiKeyRow>(
      `SELECT ${COLUMNS} FROM api_keys WHERE tenant = $1 ${options.includeRevoked ? '' : 'AND revoked_at IS NULL'}
        ORDER BY created_at, key_id`,
      [tenant],
    );
    return rows.map(toView);
  }

  /**
   * Revokes a key of this tenant; `null` when the tenant has no such key. Revoking twice keeps the
   * first record (`revoked_now` says whether this call revoked it).
   */
  async revoke(
    tenant: string,
    keyId: string,
    revokedBy: string,
  ): Promise<{ key: ApiKeyView; revoked_now: boolean } | null> {
    const changed = await this.db.query(
      `UPDATE api_keys SET revoked_at = now(), revoked_by = $3 WHERE tenant = $1 AND key_id = $2
        AND revoked_at IS NULL RETURNING key_id`,
      [tenant, keyId, revokedBy],
    );
    const rows = await this.db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE tenant = $1 AND key_id = $2`, [
      tenant,
      keyId,
    ]);
    return rows[0] ? { key: toView(rows[0]), revoked_now: changed.length > 0 } : null;
  }

  /** Whether the tenant has ever had a key of this role, revoked ones included. */
  async hasEverHad(tenant: string, role: TenantRole): Promise<boolean> {
    return (
      (await this.db.query('SELECT 1 FROM api_keys WHERE tenant = $1 AND role = $2 LIMIT 1', [tenant, role])).length > 0
    );
  }

  /** The principal a presented key stands for, or `null` (unknown, malformed, wrong secret, revoked). */
  async authenticate(presented: string): Promise<Extract<Principal, { type: 'api_key' }> | null> {
    const m = KEY_PATTERN.exec(presented);
    if (!m) return null;
    const [, keyId, secret] = m as unknown as [string, string, string];
    const rows = await this.db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE key_id = $1`, [keyId]);
    const row = rows[0];
    if (!row || row.revoked_at !== null) return null;
    if (!timingSafeEqual(Buffer.from(row.secret_sha256), sha256(secret))) return null;
    this.touch(keyId);
    return { type: 'api_key', tenant: row.tenant, role: row.role, key_id: row.key_id, name: row.name };
  }

  private touch(keyId: string): void {
    const now = Date.now();
    if (now - (this.lastUsedWritten.get(keyId) ?? 0) < LAST_USED_EVERY_MS) return;
    this.lastUsedWritten.set(keyId, now);
    // Best effort: a failed refresh of a statistic must not fail the request it describes.
    this.db.query('UPDATE api_keys SET last_used_at = now() WHERE key_id = $1', [keyId]).catch(() => undefined);
  }
}
