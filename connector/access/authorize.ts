/**
 * The one authentication and authorization step of the HTTP API: `authorize(permission)` is a
 * route middleware that finds who is calling (the operator token or a tenant's API key, as
 * `Authorization: Bearer …`), checks the permission table for the route's tenant, puts the
 * principal in `res.locals.principal`, and records every refusal.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { HttpError, UnauthorizedError } from '../lib/errors.ts';
import { looksLikeApiKey, type ApiKeyStore } from './api-keys.ts';
import { isAllowed, PERMISSIONS, roleOf, type Permission } from './permissions.ts';
import type { Principal } from './principal.ts';

/** A refused attempt, as recorded (connector/audit/access-audit.ts). No credential in it. */
export interface DeniedAttempt {
  /**
   * The tenant the request was about, or `null` for a route not about one tenant (recorded on chain `*`, as an
   * unregistered tenant is).
   */
  tenant: string | null;
  /** `null` when no valid credential was presented. */
  principal: Principal | null;
  /** `METHOD /path` (no query: it may hold identities) or `cli <command>`. */
  path: string;
  permission: Permission;
  /** Why, without the presented secret: e.g. `no credentials`, or which role or tenant may not. */
  reason: string;
}

export interface DenialRecorder {
  recordDenied(attempt: DeniedAttempt): Promise<unknown>;
}

export type Authorize = (permission: Permission) => RequestHandler;

export interface AuthorizerOptions {
  /** The operator's global token (`STANDING_OPERATOR_TOKEN`). */
  operatorToken: string;
  keys: ApiKeyStore;
  denials: DenialRecorder;
  logger?: Logger;
  /**
   * Refusals of requests with no valid credential recorded per minute and process; beyond it they are
   * only counted and logged once a minute, so anonymous traffic cannot turn into unbounded writes.
   * @defaultValue 600
   */
  anonymousDenialsPerMinute?: number;
}

export const DEFAULT_ANONYMOUS_DENIALS_PER_MINUTE = 600;

const BEARER = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i;
// Comparing fixed-length digests keeps the comparison constant-time even when the lengths differ.
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export class ForbiddenError extends HttpError {
  constructor(message: string) {
    super(403, 'forbidden', message);
  }
}

/** Why `principal` may not do `permission` on `tenant`, or `null` when it may. */
export function refusal(principal: Principal, permission: Permission, tenant: string | null): string | null {
  if (isAllowed(principal, permission, tenant)) return null;
  const roles: readonly string[] = PERMISSIONS[permission];
  if (!roles.includes(roleOf(principal))) {
    return `${describe(principal)} may not ${permission} (allowed: ${roles.join(', ')})`;
  }
  return tenant === null
    ? `${permission} is not about one tenant: a tenant's key may not do it`
    : `${describe(principal)} is not for tenant "${tenant}"`;
}

const describe = (p: Principal) =>
  p.type === 'operator'
    ? 'the operator token'
    : p.type === 'api_key'
      ? `an ${p.role} key of tenant "${p.tenant}"`
      : `a Zendesk app ${p.role} of tenant "${p.tenant}"`;

/** The tenant a request is about: the `:tenant` route parameter, else a `tenant` query parameter. */
export function requestTenant(req: Request): string | null {
  const param = req.params.tenant;
  if (typeof param === 'string') return param;
  return typeof req.query.tenant === 'string' ? req.query.tenant : null;
}

export const requestPath = (req: Request) => `${req.method} ${(req.originalUrl || req.url).split('?')[0]}`;

export function createAuthorizer(options: AuthorizerOptions): Authorize {
  const operatorDigest = digest(options.operatorToken);
  const anonymousBudget = options.anonymousDenialsPerMinute ?? DEFAULT_ANONYMOUS_DENIALS_PER_MINUTE;
  let window = { minute: -1, recorded: 0, skipped: 0 };

  async function authenticate(header: string | undefined): Promise<Principal | 'none' | 'invalid'> {
    const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
    if (token === undefined) return header === undefined ? 'none' : 'invalid';
    if (looksLikeApiKey(token)) return (await options.keys.authenticate(token)) ?? 'invalid';
    return timingSafeEqual(digest(token), operatorDigest) ? { type: 'operator' } : 'invalid';
  }

  async function deny(attempt: DeniedAttempt): Promise<void> {
    if (attempt.principal === null) {
      const minute = Math.floor(Date.now() / 60_000);
      if (minute !== window.minute) {
        if (window.skipped > 0)
          options.logger?.warn(
            { skipped: window.skipped },
            'refusals of unauthenticated requests over the per-minute budget were not recorded',
          );
        window = { minute, recorded: 0, skipped: 0 };
      }
      if (window.recorded >= anonymousBudget) {
        window.skipped++;
        return;
      }
      window.recorded++;
    }
    // A refusal is answered even if it cannot be recorded; the failure is logged, without the credential.
    await options.denials
      .recordDenied(attempt)
      .catch((err: unknown) =>
        options.logger?.error({ err, path: attempt.path }, 'a denied attempt could not be recorded'),
      );
  }

  return (permission) => async (req, res, next) => {
    try {
      const found = await authenticate(req.headers.authorization);
      // A tenant key acting without naming a tenant acts on its own (e.g. GET /api/v1/history).
      const tenant =
        requestTenant(req) ?? (typeof found === 'object' && found.type !== 'operator' ? found.tenant : null);
      if (typeof found === 'string') {
        await deny({
          tenant,
          principal: null,
          path: requestPath(req),
          permission,
          reason: found === 'none' ? 'no credentials' : 'invalid credentials',
        });
        next(new UnauthorizedError(found === 'invalid'));
        return;
      }
      const why = refusal(found, permission, tenant);
      if (why !== null) {
        await deny({ tenant, principal: found, path: requestPath(req), permission, reason: why });
        next(new ForbiddenError(why));
        return;
      }
      res.locals.principal = found;
      next();
    } catch (err) {
      next(err);
    }
  };
}
