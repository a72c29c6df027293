/**
 * The read audit: every read and export of a customer's history, every denied attempt, and every
 * API key created or revoked (who can read is part of who read), as a row of `access_audit`, hash-chained per tenant
 * (denials not tied to a tenant on the chain of tenant `*`). Rows name subjects by uuid only, never by an identity, so
 * an erasure (which removes the identities and the key) leaves nothing readable here. Migration 011 makes the table
 * append-only and gives the service role INSERT and SELECT only.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { roleOf } from '../access/permissions.ts';
import { principalLabel, type Principal } from '../access/principal.ts';
import type { DeniedAttempt } from '../access/authorize.ts';
import { describeIssues, TenantId } from '../model/standing-event.ts';
import type { ChainBreak } from '../model/chain.ts';
import type { SqlClient } from '../store/database.ts';
import { loadSql } from '../store/sql.ts';
import {
  GENESIS_HASH,
  auditChainTemplate,
  checkAuditLinks,
  type AuditDetail,
  type AuditPrincipal,
  type StoredAuditRow,
} from './audit-chain.ts';
import { StandingError } from '../lib/errors.ts';
import { problemsText } from '../lib/problems.ts';

const SQL = {
  append: loadSql('access-audit-append'),
  page: loadSql('access-audit-page'),
};

/** The chain of denials not tied to a tenant (an unknown tenant, a global route). */
export const GLOBAL_AUDIT_TENANT = '*';

/** Reads and exports of customers' data. */
export const READ_ACTIONS = [
  'history.read',
  'log.export',
  'subject.access_export',
  'siem.export',
  'insights.customers',
] as const;
/** A tenant's API key created or revoked: the records the tenant's admins see too. */
export const KEY_ACTIONS = ['key.create', 'key.revoke'] as const;
/** A step an agent recorded in a customer's history through the Zendesk app (a write, by a proven agent). */
export const WRITE_ACTIONS = ['standing.record'] as const;
export const ACCESS_ACTIONS = [...READ_ACTIONS, ...KEY_ACTIONS, ...WRITE_ACTIONS, 'denied'] as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[number];
export type KeyAction = (typeof KEY_ACTIONS)[number];

/** An allowed read or export of customers' data. */
export interface ReadAuditEntry {
  tenant: string;
  /** Who read; `null` only if nobody was authenticated (not for an allowed read in practice). */
  principal: Principal | null;
  action: (typeof READ_ACTIONS)[number];
  /** How: e.g. `GET /api/v1/history`, `app sidebar`, `cli export`. */
  path: string;
  /** The subjects whose data was returned; empty for a whole-tenant export. */
  subject_ids: readonly string[];
  /** No personal data: identity kinds, counts, never an identity's value. @defaultValue {} */
  detail?: AuditDetail;
}

/** A tenant's API key created or revoked: who did it (the row's principal), and which key. */
export interface KeyAuditEntry {
  tenant: string;
  principal: Principal;
  action: KeyAction;
  /** How: e.g. `POST /api/v1/tenants/acme/keys`, `cli key revoke`. */
  path: string;
  /** The key: its id, role and name (what it is for), never its secret. */
  key: { key_id: string; role: string; name: string };
}

/** An event an agent recorded: who (the proven agent), how, and which log entry; no customer data. */
export interface WriteAuditEntry {
  tenant: string;
  principal: Principal;
  action: (typeof WRITE_ACTIONS)[number];
  /** How: e.g. `app action approve`. */
  path: string;
  /** The log entries written (uuids), with their kinds; a repeated request names the entry it repeated. */
  detail: { event_ids: string; kinds: string; duplicate: 'yes' | 'no' };
}

export interface AuditListOptions {
  /** Rows after this seq (the previous page's `next_after_seq`). @defaultValue 0 */
  after_seq?: number;
  /** @defaultValue 100 (1..1000) */
  limit?: number;
  /** Only rows naming this subject. @defaultValue all */
  subject_id?: string;
  /** Only rows of this action, or of any of these. @defaultValue all */
  action?: AccessAction | readonly AccessAction[];
}

export type AuditRow = StoredAuditRow;

export interface AuditPage {
  entries: AuditRow[];
  /** Pass as `after_seq` for the next page; `null` when this page is the last. */
  next_after_seq: number | null;
}

export type AuditVerifyReport =
  | { tenant: string; ok: true; checked: number; head: { seq: number; hash: string } }
  | { tenant: string; ok: false; checked: number; broken: ChainBreak };

export interface AccessAuditOptions {
  /** Rows read per query while verifying. @defaultValue 5000 */
  verifyPageSize?: number;
}

export const AUDIT_LIST_LIMIT = { default: 100, max: 1000 } as const;
const DEFAULTS = { verifyPageSize: 5000 } as const;

/** An entry that is not one the audit accepts (a programming error: callers build entries). */
export class InvalidAuditEntryError extends StandingError {
  override name = 'InvalidAuditEntryError';
}

const SubjectIds = z
  .array(z.uuid({ error: 'must be a uuid' }).transform((s) => s.toLowerCase()))
  .max(10_000)
  .transform((ids) => [...new Set(ids)]);
