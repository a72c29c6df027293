/**
 * Each tenant's Splunk HEC target (migration 014, `siem_targets`): where to push, the HEC token
 * sealed under the tenant-secrets key (write-only: never returned), and the push cursor `last_seq`,
 * which moves only after Splunk accepted a batch, and only from the value the push read
 * (compare-and-set), so two pushers never move it past rows neither sent.
 */
import { z } from 'zod';
import type { MasterKeys } from '../model/sealing.ts';
import { describeIssues, type FieldProblem } from '../model/standing-event.ts';
import type { SqlClient } from '../store/database.ts';
import { loadSql } from '../store/sql.ts';
import type { HecDestination } from './splunk-hec.ts';
import {
  InvalidSiemTargetError,
  pushState,
  requireTenant,
  sealToken,
  unsealToken,
  type PushState,
  type PushStateRow,
} from './target-common.ts';

export { InvalidSiemTargetError, UnknownTenantError } from './target-common.ts';

const SQL = {
  get: loadSql('siem-target-get'),
  due: loadSql('siem-targets-due'),
  put: loadSql('siem-target-put'),
  advance: loadSql('siem-target-advance'),
  failure: loadSql('siem-target-failure'),
};

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const HecUrl = text(2000).refine((v) => {
  try {
    const u = new URL(v);
    return u.protocol === 'https:' && !u.username && !u.password && !u.search && !u.hash;
  } catch {
    return false;
  }
}, 'must be the https:// base URL of the HTTP Event Collector, e.g. https://splunk.example.com:8088');

/** PUT body: absent keys keep the current value (or the default on creation); the token is required on creation. */
export const SplunkTargetInput = z.strictObject({
  url: HecUrl.optional(),
  token: text(512)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (the HEC token Splunk shows)')
    .optional(),
  index: text(80).nullable().optional(),
  sourcetype: text(200).optional(),
  source: text(200).optional(),
  host: text(255).nullable().optional(),
  include_personal_data: z.boolean().optional(),
  enabled: z.boolean().optional(),
});
export type SplunkTargetInput = z.infer<typeof SplunkTargetInput>;

/** Defaults of a new target. */
export const SPLUNK_TARGET_DEFAULTS = {
  index: null,
  sourcetype: 'standing:event',
  source: 'standing',
  host: null,
  include_personal_data: false,
  enabled: true,
} as const;

export interface SplunkTarget extends HecDestination, PushState {
  tenant: string;
  include_personal_data: boolean;
  enabled: boolean;
}

/** What the API shows: the token only as set, with its last four characters. */
export type SplunkTargetView = SplunkTarget & { token: { set: true; last4: string } };

interface Row extends Omit<SplunkTarget, 'index' | keyof PushState>, PushStateRow {
  index_name: string | null;
  token_sealed: Buffer;
}

export class SplunkTargets {
  constructor(
    private readonly db: SqlClient,
    private readonly keys: MasterKeys,
  ) {}

  async get(tenant: string): Promise<SplunkTargetView | null> {
    const [row] = await this.db.query<Row>(SQL.get, [tenant]);
    return row ? this.view(row) : null;
  }

  /** Enabled targets whose Retry-After wait is over, with their tokens (for the push only). */
  async due(now: Date): Promise<(SplunkTarget & { token: string })[]> {
    const rows = await this.db.query<Row>(SQL.due, [now.toISOString()]);
    return rows.map((r) => ({
      ...this.fromRow(r),
      token: unsealToken(this.keys, r.tenant, 'splunk_hec', r.token_sealed),
    }));
  }

  /** Creates or changes a tenant's target; validated with zod (each problem names its field). */
  async put(tenant: string, input: unknown, changedBy: string): Promise<SplunkTargetView> {
    const parsed = SplunkTargetInput.safeParse(input);
    if (!parsed.success) throw new InvalidSiemTargetError(describeIssues(parsed.error));
    const i = parsed.data;
    await requireTenant(this.db, tenant);
    const [current] = await this.db.query<Row>(SQL.get, [tenant]);
    const missing: FieldProblem[] = [];
    if (!current && i.url === undefined) missing.push({ path: 'url', message: 'is required to create the target' });
    if (!current && i.token === undefined) missing.push({ path: 'token', message: 'is required to create the target' });
    if (missing.length > 0) throw new InvalidSiemTargetError(missing);
    const pick = <T>(v: T | undefined, old: T | undefined, dflt: T): T =>
      v !== undefined ? v : old !== undefined ? old : dflt;
    const tokenSealed =
      i.token !== undefined ? sealToken(this.keys, tenant, 'splunk_hec', i.token) : current!.token_sealed;
    const [row] = await this.db.query<Row>(SQL.put, [
      tenant,
      pick(i.url, current?.url, ''),
      tokenSealed,
      pick(i.index, current?.index_name, SPLUNK_TARGET_DEFAULTS.index),
      pick(i.sourcetype, current?.sourcetype, SPLUNK_TARGET_DEFAULTS.sourcetype),
      pick(i.source, current?.source, SPLUNK_TARGET_DEFAULTS.source),
      pick(i.host, current?.host, SPLUNK_TARGET_DEFAULTS.host),
      pick(i.include_personal_data, current?.include_personal_data, SPLUNK_TARGET_DEFAULTS.include_personal_data),
      pick(i.enabled, current?.enabled, SPLUNK_TARGET_DEFAULTS.enabled),
      changedBy,
    ]);
    return this.view(row!);
  }

  /** Moves the cursor from `from` to `to` after Splunk accepted a batch; false when another pusher moved it first. */
  async advance(tenant: string, from: number, to: number): Promise<boolean> {
    const moved = await this.db.query(SQL.advance, [tenant, from, to]);
    return moved.length === 1;
  }

  /** Records a failed batch (no token in `error`); `waitMs` delays the next attempt (Retry-After). */
  async recordFailure(tenant: string, error: string, waitMs: number | null): Promise<void> {
    await this.db.query(SQL.failure, [tenant, error, waitMs]);
  }

  private fromRow(r: Row): SplunkTarget {
    return {
      tenant: r.tenant,
      url: r.url,
      index: r.index_name,
      sourcetype: r.sourcetype,
      source: r.source,
      host: r.host,
      include_personal_data: r.include_personal_data,
      enabled: r.enabled,
      ...pushState(r),
    };
  }

  private view(r: Row): SplunkTargetView {
    const token = unsealToken(this.keys, r.tenant, 'splunk_hec', r.token_sealed);
    return { ...this.fromRow(r), token: { set: true, last4: token.slice(-4) } };
  }
}
