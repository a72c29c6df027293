/**
 * `POST /app/v1/:tenant/actions`: a step of a reinstatement (or a suspension) recorded by the agent
 * in the ticket sidebar, and `GET /app/v1/:tenant/actions/options`: what the sidebar offers. Both need
 * the app token (the tenant) and the agent's session (who: proven by Zendesk, see agent-session.ts).
 * The customer is the ticket's requester or organization, never one the app names.
 */
import express, { Router, type RequestHandler, type Response } from 'express';
import { HttpError, ValidationError } from '../lib/errors.ts';
import { ActionRequest, type ActionOptions, type ActionResult, type StandingEvent } from '../contracts/index.ts';
import { parseStandingEvent, type NewStandingEvent } from '../model/standing-event.ts';
import type { StandingLog } from '../store/standing-log.ts';
import type { SqlClient } from '../store/database.ts';
import type { AccessAudit } from '../audit/access-audit.ts';
import type { TransitionWindow } from '../store/transition-matching.ts';
import { appCaller } from './app-token.ts';
import { agentSessionOf, type AgentSession } from './agent-session.ts';
import { mayDecide } from './four-eyes.ts';
import { resolveTicket } from './sidebar-routes.ts';
import type { SidebarHistory } from './sidebar-history.ts';
import { actionEvents, type ActionContext } from './workplace-events.ts';
import type { WorkplaceSettings, WorkplaceSettingsStore } from './workplace-settings.ts';
import type { ZendeskAppLookups } from './zendesk-app-lookups.ts';

export interface WorkplaceActionsDeps {
  db: SqlClient;
  log: Pick<StandingLog, 'append'>;
  history: SidebarHistory;
  settings: WorkplaceSettingsStore;
  lookups: ZendeskAppLookups;
  audit: AccessAudit;
  /** App token, then the agent's session. */
  authenticate: RequestHandler[];
  /**
   * How long after an applied approval the webhook of the same change counts as that change.
   * @defaultValue 900_000 ms
   */
  applyWindowMs?: number;
}

type Parsed = ReturnType<typeof ActionRequest.parse>;

const mayApprove = (agent: AgentSession, s: WorkplaceSettings) =>
  (s.approvers.roles as readonly string[]).includes(agent.role) ||
  agent.group_ids.some((g) => s.approvers.group_ids.includes(g));

async function customerOf(deps: WorkplaceActionsDeps, res: Response, req: Parsed) {
  const { tenant } = appCaller(res);
  const resolved = await resolveTicket(
    deps,
    tenant.id,
    () => deps.lookups.ticket(tenant, req.ticket_id),
    req.ticket_id,
  );
  if (!resolved) throw new HttpError(404, 'unknown_ticket', `Zendesk did not confirm ticket ${req.ticket_id}`);
  const t = resolved.ticket;
  const id = req.about === 'person' ? t.requester_id : t.organization_id;
  if (!id)
    throw new HttpError(
      409,
      req.about === 'person' ? 'no_requester' : 'no_organization',
      `ticket ${req.ticket_id} has no ${req.about === 'person' ? 'requester' : 'organization'}`,
    );
  const history = await deps.history(tenant.id, {
    ...(req.about === 'person' ? { person: { zendesk_user_id: id } } : { account: { zendesk_organization_id: id } }),
    about: req.about === 'person' ? 'person' : 'all',
    limit: 100,
  });
  const events = history.events.filter((e) => e.about === req.about);
  return { ticket: { id: req.ticket_id, ...t }, events, current: history.current?.status ?? null };
}

/** The log ids of this request's events when it was recorded before (a double click, a retry). */
const alreadyRecorded = (events: readonly StandingEvent[], key: string): string[] =>
  events
    .filter((e) => e.source.system === 'standing-app' && e.source.event_id.startsWith(`app:${key}`))
    .map((e) => e.id);

function checkRequest(req: Parsed, settings: WorkplaceSettings): void {
  if (req.action !== 'suspend' && req.action !== 'deactivate') return;
  if (!settings.reason_codes.some((r) => r.code === req.reason_code))
    throw new ValidationError('invalid action', [{ path: 'reason_code', message: "is not one of the tenant's codes" }]);
  if (req.action === 'suspend' && !req.temporary)
    throw new ValidationError('invalid action', [{ path: 'temporary', message: 'a suspension is temporary' }]);
  if (req.temporary && !req.review_on)
    throw new ValidationError('invalid action', [
      { path: 'review_on', message: 'a temporary change needs a review date' },
    ]);
}

