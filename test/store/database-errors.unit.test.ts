import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../connector/store/database-errors.ts';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['57P01', true], // admin_shutdown: pg_terminate_backend, a restart
    ['57P03', true], // cannot_connect_now: starting up
    ['08006', true], // connection_failure
    ['53300', true], // too_many_connections
    ['ECONNREFUSED', true],
    ['23505', false], // unique_violation: the data, not the server
    ['22P02', false],
    ['57014', false], // query_canceled
  ])('code %s -> %s', (code, unavailable) => {
    expect(isDatabaseUnavailable(withCode(code))).toBe(unavailable);
  });

  it("recognises pg's own messages for a lost connection, and nothing else", () => {
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Client has encountered a connection error and is not queryable'))).toBe(
      true,
    );
    expect(isDatabaseUnavailable(new AggregateError([withCode('ECONNREFUSED')], ''))).toBe(true);
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});
