/**
 * `POST /webhooks/salesforce/:tenant/outbound`: Salesforce Outbound Messages. Every notification is
 * written to the intake inbox (committed, deduped on the notification id) before the exact
 * `notificationsResponse` / `<Ack>true</Ack>` is answered; until then Salesforce keeps retrying.
 * Malformed XML, a message from another organization than the tenant's, or a body that is not
 * `text/xml` (415) gets a SOAP Fault (non-2xx) and nothing is stored. The message is unsigned: see
 * docs/salesforce.md for IP allow-listing and TLS client certificates. Served by node:http directly,
 * as the Zendesk webhook is.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { readRawBody, type DirectRoute } from '../connector/http/direct-routes.ts';
import { toHttpError } from '../connector/http/errors.ts';
import { jsonBodyProblem } from '../connector/http/json-body.ts';
import type { InboxEntry, InboxKey } from '../connector/intake/intake-inbox.ts';
import { TenantId } from '../connector/model/standing-event.ts';
import { salesforceId15 } from '../connector/model/sealing.ts';
import { OUTBOUND_ACK, outboundContentTypeProblem, parseOutboundMessage, soapFault } from './outbound-message.ts';
import type { OutboundNotificationRow } from './payloads.ts';
import { StandingError } from '../connector/lib/errors.ts';

export interface OutboundRouteOptions {
  /**
   * Largest accepted body (100 notifications of a few fields fit easily).
   * @defaultValue 1_048_576 bytes
   */
  maxBodyBytes?: number;
}

export const DEFAULT_OUTBOUND_ROUTE_OPTIONS = { maxBodyBytes: 1_048_576 } as const;

export interface OutboundRouteDeps {
  /** The Salesforce organization a tenant is connected to, or null (no such tenant, or no Salesforce). */
  organizationOf(tenant: string): Promise<string | null>;
  /** Commits inbox entries; resolves once durable. */
  accept(entry: InboxEntry): Promise<{ duplicate: boolean }>;
  /** Enqueues the jobs of newly accepted entries (best effort: the sweeper catches up). */
  enqueue(keys: InboxKey[]): Promise<void>;
  logger: Logger;
}

export const SALESFORCE_WEBHOOK_PREFIX = '/webhooks/salesforce/';

class SoapError extends StandingError {
  constructor(
    readonly status: number,
    readonly code: 'soapenv:Client' | 'soapenv:Server',
    message: string,
  ) {
    super(message);
  }
}

export function salesforceOutboundRoute(deps: OutboundRouteDeps, options: OutboundRouteOptions = {}): DirectRoute {
  const o = { ...DEFAULT_OUTBOUND_ROUTE_OPTIONS, ...options };

  const handle = async (req: IncomingMessage, res: ServerResponse, tenantParam: string): Promise<void> => {
    try {
      const wrongType = outboundContentTypeProblem(req.headers['content-type']);
      if (wrongType) throw new SoapError(415, 'soapenv:Client', wrongType);
      const tenant = TenantId.safeParse(tenantParam);
      const organization = tenant.success ? await deps.organizationOf(tenant.data) : null;
      if (!tenant.success || !organization)
        throw new SoapError(404, 'soapenv:Client', `no tenant "${tenantParam}" connected to Salesforce`);
      const raw = await readRawBody(req, o.maxBodyBytes).catch((err: unknown) => {
        const known = toHttpError(err);
        throw new SoapError(known?.status ?? 400, 'soapenv:Client', known?.message ?? 'the body could not be read');
      });
      const parsed = parseOutboundMessage(raw.toString('utf8'));
      if (!parsed.ok) throw new SoapError(400, 'soapenv:Client', parsed.problem);
      const { message } = parsed;
      if (salesforceId15(message.organizationId) !== salesforceId15(organization)) {
        throw new SoapError(
          403,
          'soapenv:Client',
          `OrganizationId ${message.organizationId} is not the organization of tenant "${tenant.data}"`,
        );
      }
      const entries: InboxEntry[] = message.notifications.map((n) => {
        const body: OutboundNotificationRow = {
          kind: 'outbound_message',
          organization_id: message.organizationId,
          action_id: message.actionId,
          notification: n,
        };
        return {
          tenant: tenant.data,
          source: 'salesforce',
          event_id: `om:${n.id}`,
          body,
          meta: { action_id: message.actionId.slice(0, 255) },
        };
      });
      // Text PostgreSQL cannot store (U+0000, lone surrogates: XML character references allow
      // both) is refused for this message alone, as for webhooks, instead of failing the inbox insert.
      for (const e of entries) {
        const problem = jsonBodyProblem(e.body) ?? jsonBodyProblem(e.meta);
        if (problem)
          throw new SoapError(400, 'soapenv:Client', `notification ${e.event_id.slice(3)}: ${problem.message}`);
      }
      const accepted = await Promise.all(entries.map((e) => deps.accept(e)));
      const fresh = entries
        .filter((_, i) => !accepted[i]!.duplicate)
        .map(({ tenant: t, source, event_id }) => ({ tenant: t, source, event_id }));
      // Durable already: the answer does not wait for Redis; the sweeper enqueues what this misses.
      if (fresh.length > 0)
        deps
          .enqueue(fresh)
          .catch((err: unknown) =>
            deps.logger.warn(
              { err: (err as Error).message, tenant: tenant.data },
              'enqueue failed; the sweeper will retry',
            ),
          );
      sendXml(res, 200, OUTBOUND_ACK);
    } catch (err) {
      if (err instanceof SoapError) {
        sendXml(res, err.status, soapFault(err.code, err.message));
        return;
      }
      (res as ServerResponse & { err?: unknown }).err = err instanceof Error ? err : new Error(String(err));
      sendXml(res, 500, soapFault('soapenv:Server', 'the message could not be stored; Salesforce will retry it'));
    }
  };

  return { prefix: SALESFORCE_WEBHOOK_PREFIX, match: outboundTenant, handle };
}

/** `:tenant` of `/webhooks/salesforce/:tenant/outbound`, or null for any other path. */
function outboundTenant(rest: string): string | null {
  const m = /^([^/]+)\/outbound\/?$/.exec(rest);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return m[1]!;
  }
}

function sendXml(res: ServerResponse, status: number, xml: string): void {
  res.writeHead(status, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(xml) });
  res.end(xml);
}
