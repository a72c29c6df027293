/**
 * How an alert webhook is signed, in the style of Zendesk's own webhooks
 * (https://developer.zendesk.com/documentation/webhooks/verifying/): the signature is
 * base64(HMAC-SHA256(secret, timestamp + body)), the timestamp an ISO 8601 instant sent in its own
 * header, the body the exact bytes sent. A receiver recomputes it over the raw body, compares in
 * constant time, and refuses a timestamp far from its clock (a replay). docs/alerts.md has a snippet.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const ALERT_SIGNATURE_HEADER = 'X-Standing-Webhook-Signature';
export const ALERT_TIMESTAMP_HEADER = 'X-Standing-Webhook-Signature-Timestamp';
/** The alert's stable id: the same for every attempt of one alert on one channel (deduplicate on it). */
export const ALERT_ID_HEADER = 'X-Standing-Alert-Id';

/** How far a receiver should accept a timestamp from its own clock. */
export const DEFAULT_SIGNATURE_TOLERANCE_MS = 5 * 60_000;

export function signAlert(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret)
    .update(timestamp + body, 'utf8')
    .digest('base64');
}

export interface VerifyOptions {
  /** @defaultValue Date.now() */
  now?: number;
  /** @defaultValue 300_000 ms */
  toleranceMs?: number;
}

/** Whether a received alert is ours and recent: what a receiver does (tests and the demo use it). */
export function verifyAlertSignature(
  secret: string,
  timestamp: string | undefined,
  body: string,
  signature: string | undefined,
  options: VerifyOptions = {},
): boolean {
  if (!timestamp || !signature) return false;
  const at = Date.parse(timestamp);
  const now = options.now ?? Date.now();
  if (Number.isNaN(at) || Math.abs(now - at) > (options.toleranceMs ?? DEFAULT_SIGNATURE_TOLERANCE_MS)) return false;
  const expected = Buffer.from(signAlert(secret, timestamp, body), 'base64');
  const got = Buffer.from(signature, 'base64');
  return got.length === expected.length && timingSafeEqual(got, expected);
}
