/** The pure parts of alerting and the Loggly push: signing, the alert key, backoff, Loggly's answer. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../connector/alerts/alert-delivery.ts';
import { alertKey, alertPayload, noteBody } from '../../connector/alerts/alert-payload.ts';
import { signAlert, verifyAlertSignature } from '../../connector/alerts/alert-signing.ts';
import { decideLogglyRetry, logglyBulkUrl } from '../../connector/siem/loggly.ts';

const SECRET = 'dGhpcyBpcyBhIHNlY3JldCBmb3IgdGVzdHM';
const TS = '2026-03-04T10:00:01.234Z';
const BODY = '{"type":"standing.alert"}';

describe('alert signing', () => {
  it("is base64(HMAC-SHA256(secret, timestamp + body)), Zendesk's scheme", () => {
    const expected = createHmac('sha256', SECRET).update(`${TS}${BODY}`).digest('base64');
    expect(signAlert(SECRET, TS, BODY)).toBe(expected);
  });

  it('verifies only the same secret, timestamp and body, within the tolerance', () => {
    const sig = signAlert(SECRET, TS, BODY);
    const now = Date.parse(TS) + 60_000;
    expect(verifyAlertSignature(SECRET, TS, BODY, sig, { now })).toBe(true);
    expect(verifyAlertSignature(`${SECRET}x`, TS, BODY, sig, { now })).toBe(false);
    expect(verifyAlertSignature(SECRET, TS, `${BODY} `, sig, { now })).toBe(false);
    expect(verifyAlertSignature(SECRET, '2026-03-04T10:00:02.234Z', BODY, sig, { now })).toBe(false);
    expect(verifyAlertSignature(SECRET, TS, BODY, sig, { now: Date.parse(TS) + 6 * 60_000 })).toBe(false);
    expect(verifyAlertSignature(SECRET, undefined, BODY, sig, { now })).toBe(false);
    expect(verifyAlertSignature(SECRET, TS, BODY, 'bm90IGl0', { now })).toBe(false);
  });
});

describe('the alert', () => {
  const w = {
    code: 'reactivation_after_fraud' as const,
    about: 'person' as const,
    event_ids: ['b', 'a'],
    details: { hours: 5 },
    message: 'Reactivated 5 h after a suspension for fraud_suspected (window 72 h).',
  };

  it('has one key per warning: its code and events, in any order', () => {
    expect(alertKey(w.code, ['a', 'b'])).toBe(alertKey(w.code, ['b', 'a']));
    expect(alertKey('repeated_cycles', ['a', 'b'])).not.toBe(alertKey(w.code, ['a', 'b']));
    expect(alertKey(w.code, ['a'])).not.toBe(alertKey(w.code, ['a', 'b']));
  });

  it('carries the message for chat tools in `text`, and the note names the code and id', () => {
    const p = alertPayload('acme', w, { subject_id: 's-1', seq: 9, occurred_at: '2026-03-04T10:00:00.000Z' });
    expect(p).toMatchObject({ id: alertKey(w.code, w.event_ids), seq: 9, test: false });
    expect(p.text).toContain(w.message);
    expect(noteBody(p)).toContain(p.id);
    expect(noteBody(p)).toContain('reactivation_after_fraud');
  });
});

describe('backoff', () => {
  it('doubles from the base up to the ceiling', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffMs(n, 30_000, 3_600_000))).toEqual([
      30_000, 60_000, 120_000, 240_000, 3_600_000,
    ]);
  });
});

describe('Loggly', () => {
  it('puts the token and the tag in the bulk URL', () => {
    expect(logglyBulkUrl('tok-1', 'standing')).toBe('https://logs-01.loggly.com/bulk/tok-1/tag/standing/');
  });

  it('counts a batch as accepted only on a 2xx saying ok', () => {
    expect(decideLogglyRetry({ status: 200, text: 'ok', retryAfter: null }).reason).toBe('ok');
    expect(decideLogglyRetry({ status: 200, text: 'HTTP 200', retryAfter: null })).toMatchObject({ retry: false });
    expect(decideLogglyRetry({ status: 503, text: 'HTTP 503', retryAfter: '7' }, 0)).toEqual({
      retry: true,
      reason: 'server_error',
      wait: 7000,
    });
    expect(decideLogglyRetry({ status: 403, text: 'HTTP 403', retryAfter: null }).retry).toBe(false);
    expect(decideLogglyRetry({ status: null, text: 'no answer', retryAfter: null }).retry).toBe(true);
  });
});
