/**
 * Routes served by `node:http` directly, ahead of the Express app: provider webhooks, the one hot
 * path. Express's per-request work (router layers, request/response decoration, an ETag hash of
 * every body) cost about a third of a webhook's CPU on a 2-core machine (bench/README.md); these
 * routes keep the same contract (JSON errors, request ids, quiet logging, body limits) without it.
 * Anything a direct route does not claim falls through to Express.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import getRawBody from 'raw-body';
import type { Logger } from 'pino';
import { toHttpError } from './errors.ts';
import { BadRequestError, HttpError } from '../lib/errors.ts';
import { pathWithoutQuery, quietRequestLogger } from './logging.ts';

export interface DirectRoute {
  /** POST paths under this prefix (e.g. `/webhooks/zendesk/`) that `match` accepts are this route's. */
  prefix: string;
  /**
   * Whether the rest of the path (after `prefix`, without query) is this route's; `null` hands
   * the request on to Express (which answers 404 or serves another route).
   */
  match(rest: string): string | null;
  /** Serves the request; a thrown HttpError becomes its JSON error response. */
  handle(req: IncomingMessage, res: ServerResponse, param: string): Promise<void>;
}

/** The server's request listener: direct routes first (logged quietly), then the Express app. */
export function directRouteListener(
  routes: readonly DirectRoute[],
  app: RequestListener,
  logger: Logger,
): RequestListener {
  if (routes.length === 0) return app;
  const quiet = quietRequestLogger(logger);
  return (req, res) => {
    if (req.method === 'POST') {
      const path = pathWithoutQuery(req.url);
      for (const route of routes) {
        if (!path.startsWith(route.prefix)) continue;
        const param = route.match(path.slice(route.prefix.length));
        if (param === null) continue;
        quiet(req, res, () => {
          route.handle(req, res, param).catch((err: unknown) => {
            try {
              sendError(res, err);
            } catch {
              // The answer itself could not be written (the client went away): nothing left to tell it.
              res.destroy();
            }
          });
        });
        return;
      }
    }
    app(req, res);
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
  });
  res.end(json);
}

/** As the Express error handler: a known error as its JSON body, anything else as a bare 500 (logged). */
function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy(err instanceof Error ? err : undefined);
    return;
  }
  const known = toHttpError(err);
  const httpError = known ?? new HttpError(500, 'internal', 'internal error');
  if (!known) (res as ServerResponse & { err?: unknown }).err = err instanceof Error ? err : new Error(String(err));
  sendJson(res, httpError.status, httpError.toBody(), httpError.headers);
}

/**
 * The request body as received, after any `Content-Encoding` (gzip, deflate, br, as body-parser
 * accepts), at most `limit` bytes: larger bodies raise raw-body's 413 `entity.too.large`, which
 * `toHttpError` answers as `payload_too_large`.
 */
export async function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity') return getRawBody(req, { length: req.headers['content-length'], limit });
  const inflate = INFLATERS.get(encoding);
  if (!inflate)
    throw new HttpError(
      415,
      'unsupported_encoding',
      `content encoding "${encoding}" is not supported (gzip, deflate, br or none)`,
    );
  const inflater = inflate();
  const stream: Readable = req.pipe(inflater);
  try {
    return await getRawBody(stream, { limit });
  } catch (err) {
    req.unpipe(inflater);
    req.resume(); // discard the rest, so the connection can carry the answer
    if (toHttpError(err)) throw err;
    // zlib's own errors (corrupt data) are the sender's fault, as body-parser answers them.
    throw new BadRequestError('invalid_encoding', `the request body is not valid ${encoding} data`);
  }
}

// A Map, not an object literal: the header is the client's, and "constructor" must not find Object's.
const INFLATERS = new Map<string, () => NodeJS.ReadWriteStream & Readable>([
  ['gzip', createGunzip],
  ['deflate', createInflate],
  ['br', createBrotliDecompress],
]);
