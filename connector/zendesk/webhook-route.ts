/**
 * `POST /webhooks/zendesk/:tenant`: verifies Zendesk's signature over the raw body, writes the
 * event to the intake inbox (committed), answers 202 and enqueues its job. Nothing that failed
 * verification is stored or enqueued. Redeliveries of one event are answered 200 `duplicate`.
 * Served by node:http directly, not Express: the hot path (see connector/http/direct-routes.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { TenantId } from '../model/standing-event.ts';
import { HttpError, BadRequestError, NotFoundError } from '../lib/errors.ts';
import { readRawBody, sendJson, type DirectRoute } from '../http/direct-routes.ts';
import { jsonTextProblem, topLevelNumberText } from '../http/json-body.ts';
import { isRefusedData } from '../store/database-errors.ts';
import type { IntakeInbox, InboxKey } from '../intake/intake-inbox.ts';
import type { ZendeskSettingsStore } from './settings.ts';
import { MicroBatcher } from '../lib/micro-batcher.ts';
import {
  ZENDESK_INVOCATION_ID_HEADER,
  ZENDESK_SIGNATURE_HEADER,
  ZENDESK_SIGNATURE_TIMESTAMP_HEADER,
  verifyZendeskSignature,
} from './webhook-signature.ts';
import { triggerEventId } from './map-trigger.ts';
import type { ZendeskWebhookOptions } from '../config/intake-settings.ts';
import type { WebhookAck } from '../contracts/index.ts';

export const DEFAULT_ZENDESK_WEBHOOK_OPTIONS = { maxBodyBytes: 262_144, toleranceSeconds: 300 } as const;

export interface ZendeskWebhookDeps {
  /** The tenants' Zendesk settings: the webhook signing secret. */
  settings: Pick<ZendeskSettingsStore, 'get'>;
  inbox: IntakeInbox;
  /** Puts the stored events' jobs on the intake queue. */
  enqueue(keys: InboxKey[]): Promise<void>;
  logger: Logger;
}

class SignatureError extends HttpError {
  constructor(reason: string, message: string) {
    super(401, 'invalid_signature', message, { reason });
  }
}

export interface ZendeskWebhookRoute {
  route: DirectRoute;
  /** Flushes enqueues in flight. */
  close(): Promise<void>;
}

export const ZENDESK_WEBHOOK_PREFIX = '/webhooks/zendesk/';

export function zendeskWebhookRoute(
  deps: ZendeskWebhookDeps,
  options: ZendeskWebhookOptions = {},
): ZendeskWebhookRoute {
  const o = { ...DEFAULT_ZENDESK_WEBHOOK_OPTIONS, ...options };
  // Enqueues of concurrent requests go to Redis together (one addBulk).
  const enqueuer = new MicroBatcher<InboxKey, null>(
    async (keys) => {
      await deps.enqueue(keys);
      return keys.map(() => null);
    },
    { maxBatch: 500, maxWaitMs: 0, maxInFlight: 2 },
  );

  const handle: DirectRoute['handle'] = async (req, res, tenantParam) => {
    const tenantId = TenantId.safeParse(tenantParam);
    const settings = tenantId.success ? await deps.settings.get(tenantId.data) : null;
    if (!tenantId.success || !settings) throw new NotFoundError(`no tenant "${tenantParam}"`);
    const tenant = tenantId.data;
    const secret = settings.webhook_secret;
    if (!secret)
      throw new HttpError(
        404,
        'webhook_not_configured',
        `tenant "${tenant}" has no Zendesk webhook signing secret configured`,
      );

    const rawBody = await readRawBody(req, o.maxBodyBytes);
    const check = verifyZendeskSignature({
      secret,
      signature: header(req, ZENDESK_SIGNATURE_HEADER),
      timestamp: header(req, ZENDESK_SIGNATURE_TIMESTAMP_HEADER),
      rawBody,
      now: new Date(),
      toleranceSeconds: o.toleranceSeconds,
    });
    if (!check.ok) throw new SignatureError(check.reason, check.message);

    const body = parseJsonObject(rawBody);
    const eventId = eventIdOf(body, req);
    const key: InboxKey = { tenant, source: 'zendesk', event_id: eventId };
    const { duplicate } = await deps.inbox.accept({ ...key, body, meta: deliveryMeta(req) }).catch((err: unknown) => {
      // The edge checks should leave nothing PostgreSQL refuses; if something still is, it is this body's fault alone.
      if (isRefusedData(err)) throw new BadRequestError('refused_body', 'the database cannot store this body');
      throw err;
    });
    if (!duplicate) {
      // Durable already (the inbox row is committed): the answer does not wait for Redis. If the
      // enqueue fails, or this process dies first, the sweeper enqueues the event later.
      enqueuer
        .submit(key)
        .catch((err: unknown) =>
          deps.logger.warn({ err: (err as Error).message, tenant }, 'enqueue failed; the sweeper will retry'),
        );
    }
    sendJson(res, duplicate ? 200 : 202, {
      status: duplicate ? 'duplicate' : 'accepted',
      event_id: eventId,
    } satisfies WebhookAck);
  };

  return { route: { prefix: ZENDESK_WEBHOOK_PREFIX, match: tenantSegment, handle }, close: () => enqueuer.close() };
}

