/**
 * Who is calling: the authenticated principal of an API request or CLI command. Set once by the
 * authentication middleware (`res.locals.principal`) and read by routes through `principalOf`;
 * never taken from a header or argument the caller fills in.
 */
import type { Response } from 'express';

/** The roles a tenant's API keys and app users hold (docs/tenants-and-roles.md). */
export const TENANT_ROLES = ['agent', 'admin', 'auditor'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

export type Principal =
  /** The operator's global token (`STANDING_OPERATOR_TOKEN`): provisioning only. */
  | { type: 'operator' }
  /** A tenant's API key, created for one role. */
  | { type: 'api_key'; tenant: string; role: TenantRole; key_id: string; name: string }
  /** A Zendesk user calling through the installed app (role confirmed with Zendesk where needed). */
  | { type: 'app_user'; tenant: string; role: 'agent' | 'admin'; zendesk_user_id: string | null };

/** How a principal is named in audit records and `changed_by`: stable, no secret, no customer data. */
export function principalLabel(p: Principal): string {
  switch (p.type) {
    case 'operator':
      return 'operator';
    case 'api_key':
      return `api-key:${p.key_id}`;
    case 'app_user':
      return `zendesk-app:user:${p.zendesk_user_id ?? 'unknown'}`;
  }
}

/** The request's principal; throws if no authentication middleware ran (a wiring bug). */
export function principalOf(res: Response): Principal {
  const p = res.locals.principal as Principal | undefined;
  if (!p) throw new Error('no principal on this request: the route is not behind authentication');
  return p;
}
