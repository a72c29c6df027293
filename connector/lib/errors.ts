/**
 * The named errors of Standing. Every error class we define extends StandingError, so a caller can
 * tell ours from a library's; the HttpError family carries what a client is answered (status,
 * code, message, details), whoever throws it: a route, an ingress, a check of a token.
 * connector/http/errors.ts turns them (and anything else) into the JSON error response.
 */
import type { z } from 'zod';
import { describeIssues, problemsText, type FieldProblem } from './problems.ts';

/** Base of our named errors. Each sets its own `name`; the base leaves it alone. */
export class StandingError extends Error {}

/**
 * A page cursor that is not one the API returned (tampered with, or from another query): the
 * client's mistake, answered 400 `invalid_cursor` by toHttpError wherever it is thrown.
 */
export class CursorError extends StandingError {
  override name = 'CursorError';
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export class HttpError extends StandingError {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export class BadRequestError extends HttpError {
  constructor(code: string, message: string, details?: unknown) {
    super(400, code, message, details);
  }
}

/** Input that failed its zod schema: `details` lists `{path, message}` per problem. */
export class ValidationError extends BadRequestError {
  constructor(
    what: string,
    readonly problems: FieldProblem[],
  ) {
    super('invalid_request', `${what}: ${problemsText(problems)}`, problems);
  }

  static fromZod(what: string, error: z.ZodError): ValidationError {
    return new ValidationError(what, describeIssues(error));
  }
}

export class UnauthorizedError extends HttpError {
  // RFC 6750 section 3: a 401 for a bearer-protected resource names the scheme, and says
  // `invalid_token` when a token was presented but is not accepted.
  constructor(tokenPresented: boolean) {
    super(
      401,
      'unauthorized',
      tokenPresented ? 'the bearer token is not valid' : 'an Authorization: Bearer <token> header is required',
      undefined,
      {
        'WWW-Authenticate': tokenPresented
          ? 'Bearer realm="standing", error="invalid_token"'
          : 'Bearer realm="standing"',
      },
    );
  }
}

export class NotFoundError extends HttpError {
  constructor(message = 'no such resource') {
    super(404, 'not_found', message);
  }
}
