/**
 * Splunk HTTP Event Collector: the request (`POST <url>/services/collector/event`, `Authorization:
 * Splunk <token>`, events as concatenated JSON objects `{time, host, source, sourcetype, index,
 * event}`) and what its answer means. HEC answers `{"text": "...", "code": n}`; the codes are listed
 * at https://help.splunk.com/en/splunk-enterprise/get-data-in/collect-http-event-data/troubleshoot-http-event-collector
 * (0 success; 1 token disabled and 4 invalid token with 403; 2 token required and 3 invalid
 * authorization with 401; 5-7, 10-16 malformed requests with 400; 8 internal error with 500;
 * 9 server busy and 18-20 unhealthy with 503). The event format is at
 * https://help.splunk.com/splunk-enterprise/get-data-in/collect-http-event-data/format-events-for-http-event-collector
 */
import { parseRetryAfter } from '../lib/retry-decision.ts';
import type { SiemEvent } from './siem-events.ts';

export const HEC_EVENT_PATH = '/services/collector/event';

/** Where and how events go: the non-secret half of a target. */
export interface HecDestination {
  /** HEC base URL, e.g. https://splunk.example.com:8088 */
  url: string;
  index: string | null;
  sourcetype: string;
  source: string;
  host: string | null;
}

/** One HEC event: `time` in epoch seconds (milliseconds as the fraction), the log row as `event`. */
export function hecEnvelope(e: SiemEvent, d: HecDestination): Record<string, unknown> {
  return {
    time: Date.parse(e.occurred_at) / 1000,
    ...(d.host ? { host: d.host } : {}),
    source: d.source,
    sourcetype: d.sourcetype,
    ...(d.index ? { index: d.index } : {}),
    event: e,
  };
}

export const hecEndpoint = (url: string) => `${url.replace(/\/+$/, '')}${HEC_EVENT_PATH}`;

/** What HEC answered to one batch. */
export interface HecAnswer {
  /** HTTP status, or null when no answer arrived (network error, timeout). */
  status: number | null;
  /** HEC's `code` from the body, when it sent one. */
  code: number | null;
  /** HEC's `text`, or the network error's message: never holds the token. */
  text: string;
  retryAfter: string | null;
}

export interface HecRetryDecision {
  /** Transient: the same batch is sent again after `wait` (or at the next run). */
  retry: boolean;
  reason:
    | 'ok'
    | 'network'
    | 'rate_limited'
    | 'server_busy'
    | 'server_error'
    | 'unauthorized'
    | 'bad_request'
    | 'not_found'
    | 'too_large'
    | 'client_error';
  /** Milliseconds to wait before sending again, when HEC said so (or a 429 without Retry-After); null: the next run. */
  wait: number | null;
}

/** When a 429 comes without Retry-After. */
export const DEFAULT_HEC_RATE_LIMIT_WAIT_MS = 60_000;

/** Whether a batch was accepted and, if not, whether and when to send it again (pure). */
export function decideHecRetry(
  a: Pick<HecAnswer, 'status' | 'code' | 'retryAfter'>,
  now = Date.now(),
): HecRetryDecision {
  const wait = parseRetryAfter(a.retryAfter, now);
  if (a.status === null) return { retry: true, reason: 'network', wait: null };
  // A 200 with a code other than 0 is not a success (17 "HEC is healthy" answers the health endpoint, not this one).
  if (a.status >= 200 && a.status < 300)
    return a.code === null || a.code === 0
      ? { retry: false, reason: 'ok', wait: null }
      : { retry: false, reason: 'client_error', wait: null };
  if (a.status === 429) return { retry: true, reason: 'rate_limited', wait: wait ?? DEFAULT_HEC_RATE_LIMIT_WAIT_MS };
  if (a.status === 503) return { retry: true, reason: 'server_busy', wait };
  if (a.status >= 500) return { retry: true, reason: 'server_error', wait };
  if (a.status === 401 || a.status === 403) return { retry: false, reason: 'unauthorized', wait: null };
  if (a.status === 404) return { retry: false, reason: 'not_found', wait: null };
  if (a.status === 413) return { retry: false, reason: 'too_large', wait: null };
  if (a.status === 400) return { retry: false, reason: 'bad_request', wait: null };
  return { retry: false, reason: 'client_error', wait: null };
}

export interface HecSendOptions {
  /** @defaultValue 30_000 ms */
  timeoutMs?: number;
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
}

export const DEFAULT_HEC_SEND = { timeoutMs: 30_000 } as const;

/** Sends one batch; never throws (a network failure is an answer with `status: null`). */
export async function sendHecBatch(
  d: HecDestination,
  token: string,
  events: readonly SiemEvent[],
  options: HecSendOptions = {},
): Promise<HecAnswer> {
  const body = events.map((e) => JSON.stringify(hecEnvelope(e, d))).join('\n');
  const doFetch = options.fetch ?? fetch;
  try {
    const res = await doFetch(hecEndpoint(d.url), {
      method: 'POST',
      headers: { authorization: `Splunk ${token}`, 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_HEC_SEND.timeoutMs),
    });
    const text = await res.text();
    let parsed: { text?: unknown; code?: unknown } = {};
    try {
      parsed = JSON.parse(text) as { text?: unknown; code?: unknown };
    } catch {
      // A proxy's HTML error page: the status says enough.
    }
    return {
      status: res.status,
      code: typeof parsed.code === 'number' ? parsed.code : null,
      text: typeof parsed.text === 'string' ? parsed.text.slice(0, 200) : `HTTP ${res.status}`,
      retryAfter: res.headers.get('retry-after'),
    };
  } catch (err) {
    return {
      status: null,
      code: null,
      text: `no answer: ${(err as Error).name === 'TimeoutError' ? 'timed out' : (err as Error).message}`.slice(0, 200),
      retryAfter: null,
    };
  }
}
