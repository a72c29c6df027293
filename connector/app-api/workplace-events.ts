/**
 * The log events of the app's actions: one per action (an approval applied in Zendesk adds the
 * reinstatement itself), with source `standing-app`, the ticket as context and the proven agent as
 * actor. The source event id is the app's idempotency key, so a repeated request is one event.
 */
import type { ActionRequest } from '../contracts/index.ts';
import type { AccountStatus, NewStandingEventInput } from '../model/standing-event.ts';
import type { AgentSession } from './agent-session.ts';

export interface ActionContext {
  tenant: string;
  subdomain: string | null;
  agent: AgentSession;
  ticket: { id: string; requester_id: string | null; organization_id: string | null };
  /** The subject's status in force, as the log knows it (`null`: unknown). */
  current: AccountStatus | null;
  at: string;
}

type Action = Extract<ActionRequest, { action: string }>;

/** The event's frame: who, where, about whom; the action fills in what happened. */
export function eventFrame(
  ctx: ActionContext,
  req: Action,
  suffix = '',
): Omit<NewStandingEventInput, 'kind' | 'status'> {
  const person = req.about === 'person';
  const customer = person
    ? { zendesk_user_id: ctx.ticket.requester_id! }
    : { zendesk_organization_id: ctx.ticket.organization_id! };
  return {
    tenant: ctx.tenant,
    actor: { type: 'agent', id: ctx.agent.zendesk_user_id, name: ctx.agent.name },
    source: {
      system: 'standing-app',
      object: 'ticket',
      id: req.ticket_id,
      ...(ctx.subdomain ? { url: `https://${ctx.subdomain}.zendesk.com/agent/tickets/${req.ticket_id}` } : {}),
      event_id: `app:${req.idempotency_key}${suffix}`,
    },
    detected_via: 'manual',
    related_ticket_ids: [req.ticket_id],
    customer,
    ...(person && ctx.ticket.organization_id
      ? { account: { zendesk_organization_id: ctx.ticket.organization_id } }
      : {}),
    occurred_at: ctx.at,
  };
}

const actorOf = (ctx: ActionContext) => ({
  type: 'agent' as const,
  id: ctx.agent.zendesk_user_id,
  name: ctx.agent.name,
});

/** The events one action writes (the second, for an applied approval, is the reinstatement itself). */
export function actionEvents(ctx: ActionContext, req: Action, applied: boolean): NewStandingEventInput[] {
  const frame = eventFrame(ctx, req);
  switch (req.action) {
    case 'request_reinstatement':
      return [
        {
          ...frame,
          kind: 'reinstatement_requested',
          status: { before: ctx.current, after: null },
          reason: { code: 'reinstatement_requested', text: req.reason },
          conditions: (req.conditions ?? []).map((text, i) => ({ code: `condition_${i + 1}`, text })),
        },
      ];
    case 'record_verification':
      return [
        {
          ...frame,
          kind: 'verification_recorded',
          status: { before: ctx.current, after: null },
          verification: [
            {
              method: req.kind,
              result: req.result,
              by: actorOf(ctx),
              at: ctx.at,
              ...(req.note ? { notes: req.note } : {}),
            },
          ],
          evidence: req.evidence_comment_id
            ? { evidence_comment: { ticket_id: req.ticket_id, comment_id: req.evidence_comment_id } }
            : {},
        },
      ];
    case 'approve':
    case 'deny':
      return decisionEvents(ctx, req, applied);
    case 'suspend':
    case 'deactivate':
      return [
        {
          ...frame,
          kind: 'deactivation',
          status: { before: ctx.current, after: req.action === 'suspend' ? 'suspended' : 'deactivated' },
          initiation: { type: 'manual', temporary: req.temporary },
          reason: { code: req.reason_code, ...(req.reason ? { text: req.reason } : {}) },
          evidence: req.review_on ? { review_on: req.review_on } : {},
        },
      ];
  }
}

function decisionEvents(
  ctx: ActionContext,
  req: Extract<Action, { action: 'approve' | 'deny' }>,
  applied: boolean,
): NewStandingEventInput[] {
  const approval = {
    by: actorOf(ctx),
    role: ctx.agent.role,
    decision: req.action === 'approve' ? ('approved' as const) : ('denied' as const),
    at: ctx.at,
    comment: req.reason,
  };
  const decision: NewStandingEventInput = {
    ...eventFrame(ctx, req),
    kind: req.action === 'approve' ? 'reinstatement_approved' : 'reinstatement_denied',
    status: { before: ctx.current, after: null },
    approvals: [approval],
  };
  if (!applied) return [decision];
  return [
    decision,
    {
      ...eventFrame(ctx, req, ':applied'),
      kind: 'reinstatement',
      status: { before: ctx.current, after: 'active' },
      initiation: { type: 'manual', temporary: false },
      approvals: [approval],
    },
  ];
}
