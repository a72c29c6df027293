/**
 * What each principal may do: one table, read by every route and CLI command
 * (docs/tenants-and-roles.md). A permission names an action, not a route, so the API and the CLI share it.
 */
import type { Principal, TenantRole } from './principal.ts';

export const PERMISSIONS = {
  /** Create and list tenants; create, list and revoke API keys (an auditor key needs `keys.issue_auditor` instead). */
  'tenants.provision': ['operator'],
  /**
   * Issue an `auditor` key (it reads every history): the tenant's auditors, and the operator, which
   * under STANDING_OPERATOR_AUDITOR_KEYS=first-only issues only a tenant's first one (key-issuance.ts).
   */
  'keys.issue_auditor': ['operator', 'auditor'],
  /** Read and change a tenant's settings (secrets, Salesforce, app warnings). */
  'tenant.settings': ['operator', 'admin'],
  'mapping.read': ['admin'],
  'mapping.write': ['admin'],
  /** The inbox: quarantined and ignored events, raw payloads included. */
  'quarantine.read': ['admin'],
  'quarantine.replay': ['admin'],
  'reconciliation.read': ['admin', 'auditor'],
  /** Any customer's history in the tenant (the app's agents read only their tickets' customers). */
  'history.read': ['auditor'],
  /** The history of the customers on a ticket the caller can see (the Zendesk app's sidebar). */
  'history.read_ticket': ['agent', 'admin', 'auditor'],
  /**
   * The insights' counts and distributions (no customer): the tenant's admins and auditors, and the
   * operator for any tenant. The drill-down to the customers concerned needs `history.read`.
   */
  'insights.read': ['operator', 'admin', 'auditor'],
  /** Record a step of a ticket's customer's standing in the Zendesk app, as an agent Zendesk proved. */
  'standing.record': ['agent', 'admin'],
  /** Whole-log export, verify, checkpoints. */
  'log.export': ['auditor'],
  // Hashes only, no customer data: the operator checks every tenant's chain as part of running the service.
  'log.verify': ['operator', 'auditor'],
  /** The read audit and denied attempts. */
  'audit.read': ['auditor'],
  /** The read audit's key records only: which keys were created and revoked, by whom, when. */
  'audit.read_keys': ['admin', 'auditor'],
  /** The audit chain `*`: refusals tied to no tenant (unknown tenants, global routes). */
  'audit.read_global': ['operator'],
  /** GDPR subject access export (everything held about a person). */
  'subject.access_export': ['auditor'],
  /** GDPR erasure: destroys a subject's key. */
  'subject.erase': ['admin'],
  /** Retention policy of the tenant. */
  'retention.manage': ['admin'],
  /** Legal holds: place, lift, list. */
  'hold.manage': ['auditor'],
  /** SIEM export (personal data only where `personal_data.read` is held too). */
  'siem.export': ['admin', 'auditor'],
  'personal_data.read': ['auditor'],
  /** The tenant's Splunk HEC target (a push with personal data also needs `personal_data.read`). */
  'siem.configure': ['admin', 'auditor'],
  /** Metrics, queue dashboard. */
  'ops.read': ['operator'],
  /** Run the service, migrate, grant database roles, print the configuration. */
  'service.operate': ['operator'],
  /** Sign and write checkpoints (the scheduler does it periodically). */
  'log.checkpoint': ['operator'],
  /** Apply the retention policies now (the scheduler does it periodically). */
  'retention.apply': ['operator'],
  /** Start a reconciliation run or a backfill. */
  'reconciliation.run': ['operator', 'admin'],
} as const satisfies Record<string, readonly ('operator' | TenantRole)[]>;

export type Permission = keyof typeof PERMISSIONS;

/** The role a principal acts in: `operator` for the global token. */
export const roleOf = (p: Principal): 'operator' | TenantRole => (p.type === 'operator' ? 'operator' : p.role);

/**
 * Whether `p` may do `permission` on `tenant` (`null`: an action not about one tenant, e.g. listing
 * tenants). Tenant principals act only on their own tenant; the operator on any.
 */
export function isAllowed(p: Principal, permission: Permission, tenant: string | null): boolean {
  const roles: readonly string[] = PERMISSIONS[permission];
  if (!roles.includes(roleOf(p))) return false;
  if (p.type === 'operator') return true;
  return tenant !== null && tenant === p.tenant;
}
