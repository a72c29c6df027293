/** Reading a person's or an account's history from the log, a page at a time. */
import { unseal } from '../model/sealing.ts';
import {
  subjectKindOf,
  type AccountIdentities,
  type AccountStatus,
  type CustomerIdentities,
  type SubjectKind,
} from '../model/standing-event.ts';
import { toRecord, type ChainRow } from './chain-row.ts';
import type { Database } from './database.ts';
import { decodeEvent, sealAad, type StoredStandingEvent } from './event-codec.ts';
import { loadSql } from './sql.ts';
import type { SubjectResolver } from './subject-resolver.ts';
import type { AttributionStore } from './attribution-store.ts';
import { CursorError } from '../lib/errors.ts';

const SQL = {
  historyPage: loadSql('history-page'),
  currentStanding: loadSql('current-standing'),
};

export interface HistoryOptions {
  /** @defaultValue 50 (1..500) */
  limit?: number;
  /** `next_cursor` of the previous page. */
  cursor?: string;
  /**
   * Whose events: the person's own, their accounts', or both (for an account asked directly,
   * `person` gives none).
   * @defaultValue 'all'
   */
  about?: 'all' | SubjectKind;
}

/** A subject's status in force and since when; `null` when no event of it carries a status. */
export type CurrentStanding = { status: AccountStatus; since: string; seconds_since_change: number } | null;

/** An account a history covers: the one asked for, or an account the person asked for belongs to. */
export interface HistoryAccount {
  subject_id: string;
  /** How the account came into this history: asked for, or linked to the person (membership). */
  relation: 'asked' | 'member';
  /** The account's identities as its latest readable event names them (empty once erased). */
  identities: AccountIdentities | Record<string, never>;
  current: CurrentStanding;
  /** For a member account: when the membership was first seen. */
  linked_since: string | null;
}

// Keyed by a history's events array, which every copy of the answer (`{tenant, ...history}`)
// shares: the read audit learns the subjects without a field in the answer's JSON.
const subjectsOfHistory = new WeakMap<object, readonly string[]>();

/** The subjects whose data a history holds (asked for, the accounts it covers), for the read audit. */
export function historySubjectIds(history: { events: readonly object[] }): readonly string[] | undefined {
  return subjectsOfHistory.get(history.events);
}

export interface History {
  /** What was asked about: person identities make it a person's history, account identities an account's. */
  subject: { kind: SubjectKind };
  /** The current standing of what was asked about (the person's, or the account's). */
  current: CurrentStanding;
  /** The person asked for (`null` when an account was asked for). */
  person: { current: CurrentStanding } | null;
  accounts: HistoryAccount[];
  /** Newest first; each says whether it is `about` the person or an account. */
  events: StoredStandingEvent[];
  next_cursor: string | null;
}

export class InvalidCursorError extends CursorError {
  override name = 'InvalidCursorError';
}

const DEFAULT_HISTORY_LIMIT = 50;
const MAX_HISTORY_LIMIT = 500;

interface CoveredSubjectRow {
  subject_id: string;
  kind: SubjectKind;
  asked: boolean;
  wrapped_key: Buffer | null;
  status: AccountStatus | null;
  since: string | null;
  label_id: string | null;
  label_sealed: string | null;
  linked_since: string | null;
  digests: string[];
}

/**
 * A history, found by any identity of a person or an account: its events newest first, and for a
 * person also the events of the accounts they belong to (labelled `about: 'account'`), with each
 * subject's current status. One round trip (two queries side by side): the identities are resolved
 * in SQL, so a subject not seen lately costs no more than one seen a moment ago, and an erasure
 * shows at once.
 */
