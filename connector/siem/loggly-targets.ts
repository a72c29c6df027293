/**
 * Each tenant's Loggly target (migration 020, `loggly_targets`): the customer token sealed under
 * the tenant-secrets key (write-only: never returned), the tag, and the push cursor `last_seq`, with
 * the rules of the Splunk target (splunk-targets.ts): it moves only after Loggly accepted a batch,
 * and only from the value the push read.
 */
import { z } from 'zod';
import type { LogglyTarget } from '../contracts/index.ts';
import type { MasterKeys } from '../model/sealing.ts';
import { describeIssues, type FieldProblem } from '../model/standing-event.ts';
import type { SqlClient } from '../store/database.ts';
import { loadSql } from '../store/sql.ts';
import type { PushTargetStore } from './siem-push.ts';
import {
  InvalidSiemTargetError,
  pushState,
  requireTenant,
  sealToken,
  unsealToken,
  type PushStateRow,
} from './target-common.ts';

const SQL = {
  get: loadSql('loggly-target-get'),
  due: loadSql('loggly-targets-due'),
  put: loadSql('loggly-target-put'),
  advance: loadSql('loggly-target-advance'),
  failure: loadSql('loggly-target-failure'),
};

/** PUT body: absent keys keep the current value (or the default on creation); the token is required on creation. */
export const LogglyTargetInput = z.strictObject({
  token: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]{8,64}$/, 'must be the Loggly customer token (letters, digits and dashes, 8 to 64)')
    .optional(),
  tag: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be one tag: letters, digits, dots, dashes, underscores')
    .optional(),
  include_personal_data: z.boolean().optional(),
  enabled: z.boolean().optional(),
});

export const LOGGLY_TARGET_DEFAULTS = { tag: 'standing', include_personal_data: false, enabled: true } as const;

interface Row extends PushStateRow {
  tenant: string;
  token_sealed: Buffer;
  tag: string;
  include_personal_data: boolean;
  enabled: boolean;
}

type Stored = Omit<LogglyTarget, 'token'>;

export class LogglyTargets implements PushTargetStore<Stored & { token: string }> {
  constructor(
    private readonly db: SqlClient,
    private readonly keys: MasterKeys,
  ) {}

  async get(tenant: string): Promise<LogglyTarget | null> {
    const [row] = await this.db.query<Row>(SQL.get, [tenant]);
    return row ? this.view(row) : null;
  }

  /** Enabled targets whose Retry-After wait is over, with their tokens (for the push only). */
  async due(now: Date): Promise<(Stored & { token: string })[]> {
    const rows = await this.db.query<Row>(SQL.due, [now.toISOString()]);
    return rows.map((r) => ({ ...fromRow(r), token: this.token(r) }));
  }

  /** Creates or changes a tenant's target; validated with zod (each problem names its field). */
  async put(tenant: string, input: unknown, changedBy: string): Promise<LogglyTarget> {
    const parsed = LogglyTargetInput.safeParse(input);
    if (!parsed.success) throw new InvalidSiemTargetError(describeIssues(parsed.error));
    const i = parsed.data;
    await requireTenant(this.db, tenant);
    const [current] = await this.db.query<Row>(SQL.get, [tenant]);
    if (!current && i.token === undefined) {
      const missing: FieldProblem[] = [{ path: 'token', message: 'is required to create the target' }];
      throw new InvalidSiemTargetError(missing);
    }
    const tokenSealed = i.token !== undefined ? sealToken(this.keys, tenant, 'loggly', i.token) : current!.token_sealed;
    const d = LOGGLY_TARGET_DEFAULTS;
    const [row] = await this.db.query<Row>(SQL.put, [
      tenant,
      tokenSealed,
      i.tag ?? current?.tag ?? d.tag,
      i.include_personal_data ?? current?.include_personal_data ?? d.include_personal_data,
      i.enabled ?? current?.enabled ?? d.enabled,
      changedBy,
    ]);
    return this.view(row!);
  }

  async advance(tenant: string, from: number, to: number): Promise<boolean> {
    return (await this.db.query(SQL.advance, [tenant, from, to])).length === 1;
  }

  /** Records a failed batch (no token in `error`); `waitMs` delays the next attempt (Retry-After). */
  async recordFailure(tenant: string, error: string, waitMs: number | null): Promise<void> {
    await this.db.query(SQL.failure, [tenant, error, waitMs]);
  }

  private token(r: Row): string {
    return unsealToken(this.keys, r.tenant, 'loggly', r.token_sealed);
  }

  private view(r: Row): LogglyTarget {
    return { ...fromRow(r), token: { set: true, last4: this.token(r).slice(-4) } };
  }
}

function fromRow(r: Row): Stored {
  return {
    tenant: r.tenant,
    tag: r.tag,
    include_personal_data: r.include_personal_data,
    enabled: r.enabled,
    ...pushState(r),
  };
}
