/**
 * THE ONE FILE TO CHANGE AT MERGE TIME. Adapts today's `StandingLog.history` (one merged customer
 * per query) to the history contract (connector/history/history-contract.ts: people and accounts as
 * separate subjects). Once the log answers the contract itself, `historyFor` becomes a call of
 * `log.history(tenant, identities, {about, limit, cursor})` and this file shrinks to that.
 *
 * Until then: the person's and the account's histories are read side by side, events are tagged
 * `about` by the object they were seen on (a Zendesk organization / Salesforce Account is the
 * account), merged newest first and deduplicated by id; the cursor is the log's own (occurred_at,
 * seq) position, which both queries accept.
 */
import { createHash } from 'node:crypto';
import type { StandingLog } from '../store/standing-log.ts';
import type { StoredStandingEvent } from '../store/event-codec.ts';
import type { About, AccountEntry, ContractEvent, Current, HistoryAnswer } from '../history/history-contract.ts';

export interface PersonIdentities {
  zendesk_user_id?: string;
  email?: string;
  salesforce_contact_id?: string;
}
export interface AccountIdentities {
  zendesk_organization_id?: string;
  salesforce_account_id?: string;
}

export interface HistoryAsk {
  person?: PersonIdentities;
  account?: AccountIdentities;
  about: 'all' | About;
  limit: number;
  cursor?: string;
}

export type HistorySource = (tenant: string, ask: HistoryAsk) => Promise<HistoryAnswer>;

const ACCOUNT_OBJECTS = new Set(['organization', 'Account']);
const present = <T extends object>(o: T | undefined): o is T => o !== undefined && Object.values(o).some((v) => v !== undefined);

function aboutOf(e: StoredStandingEvent): About {
  return ACCOUNT_OBJECTS.has(e.source.object) ? 'account' : 'person';
}

function toContract(e: StoredStandingEvent): ContractEvent {
  const customer = 'customer' in e ? (e.customer as Record<string, string | undefined>) : undefined;
  const account = customer && (customer.zendesk_organization_id || customer.salesforce_account_id)
    ? { zendesk_organization_id: customer.zendesk_organization_id, salesforce_account_id: customer.salesforce_account_id }
    : undefined;
  return { ...(e as unknown as Omit<ContractEvent, 'about'>), account, about: aboutOf(e) };
}

/** A stable pseudo subject id (uuid-shaped) for an account, until the log has real account subjects. */
function accountSubjectId(tenant: string, ids: AccountIdentities): string {
  const h = createHash('sha256').update(`${tenant}\u0000${ids.zendesk_organization_id ?? ''}\u0000${ids.salesforce_account_id ?? ''}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function encodeCursor(occurredAt: string, seq: number): string {
  return Buffer.from(JSON.stringify({ t: occurredAt, s: seq })).toString('base64url');
}

export function logHistorySource(log: StandingLog): HistorySource {
  return async (tenant, ask) => {
    const wantPerson = present(ask.person);
    const wantAccount = present(ask.account);
    const options = { limit: ask.limit, cursor: ask.cursor };
    const [person, account] = await Promise.all([
      wantPerson ? log.history(tenant, ask.person!, options) : null,
      wantAccount ? log.history(tenant, ask.account!, options) : null,
    ]);
    const seen = new Set<string>();
    const merged: ContractEvent[] = [];
    for (const e of [...(person?.events ?? []), ...(account?.events ?? [])]) {
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      const c = toContract(e);
      if (ask.about === 'all' || c.about === ask.about) merged.push(c);
    }
    merged.sort((a, b) => b.occurred_at.localeCompare(a.occurred_at) || b.seq - a.seq);
    const page = merged.slice(0, ask.limit);
    const more = merged.length > ask.limit || person?.next_cursor != null || account?.next_cursor != null;
    const last = page.at(-1);
    const accounts: AccountEntry[] = wantAccount ? [{ subject_id: accountSubjectId(tenant, ask.account!), identities: { ...ask.account }, current: (account?.current as Current | null) ?? null }] : [];
    const personCurrent = (person?.current as Current | null) ?? null;
    return {
      tenant,
      subject: { kind: wantPerson ? 'person' : 'account' },
      current: wantPerson ? personCurrent : (accounts[0]?.current ?? null),
      person: wantPerson ? { current: personCurrent } : null,
      accounts,
      events: page,
      next_cursor: more && last ? encodeCursor(last.occurred_at, last.seq) : null,
    };
  };
}
