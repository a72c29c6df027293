/**
 * Attribution: who made a change and how it came about, learned after the event from a source's own
 * record of that moment (Zendesk's audit log, a ticket's audits). The log is append-only, so what is
 * learned later is a record of its own, linked to the event by its id: an attribution record. Each
 * tenant's attribution records form a hash chain of their own (seq, prev_hash, hash over the JCS text of
 * the record, as the log's rows do: connector/model/attribution-chain.ts). This module is pure types and
 * values: the Zendesk app's contracts import it.
 *
 * What no source knows stays `unknown`, with the reason (`unknown_reason`), never a guess.
 */

/** Where an attribution came from. */
export const ATTRIBUTION_SOURCES = ['zendesk_audit_log', 'zendesk_ticket_audit', 'none'] as const;
export type AttributionSource = (typeof ATTRIBUTION_SOURCES)[number];

/** Why an event stays unattributed: a stable code (the app translates it) and an English sentence. */
export const UNKNOWN_REASONS = [
  'no_audit_log_plan',
  'no_audit_entry',
  'no_ticket_audit',
  'no_api_credentials',
  'not_a_zendesk_event',
  'source_refused',
] as const;
export type UnknownReasonCode = (typeof UNKNOWN_REASONS)[number];

export const ATTRIBUTION_ACTOR_TYPES = ['agent', 'system', 'customer', 'integration', 'unknown'] as const;
export const ATTRIBUTION_INITIATIONS = ['manual', 'automatic', 'customer_initiated', 'unknown'] as const;

/** The rule (a Zendesk trigger or automation) that made a change. */
export interface AttributedRule {
  kind: 'trigger' | 'automation';
  id: string;
  /** The rule's title as the source named it at the time. */
  title?: string;
}

/** What a source said about one event, as Standing keeps it. */
export interface Attribution {
  initiation: (typeof ATTRIBUTION_INITIATIONS)[number];
  actor: {
    type: (typeof ATTRIBUTION_ACTOR_TYPES)[number];
    id?: string;
    /** The actor's display name as of the event (the audit log's `actor_name`), or as read soon after it. */
    name?: string;
    /** The actor's role (`agent`, `admin`, `end-user`) as read when the attribution was made. */
    role?: string;
  };
  rule?: AttributedRule;
  /** Zendesk's `via.channel` (web, api, rule, mail, ...). */
  via?: string;
  source: AttributionSource;
  /** The source's id of the record read: the audit log entry's id, the ticket audit's id. */
  record_id?: string;
  /** What the source said, in its words (`change_description`), kept sealed. */
  said?: string;
  /** When Standing read the source. */
  read_at: string;
  unknown_reason?: { code: UnknownReasonCode; message: string };
}

/** Parts kept in clear: what a report needs without a subject's key. */
export interface AttributionPublic {
  v: 1;
  initiation: Attribution['initiation'];
  actor_type: Attribution['actor']['type'];
  source: AttributionSource;
  record_id: string | null;
  rule_kind: AttributedRule['kind'] | null;
  via: string | null;
  unknown_reason: Attribution['unknown_reason'] | null;
}

/** Parts sealed under the event subject's key: gone with the subject's data on erasure. */
export interface AttributionSealed {
  actor: { id?: string; name?: string; role?: string };
  rule: { id: string; title?: string } | null;
  said: string | null;
}

export function splitAttribution(a: Attribution): { public: AttributionPublic; sealed: AttributionSealed } {
  const { type, ...person } = a.actor;
  return {
    public: {
      v: 1,
      initiation: a.initiation,
      actor_type: type,
      source: a.source,
      record_id: a.record_id ?? null,
      rule_kind: a.rule?.kind ?? null,
      via: a.via ?? null,
      unknown_reason: a.unknown_reason ?? null,
    },
    sealed: {
      actor: person,
      rule: a.rule ? { id: a.rule.id, ...(a.rule.title ? { title: a.rule.title } : {}) } : null,
      said: a.said ?? null,
    },
  };
}

/** Puts an attribution back together; `sealed` is null once the subject's data was erased. */
export function joinAttribution(p: AttributionPublic, sealed: AttributionSealed | null, readAt: string): Attribution {
  const out: Attribution = {
    initiation: p.initiation,
    actor: { type: p.actor_type },
    source: p.source,
    read_at: readAt,
  };
  if (sealed) Object.assign(out.actor, sealed.actor);
  if (p.rule_kind && sealed?.rule) out.rule = { kind: p.rule_kind, ...sealed.rule };
  if (p.via) out.via = p.via;
  if (p.record_id) out.record_id = p.record_id;
  if (sealed?.said) out.said = sealed.said;
  if (p.unknown_reason) out.unknown_reason = p.unknown_reason;
  return out;
}
