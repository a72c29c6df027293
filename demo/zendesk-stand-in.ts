/**
 * A local stand-in for the few Zendesk API routes Standing reads, answering in Zendesk's documented
 * shapes, so the product can be tried end to end without a Zendesk account (point a tenant's
 * `zendesk.api_url`, or ZENDESK_API_URL, at it):
 *
 * - `GET /api/v2/audit_logs`: `filter[source_type]`, `filter[source_id]`, `filter[created_at]` twice
 *   (start, end), cursor pages (`page[size]`, `page[after]`, `meta.has_more`, `meta.after_cursor`);
 * - `GET /api/v2/tickets/{id}/audits`: a ticket's audits, one page;
 * - `GET /api/v2/users/show_many?ids=`, `GET /api/v2/users/{id}.json`, `GET /api/v2/organizations/{id}.json`;
 * - `PUT /api/v2/users/{id}.json` (`{"user": {"user_fields": {...}}}`) and `PUT /api/v2/organizations/{id}.json`
 *   (`{"organization": {"organization_fields": {...}}}`): the given fields are merged into the record's,
 *   as Zendesk updates only the custom fields named; the record is answered. Every write is kept in `writes`.
 *   https://developer.zendesk.com/api-reference/ticketing/users/users/#update-user
 *
 * It checks nothing of the credentials: it is for demos and tests on the loopback interface only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInAuditLog {
  id: number;
  action: string;
  actor_id: number;
  actor_name: string;
  change_description: string;
  created_at: string;
  source_id: number;
  source_type: 'user' | 'organization';
  source_label: string;
  ip_address?: string | null;
}

export interface StandInTicketAudit {
  id: number;
  ticket_id: number;
  author_id: number;
  created_at: string;
  via: Record<string, unknown>;
  events: Record<string, unknown>[];
}

export interface StandInUser {
  id: number;
  name: string;
  email: string;
  role: string;
  organization_id?: number | null;
  external_id?: string | null;
  user_fields?: Record<string, unknown>;
}

export interface ZendeskStandInData {
  auditLogs: StandInAuditLog[];
  ticketAudits: StandInTicketAudit[];
  users: StandInUser[];
  organizations: {
    id: number;
    name: string;
    external_id: string | null;
    organization_fields?: Record<string, unknown>;
  }[];
  /** The audit log answers 403, as on plans without it. @defaultValue false */
  noAuditLog?: boolean;
}

export interface ZendeskStandIn {
  url: string;
  /** Every request's method and path (with query), in order. */
  requests: string[];
  /** Every PUT's path and parsed JSON body, in order. */
  writes: { method: string; path: string; body: unknown }[];
  close(): Promise<void>;
}

type Answer = { status: number; body: unknown };

function auditLogs(data: ZendeskStandInData, q: URLSearchParams): Answer {
  if (data.noAuditLog) return { status: 403, body: { error: 'Forbidden', description: 'Enterprise plans only' } };
  const [from, to] = q.getAll('filter[created_at]').map((t) => Date.parse(t));
  const type = q.get('filter[source_type]');
  const id = q.get('filter[source_id]');
  const all = data.auditLogs
    .filter((e) => (!type || e.source_type === type) && (!id || String(e.source_id) === id))
    .filter(
      (e) =>
        from === undefined || to === undefined || (Date.parse(e.created_at) >= from && Date.parse(e.created_at) <= to),
    )
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
  const size = Math.min(Number(q.get('page[size]') ?? 100) || 100, 100);
  const start = Number(Buffer.from(q.get('page[after]') ?? '', 'base64url').toString() || 0);
  const page = all.slice(start, start + size);
  const more = start + size < all.length;
  const after = more ? Buffer.from(String(start + size)).toString('base64url') : null;
  return {
    status: 200,
    body: { audit_logs: page, meta: { has_more: more, after_cursor: after, before_cursor: null }, links: {} },
  };
}

function route(data: ZendeskStandInData, url: URL): Answer {
  const p = url.pathname;
  if (p === '/api/v2/audit_logs' || p === '/api/v2/audit_logs.json') return auditLogs(data, url.searchParams);
  const ticket = /^\/api\/v2\/tickets\/(\d+)\/audits(?:\.json)?$/.exec(p);
  if (ticket) {
    const audits = data.ticketAudits.filter((a) => String(a.ticket_id) === ticket[1]);
    return { status: 200, body: { audits, meta: { has_more: false, after_cursor: null, before_cursor: null } } };
  }
  if (p === '/api/v2/users/show_many' || p === '/api/v2/users/show_many.json') {
    const ids = new Set((url.searchParams.get('ids') ?? '').split(','));
    return { status: 200, body: { users: data.users.filter((u) => ids.has(String(u.id))) } };
  }
  const user = /^\/api\/v2\/users\/(\d+)(?:\.json)?$/.exec(p);
  const found = user && data.users.find((u) => String(u.id) === user[1]);
  if (found) return { status: 200, body: { user: found } };
  const org = /^\/api\/v2\/organizations\/(\d+)(?:\.json)?$/.exec(p);
  const organization = org && data.organizations.find((o) => String(o.id) === org[1]);
  if (organization) return { status: 200, body: { organization: { organization_fields: {}, ...organization } } };
  return { status: 404, body: { error: 'RecordNotFound', description: 'Not found' } };
}

const NOT_FOUND: Answer = { status: 404, body: { error: 'RecordNotFound', description: 'Not found' } };

/** Updates a user's or organization's custom fields, merging the ones given. */
function update(data: ZendeskStandInData, url: URL, body: unknown): Answer {
  const m = /^\/api\/v2\/(users|organizations)\/(\d+)(?:\.json)?$/.exec(url.pathname);
  if (!m) return { status: 405, body: { error: 'MethodNotAllowed' } };
  const wrapper = m[1] === 'users' ? 'user' : 'organization';
  const key = m[1] === 'users' ? 'user_fields' : 'organization_fields';
  const given = (body as Record<string, Record<string, unknown> | undefined> | null)?.[wrapper]?.[key];
  if (typeof given !== 'object' || given === null)
    return { status: 422, body: { error: 'RecordInvalid', description: `${wrapper}.${key} is missing` } };
  const record =
    m[1] === 'users'
      ? data.users.find((u) => String(u.id) === m[2])
      : data.organizations.find((o) => String(o.id) === m[2]);
  if (!record) return NOT_FOUND;
  const r = record as { user_fields?: Record<string, unknown>; organization_fields?: Record<string, unknown> };
  r[key] = { ...r[key], ...(given as Record<string, unknown>) };
  return { status: 200, body: { [wrapper]: record } };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

export async function startZendeskStandIn(data: ZendeskStandInData, port = 0): Promise<ZendeskStandIn> {
  const requests: string[] = [];
  const writes: ZendeskStandIn['writes'] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const answered = async (): Promise<Answer> => {
      if (req.method === 'GET') return route(data, url);
      if (req.method !== 'PUT') return { status: 405, body: { error: 'MethodNotAllowed' } };
      const body = await readJson(req);
      writes.push({ method: 'PUT', path: url.pathname, body });
      return update(data, url, body);
    };
    void answered().then((answer) => {
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    requests,
    writes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
