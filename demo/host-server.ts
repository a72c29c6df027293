/**
 * A local stand-in for Zendesk's agent interface: serves a host page that embeds the built app in an
 * iframe and answers the ZAF postMessage protocol (demo/host/host.js), and a request proxy that does
 * what Zendesk's does for `client.request({secure: true, jwt})`: signs the JWT with the tenant's
 * shared secret (server-side, the secret never reaches the page) and forwards to the connector.
 * For the demo and the browser tests only: it binds 127.0.0.1 and signs for whoever asks.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { AGENTS, DEMO_SUBDOMAIN, DEMO_TENANT, ORG, PEOPLE, TICKETS } from './demo-data.ts';

const HOST_JS = fileURLToPath(new URL('./host/host.js', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.png': 'image/png',
};

export interface HostOptions {
  connectorUrl: string;
  /** The built app (zendesk-app/dist). */
  appDir: string;
  tenant?: string;
  sharedSecret: string;
  /**
   * The app's private key, as Zendesk holds it: with it the host opens the app as Zendesk does with
   * signed URLs (a form POST of an RS256 JWT naming the signed-in user to the connector's app page),
   * unless the page asks for `static=1`. Without it the host serves the built app itself.
   */
  appPrivateKey?: KeyObject;
  port?: number;
  /** Where `client.request('/api/v2/...')` goes (Zendesk's own API, e.g. the local stand-in); unset: refused. */
  zendeskApiUrl?: string;
}

export interface HostHandle {
  url: string;
  close(): Promise<void>;
}

interface ProxyOptions {
  url?: unknown;
  type?: unknown;
  data?: unknown;
  contentType?: unknown;
  headers?: Record<string, unknown>;
  jwt?: { claims?: Record<string, unknown>; expiry?: unknown };
}

const esc = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

function pageConfig(o: HostOptions, q: URLSearchParams) {
  const location = q.get('location') === 'nav_bar' ? 'nav_bar' : 'ticket_sidebar';
  const ticketId = q.get('ticket') ?? '1001';
  const user = q.get('user') ?? (location === 'nav_bar' ? AGENTS.ada.id : AGENTS.alex.id);
  // `claim`: the user the page's JavaScript says is signed in (ZAF currentUser), to show a forged claim.
  const claimed = q.get('claim') ?? user;
  const agent = Object.values(AGENTS).find((a) => a.id === claimed) ?? {
    id: claimed,
    name: `User ${claimed}`,
    role: 'agent',
  };
  const t = TICKETS[ticketId];
  const person = Object.values(PEOPLE).find((p) => p.id === t?.requester_id);
  return {
    location,
    user,
    appGuid: `standing-${location}`,
    settings: {
      connector_url: q.get('connector') ?? o.connectorUrl,
      tenant: q.get('tenant') ?? o.tenant ?? DEMO_TENANT,
    },
    currentUser: { id: Number(agent.id), name: agent.name, role: agent.role, locale: q.get('locale') ?? 'en' },
    ticket: {
      id: Number(ticketId),
      subject: `Demo ticket #${ticketId}`,
      requester: person ? { id: Number(person.id), name: person.name, email: person.email } : null,
      organization: t?.organization_id ? { id: Number(ORG.id), name: ORG.name } : null,
    },
  };
}

function hostPage(o: HostOptions, q: URLSearchParams, origin: string): string {
  const cfg = pageConfig(o, q);
  const nav = ['1001', '1002', '1003', '1004', '1005'].map((id) => `<a href="/?ticket=${id}">#${id}</a>`).join(' ');
  const navBar = cfg.location === 'nav_bar';
  const t = cfg.ticket;
  const org = t.organization ? ` (${esc(t.organization.name)})` : '';
  const ticket = navBar
    ? ''
    : `<section class="ticket"><h1>${esc(t.subject)}</h1>` +
      `<p>Requester: ${esc(t.requester?.name ?? 'unknown')}${org}</p></section>`;
  const zaf = `origin=${encodeURIComponent(origin)}&app_guid=${cfg.appGuid}`;
  const signed = o.appPrivateKey && q.get('static') !== '1';
  const appSrc = signed
    ? `/zaf-launch?${zaf}&user=${encodeURIComponent(cfg.user)}&tenant=${encodeURIComponent(cfg.settings.tenant)}`
    : `/app/assets/index.html?${zaf}`;
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Standing demo host</title>',
    '<style>body{font-family:system-ui,sans-serif;margin:0;background:#f8f9f9;color:#2f3941}' +
      'header{padding:8px 16px;background:#03363d;color:#fff}header a{color:#fff;margin-right:8px}',
    'main{display:flex;gap:16px;padding:16px}.ticket{flex:1;background:#fff;padding:16px;border:1px solid #d8dcde}' +
      '.side{width:320px;background:#fff;border:1px solid #d8dcde}',
    'iframe{border:0;width:100%;display:block}.nav iframe{height:900px}</style></head><body>',
    `<header><strong>Standing demo</strong> — a local stand-in for Zendesk. Tickets: ${nav} · ` +
      '<a href="/?location=nav_bar">Admin page (nav bar)</a> · ' +
      `<a href="/?ticket=${esc(String(t.id))}&locale=de">Deutsch</a></header>`,
    `<main class="${navBar ? 'nav' : ''}">${ticket}`,
    `<aside class="${navBar ? 'ticket' : 'side'}"><iframe id="app" title="Standing app" src="${appSrc}" ` +
      `style="height:${navBar ? 900 : 600}px"></iframe></aside></main>`,
    `<script>window.HOST_CONFIG = ${JSON.stringify(cfg).replace(/</g, '\\u003c')};</script>` +
      '<script src="/host.js"></script></body></html>',
  ].join('\n');
}

