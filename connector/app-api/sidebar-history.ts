/**
 * The history the Zendesk app reads, from the standing log: the ticket's requester (a person) and
 * their organization (an account) asked for together, so the answer holds the person's events, the
 * organization's (asked for, or linked to the person), each labelled `about`, and each subject's
 * current standing (connector/contracts/history.ts).
 */
import type { StandingLog } from '../store/standing-log.ts';
import type { About, History } from '../contracts/index.ts';

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

export type SidebarHistory = (tenant: string, ask: HistoryAsk) => Promise<History>;

export function sidebarHistoryFromLog(log: StandingLog): SidebarHistory {
  return (tenant, ask) =>
    log.history(tenant, { ...ask.account, ...ask.person }, { about: ask.about, limit: ask.limit, cursor: ask.cursor });
}
