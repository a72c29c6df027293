/**
 * GDPR erasure of a person, covering every copy the product keeps: the subject's data key (which
 * makes every sealed part of theirs, v2 source ids and tickets included, unreadable), the identity
 * index, the inbox's raw payloads naming them, the field-value history and the app's ticket record
 * of their Zendesk user and tickets. One transaction under the tenant's chain-head lock, which every
 * writer takes too and under which it checks that its subjects are not erased: no process can seal
 * for this person under the destroyed key afterwards, whatever it has cached. An `erasure` entry
 * (no personal data) is appended to the chain for each subject, which still verifies.
 */
import { randomUUID } from 'node:crypto';
import { canonicalChainText, hashChainText, type ChainRecord, type PublicPartV2 } from '../model/chain.ts';
import { loadSql } from '../store/sql.ts';
import type { StandingLog } from '../store/standing-log.ts';
import { collectPerson, inboxOfPerson, loadGdprSql, type PersonIdentities } from './person-data.ts';
import { StandingError } from '../lib/errors.ts';

const SQL = {
  lockHeads: loadSql('lock-chain-heads'),
  advanceHeads: loadSql('chain-advance'),
  activeHolds: loadSql('legal-holds-active'),
  redactInbox: loadGdprSql('inbox-redact'),
  purgeObjects: loadGdprSql('person-objects-purge'),
  record: loadGdprSql('erasure-record'),
};

/** A legal hold on the tenant or on one of the person's subjects: nothing was erased. */
export class LegalHoldBlocksErasureError extends StandingError {
  override name = 'LegalHoldBlocksErasureError';
}

export interface EraseSubjectRequest {
  tenant: string;
  identities: PersonIdentities;
  /** Why (e.g. the request's reference). Kept with the erasure record: it must not name the person. */
  reason: string;
  /** Who erases: a principal label. */
  actor: string;
}

export interface ErasureReport {
  tenant: string;
  /** The person's subjects erased now, each with the seq of its `erasure` entry. */
  subjects: { subject_id: string; erasure_seq: number }[];
  /** Subjects of the person erased before (nothing left to do for them). */
  already_erased: string[];
  inbox_rows_redacted: number;
  field_values_deleted: number;
  tickets_seen_deleted: number;
  erased_at: string;
}

/** The `public` part of an erasure entry: what happened, to which subject (by its pseudonymous id only). */
export const erasurePublic = (subjectId: string): PublicPartV2 => ({
  v: 2,
  initiation: null,
  reason_code: 'gdpr_erasure',
  actor_type: 'system',
  source: { system: 'standing', object: 'subject', event_id: `erasure:${subjectId}` },
  detected_via: 'manual',
});

export async function eraseSubject(log: StandingLog, req: EraseSubjectRequest): Promise<ErasureReport> {
  const { tenant } = req;
  // Read (and decrypt) before the key goes: the person's tickets and identities name what else to remove.
  const person = await collectPerson(log, log.db, tenant, req.identities);
  const live = person.people.filter((p) => p.erased_at === null).map((p) => p.subject_id);
  const inbox = await inboxOfPerson(log.db, tenant, person);
  const report = await log.db.transaction(async (tx) => {
    const [head] = await tx.query<{ seq: number; hash: string }>(SQL.lockHeads, [JSON.stringify([tenant])]);
    const holds = await tx.query<{ hold_id: string; subject_id: string | null }>(SQL.activeHolds, [tenant]);
    const blocking = holds.find(
      (h) => h.subject_id === null || person.people.some((p) => p.subject_id === h.subject_id),
    );
    if (blocking) {
      throw new LegalHoldBlocksErasureError(
        blocking.subject_id === null
          ? `tenant ${tenant} is under a legal hold (${blocking.hold_id}): nothing was erased`
          : `the person is under a legal hold (${blocking.hold_id}): nothing was erased`,
      );
    }
    const [redacted] = await tx.query<{ n: number }>(SQL.redactInbox, [
      tenant,
      JSON.stringify(inbox.map((r) => ({ source: r.source, event_id: r.event_id }))),
    ]);
    const [purged] = await tx.query<{ field_values_deleted: number; tickets_seen_deleted: number }>(SQL.purgeObjects, [
      tenant,
      JSON.stringify(person.identities.zendesk_user_id),
      JSON.stringify(person.ticketIds),
    ]);
    const removed = {
      inbox_rows_redacted: redacted?.n ?? 0,
      field_values_deleted: purged?.field_values_deleted ?? 0,
      tickets_seen_deleted: purged?.tickets_seen_deleted ?? 0,
    };
    const at = new Date().toISOString();
    let link = { seq: Number(head!.seq), hash: head!.hash };
    const inserts: string[] = [];
    const erasures: { subject_id: string; actor: string; reason: string; seq: number; removed: typeof removed }[] = [];
    for (const subjectId of live) {
      const record: ChainRecord = {
        tenant,
        seq: link.seq + 1,
        id: randomUUID(),
        kind: 'erasure',
        status_before: null,
        status_after: null,
        occurred_at: at,
        recorded_at: at,
        subject_id: subjectId,
        public: erasurePublic(subjectId),
        sealed: '',
        prev_hash: link.hash,
      };
      const text = canonicalChainText(record);
      const hash = hashChainText(text);
      inserts.push(`${text.slice(0, -1)},"hash":"${hash}"}`);
      link = { seq: record.seq, hash };
      erasures.push({ subject_id: subjectId, actor: req.actor, reason: req.reason, seq: record.seq, removed });
    }
    if (erasures.length > 0) {
      await tx.query(SQL.record, [tenant, `[${inserts.join(',')}]`, JSON.stringify(erasures)]);
      await tx.query(SQL.advanceHeads, [JSON.stringify([{ tenant, ...link }])]);
    }
    return { erasures, removed, at };
  });
  log.subjects.forget(tenant, live);
  return {
    tenant,
    subjects: report.erasures.map((e) => ({ subject_id: e.subject_id, erasure_seq: e.seq })),
    already_erased: person.people.filter((p) => p.erased_at !== null).map((p) => p.subject_id),
    ...report.removed,
    erased_at: report.at,
  };
}
