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

/** A key issued through the running service's provisioning route, with the operator's token. */
export async function issueKey(
  baseUrl: string,
  operatorToken: string,
  tenant: string,
  role: TenantRole,
): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/tenants/${tenant}/keys`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${operatorToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ role, name: `test ${role}` }),
  });
  if (res.status !== 201) throw new Error(`issuing a ${role} key for ${tenant}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { key: string }).key;
}

/** The operator's token and a tenant's admin and auditor keys, for suites that call many routes. */
export interface TenantCredentials {
  operator: string;
  admin: string;
  auditor: string;
}

export async function tenantCredentials(
  baseUrl: string,
  operatorToken: string,
  tenant = 'default',
): Promise<TenantCredentials> {
  const [admin, auditor] = await Promise.all([
    issueKey(baseUrl, operatorToken, tenant, 'admin'),
    issueKey(baseUrl, operatorToken, tenant, 'auditor'),
  ]);
  return { operator: operatorToken, admin, auditor };
}

/**
 * Which of them a route takes (docs/tenants-and-roles.md): histories the auditor's, mappings and the inbox the admin's,
 * the rest the operator's.
 */
export function credentialFor(c: TenantCredentials, path: string): string {
  if (/\/history\b|\/reconciliation\//.test(path)) return c.auditor;
  if (/\/mappings\/|\/quarantine|\/inbox/.test(path)) return c.admin;
  return c.operator;
}

const issued = new Map<string, Promise<TenantCredentials>>();

/**
 * The `Authorization` header a route of a running service takes, with keys issued once per service
 * and tenant (the tenant named in the path, else `default`).
 */
export async function authorizationFor(baseUrl: string, operatorToken: string, path: string): Promise<string> {
  const tenant = /\/tenants\/([^/?]+)/.exec(path)?.[1] ?? 'default';
  const credential = credentialFor({ operator: operatorToken, admin: '', auditor: '' }, path);
  if (credential === operatorToken) return `Bearer ${operatorToken}`;
  const key = `${baseUrl} ${tenant}`;
  if (!issued.has(key)) issued.set(key, tenantCredentials(baseUrl, operatorToken, tenant));
  return `Bearer ${credentialFor(await issued.get(key)!, path)}`;
}

/** Who may place and lift a tenant's legal holds: the label of a new auditor key of the tenant. */
export async function holdActor(db: SqlClient, tenant: string): Promise<string> {
  return `api-key:${(await tenantKey(db, tenant, 'auditor')).split('_')[1]}`;
}