async function refuse(deps: WorkplaceActionsDeps, res: Response, status: number, code: string, message: string) {
  const { tenant } = appCaller(res);
  await deps.audit
    .recordDenied({
      tenant: tenant.id,
      principal: res.locals.principal,
      path: 'POST /app/v1/{tenant}/actions',
      permission: 'standing.record',
      reason: code,
    })
    .catch(() => undefined);
  throw new HttpError(status, code, message);
}

async function record(deps: WorkplaceActionsDeps, res: Response, req: Parsed): Promise<ActionResult> {
  const { tenant } = appCaller(res);
  const agent = agentSessionOf(res);
  const settings = await deps.settings.get(tenant.id);
  checkRequest(req, settings);
  const customer = await customerOf(deps, res, req);
  const before = alreadyRecorded(customer.events, req.idempotency_key);
  const apply = req.action === 'approve' ? applyOf(settings, req, customer.ticket) : null;
  if (before.length > 0)
    return audited(deps, res, { event_ids: before, duplicate: true, apply_in_zendesk: apply }, req);
  if (req.action === 'approve' || req.action === 'deny') {
    const decision = mayDecide(customer.events, agent, settings.approvers);
    if (!decision.ok) await refuse(deps, res, decision.status, decision.code, decision.message);
  }
  const ctx: ActionContext = {
    tenant: tenant.id,
    subdomain: tenant.zendesk.subdomain,
    agent,
    ticket: customer.ticket,
    current: customer.current,
    at: new Date().toISOString(),
  };
  const events = actionEvents(ctx, req, apply !== null).map((input): NewStandingEvent => {
    const parsed = parseStandingEvent(input);
    if (!parsed.ok) throw new ValidationError('invalid action', parsed.problems);
    return parsed.value;
  });
  // The reinstatement applied in Zendesk: its webhook, arriving within the window, is this same change.
  const windows = new Map<number, TransitionWindow>(
    apply
      ? [[1, { from: ctx.at, to: new Date(Date.parse(ctx.at) + (deps.applyWindowMs ?? 900_000)).toISOString() }]]
      : [],
  );
  const outcomes = await deps.log.append(events, { transitionWindows: windows });
  const result = {
    event_ids: outcomes.map((o) => o.id),
    duplicate: outcomes.every((o) => o.status === 'duplicate'),
    apply_in_zendesk: apply,
  };
  return audited(deps, res, result, req);
}

function applyOf(
  settings: WorkplaceSettings,
  req: Parsed,
  ticket: { requester_id: string | null; organization_id: string | null },
): ActionResult['apply_in_zendesk'] {
  const a = settings.apply_in_zendesk;
  if (!a) return null;
  return req.about === 'person'
    ? { object: 'user', id: ticket.requester_id!, field_key: a.user_field_key, value: a.active_value }
    : {
        object: 'organization',
        id: ticket.organization_id!,
        field_key: a.organization_field_key,
        value: a.active_value,
      };
}

async function audited(deps: WorkplaceActionsDeps, res: Response, result: ActionResult, req: Parsed) {
  const { tenant } = appCaller(res);
  try {
    await deps.audit.recordWrite({
      tenant: tenant.id,
      principal: res.locals.principal,
      action: 'standing.record',
      path: `app action ${req.action}`,
      detail: { event_ids: result.event_ids.join(','), kinds: req.action, duplicate: result.duplicate ? 'yes' : 'no' },
    });
  } catch {
    // The event is in the log; the app retries with the same key, which finds it and audits again.
    throw new HttpError(503, 'audit_unavailable', 'the step is recorded but not yet in the audit: retry', undefined, {
      'Retry-After': '5',
    });
  }
  return result;
}

export function workplaceActionRoutes(deps: WorkplaceActionsDeps): Router {
  const router = Router({ mergeParams: true });
  router.get('/actions/options', ...deps.authenticate, async (_req, res) => {
    const agent = agentSessionOf(res);
    const settings = await deps.settings.get(appCaller(res).tenant.id);
    res.json({
      agent: { id: agent.zendesk_user_id, name: agent.name, may_approve: mayApprove(agent, settings) },
      reason_codes: settings.reason_codes,
    } satisfies ActionOptions);
  });
  router.post('/actions', ...deps.authenticate, express.json({ limit: '64kb' }), async (req, res) => {
    const parsed = ActionRequest.safeParse(req.body);
    if (!parsed.success) throw ValidationError.fromZod('invalid action', parsed.error);
    res.json(await record(deps, res, parsed.data));
  });
  return router;
}
