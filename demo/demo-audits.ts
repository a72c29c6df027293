/**
 * What the demo's Zendesk would have recorded of its changes (demo-data.ts, same times): audit log
 * entries for the user and organization changes (who, in Zendesk's words), the audits of ticket 1001
 * (who updated it, and the trigger that suspended Dana), and the agents. Served by the local
 * Zendesk stand-in (zendesk-stand-in.ts), so the sidebar shows names, kinds and rules. One of Sam's
 * changes has no audit entry on purpose: the sidebar says why it stays unknown.
 */
import { AGENTS, D, H, iso, ORG, PEOPLE } from './demo-data.ts';
import type { StandInAuditLog, StandInTicketAudit, ZendeskStandInData } from './zendesk-stand-in.ts';

const SECOND = 1000;
/** Zendesk's own actor id for changes it made itself (automations, system jobs). */
const ZENDESK_SYSTEM = -1;
/** The trigger that suspends an account when a fraud review is opened. */
export const FRAUD_TRIGGER = { id: 360_004_417, title: 'Fraud auto-suspend' };

type Agent = (typeof AGENTS)[keyof typeof AGENTS];

function entry(
  id: number,
  at: string,
  who: Agent | { id: number; name: string },
  source: { type: 'user' | 'organization'; id: string; label: string },
  description: string,
): StandInAuditLog {
  return {
    id,
    action: 'update',
    actor_id: Number(who.id),
    actor_name: who.name,
    change_description: description,
    created_at: new Date(Date.parse(at) + SECOND).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    source_id: Number(source.id),
    source_type: source.type,
    source_label: source.label,
    ip_address: null,
  };
}

function audit(id: number, at: string, author: string, events: Record<string, unknown>[]): StandInTicketAudit {
  return {
    id,
    ticket_id: 1001,
    author_id: Number(author),
    created_at: at,
    via: { channel: 'web', source: { from: {}, to: {}, rel: null } },
    events,
  };
}

const change = (value: string, previous: string, via?: Record<string, unknown>) => ({
  type: 'Change',
  field_name: '360001122',
  value,
  previous_value: previous,
  ...(via ? { via } : {}),
});

export function demoZendeskRecords(now: number): ZendeskStandInData {
  const sam = { type: 'user' as const, id: PEOPLE.sam.id, label: PEOPLE.sam.name };
  const org = { type: 'organization' as const, id: ORG.id, label: ORG.name };
  const status = (to: string, from: string) => `Account status changed from ${from} to ${to}`;
  const { alex, tara, ada } = AGENTS;
  const billing = { id: ZENDESK_SYSTEM, name: 'Zendesk' };
  const auditLogs = [
    entry(5_001, iso(now, 20 * D), billing, org, status('suspended_billing', 'active')),
    entry(5_002, iso(now, 19 * D), ada, org, status('active', 'suspended_billing')),
    entry(5_101, iso(now, 60 * D), alex, sam, status('suspended_billing', 'active')),
    entry(5_102, iso(now, 58 * D), alex, sam, status('active', 'suspended_billing')),
    entry(5_103, iso(now, 40 * D), ada, sam, status('suspended_billing', 'active')),
    entry(5_104, iso(now, 39 * D), { id: Number(PEOPLE.sam.id), name: PEOPLE.sam.name }, sam, 'Paid the open invoice'),
    // 20 days ago: no entry (the change came through a channel the audit log does not record).
    entry(5_106, iso(now, 18 * D), tara, sam, status('active', 'suspended_billing')),
    entry(5_107, iso(now, 2 * D), alex, sam, status('suspended_billing', 'active')),
  ];
  const trigger = { channel: 'rule', source: { from: { ...FRAUD_TRIGGER, deleted: false }, rel: 'trigger' } };
  const ticketAudits = [
    audit(8_001, iso(now, 6 * D), alex.id, [
      { type: 'Change', field_name: 'tags', value: ['fraud_review'], previous_value: [] },
      change('suspended', 'active', trigger),
    ]),
    audit(8_002, iso(now, 5 * D), PEOPLE.dana.id, [{ type: 'Comment', body: '(reinstatement request)', public: true }]),
    audit(8_003, iso(now, 5 * D - 2 * H), alex.id, [{ type: 'Comment', body: '(ID checked)', public: false }]),
    audit(8_004, iso(now, 5 * D - 3 * H), tara.id, [{ type: 'Comment', body: '(approved)', public: false }]),
    audit(8_005, iso(now, 5 * D - 4 * H), alex.id, [change('active', 'suspended')]),
  ];
  const users = [
    ...Object.values(AGENTS).map((a) => ({
      id: Number(a.id),
      name: a.name,
      email: `${a.id}@demo.example`,
      role: a.role,
    })),
    ...Object.values(PEOPLE).map((p) => ({
      id: Number(p.id),
      name: p.name,
      email: p.email,
      role: 'end-user',
      organization_id: p.org ? Number(p.org) : null,
      external_id: null,
    })),
  ];
  return {
    auditLogs,
    ticketAudits,
    users,
    organizations: [{ id: Number(ORG.id), name: ORG.name, external_id: ORG.external_id }],
  };
}
