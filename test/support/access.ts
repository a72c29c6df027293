/** API keys for tests: a tenant's key of one role, made the way the operator's route makes them. */
import { ApiKeyStore } from '../../connector/access/api-keys.ts';
import type { TenantRole } from '../../connector/access/principal.ts';
import type { SqlClient } from '../../connector/store/database.ts';

/**
 * Creates a key of `role` for `tenant` and returns it. The tenant row is created when missing
 * (suites that append to the log directly have none).
 */
export async function tenantKey(db: SqlClient, tenant: string, role: TenantRole = 'auditor'): Promise<string> {
  await db.query('INSERT INTO tenants (id, name) VALUES ($1, $1) ON CONFLICT (id) DO NOTHING', [tenant]);
  const created = await new ApiKeyStore(db).create(tenant, { role, name: `test ${role}` }, 'test');
  if (!created.ok) throw new Error(`test key: ${JSON.stringify(created.problems)}`);
  return created.key;
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
