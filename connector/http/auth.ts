/** Bearer-token authentication for the admin API (RFC 6750 header form only, never a query parameter). */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { UnauthorizedError } from '../lib/errors.ts';

const BEARER = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i;

// Comparing fixed-length digests keeps the comparison constant-time even when the lengths differ.
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Rejects with 401 `unauthorized` unless the request carries `Authorization: Bearer <expected>`. */
export function requireBearerToken(expected: string): RequestHandler {
  const expectedDigest = digest(expected);
  return (req, _res, next) => {
    const header = req.headers.authorization;
    const presented = header === undefined ? undefined : BEARER.exec(header)?.[1];
    if (presented === undefined) {
      next(new UnauthorizedError(header !== undefined));
      return;
    }
    if (!timingSafeEqual(digest(presented), expectedDigest)) {
      next(new UnauthorizedError(true));
      return;
    }
    next();
  };
}
