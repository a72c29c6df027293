/**
 * The acting agent, proven: the app's claims (`user_id` in the HS256 app token) come from the app's
 * JavaScript, so they cannot say who records a step. With signed URLs (`"signedUrls": true` in the
 * manifest) Zendesk POSTs the app page's request with a form field `token`: a JWT it signs RS256
 * with the app's private key, whose `sub` is the current user's id and whose `iss`/`aud` name the
 * account and the app installation. The connector serves that page: it verifies the JWT with the
 * app's public key (`GET /api/v2/apps/{app_id}/public_key.pem`), confirms the user with Zendesk
 * (`GET /api/v2/users/{id}`: an agent or admin, their name and groups), and starts a short session
 * bound to that user, whose token it writes into the page. Actions carry it (`X-Standing-Session`).
 * https://developer.zendesk.com/documentation/apps/build-an-app/building-a-server-side-app/part-5-secure-the-app/
 */
import { createHash, createPublicKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router, type RequestHandler } from 'express';
import { errors, jwtVerify } from 'jose';
import { z } from 'zod';
import { HttpError } from '../lib/errors.ts';
import { TenantId } from '../model/standing-event.ts';
import type { SqlClient } from '../store/database.ts';
import type { Tenant, TenantRegistry } from '../tenants/tenant-registry.ts';
import type { Principal } from '../access/principal.ts';
import type { WorkplaceSettings, WorkplaceSettingsStore } from './workplace-settings.ts';
import type { ZendeskAppLookups } from './zendesk-app-lookups.ts';

/** The header an action carries its session in. */
export const SESSION_HEADER = 'x-standing-session';

export interface AgentSession {
  tenant: string;
  zendesk_user_id: string;
  name: string;
  role: 'admin' | 'agent';
  group_ids: string[];
  expires_at: string;
}

export class SessionRefusedError extends HttpError {
  constructor(code: string, message: string) {
    super(401, code, message, undefined, { 'WWW-Authenticate': 'StandingSession realm="standing-app"' });
  }
}

const hash = (token: string) => createHash('sha256').update(token).digest();

/** Sessions bound to one proven Zendesk user each (table app_agent_sessions). */
export class AgentSessions {
  constructor(
    private readonly db: SqlClient,
    /** @defaultValue 3_600_000 ms (one hour; the app page starts a new one each time it opens) */
    private readonly ttlMs = 3_600_000,
  ) {}