/**
 * What Zendesk does for an app with signed URLs: the iframe's first request is a form POST to the
 * app's URL with `token`, an RS256 JWT of the signed-in user, signed with the app's private key.
 */
async function zafLaunch(o: HostOptions, q: URLSearchParams): Promise<string> {
  const jwt = await new SignJWT({ context: { product: 'support' } })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setSubject(q.get('user') ?? AGENTS.alex.id)
    .setIssuer(`${DEMO_SUBDOMAIN}.zendesk.com`)
    .setAudience(`https://${DEMO_SUBDOMAIN}.zendesk.com/api/v2/apps/installations/1.json`)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(o.appPrivateKey!);
  const zaf = new URLSearchParams({ origin: q.get('origin') ?? '', app_guid: q.get('app_guid') ?? '' });
  const action = `${o.connectorUrl}/app/v1/${encodeURIComponent(q.get('tenant') ?? DEMO_TENANT)}/zaf?${zaf}`;
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Opening the app</title></head><body>` +
    `<form id="f" method="post" action="${esc(action)}"><input type="hidden" name="token" value="${esc(jwt)}"></form>` +
    `<script>document.getElementById('f').submit()</script></body></html>`
  );
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function proxy(o: HostOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const options = JSON.parse(await readBody(req)) as ProxyOptions;
  const url = String(options.url ?? '');
  // A relative /api/v2 URL is Zendesk's own API, as the signed-in agent: read (users' names) or
  // write (an approval applied to the user's status field).
  if (o.zendeskApiUrl && url.startsWith('/api/v2/')) {
    const r = await fetch(`${o.zendeskApiUrl}${url}`, {
      method: typeof options.type === 'string' ? options.type : 'GET',
      headers: typeof options.contentType === 'string' ? { 'content-type': options.contentType } : {},
      body: typeof options.data === 'string' ? options.data : undefined,
    }).catch(() => null);
    const answer = r ? { status: r.status, text: await r.text() } : { status: 502, text: '{}' };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    return;
  }
  // Zendesk only proxies to the app's domainWhitelist: here, the connector.
  if (!url.startsWith(`${o.connectorUrl}/`)) {
    res
      .writeHead(403, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: 403, body: { error: { code: 'not_whitelisted', message: 'not the connector' } } }));
    return;
  }
  const now = Math.floor(Date.now() / 1000);
  const expiry = typeof options.jwt?.expiry === 'number' ? options.jwt.expiry : 300;
  const token = options.jwt
    ? await new SignJWT(options.jwt.claims ?? {})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt(now)
        .setExpirationTime(now + expiry)
        .sign(new TextEncoder().encode(o.sharedSecret))
    : '';
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.headers ?? {})) headers[k] = String(v).replace('{{jwt.token}}', token);
  if (typeof options.contentType === 'string') headers['content-type'] = options.contentType;
  let status = 502;
  let text = JSON.stringify({ error: { code: 'connector_unreachable', message: 'the connector did not answer' } });
  try {
    const r = await fetch(url, {
      method: typeof options.type === 'string' ? options.type : 'GET',
      headers,
      body: typeof options.data === 'string' ? options.data : undefined,
    });
    status = r.status;
    text = await r.text();
  } catch {
    // keep the 502
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status, text }));
}

function serveStatic(root: string, path: string, res: ServerResponse): void {
  const file = normalize(join(root, path));
  if (!file.startsWith(normalize(root))) {
    res.writeHead(404).end();
    return;
  }
  try {
    const data = readFileSync(file);
    res
      .writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      })
      .end(data);
  } catch {
    res.writeHead(404).end('not found');
  }
}

export async function startHost(o: HostOptions): Promise<HostHandle> {
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://localhost');
    const done = (err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    };
    if (req.method === 'POST' && u.pathname === '/proxy') return void proxy(o, req, res).catch(done);
    if (u.pathname === '/zaf-launch' && o.appPrivateKey)
      return void zafLaunch(o, u.searchParams).then(
        (html) => res.writeHead(200, { 'content-type': TYPES['.html']! }).end(html),
        done,
      );
    if (u.pathname === '/host.js') return serveStatic(join(HOST_JS, '..'), 'host.js', res);
    if (u.pathname.startsWith('/app/')) return serveStatic(o.appDir, u.pathname.slice('/app/'.length), res);
    if (u.pathname === '/') {
      res
        .writeHead(200, { 'content-type': TYPES['.html']! })
        .end(hostPage(o, u.searchParams, `http://${req.headers.host ?? '127.0.0.1'}`));
      return;
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
