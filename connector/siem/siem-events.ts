/**
 * The log as SIEM events: one flat-ish JSON object per log row, in seq order, read page by page
 * (bounded memory whatever the log's size). The shape is pseudonymous by default; `personal` (the
 * customer's identities, the actor's id and name, the reason text, the source's ids and URL, the
 * related ticket ids, and the other sealed parts) is added only when the caller may read personal
 * data, and never for an erased subject, whose key is gone.
 */

import { decodeEvent } from '../store/event-codec.ts';
import { loadSql } from '../store/sql.ts';
import type { ChainRow, StandingLog } from '../store/standing-log.ts';

const SIEM_PAGE = loadSql('siem-page');

/** What a SIEM receives for one log row (docs/compliance.md, "SIEM export"). */
export interface SiemEvent {
  type: 'standing.event';
  seq: number;
  id: string;
  hash: string;
  prev_hash: string;
  tenant: string;
  kind: string;
  status_before: string | null;
  status_after: string | null;
  occurred_at: string;
  recorded_at: string;
  /** Pseudonymous: stable per person or account, names no one. */
  subject_id: string;
  subject_kind: string;
  initiation: string | null;
  initiation_temporary: boolean | null;
  reason_code: string | null;
  actor_type: string;
  source: { system: string; object: string };
  detected_via: string;
  /** The subject's key was destroyed (GDPR erasure): its personal parts no longer exist. */
  erased: boolean;
  /** Only for callers holding `personal_data.read`, and never once erased. */
  personal?: Record<string, unknown>;
}

export interface SiemReadOptions {
  /** Rows with a seq above this. @defaultValue 0 (from the start of the retained chain) */
  afterSeq?: number;
  /** Most rows in all. @defaultValue no limit */
  limit?: number;
  /** Whether `personal` is filled in (for non-erased subjects). @defaultValue false */
  personalData?: boolean;
  /** Rows read per query. @defaultValue 500 */
  pageSize?: number;
}

export const DEFAULT_SIEM_READ = { afterSeq: 0, personalData: false, pageSize: 500 } as const;

/** `seq` is a bigint: it may arrive as text (converted where read). */
interface SiemRow extends ChainRow {
  prev_hash: string;
  hash: string;
  subject_kind: 'person' | 'account';
  wrapped_key: Buffer | null;
}

const iso = (v: Date | string) => (v instanceof Date ? v : new Date(v)).toISOString();

/** A tenant's log rows after `afterSeq` as SIEM events, page by page. */
export async function* siemEvents(
  log: StandingLog,
  tenant: string,
  options: SiemReadOptions = {},
): AsyncGenerator<SiemEvent> {
  const o = { ...DEFAULT_SIEM_READ, ...options };
  let after = o.afterSeq;
  let left = o.limit ?? Number.POSITIVE_INFINITY;
  while (left > 0) {
    const size = Math.min(o.pageSize, left);
    const page = await log.db.query<SiemRow>(SIEM_PAGE, [tenant, after, size, null]);
    for (const row of page) yield toSiemEvent(log, tenant, row, o.personalData);
    left -= page.length;
    if (page.length < size) return;
    after = Number(page.at(-1)!.seq);
  }
}

function toSiemEvent(log: StandingLog, tenant: string, r: SiemRow, personalData: boolean): SiemEvent {
  const p = r.public;
  const out: SiemEvent = {
    type: 'standing.event',
    seq: Number(r.seq),
    id: r.id,
    hash: r.hash,
    prev_hash: r.prev_hash,
    tenant,
    kind: r.kind,
    status_before: r.status_before,
    status_after: r.status_after,
    occurred_at: iso(r.occurred_at),
    recorded_at: iso(r.recorded_at),
    subject_id: r.subject_id,
    subject_kind: r.subject_kind,
    initiation: p.initiation?.type ?? null,
    initiation_temporary: p.initiation?.temporary ?? null,
    reason_code: p.reason_code ?? null,
    actor_type: p.actor_type,
    source: { system: p.source.system, object: p.source.object },
    detected_via: p.detected_via,
    erased: r.wrapped_key === null,
  };
  if (!personalData || r.wrapped_key === null) return out;
  const key = log.subjects.keyOf(tenant, r.subject_id, r.wrapped_key);
  const record = {
    tenant,
    seq: out.seq,
    id: r.id,
    kind: r.kind,
    status_before: r.status_before,
    status_after: r.status_after,
    occurred_at: out.occurred_at,
    recorded_at: out.recorded_at,
    subject_id: r.subject_id,
    public: p,
    sealed: r.sealed,
  };
  const e = decodeEvent(record, key, r.subject_kind);
  if (e.erased) return { ...out, erased: true };
  out.personal = {
    customer: e.customer,
    ...(e.account ? { account: e.account } : {}),
    actor: {
      ...(e.actor.id !== undefined ? { id: e.actor.id } : {}),
      ...(e.actor.name !== undefined ? { name: e.actor.name } : {}),
    },
    reason_text: e.reason?.text ?? null,
    source: { id: e.source.id, url: e.source.url ?? null, event_id: e.source.event_id },
    related_ticket_ids: e.related_ticket_ids,
    conditions: e.conditions,
    verification: e.verification,
    approvals: e.approvals,
    evidence: e.evidence,
  };
  return out;
}
