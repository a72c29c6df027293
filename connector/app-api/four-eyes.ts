/**
 * Four eyes on a reinstatement: whoever requested it or recorded one of its verification steps may
 * not decide it. Pure: reads a subject's events (newest first) as the log answers them.
 */
import type { StandingEvent } from '../contracts/index.ts';
import type { WorkplaceSettings } from './workplace-settings.ts';
import type { AgentSession } from './agent-session.ts';

/** Kinds that close a reinstatement request: it was decided, or the account was reinstated. */
const CLOSING = new Set<StandingEvent['kind']>(['reinstatement_approved', 'reinstatement_denied', 'reinstatement']);

export interface OpenRequest {
  request: StandingEvent;
  /** Verification steps recorded since the request, newest first. */
  verifications: StandingEvent[];
  /** Zendesk user ids of everyone who requested or verified. */
  participants: Set<string>;
}

/** The newest reinstatement request not yet decided, with its verification steps; null when there is none. */
export function openRequest(events: readonly StandingEvent[]): OpenRequest | null {
  const verifications: StandingEvent[] = [];
  for (const e of events) {
    if (CLOSING.has(e.kind)) return null;
    if (e.kind === 'verification_recorded') verifications.push(e);
    if (e.kind === 'reinstatement_requested') {
      const ids = [e, ...verifications].flatMap((v) => [
        v.actor.type === 'agent' ? v.actor.id : undefined,
        ...(v.verification ?? []).map((s) => s.by?.id),
      ]);
      return { request: e, verifications, participants: new Set(ids.filter((i): i is string => !!i)) };
    }
  }
  return null;
}

export type Decision =
  | { ok: true }
  | { ok: false; status: 409 | 403; code: 'no_open_request' | 'four_eyes' | 'not_an_approver'; message: string };

/** May this agent approve or deny the subject's open request? Four eyes first, then the tenant's approvers. */
export function mayDecide(
  events: readonly StandingEvent[],
  agent: AgentSession,
  approvers: WorkplaceSettings['approvers'],
): Decision {
  const open = openRequest(events);
  if (!open)
    return {
      ok: false,
      status: 409,
      code: 'no_open_request',
      message: 'there is no open reinstatement request to decide: record the request first',
    };
  if (open.participants.has(agent.zendesk_user_id)) {
    const requested = open.request.actor.id === agent.zendesk_user_id;
    return {
      ok: false,
      status: 409,
      code: 'four_eyes',
      message:
        `four eyes: you ${requested ? 'requested this reinstatement' : 'recorded a verification step of it'}, ` +
        'so another agent must approve or deny it',
    };
  }
  const byRole = (approvers.roles as readonly string[]).includes(agent.role);
  const byGroup = agent.group_ids.some((g) => approvers.group_ids.includes(g));
  if (!byRole && !byGroup)
    return {
      ok: false,
      status: 403,
      code: 'not_an_approver',
      message: "only the tenant's approvers (a Zendesk role or group set by an admin) may approve or deny",
    };
  return { ok: true };
}