/**
 * The `:tenant` of `/webhooks/zendesk/:tenant` (one segment, URL-decoded, a trailing slash
 * allowed as Express allows it); `null` for any other path, which Express then answers.
 */
function tenantSegment(rest: string): string | null {
  const segment = rest.endsWith('/') ? rest.slice(0, -1) : rest;
  if (segment === '' || segment.includes('/')) return null;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A request header as one string (Node joins repeated custom headers with ", "). */
function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * The body as an object that can be stored: bounded nesting, no text PostgreSQL refuses (see
 * json-body.ts), and a numeric top-level `id` kept as its exact source text (a string, as Zendesk
 * documents event ids), so that two long numeric ids never become one double.
 */
function parseJsonObject(raw: Buffer): Record<string, unknown> {
  const text = raw.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequestError('invalid_json', 'the request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestError('invalid_body', 'the request body must be a JSON object', [
      { path: '(root)', message: 'must be an object' },
    ]);
  }
  const problem = jsonTextProblem(text, value);
  if (problem) throw new BadRequestError(problem.code, problem.message, [problem.problem]);
  const body = value as Record<string, unknown>;
  if (typeof body.id === 'number') body.id = topLevelNumberText(text, 'id') ?? String(body.id);
  return body;
}

/**
 * Event-subscription bodies carry Zendesk's event `id` (required). Any other body (a trigger or
 * automation webhook the admin wrote) is keyed as the mapper keys it: see `triggerEventId`.
 */
function eventIdOf(body: Record<string, unknown>, req: IncomingMessage): string {
  const envelope = typeof body.type === 'string' && body.type.startsWith('zen:event-type:');
  const raw = envelope ? body.id : triggerEventId(body, header(req, ZENDESK_INVOCATION_ID_HEADER)?.trim() || undefined);
  const id = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : '';
  if (!id)
    throw new BadRequestError('missing_event_id', 'id: an event-subscription body must carry the Zendesk event id', [
      { path: 'id', message: 'required' },
    ]);
  if (id.length > 255)
    throw new BadRequestError('invalid_body', 'id: must be at most 255 characters', [
      { path: 'id', message: 'must be at most 255 characters' },
    ]);
  return id;
}

const DELIVERY_HEADERS = [
  ['webhook_id', 'x-zendesk-webhook-id'],
  ['invocation_id', ZENDESK_INVOCATION_ID_HEADER],
  ['account_id', 'x-zendesk-account-id'],
] as const;

function deliveryMeta(req: IncomingMessage): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const [name, headerName] of DELIVERY_HEADERS) {
    const v = header(req, headerName);
    if (v) meta[name] = v.slice(0, 255);
  }
  return meta;
}
