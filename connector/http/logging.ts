/**
 * Structured logs (pino, one JSON object per line). What reaches them is chosen field by field:
 * history queries carry emails in their query string and the admin API carries a bearer token, so
 * requests are logged as method + path + status + duration + request id, never URL or headers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type DestinationStream, type Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';
import type { LogLevel } from '../config/config.ts';
import { assignRequestId } from './request-id.ts';

export type { Logger } from 'pino';

/** Paths probed every few seconds by orchestrators; logging each would drown everything else. */
const PROBE_PATHS = new Set(['/healthz', '/readyz']);

// Belt and braces: nothing below logs headers, but a future `log.info({req})` must not leak them.
const REDACTED_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'authorization'];

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, serializers: { err: safeError } };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Type, message, stack and code only: driver errors carry extra fields (`detail`, `parameters`) that can quote data.
 */
export function safeError(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return { message: String(value) };
  const e = value as { type?: unknown; name?: unknown; message?: unknown; stack?: unknown; code?: unknown };
  return {
    type: typeof e.type === 'string' ? e.type : typeof e.name === 'string' ? e.name : value.constructor.name,
    message: typeof e.message === 'string' ? e.message : '',
    ...(typeof e.stack === 'string' ? { stack: e.stack } : {}),
    ...(typeof e.code === 'string' || typeof e.code === 'number' ? { code: e.code } : {}),
  };
}

export const pathWithoutQuery = (url: string | undefined) => (url ?? '').split('?', 1)[0] ?? '';

// Express rewrites `req.url` inside mounted routers; `originalUrl` is what the client asked for.
const requestPath = (req: IncomingMessage) =>
  pathWithoutQuery((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url);

interface SerializedRequestLike {
  id?: unknown;
  method?: unknown;
  url?: unknown;
}

/**
 * 503 means a dependency is down (the database): the outage is logged once when it starts and
 * once when it ends (see store/database.ts), not once per request answered meanwhile.
 */
export function requestLogLevel(status: number): 'error' | 'warn' | 'debug' {
  if (status === 503) return 'debug';
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'debug';
}

/** Request logging middleware: assigns the request id, logs one line per finished request. */
export function httpLogger(logger: Logger): HttpLogger<IncomingMessage, ServerResponse> {
  return pinoHttp({
    logger,
    genReqId: assignRequestId,
    autoLogging: { ignore: (req) => PROBE_PATHS.has(requestPath(req)) },
    serializers: {
      req: (req: SerializedRequestLike) => ({
        id: req.id,
        method: req.method,
        path: pathWithoutQuery(typeof req.url === 'string' ? req.url : undefined),
      }),
      res: (res: { statusCode?: unknown }) => ({ status: res.statusCode }),
      err: safeError,
    },
    customLogLevel: (_req, res, err) =>
      res.statusCode === 503 ? 'debug' : err || res.statusCode >= 500 ? 'error' : 'info',
    customSuccessMessage: (req, res) => `${req.method} ${requestPath(req)} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${requestPath(req)} ${res.statusCode} failed`,
    customAttributeKeys: { responseTime: 'duration_ms' },
  });
}

/**
 * For high-volume machine-to-machine routes (provider webhooks): assigns the request id like
 * `httpLogger`, but logs a delivery only when it fails (warn for 4xx, error for 5xx) or at debug
 * level. A per-request child logger and serializer pass cost about a third of a webhook's CPU on
 * a small machine (see bench/README.md), and every accepted event is recorded in the inbox anyway.
 */
export function quietRequestLogger(
  logger: Logger,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  return (req, res, next) => {
    const id = assignRequestId(req, res);
    const started = performance.now();
    res.once('finish', () => {
      const status = res.statusCode;
      const level = requestLogLevel(status);
      if (!logger.isLevelEnabled(level)) return;
      const err = (res as ServerResponse & { err?: unknown }).err;
      logger[level](
        {
          req: { id, method: req.method, path: requestPath(req) },
          res: { status },
          duration_ms: Math.round(performance.now() - started),
          ...(err ? { err: safeError(err) } : {}),
        },
        `${req.method} ${requestPath(req)} ${status}`,
      );
    });
    next();
  };
}
