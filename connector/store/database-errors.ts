/**
 * What a database error means for the caller, from its SQLSTATE or driver error alone (pure).
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */

/**
 * PostgreSQL refused the data itself (SQLSTATE class 22 data exception, 23 integrity violation,
 * 54 program limit exceeded): retrying the same data can never succeed. Anything else
 * (connection lost, a timeout, a provider outage) may pass on retry.
 */
export function isRefusedData(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}

// Class 08 connection exception; 57P01-57P03 the server is shutting down, crashed or starting;
// 53300 too many connections. Node's socket errors and pg's own messages for a lost connection.
const UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[1-3]|53300)$/;
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /connection error and is not queryable/,
  /^timeout exceeded when trying to connect/,
  /^Client was closed and is not queryable/,
];

/** The database could not be reached or dropped the connection: the same work may pass later. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_NODE_CODES.has(code))) return true;
  if (err instanceof AggregateError) return err.errors.some(isDatabaseUnavailable);
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((m) => m.test(message));
}
