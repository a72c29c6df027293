/**
 * Reading the Bayeux errors Salesforce's CometD endpoint answers with, and the reconnect backoff
 * (pure). Errors are `code:args:message` strings (Bayeux 1.0 section 4.5), e.g.
 * `400::The replayId {6734} you provided was invalid. Please provide a valid ID, -2 to replay all
 * events, or -1 to replay only new events.` on `/meta/subscribe`, or `401::Authentication invalid`
 * on `/meta/connect` and `/meta/handshake` when the session expired.
 * https://developer.salesforce.com/docs/atlas.en-us.api_streaming.meta/api_streaming/streaming_error_codes.htm
 */

export type CometdFailure = 'replay_id_invalid' | 'unauthorized' | 'unknown_client' | 'other';

/** Faye hands errors over as strings or as parsed `{code, params, message}` objects. */
export function cometdErrorText(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; params?: unknown; message?: unknown };
    const params = Array.isArray(e.params) ? e.params.join(',') : '';
    if (e.code !== undefined || e.message !== undefined)
      return `${String(e.code ?? '')}:${params}:${String(e.message ?? '')}`;
  }
  return String(error);
}

export function classifyCometdError(error: unknown, sfdcFailureReason?: unknown): CometdFailure {
  const text = cometdErrorText(error);
  const reason = typeof sfdcFailureReason === 'string' ? sfdcFailureReason : '';
  if (/replayid\b.*\b(invalid|too old)/i.test(text) || /^400:.*replay/i.test(text)) return 'replay_id_invalid';
  if (/^401:/.test(text) || /^401:/.test(reason) || /authentication invalid/i.test(text + reason))
    return 'unauthorized';
  if (/^403:.*unknown client/i.test(text)) return 'unknown_client';
  return 'other';
}

export interface BackoffOptions {
  /** Delay before the first retry, in ms. */
  initialMs: number;
  /** Longest delay, in ms. */
  maxMs: number;
  /** Fraction of the delay randomised away (0: none, 0.5: between 50 % and 100 %). */
  jitter: number;
}

/** Capped exponential backoff: `initialMs * 2^attempt`, at most `maxMs`, minus up to `jitter` of it. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exp = Math.min(options.initialMs * 2 ** Math.max(0, attempt), options.maxMs);
  const j = Math.min(Math.max(options.jitter, 0), 1);
  return Math.round(exp * (1 - j * random()));
}
