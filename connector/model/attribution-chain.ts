/**
 * The hash chain of a tenant's attribution records (connector/model/attribution.ts): each record's hash
 * is SHA-256 (hex) of the JCS text (RFC 8785) of the record with `type: 'standing.attribution'`, its
 * `prev_hash` the previous record's hash (64 zeros for the first).
 */
import { hash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AttributionPublic } from './attribution.ts';
import { GENESIS_HASH } from './chain.ts';

/** Exactly what is hashed for one attribution record. */
export interface AttributionChainRecord {
  tenant: string;
  seq: number;
  id: string;
  event_id: string;
  event_seq: number;
  subject_id: string;
  read_at: string;
  public: AttributionPublic;
  /** base64 of the AES-256-GCM envelope of the sealed part. */
  sealed: string;
  prev_hash: string;
}

export const ATTRIBUTION_GENESIS_HASH = GENESIS_HASH;

export function hashAttributionRecord(r: AttributionChainRecord): string {
  const text = canonicalize({ ...r, type: 'standing.attribution' });
  if (text === undefined) throw new TypeError('attribution record is not serializable');
  return hash('sha256', text, 'hex');
}

export const attributionAad = (tenant: string, id: string) => `attribution:${tenant}:${id}`;
