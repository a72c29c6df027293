/**
 * The shape the history API answers with (people and accounts as separate subjects), as the
 * Zendesk app and every other client read it. Types only: the standing log produces it (see
 * connector/app-api/history-source.ts until the person/account model is merged).
 */
export type AccountStatus = 'active' | 'suspended' | 'deactivated' | 'closed' | 'deleted';
export type About = 'person' | 'account';

export interface Current {
  status: AccountStatus;
  since: string;
  seconds_since_change: number;
}

export interface ContractActor {
  type: 'agent' | 'system' | 'customer' | 'integration' | 'unknown';
  id?: string;
  name?: string;
}

export interface ContractEvent {
  id: string;
  seq: number;
  tenant: string;
  kind: string;
  status: { before: AccountStatus | null; after: AccountStatus | null };
  initiation?: { type: 'manual' | 'automatic' | 'customer_initiated' | 'system_error' | 'unknown'; temporary: boolean } | null;
  reason?: { code: string; text?: string } | null;
  conditions?: { code: string; text?: string; met?: boolean }[];
  verification?: { method: string; result: 'passed' | 'failed' | 'pending'; by?: ContractActor; at: string; notes?: string }[];
  approvals?: { by: ContractActor; role: string; decision: 'approved' | 'denied'; at: string; comment?: string }[];
  evidence?: Record<string, unknown>;
  actor: ContractActor;
  source: { system: 'zendesk' | 'salesforce'; object: string; id: string; url?: string | null; event_id: string };
  detected_via: string;
  related_ticket_ids: string[];
  customer?: Record<string, string | undefined>;
  account?: { zendesk_organization_id?: string; salesforce_account_id?: string };
  occurred_at: string;
  recorded_at: string;
  erased: boolean;
  about: About;
}

export interface AccountEntry {
  subject_id: string;
  identities: { zendesk_organization_id?: string; salesforce_account_id?: string };
  current: Current | null;
}

export interface HistoryAnswer {
  tenant: string;
  subject: { kind: About };
  current: Current | null;
  person: { current: Current | null } | null;
  accounts: AccountEntry[];
  events: ContractEvent[];
  next_cursor: string | null;
}