const Path = z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
const ChainTenant = z.union([TenantId, z.literal(GLOBAL_AUDIT_TENANT)]);
const ReadEntry = z.object({ tenant: TenantId, path: Path, subject_ids: SubjectIds, action: z.enum(READ_ACTIONS) });
const KeyEntry = z.object({
  tenant: TenantId,
  path: Path,
  action: z.enum(KEY_ACTIONS),
  key: z.object({
    key_id: z.string().regex(/^[0-9a-f]{16}$/),
    role: z.string().min(1).max(20),
    name: z.string().min(1).max(200),
  }),
});

const WriteEntry = z.object({
  tenant: TenantId,
  path: Path,
  action: z.enum(WRITE_ACTIONS),
  detail: z.object({
    event_ids: z.string().regex(/^[0-9a-f-]{36}(,[0-9a-f-]{36})*$/),
    kinds: z.string().max(200),
    duplicate: z.enum(['yes', 'no']),
  }),
});

/** How a principal is recorded: stable label and role, no secret, no customer data. */
export function auditPrincipal(p: Principal | null): AuditPrincipal {
  if (p === null) return { type: 'anonymous', label: 'anonymous', role: null };
  const out: AuditPrincipal = { type: p.type, label: principalLabel(p), role: roleOf(p) };
  if (p.type !== 'operator') out.tenant = p.tenant;
  return out;
}

export class AccessAudit {
  private readonly verifyPageSize: number;

  constructor(
    readonly db: SqlClient,
    options: AccessAuditOptions = {},
  ) {
    this.verifyPageSize = options.verifyPageSize ?? DEFAULTS.verifyPageSize;
  }

  /** Records an allowed read or export: one statement. Throws if it cannot be written; then do not serve the read. */
  async record(entry: ReadAuditEntry): Promise<{ seq: number; hash: string }> {
    const parsed = ReadEntry.safeParse(entry);
    if (!parsed.success)
      throw new InvalidAuditEntryError(
        `audit entry: ${describeIssues(parsed.error)
          .map((p) => `${p.path}: ${p.message}`)
          .join('; ')}`,
      );
    const { tenant, path, subject_ids, action } = parsed.data;
    return this.append(tenant, {
      action,
      principal: auditPrincipal(entry.principal),
      path,
      subject_ids,
      outcome: 'allowed',
      detail: entry.detail ?? {},
    });
  }

  /**
   * Records a key created or revoked. Throws if it cannot be written: callers run it in the
   * transaction that creates or revokes the key, so a key no auditor can see is never issued.
   */
  async recordKeyChange(entry: KeyAuditEntry): Promise<{ seq: number; hash: string }> {
    const parsed = KeyEntry.safeParse(entry);
    if (!parsed.success)
      throw new InvalidAuditEntryError(
        `audit entry: ${describeIssues(parsed.error)
          .map((p) => `${p.path}: ${p.message}`)
          .join('; ')}`,
      );
    const { tenant, path, action, key } = parsed.data;
    return this.append(tenant, {
      action,
      principal: auditPrincipal(entry.principal),
      path,
      subject_ids: [],
      outcome: 'allowed',
      detail: { ...key },
    });
  }

  /** Records an event written by an agent; throws if it cannot be written (the caller answers 503). */
  async recordWrite(entry: WriteAuditEntry): Promise<{ seq: number; hash: string }> {
    const parsed = WriteEntry.safeParse(entry);
    if (!parsed.success) throw new InvalidAuditEntryError(`audit entry: ${problemsText(describeIssues(parsed.error))}`);
    return this.append(parsed.data.tenant, {
      action: parsed.data.action,
      principal: auditPrincipal(entry.principal),
      path: parsed.data.path,
      subject_ids: [],
      outcome: 'allowed',
      detail: { ...parsed.data.detail },
    });
  }

  /** Records a denied attempt on the tenant's chain, or on `*` when it is not about a tenant. */
  async recordDenied(attempt: DeniedAttempt): Promise<{ seq: number; hash: string }> {
    const valid = attempt.tenant !== null && TenantId.safeParse(attempt.tenant).success;
    // Only a registered tenant gets the refusal in its chain: names anyone can type must not create chains.
    const known = valid && (await this.db.query('SELECT 1 FROM tenants WHERE id = $1', [attempt.tenant])).length > 0;
    const tenant = known ? attempt.tenant! : GLOBAL_AUDIT_TENANT;
    const path = Path.safeParse(attempt.path);
    const detail: Record<string, string> = { permission: attempt.permission, reason: attempt.reason.slice(0, 200) };
    // A tenant id that is not valid is what the caller typed: kept out, it may be anything.
    if (attempt.tenant !== null && !valid) detail.tenant = 'invalid';
    else if (attempt.tenant !== null && !known) detail.tenant = 'unknown';
    return this.append(tenant, {
      action: 'denied',
      principal: auditPrincipal(attempt.principal),
      path: path.success ? path.data : attempt.path.slice(0, 200) || '?',
      subject_ids: [],
      outcome: 'denied',
      detail,
    });
  }

