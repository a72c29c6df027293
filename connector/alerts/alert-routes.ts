/**
 * The alert settings and the delivery log over HTTP, mounted twice by the composition root: under
 * `/api/v1/tenants/{tenant}/alerts` (API key with `tenant.settings`) and under the Zendesk app's
 * admin page `/app/v1/{tenant}/admin/alerts` (app token and a confirmed Zendesk admin).
 *   GET  /channels          the channels (the webhook secret only as its last four characters)
 *   PUT  /channels          create, change or remove (`null`) channels
 *   POST /test              a test alert to one channel now: `{"channel": "webhook"}` or
 *                           `{"channel": "zendesk_note", "ticket_id": "123"}`
 *   GET  /deliveries        the delivery log, newest first (`limit`, `before`)
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { principalLabel, principalOf } from '../access/principal.ts';
import {
  AlertChannelKind,
  type AlertChannels as AlertChannelsAnswer,
  type AlertDeliveriesPage,
  type AlertTestResult,
} from '../contracts/index.ts';
import { BadRequestError, ValidationError } from '../lib/errors.ts';
import { InvalidAlertChannelsError } from './alert-channels.ts';
import { TestSendError, type Alerts } from './alerts.ts';

export interface AlertRoutesDeps {
  alerts: Alerts;
  /** The tenant the request is about, checked to exist (404 otherwise) and already authorized. */
  tenantOf: (req: Request, res: Response) => Promise<string>;
}

export const ALERT_DELIVERIES_LIMIT = { default: 50, max: 500 } as const;

const Id = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a positive integer')
  .transform(Number);
const DeliveriesQuery = z.strictObject({
  limit: Id.refine(
    (n) => n >= 1 && n <= ALERT_DELIVERIES_LIMIT.max,
    `must be 1..${ALERT_DELIVERIES_LIMIT.max}`,
  ).optional(),
  before: Id.optional(),
});
const TestBody = z.strictObject({
  channel: AlertChannelKind,
  ticket_id: z
    .string()
    .regex(/^\d{1,20}$/, 'must be a Zendesk ticket id')
    .optional(),
});

export function alertRoutes(deps: AlertRoutesDeps): Router {
  const { alerts } = deps;
  const r = Router({ mergeParams: true });

  r.get('/channels', async (req, res) => {
    res.json((await alerts.channels.view(await deps.tenantOf(req, res))) satisfies AlertChannelsAnswer);
  });

  r.put('/channels', async (req, res) => {
    const tenant = await deps.tenantOf(req, res);
    try {
      const saved = await alerts.channels.put(tenant, req.body ?? {}, principalLabel(principalOf(res)));
      res.json(saved satisfies AlertChannelsAnswer);
    } catch (err) {
      if (err instanceof InvalidAlertChannelsError) throw new ValidationError('alert channels', err.problems);
      throw err;
    }
  });

  r.post('/test', async (req, res) => {
    const tenant = await deps.tenantOf(req, res);
    const body = TestBody.safeParse(req.body ?? {});
    if (!body.success) throw ValidationError.fromZod('body', body.error);
    try {
      const { alert, record } = await alerts.test(tenant, body.data.channel, body.data.ticket_id ?? null);
      res.json({
        alert_key: alert.alert_key,
        channel: alert.channel,
        outcome: record.outcome,
        status: record.status,
        answer: record.answer,
      } satisfies AlertTestResult);
    } catch (err) {
      if (err instanceof TestSendError) throw new BadRequestError('invalid_request', err.message);
      throw err;
    }
  });

  r.get('/deliveries', async (req, res) => {
    const tenant = await deps.tenantOf(req, res);
    const q = DeliveriesQuery.safeParse(req.query);
    if (!q.success) throw ValidationError.fromZod('query', q.error);
    const limit = q.data.limit ?? ALERT_DELIVERIES_LIMIT.default;
    const deliveries = await alerts.outbox.deliveries(tenant, limit, q.data.before ?? null);
    res.json({
      deliveries,
      next_before: deliveries.length === limit ? deliveries.at(-1)!.id : null,
    } satisfies AlertDeliveriesPage);
  });
  return r;
}
