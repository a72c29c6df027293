/**
 * Every HTTP error is JSON: `{error: {code, message, details?}}`. Routes throw an HttpError
 * subclass; the handlers below turn it (or anything unexpected) into the response.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { BadRequestError, CursorError, HttpError, NotFoundError, ValidationError } from '../lib/errors.ts';
import { isDatabaseUnavailable } from '../store/database-errors.ts';
import type { ErrorBody } from '../contracts/index.ts';
import type { AdminActionResult } from '../intake/admin-actions.ts';

export type { ErrorBody };

/** Seconds a client is asked to wait while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** The database cannot be reached: 503 with `Retry-After`, so senders (Zendesk) retry later. */
export class DatabaseUnavailableHttpError extends HttpError {
  constructor() {
    super(503, 'database_unavailable', 'the database is unavailable; retry later', undefined, {
      'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS),
    });
  }
}

/** The value of an admin action, or the 400 its refusal stands for. */
export function actionValue<T>(r: AdminActionResult<T>): T {
  if (r.ok) return r.value;
  if (r.code === 'invalid_cursor') throw new BadRequestError('invalid_cursor', r.message);
  throw new ValidationError(r.what, r.problems);
}

/** The error types body-parser raises, per the http-errors convention (`status`, `type`, `expose`). */
interface ParserError {
  status: number;
  type?: string;
  expose?: boolean;
}

function isClientParserError(err: unknown): err is ParserError {
  if (typeof err !== 'object' || err === null) return false;
  const { status, expose } = err as Partial<ParserError>;
  return typeof status === 'number' && status >= 400 && status < 500 && expose === true;
}

const PARSER_ERRORS: Record<string, { code: string; message: string }> = {
  'entity.parse.failed': { code: 'invalid_json', message: 'the request body is not valid JSON' },
  'entity.too.large': { code: 'payload_too_large', message: 'the request body is too large' },
  'encoding.unsupported': { code: 'unsupported_encoding', message: 'the request body encoding is not supported' },
  'charset.unsupported': { code: 'unsupported_charset', message: 'the request body charset is not supported' },
};

/** The HttpError an error stands for (ours, or a body parser's 4xx), or `null` for an unexpected one. */
export function toHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  if (err instanceof CursorError) return new BadRequestError('invalid_cursor', err.message);
  // Express's router could not percent-decode a path parameter (`/tenants/%`): the client's path.
  if (err instanceof URIError && (err as URIError & { status?: unknown }).status === 400) {
    return new BadRequestError('invalid_path', 'the path is not valid percent-encoding');
  }
  if (isDatabaseUnavailable(err)) return new DatabaseUnavailableHttpError();
  if (isClientParserError(err)) {
    const known = (err.type && PARSER_ERRORS[err.type]) || {
      code: 'bad_request',
      message: 'the request could not be read',
    };
    return new HttpError(err.status, known.code, known.message);
  }
  return null;
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFoundError(`no route for ${req.method} ${req.path}`));
};

/** Last middleware. Unexpected errors become a bare 500; the error itself goes to the log, not the client. */
export const errorHandler: ErrorRequestHandler = (err: unknown, _req, res, next) => {
  if (res.headersSent) {
    next(err);
    return;
  }
  const known = toHttpError(err);
  const httpError = known ?? new HttpError(500, 'internal', 'internal error');
  // pino-http logs `res.err` with the request's completion line.
  if (!known) res.err = err instanceof Error ? err : new Error(String(err));
  res.status(httpError.status).set(httpError.headers).json(httpError.toBody());
};