  private async append(
    tenant: string,
    row: Omit<StoredAuditRow, 'tenant' | 'seq' | 'id' | 'at' | 'prev_hash' | 'hash'>,
  ): Promise<{ seq: number; hash: string }> {
    const full = { tenant, id: randomUUID(), at: new Date().toISOString(), ...row };
    const [a, b, c] = auditChainTemplate(full);
    const [out] = await this.db.query<{ seq: number; hash: string }>(SQL.append, [
      tenant,
      a,
      b,
      c,
      JSON.stringify(full),
    ]);
    return { seq: Number(out!.seq), hash: out!.hash };
  }

  /** Whether `tenant` is registered or has an audit chain (`*` always is). */
  async known(tenant: string): Promise<boolean> {
    if (tenant === GLOBAL_AUDIT_TENANT) return true;
    const rows = await this.db.query(
      'SELECT 1 FROM tenants WHERE id = $1 UNION ALL SELECT 1 FROM access_audit_heads WHERE tenant = $1 LIMIT 1',
      [tenant],
    );
    return rows.length > 0;
  }

  /** A page of a tenant's audit rows in seq order (`*`: denials not tied to a tenant). */
  async list(tenant: string, options: AuditListOptions = {}): Promise<AuditPage> {
    const limit = Math.min(Math.max(options.limit ?? AUDIT_LIST_LIMIT.default, 1), AUDIT_LIST_LIMIT.max);
    const action =
      options.action === undefined ? null : typeof options.action === 'string' ? [options.action] : [...options.action];
    const rows = await this.page(tenant, {
      after: options.after_seq ?? 0,
      subject: options.subject_id?.toLowerCase() ?? null,
      actions: action,
      limit: limit + 1,
      until: null,
    });
    const entries = rows.slice(0, limit);
    return { entries, next_after_seq: rows.length > limit ? entries.at(-1)!.seq : null };
  }

  /**
   * Walks a tenant's audit chain up to its head as read when the walk began (appends meanwhile are
   * not read): each row links to the one before and hashes to what it says, and the last is the head.
   */
  async verify(tenant: string): Promise<AuditVerifyReport> {
    ChainTenant.parse(tenant);
    const [head] = await this.db.query<{ seq: number; hash: string }>(
      'SELECT seq, hash FROM access_audit_heads WHERE tenant = $1',
      [tenant],
    );
    const expected = head ? { seq: Number(head.seq), hash: head.hash } : { seq: 0, hash: GENESIS_HASH };
    let last = { seq: 0, hash: GENESIS_HASH };
    let checked = 0;
    for (;;) {
      const rows = await this.page(tenant, {
        after: last.seq,
        subject: null,
        actions: null,
        limit: this.verifyPageSize,
        until: expected.seq,
      });
      const result = checkAuditLinks(last, rows);
      checked += result.checked;
      if (!result.ok) return { tenant, ok: false, checked, broken: result.broken };
      last = result.last;
      if (rows.length < this.verifyPageSize) break;
    }
    if (last.seq !== expected.seq || last.hash !== expected.hash) {
      return {
        tenant,
        ok: false,
        checked,
        broken: {
          seq: last.seq + 1,
          problem: 'head_mismatch',
          expected: `head at seq ${expected.seq} (${expected.hash})`,
          found: `chain ends at seq ${last.seq} (${last.hash})`,
        },
      };
    }
    return { tenant, ok: true, checked, head: last };
  }

  private async page(
    tenant: string,
    q: { after: number; subject: string | null; actions: string[] | null; limit: number; until: number | null },
  ): Promise<AuditRow[]> {
    const rows = await this.db.query<AuditRow>(SQL.page, [tenant, q.after, q.subject, q.actions, q.limit, q.until]);
    return rows.map((r) => ({
      tenant: r.tenant,
      seq: Number(r.seq),
      id: r.id,
      at: r.at,
      action: r.action,
      principal: r.principal,
      path: r.path,
      subject_ids: r.subject_ids,
      outcome: r.outcome,
      detail: r.detail,
      prev_hash: r.prev_hash,
      hash: r.hash,
    }));
  }

  /** Every allowed read that returned any of these subjects, oldest first (the GDPR access export lists them). */
  async readsOf(
    tenant: string,
    subjectIds: readonly string[],
  ): Promise<{ seq: number; at: string; action: string; principal: unknown; path: string }[]> {
    const bySeq = new Map<number, { seq: number; at: string; action: string; principal: unknown; path: string }>();
    for (const subject_id of new Set(subjectIds)) {
      let after_seq: number | undefined;
      do {
        const page = await this.list(tenant, { subject_id, after_seq, limit: 1000 });
        for (const e of page.entries)
          if (e.outcome === 'allowed')
            bySeq.set(e.seq, { seq: e.seq, at: e.at, action: e.action, principal: e.principal, path: e.path });
        after_seq = page.next_after_seq ?? undefined;
      } while (after_seq !== undefined);
    }
    return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  }
}
