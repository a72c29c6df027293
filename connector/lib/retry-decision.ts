/**
 * Whether and when to retry a provider call, decided from its status and headers alone (pure).
 * Zendesk answers 429 with `Retry-After` in seconds
 * (https://developer.zendesk.com/api-reference/introduction/rate-limits/); Salesforce signals an
 * exhausted API allowance with 403 REQUEST_LIMIT_EXCEEDED.
 */
export interface RetryDecision {
  retry: boolean;
  reason: 'rate_limited' | 'server_error' | 'network' | 'unauthorized' | 'not_found' | 'client_error' | 'ok';
  /** Milliseconds to wait before the next call when the provider said so; null = use our backoff. */
  wait: number | null;
}

export interface ProviderResponse {
  /** HTTP status, or null when no response arrived (network failure, timeout). */
  status: number | null;
  /** Value of the Retry-After header, if any. */
  retryAfter?: string | null;
  /** The provider's own error code from the body, e.g. Salesforce's `errorCode`. */
  errorCode?: string | null;
  /** Current time, for HTTP-date Retry-After values. */
  now?: number;
}

/** Provider error codes that mean "over the allowance, try later" whatever the HTTP status. */
const RATE_LIMIT_CODES = new Set(['REQUEST_LIMIT_EXCEEDED']);

/** When Retry-After is missing on a 429: Zendesk's windows are per minute. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;
const MAX_WAIT_MS = 15 * 60_000;

// RFC 9110 section 10.2.3: delay-seconds or an HTTP-date (IMF-fixdate, e.g. "Wed, 04 Mar 2026 05:00:30 GMT").
// Date.parse alone would read "-5" or "2026" as dates, and answer a 429 with no wait at all.
const DELAY_SECONDS = /^\d+(\.\d+)?$/;
const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** Milliseconds a `Retry-After` value asks for (at most 15 minutes), or null when it is absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (DELAY_SECONDS.test(v)) return Math.min(Math.ceil(Number(v) * 1000), MAX_WAIT_MS);
  if (!IMF_FIXDATE.test(v)) return null;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.min(Math.max(at - now, 0), MAX_WAIT_MS);
}

export function decideRetry(r: ProviderResponse): RetryDecision {
  const wait = parseRetryAfter(r.retryAfter, r.now);
  if (r.status === null) return { retry: true, reason: 'network', wait: null };
  if (r.status < 400) return { retry: false, reason: 'ok', wait: null };
  if (r.status === 429 || (r.errorCode && RATE_LIMIT_CODES.has(r.errorCode)))
    return { retry: true, reason: 'rate_limited', wait: wait ?? DEFAULT_RATE_LIMIT_WAIT_MS };
  if (r.status >= 500) return { retry: true, reason: 'server_error', wait };
  if (r.status === 401 || r.status === 403) return { retry: false, reason: 'unauthorized', wait: null };
  if (r.status === 404) return { retry: false, reason: 'not_found', wait: null };
  return { retry: false, reason: 'client_error', wait: null };
}
