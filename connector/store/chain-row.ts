/** A log row as the chain and history queries read it, and the record hashed from it. */
import type { ChainRecord, PublicPart } from '../model/chain.ts';

/** A log row as the chain and history queries read it (what the record hashed is built from). */
export interface ChainRow {
  [k: string]: unknown;
  seq: number;
  id: string;
  kind: string;
  status_before: string | null;
  status_after: string | null;
  occurred_at: Date | string;
  recorded_at: Date | string;
  subject_id: string;
  public: PublicPart;
  /** base64, as hashed (see chain-page.sql, history-page.sql). */
  sealed: string;
}

const ISO_UTC_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
/** An instant as ISO 8601 in UTC with milliseconds; text already in that form is returned as is. */
export const iso = (v: unknown) =>
  typeof v === 'string' && ISO_UTC_MS.test(v) ? v : (v instanceof Date ? v : new Date(String(v))).toISOString();

export function toRecord(tenant: string, r: ChainRow): Omit<ChainRecord, 'prev_hash'> {
  return {
    tenant,
    seq: Number(r.seq),
    id: r.id,
    kind: r.kind,
    status_before: r.status_before,
    status_after: r.status_after,
    occurred_at: iso(r.occurred_at),
    recorded_at: iso(r.recorded_at),
    subject_id: r.subject_id,
    public: r.public,
    sealed: r.sealed,
  };
}
