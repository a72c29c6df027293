/**
 * Zendesk webhook request signing: base64(HMAC-SHA256(secret, TIMESTAMP + RAW_BODY)), sent in
 * `X-Zendesk-Webhook-Signature` with the timestamp in `X-Zendesk-Webhook-Signature-Timestamp`.
 * https://developer.zendesk.com/documentation/webhooks/verifying/
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export { ZENDESK_TEST_SIGNING_SECRET } from '../config/zendesk-test-secret.ts';

export const ZENDESK_SIGNATURE_HEADER = 'x-zendesk-webhook-signature';
export const ZENDESK_SIGNATURE_TIMESTAMP_HEADER = 'x-zendesk-webhook-signature-timestamp';
/**
 * One id per invocation; Zendesk's retries are "attempts" of the same invocation, so the id is kept
 * across retries (GET /api/v2/webhooks/{id}/invocations/{invocation_id}/attempts).
 * https://developer.zendesk.com/api-reference/webhooks/webhooks-api/webhooks/#list-webhook-invocation-attempts
 */
export const ZENDESK_INVOCATION_ID_HEADER = 'x-zendesk-webhook-invocation-id';

export const SIGNATURE_FAILURE_REASONS = [
  'missing_signature',
  'missing_timestamp',
  'malformed_timestamp',
  'stale_timestamp',
  'future_timestamp',
  'bad_signature',
] as const;
export type SignatureFailureReason = (typeof SIGNATURE_FAILURE_REASONS)[number];

export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureFailureReason; message: string };

export interface VerifyZendeskSignatureOptions {
  /** The webhook's signing secret, used as-is (the base64 text itself is the HMAC key). */
  secret: string;
  /** Value of `X-Zendesk-Webhook-Signature`. */
  signature: string | null | undefined;
  /** Value of `X-Zendesk-Webhook-Signature-Timestamp`, ISO-8601 such as `2024-04-17T17:18:10Z`. */
  timestamp: string | null | undefined;
  /** The request body exactly as received: re-serialized JSON would not verify. */
  rawBody: Buffer;
  /**
   * The time to judge the timestamp against.
   * @defaultValue `new Date()`
   */
  now?: Date;
  /**
   * How far (either way) the timestamp may be from `now`. Zendesk documents no window; retries are
   * re-signed with a fresh timestamp, so a short window only costs clock skew.
   * @defaultValue 300
   */
  toleranceSeconds?: number;
}

const DEFAULT_TOLERANCE_SECONDS = 300;
/** A date-time with an explicit offset; fractional seconds allowed. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** Signs a body the way Zendesk does. For tests and local tools that replay deliveries. */
export function signZendeskWebhook(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(timestamp, 'utf8').update(rawBody).digest('base64');
}

/** Checks a delivery's signature and timestamp. Expected failures are values, never throws. */
export function verifyZendeskSignature(options: VerifyZendeskSignatureOptions): SignatureCheck {
  const now = options.now ?? new Date();
  const toleranceMs = (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS) * 1000;
  const signature = options.signature?.trim() ?? '';
  const timestamp = options.timestamp?.trim() ?? '';

  if (signature === '') {
    return fail('missing_signature', 'the X-Zendesk-Webhook-Signature header is missing or empty');
  }
  if (timestamp === '') {
    return fail('missing_timestamp', 'the X-Zendesk-Webhook-Signature-Timestamp header is missing or empty');
  }
  const sentAt = ISO_INSTANT.test(timestamp) ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(sentAt)) {
    return fail(
      'malformed_timestamp',
      'the signature timestamp must be an ISO-8601 date-time such as 2024-04-17T17:18:10Z',
    );
  }
  const skewMs = now.getTime() - sentAt;
  if (skewMs > toleranceMs) {
    return fail(
      'stale_timestamp',
      `the signature timestamp is ${Math.round(skewMs / 1000)} s old, more than the ${toleranceMs / 1000} s allowed`,
    );
  }
  if (-skewMs > toleranceMs) {
    return fail(
      'future_timestamp',
      `the signature timestamp is ${Math.round(-skewMs / 1000)} s in the future, more than the ` +
        `${toleranceMs / 1000} s allowed`,
    );
  }

  // The signature is signed over the timestamp exactly as sent, so use the header value, not a reformatted one.
  const expected = Buffer.from(signZendeskWebhook(options.secret, options.timestamp ?? '', options.rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  // timingSafeEqual throws on different lengths; the length of a valid signature is public anyway.
  const matches = given.length === expected.length && timingSafeEqual(given, expected);
  return matches
    ? { ok: true }
    : fail('bad_signature', 'the signature does not match the body and timestamp for this webhook secret');
}

function fail(reason: SignatureFailureReason, message: string): SignatureCheck {
  return { ok: false, reason, message };
}
