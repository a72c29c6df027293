/**
 * What the Splunk and Loggly target stores share: the sealed customer token (its AAD binds it to
 * the tenant and the kind of target), the tenant check before a write, the errors the routes and
 * the CLI map to answers, and the push state both tables keep beside the settings (migrations 014
 * and 020): the cursor `last_seq` and the last success and failure.
 */
import { seal, unseal, type MasterKeys } from '../model/sealing.ts';
import type { FieldProblem } from '../model/standing-event.ts';
import type { SqlClient } from '../store/database.ts';
import { StandingError } from '../lib/errors.ts';
import { problemsText } from '../lib/problems.ts';

export class InvalidSiemTargetError extends StandingError {
  override name = 'InvalidSiemTargetError';
  constructor(readonly problems: FieldProblem[]) {
    super(problemsText(problems));
  }
}
export class UnknownTenantError extends StandingError {
  override name = 'UnknownTenantError';
}

/** The kind names the token's AAD carries (a sealed token cannot be moved to another tenant or target). */
export type TargetKind = 'splunk_hec' | 'loggly';
const aad = (tenant: string, kind: TargetKind) => `siem-token:${tenant}:${kind}`;

export function sealToken(keys: MasterKeys, tenant: string, kind: TargetKind, token: string): Buffer {
  return seal(keys.tenantSecrets, Buffer.from(token, 'utf8'), aad(tenant, kind));
}

export function unsealToken(keys: MasterKeys, tenant: string, kind: TargetKind, sealed: Buffer): string {
  return unseal(keys.tenantSecrets, sealed, aad(tenant, kind)).toString('utf8');
}

/** Throws UnknownTenantError unless the tenant exists (a target is only ever written for a known tenant). */
export async function requireTenant(db: SqlClient, tenant: string): Promise<void> {
  const [exists] = await db.query('SELECT 1 FROM tenants WHERE id = $1', [tenant]);
  if (!exists) throw new UnknownTenantError(`tenant "${tenant}" does not exist`);
}

/** The push-state columns as the database returns them. */
export interface PushStateRow {
  last_seq: number | string;
  last_success_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  not_before: Date | null;
  updated_by: string;
  updated_at: Date;
}

/** The push state as the API shows it. */
export interface PushState {
  last_seq: number;
  last_success_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  not_before: string | null;
  updated_by: string;
  updated_at: string;
}

const isoOrNull = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function pushState(r: PushStateRow): PushState {
  return {
    last_seq: Number(r.last_seq),
    last_success_at: isoOrNull(r.last_success_at),
    last_error: r.last_error,
    last_error_at: isoOrNull(r.last_error_at),
    not_before: isoOrNull(r.not_before),
    updated_by: r.updated_by,
    updated_at: new Date(r.updated_at).toISOString(),
  };
}
