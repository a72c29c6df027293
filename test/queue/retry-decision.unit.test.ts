/** The retry decision for provider calls: a pure function of status, Retry-After and error code. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMIT_WAIT_MS, decideRetry, parseRetryAfter } from '../../connector/lib/retry-decision.ts';

const NOW = Date.parse('2026-03-04T05:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delta-seconds, fractional ones rounded up to the millisecond', () => {
    expect(parseRetryAfter('7', NOW)).toBe(7000);
    expect(parseRetryAfter(' 0.25 ', NOW)).toBe(250);
    expect(parseRetryAfter('0', NOW)).toBe(0);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfter('Wed, 04 Mar 2026 05:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Wed, 04 Mar 2026 04:59:00 GMT', NOW)).toBe(0);
  });

  it('caps what a provider asks for at 15 minutes', () => {
    expect(parseRetryAfter('86400', NOW)).toBe(15 * 60_000);
    expect(parseRetryAfter('Thu, 05 Mar 2026 05:00:00 GMT', NOW)).toBe(15 * 60_000);
  });

  it('gives null for a missing or unreadable value', () => {
    for (const v of [undefined, null, '', 'soon', '-5', '1e3', '2026-03-04T05:00:30Z', 'Wed, 04 Mar 2026'])
      expect(parseRetryAfter(v, NOW)).toBeNull();
  });
});

describe('decideRetry', () => {
  it.each([
    [{ status: 200 }, { retry: false, reason: 'ok', wait: null }],
    [{ status: 304 }, { retry: false, reason: 'ok', wait: null }],
    [{ status: null }, { retry: true, reason: 'network', wait: null }],
    [
      { status: 429, retryAfter: '12' },
      { retry: true, reason: 'rate_limited', wait: 12_000 },
    ],
    [{ status: 429 }, { retry: true, reason: 'rate_limited', wait: DEFAULT_RATE_LIMIT_WAIT_MS }],
    [
      { status: 429, retryAfter: 'garbage' },
      { retry: true, reason: 'rate_limited', wait: DEFAULT_RATE_LIMIT_WAIT_MS },
    ],
    [
      { status: 403, errorCode: 'REQUEST_LIMIT_EXCEEDED' },
      { retry: true, reason: 'rate_limited', wait: DEFAULT_RATE_LIMIT_WAIT_MS },
    ],
    [
      { status: 503, retryAfter: '3' },
      { retry: true, reason: 'server_error', wait: 3000 },
    ],
    [{ status: 500 }, { retry: true, reason: 'server_error', wait: null }],
    [{ status: 401 }, { retry: false, reason: 'unauthorized', wait: null }],
    [{ status: 403 }, { retry: false, reason: 'unauthorized', wait: null }],
    [
      { status: 403, errorCode: 'INSUFFICIENT_ACCESS' },
      { retry: false, reason: 'unauthorized', wait: null },
    ],
    [{ status: 404 }, { retry: false, reason: 'not_found', wait: null }],
    [{ status: 422 }, { retry: false, reason: 'client_error', wait: null }],
  ] as const)('%o -> %o', (response, decision) => {
    expect(decideRetry({ ...response, now: NOW })).toEqual(decision);
  });
});