  async start(s: Omit<AgentSession, 'expires_at'>): Promise<{ token: string; expires_at: string }> {
    const token = randomBytes(32).toString('base64url');
    const expires_at = new Date(Date.now() + this.ttlMs).toISOString();
    await this.db.query('DELETE FROM app_agent_sessions WHERE tenant = $1 AND expires_at < now()', [s.tenant]);
    await this.db.query(
      `INSERT INTO app_agent_sessions (token_hash, tenant, zendesk_user_id, name, role, group_ids, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [hash(token), s.tenant, s.zendesk_user_id, s.name, s.role, s.group_ids, expires_at],
    );
    return { token, expires_at };
  }

  async find(tenant: string, token: string): Promise<AgentSession | null> {
    const [row] = await this.db.query<Omit<AgentSession, 'expires_at'> & { expires_at: Date }>(
      `SELECT tenant, zendesk_user_id, name, role, group_ids, expires_at FROM app_agent_sessions
        WHERE token_hash = $1 AND tenant = $2 AND expires_at > now()`,
      [hash(token), tenant],
    );
    return row ? { ...row, expires_at: new Date(row.expires_at).toISOString() } : null;
  }
}

const ZafClaims = z.looseObject({
  sub: z
    .union([z.string(), z.number()])
    .transform(String)
    .pipe(z.string().regex(/^\d{1,20}$/)),
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
});

/** `iss` names the account: `acme.zendesk.com` or `https://acme.zendesk.com`. */
const hostOf = (iss: string) => iss.replace(/^https?:\/\//, '').replace(/\/.*$/, '');

/** Verifies Zendesk's signed-URL JWT for this tenant; answers the Zendesk user id it names. */
export async function verifyZafToken(token: string, tenant: Tenant, settings: WorkplaceSettings): Promise<string> {
  if (!settings.app_public_key)
    throw new SessionRefusedError('actions_not_set_up', "the app's public key is not set for this tenant");
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, createPublicKey(settings.app_public_key), {
      algorithms: ['RS256'],
      requiredClaims: ['exp', 'sub', 'iss'],
      clockTolerance: 30,
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired)
      throw new SessionRefusedError('zaf_token_invalid', 'the Zendesk token expired');
    if (err instanceof errors.JOSEError)
      throw new SessionRefusedError('zaf_token_invalid', "the Zendesk token is not signed with the app's key");
    throw err;
  }
  const claims = ZafClaims.safeParse(payload);
  if (!claims.success) throw new SessionRefusedError('zaf_token_invalid', 'the Zendesk token has no user (sub)');
  // An app's key pair may serve every account that installs it: only `iss` says which account signed.
  const subdomain = tenant.zendesk.subdomain;
  if (!subdomain)
    throw new SessionRefusedError(
      'actions_not_set_up',
      "the tenant's Zendesk subdomain is not set, so iss cannot be checked",
    );
  if (hostOf(claims.data.iss) !== `${subdomain}.zendesk.com`)
    throw new SessionRefusedError('zaf_token_invalid', 'the Zendesk token is for another account (iss)');
  if (settings.app_installation_id) {
    const aud = [claims.data.aud ?? []].flat();
    if (!aud.some((a) => a.endsWith(`/api/v2/apps/installations/${settings.app_installation_id}.json`)))
      throw new SessionRefusedError('zaf_token_invalid', 'the Zendesk token is for another app installation (aud)');
  }
  return claims.data.sub;
}

export interface AppPageOptions {
  /** The built app (zendesk-app/dist/assets): its index.html and assets. */
  dir: string;
  /**
   * Origins besides `https://<subdomain>.zendesk.com` that may frame the page (the demo host).
   * @defaultValue []
   */
  frameAncestors?: string[];
}

export interface AgentSessionRoutesDeps {
  tenants: TenantRegistry;
  settings: WorkplaceSettingsStore;
  sessions: AgentSessions;
  lookups: ZendeskAppLookups;
  /** Where the built app is; without it the page answers 404 (the app is served by Zendesk, no actions). */
  page?: AppPageOptions;
}

const attr = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Writes the session into the built page; `<base>` makes its relative asset URLs point at `/app/v1/assets/`. */
function pageWithSession(html: string, s: AgentSession & { token: string }): string {
  const meta =
    '<base href="/app/v1/assets/">' +
    `<meta name="standing-session" content="${attr(s.token)}" data-user-id="${attr(s.zendesk_user_id)}" ` +
    `data-user-name="${attr(s.name)}" data-expires-at="${attr(s.expires_at)}">`;
  return html.replace('<head>', `<head>${meta}`);
}

async function startSession(deps: AgentSessionRoutesDeps, tenantId: unknown, token: unknown) {
  const id = TenantId.safeParse(tenantId);
  const tenant = id.success ? await deps.tenants.get(id.data) : null;
  if (!tenant) throw new SessionRefusedError('unknown_tenant', 'no such tenant');
  if (typeof token !== 'string' || token.length > 8192)
    throw new SessionRefusedError('zaf_token_missing', 'Zendesk did not post a token: is "signedUrls" on?');
  const userId = await verifyZafToken(token, tenant, await deps.settings.get(tenant.id));
  const agent = await deps.lookups.agent(tenant, userId);
  if (agent.found === 'unavailable')
    throw new HttpError(503, 'zendesk_unavailable', 'Zendesk could not be asked who the user is; try again');
  if (agent.found === false || (agent.role !== 'admin' && agent.role !== 'agent'))
    throw new SessionRefusedError('not_an_agent', 'Zendesk does not know this user as an agent');
  const session = {
    tenant: tenant.id,
    zendesk_user_id: userId,
    name: agent.name,
    role: agent.role,
    group_ids: agent.group_ids,
  } as const;
  return { tenant, session: { ...session, ...(await deps.sessions.start(session)) } };
}

export function agentSessionRoutes(deps: AgentSessionRoutesDeps): Router {
  const router = Router();
  router.post('/:tenant/zaf', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const page = deps.page;
    if (!page) throw new HttpError(404, 'app_page_not_served', 'this connector does not serve the app page');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { tenant, session } = await startSession(deps, req.params.tenant, body.token);
    const ancestors = [
      ...(tenant.zendesk.subdomain ? [`https://${tenant.zendesk.subdomain}.zendesk.com`] : []),
      ...(page.frameAncestors ?? []),
    ];
    const html = readFileSync(join(page.dir, 'index.html'), 'utf8');
    res
      .set('Content-Security-Policy', `frame-ancestors ${ancestors.join(' ') || "'none'"}`)
      .type('html')
      .send(pageWithSession(html, session));
  });
  router.get('/assets/:file', (req, res, next) => {
    const file = req.params.file;
    if (!deps.page || !/^[A-Za-z0-9_-][A-Za-z0-9_.-]*\.(js|css|svg|png)$/.test(file)) {
      next();
      return;
    }
    res.sendFile(join(deps.page.dir, file), { dotfiles: 'deny' }, (err) => {
      if (err && !res.headersSent) res.status(404).end();
    });
  });
  return router;
}

/** Loads the session the action names (after the app token); puts it in `res.locals.agentSession`. */
export function requireAgentSession(sessions: AgentSessions): RequestHandler {
  return async (req, res, next) => {
    try {
      const token = req.headers[SESSION_HEADER];
      if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(token))
        throw new SessionRefusedError(
          'session_required',
          'an action needs the agent proven by Zendesk: open the app from Zendesk again (its page starts a session)',
        );
      const tenant = String(req.params.tenant);
      const session = await sessions.find(tenant, token);
      if (!session)
        throw new SessionRefusedError('session_expired', "the session expired or is not this tenant's: reload the app");
      res.locals.agentSession = session;
      res.locals.principal = {
        type: 'app_user',
        tenant,
        role: session.role,
        zendesk_user_id: session.zendesk_user_id,
      } satisfies Principal;
      next();
    } catch (err) {
      next(err);
    }
  };
}

export const agentSessionOf = (res: { locals: Record<string, unknown> }): AgentSession =>
  res.locals.agentSession as AgentSession;
