/** What the connector's app endpoints answer (connector/history/history-contract.ts, sidebar-routes.ts). */
export type Status = 'active' | 'suspended' | 'deactivated' | 'closed' | 'deleted';
export type About = 'person' | 'account';

export interface Current {
  status: Status;
  since: string;
  seconds_since_change: number;
}

export interface Actor {
  type: string;
  id?: string;
  name?: string;
}

export interface HistoryEvent {
  id: string;
  seq: number;
  kind: string;
  status: { before: Status | null; after: Status | null };
  initiation?: { type: string; temporary: boolean } | null;
  reason?: { code: string; text?: string } | null;
  verification?: { method: string; result: string; by?: Actor; at: string; notes?: string }[];
  approvals?: { by: Actor; role: string; decision: 'approved' | 'denied'; at: string; comment?: string }[];
  actor: Actor;
  source: { system: string; object: string; id: string; url?: string | null; event_id: string };
  related_ticket_ids: string[];
  occurred_at: string;
  erased: boolean;
  about: About;
}

export interface Warning {
  code: string;
  about: About;
  event_ids: string[];
  details: Record<string, string | number>;
  message: string;
}

export interface SidebarAnswer {
  tenant: string;
  current: Current | null;
  person: { current: Current | null } | null;
  accounts: { subject_id: string; identities: Record<string, string>; current: Current | null }[];
  events: HistoryEvent[];
  next_cursor: string | null;
  warnings: Warning[];
  synced_at: string;
  ticket: { id: string; requester_id: string | null; organization_id: string | null };
}

export interface Problem {
  path: string;
  message: string;
}

export interface AdminMapping {
  version: number;
  document: unknown;
  changed_by: string | null;
  changed_at: string | null;
  is_default?: boolean;
}

export interface PreviewRow {
  event_id: string;
  received_at: string;
  type: string;
  current_state: string;
  outcome: string;
  events?: { kind: string; status: { before: string | null; after: string | null }; reason_code: string | null }[];
  reason?: string;
  problems?: Problem[];
}
export interface PreviewAnswer {
  events: PreviewRow[];
}

export interface QuarantinedEvent {
  source: string;
  event_id: string;
  received_at: string;
  reason: string;
  problems: Problem[];
  body: unknown;
}
export interface QuarantinePage {
  events: QuarantinedEvent[];
  next_cursor: string | null;
}

/** One reconciliation or backfill run (GET /api/v1/tenants/{tenant}/reconciliation/runs). */
export interface ReconciliationRun {
  id: string;
  source: 'zendesk' | 'salesforce';
  trigger: 'schedule' | 'backfill';
  state: 'running' | 'completed' | 'partial' | 'failed';
  started_at: string;
  ended_at: string | null;
  pages: number;
  records_read: number;
  events_appended: number;
  drift_found: number;
  errors: { stream: string; message: string }[];
}

/** A key created or revoked, as the read audit records it (`GET /app/v1/{tenant}/admin/key-records`). */
export interface KeyRecord {
  seq: number;
  at: string;
  action: 'key.create' | 'key.revoke';
  principal: { type: string; label: string; role: string | null };
  path: string;
  detail: { key_id: string; role: 'agent' | 'admin' | 'auditor'; name: string };
}
