/**
 * Authentication of the Zendesk app's calls: `Authorization: Bearer <JWT>`, signed HS256 by
 * Zendesk's request proxy with the tenant's secure `shared_secret` app setting
 * (https://developer.zendesk.com/documentation/apps/app-developer-guide/making-api-requests-from-a-zendesk-app/#using-json-web-tokens-jwts).
 * Checked: signature with *this* tenant's secret, expiry (required), and the `tenant` claim.
 * A valid token proves the call came through the installed app, not which agent made it: routes
 * decide what to serve themselves (see sidebar-routes.ts, admin-app-routes.ts).
 */
import type { RequestHandler, Response } from 'express';
import { errors, jwtVerify } from 'jose';
import { z } from 'zod';
import { HttpError } from '../lib/errors.ts';
import { TenantId } from '../model/standing-event.ts';
import type { Tenant, TenantRegistry } from '../tenants/tenant-registry.ts';
import type { Principal } from '../access/principal.ts';

const BEARER = /^Bearer[ \t]+([A-Za-z0-9_\-.]+)[ \t]*$/i;
/** Longest token lifetime accepted, whatever `exp` says (the app asks for 5 minutes). */
export const MAX_TOKEN_LIFETIME_S = 3600;

export const AppClaims = z.looseObject({
  tenant: z.string(),
  /** The Zendesk user id the app says is signed in: only ever a hint, confirmed with Zendesk where it matters. */
  user_id: z
    .union([z.string(), z.number()])
    .transform(String)
    .pipe(z.string().regex(/^\d{1,20}$/))
    .optional(),
  exp: z.number(),
});
export type AppClaims = z.output<typeof AppClaims>;

export interface AppCaller {
  tenant: Tenant;
  claims: AppClaims;
}

export class AppUnauthorizedError extends HttpError {
  constructor(reason: string) {
    super(401, 'unauthorized', `the app token is not valid: ${reason}`, undefined, {
      'WWW-Authenticate': 'Bearer realm="standing-app", error="invalid_token"',
    });
  }
}

export const appCaller = (res: Response): AppCaller => res.locals.appCaller as AppCaller;

/** Verifies the app token for the `:tenant` route parameter; puts the caller in `res.locals.appCaller`. */
export function requireAppToken(tenants: TenantRegistry): RequestHandler {
  return async (req, res, next) => {
    try {
      const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
      if (!token) throw new AppUnauthorizedError('an Authorization: Bearer <JWT> header is required');
      const id = TenantId.safeParse(req.params.tenant);
      const tenant = id.success ? await tenants.get(id.data) : null;
      const secret = tenant?.zendesk.app_shared_secret;
      // An unknown tenant and one without the app set up answer alike: nothing tells them apart.
      if (!tenant || !secret) throw new AppUnauthorizedError('signature');
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
          algorithms: ['HS256'],
          requiredClaims: ['exp'],
          clockTolerance: 30,
        }));
      } catch (err) {
        if (err instanceof errors.JWTExpired) throw new AppUnauthorizedError('expired');
        if (err instanceof errors.JOSEError)
          throw new AppUnauthorizedError(
            err instanceof errors.JWTClaimValidationFailed ? `claim ${err.claim}` : 'signature',
          );
        throw err;
      }
      const claims = AppClaims.safeParse(payload);
      if (!claims.success) throw new AppUnauthorizedError('claims');
      if (claims.data.tenant !== tenant.id) throw new AppUnauthorizedError('tenant');
      if (claims.data.exp - Date.now() / 1000 > MAX_TOKEN_LIFETIME_S + 30)
        throw new AppUnauthorizedError('lifetime too long');
      const caller: AppCaller = { tenant, claims: claims.data };
      res.locals.appCaller = caller;
      // An agent until Zendesk confirms more (requireZendeskAdmin): the token alone proves only the app.
      res.locals.principal = {
        type: 'app_user',
        tenant: tenant.id,
        role: 'agent',
        zendesk_user_id: claims.data.user_id ?? null,
      } satisfies Principal;
      next();
    } catch (err) {
      next(err);
    }
  };
}