export async function readHistory(
  db: Database,
  subjects: SubjectResolver,
  attributions: AttributionStore,
  tenant: string,
  identities: Partial<CustomerIdentities>,
  options: HistoryOptions = {},
): Promise<History> {
  const limit = Math.min(Math.max(options.limit ?? DEFAULT_HISTORY_LIMIT, 1), MAX_HISTORY_LIMIT);
  const cursor = options.cursor ? decodeCursor(options.cursor) : null;
  const kind = subjectKindOf(identities);
  const digests = subjects.digests(tenant, identities);
  const empty: History = {
    subject: { kind },
    current: null,
    person: kind === 'person' ? { current: null } : null,
    accounts: [],
    events: [],
    next_cursor: null,
  };
  subjectsOfHistory.set(empty.events, []);
  if (digests.length === 0) return empty;
  const digestsJson = JSON.stringify(digests);
  const [page, covered] = await Promise.all([
    db.query<ChainRow & { about: SubjectKind; wrapped_key: Buffer | null }>(
      SQL.historyPage,
      [tenant, digestsJson, cursor?.t ?? null, cursor?.s ?? 0, limit + 1, options.about ?? 'all'],
      { prepare: true },
    ),
    db.query<CoveredSubjectRow>(SQL.currentStanding, [tenant, digestsJson], { prepare: true }),
  ]);
  const events = page
    .slice(0, limit)
    .map((row) =>
      decodeEvent(toRecord(tenant, row), subjects.keyOf(tenant, row.subject_id, row.wrapped_key), row.about),
    );
  // Attribution records are merged into their events: what a source said later, read from the store, never the API.
  const attributed = await attributions.ofEvents(
    tenant,
    events.map((e) => e.id),
  );
  for (const e of events) {
    const a = attributed.get(e.id);
    if (a) e.attribution = a;
  }
  const last = events.at(-1);
  const now = Date.now();
  const standing = (r: CoveredSubjectRow): CurrentStanding =>
    r.status && r.since
      ? {
          status: r.status,
          since: r.since,
          seconds_since_change: Math.max(0, Math.floor((now - Date.parse(r.since)) / 1000)),
        }
      : null;
  const latest = (rows: CoveredSubjectRow[]) =>
    rows
      .map(standing)
      .filter((c) => c !== null)
      .sort((a, b) => b.since.localeCompare(a.since))[0] ?? null;
  const askedPeople = covered.filter((r) => r.asked && r.kind === 'person');
  const accountRows = covered.filter((r) => r.kind === 'account' && (r.asked || kind === 'person'));
  const accounts = accountRows.map((r): HistoryAccount => ({
    subject_id: r.subject_id,
    relation: r.asked ? 'asked' : 'member',
    identities: accountLabel(subjects, tenant, r, events),
    current: standing(r),
    linked_since: r.linked_since,
  }));
  const person = kind === 'person' ? { current: latest(askedPeople) } : null;
  subjectsOfHistory.set(events, [
    ...new Set([...askedPeople, ...accountRows, ...page.slice(0, limit)].map((r) => r.subject_id)),
  ]);
  return {
    subject: { kind },
    current: kind === 'person' ? person!.current : latest(accountRows.filter((r) => r.asked)),
    person,
    accounts,
    events,
    next_cursor: page.length > limit && last ? encodeCursor(last.occurred_at, last.seq) : null,
  };
}

/**
 * The identities that name an account: from its latest event, or, for an account known only as a
 * person's context, from the page's events that name it (matched by blind index). None once erased.
 */
function accountLabel(
  subjects: SubjectResolver,
  tenant: string,
  r: CoveredSubjectRow,
  page: readonly StoredStandingEvent[],
): HistoryAccount['identities'] {
  const pick = (c: Partial<Record<string, unknown>> | undefined) => {
    const out: Record<string, string> = {};
    for (const k of ['zendesk_organization_id', 'salesforce_account_id'] as const)
      if (typeof c?.[k] === 'string') out[k] = c[k];
    return out as HistoryAccount['identities'];
  };
  const key = subjects.keyOf(tenant, r.subject_id, r.wrapped_key);
  if (!key) return {};
  if (r.label_id && r.label_sealed) {
    const part = JSON.parse(
      unseal(key, Buffer.from(r.label_sealed, 'base64'), sealAad(tenant, r.label_id)).toString('utf8'),
    ) as { customer?: Record<string, unknown> };
    return pick(part.customer);
  }
  const own = new Set(r.digests);
  for (const e of page) {
    if (e.erased || !e.account) continue;
    if (subjects.digests(tenant, e.account).some((d) => own.has(d))) return pick(e.account);
  }
  return {};
}

function encodeCursor(occurredAt: string, seq: number): string {
  return Buffer.from(JSON.stringify({ t: occurredAt, s: seq })).toString('base64url');
}

function decodeCursor(cursor: string): { t: string; s: number } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { t?: unknown; s?: unknown };
    if (typeof v.t === 'string' && !Number.isNaN(Date.parse(v.t)) && Number.isSafeInteger(v.s))
      return { t: v.t, s: v.s as number };
  } catch {
    // fall through
  }
  throw new InvalidCursorError('cursor is not one this API returned');
}
