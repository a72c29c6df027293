/**
 * Loggly's HTTP/S bulk endpoint: `POST https://logs-01.loggly.com/bulk/<token>/tag/<tag>/`, one event
 * per line (newline-delimited JSON, each line parsed as its own event), at most 5 MB per request
 * and 1 MB per event; Loggly answers `{"response" : "ok"}`
 * (https://documentation.solarwinds.com/en/success_center/loggly/content/admin/http-bulk-endpoint.htm).
 * The customer token is part of the URL, so the URL is never logged or stored in an error.
 */
import { decideRetry, type RetryDecision } from '../lib/retry-decision.ts';
import type { SiemEvent } from './siem-events.ts';

export const LOGGLY_BULK_BASE = 'https://logs-01.loggly.com';

export const logglyBulkUrl = (token: string, tag: string, base = LOGGLY_BULK_BASE) =>
  `${base.replace(/\/+$/, '')}/bulk/${encodeURIComponent(token)}/tag/${encodeURIComponent(tag)}/`;

/** One line: the SIEM event, with `timestamp` (ISO 8601) set to when it happened. */
export const logglyLine = (e: SiemEvent) => JSON.stringify({ timestamp: e.occurred_at, ...e });

export interface LogglySendOptions {
  /** @defaultValue 30_000 ms */
  timeoutMs?: number;
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  /** @defaultValue https://logs-01.loggly.com */
  base?: string;
}

export interface LogglyAnswer {
  status: number | null;
  /** Loggly's `response`, or the network error: never the token. */
  text: string;
  retryAfter: string | null;
}

/** Sends one batch; never throws (a network failure is an answer with `status: null`). */
export async function sendLogglyBatch(
  token: string,
  tag: string,
  events: readonly SiemEvent[],
  options: LogglySendOptions = {},
): Promise<LogglyAnswer> {
  try {
    const res = await (options.fetch ?? fetch)(logglyBulkUrl(token, tag, options.base), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: events.map(logglyLine).join('\n'),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    const text = await res.text();
    let response: unknown;
    try {
      response = (JSON.parse(text) as { response?: unknown }).response;
    } catch {
      // A proxy's HTML page: the status says enough.
    }
    return {
      status: res.status,
      text: typeof response === 'string' ? response.slice(0, 200) : `HTTP ${res.status}`,
      retryAfter: res.headers.get('retry-after'),
    };
  } catch (err) {
    // The message of a failed fetch does not hold the URL; the cause (which may) is left out.
    const e = err as Error;
    return {
      status: null,
      text: `no answer: ${e.name === 'TimeoutError' ? 'timed out' : e.message}`,
      retryAfter: null,
    };
  }
}

/** Accepted only on a 2xx whose body says ok (pure). */
export function decideLogglyRetry(a: LogglyAnswer, now = Date.now()): RetryDecision {
  if (a.status !== null && a.status >= 200 && a.status < 300)
    return a.text === 'ok'
      ? { retry: false, reason: 'ok', wait: null }
      : { retry: false, reason: 'client_error', wait: null };
  return decideRetry({ status: a.status, retryAfter: a.retryAfter, now });
}
