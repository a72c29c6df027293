/**
 * What every answer of the service says about caching and content sniffing, and its CORS stance.
 *
 * - `Cache-Control: no-store` on every answer: histories, the inbox and the quarantine hold emails,
 *   provider ids and raw payloads, and the one rule that cannot miss a route is "nothing is stored"
 *   (a shared proxy or a browser's disk cache must never keep them). Nothing the service serves is
 *   worth caching anyway. Set before any route runs, so errors, 404s and webhooks carry it too.
 * - `X-Content-Type-Options: nosniff` on every answer, so a browser never runs a JSON or text
 *   answer as script or HTML whatever it contains.
 * - No CORS, by design: callers are servers, and the Zendesk app calls through Zendesk's proxy
 *   (`client.request({secure: true})`), so no browser origin is ever allowed. A preflight is
 *   answered with a 403 saying so, and no `Access-Control-Allow-*` header is ever sent.
 */
import type { RequestHandler } from 'express';
import type { RequestListener } from 'node:http';
import { HttpError } from '../lib/errors.ts';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

/** Wraps the server's listener: every answer, whichever route (or none) serves it, starts with these headers. */
export function withSecurityHeaders(listener: RequestListener): RequestListener {
  return (req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    listener(req, res);
  };
}

export class CorsRefusedError extends HttpError {
  constructor() {
    super(
      403,
      'cors_refused',
      'cross-origin requests are not allowed: Standing is called by servers, and the Zendesk app calls it ' +
        "through Zendesk's proxy, so no browser origin is ever allowed",
    );
  }
}

/** A CORS preflight (OPTIONS with `Origin` and `Access-Control-Request-Method`) is refused, whatever the path. */
export const refuseCorsPreflight: RequestHandler = (req, _res, next) => {
  const preflight =
    req.method === 'OPTIONS' &&
    req.headers.origin !== undefined &&
    req.headers['access-control-request-method'] !== undefined;
  next(preflight ? new CorsRefusedError() : undefined);
};
