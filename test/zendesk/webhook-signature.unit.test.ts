import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  signZendeskWebhook,
  verifyZendeskSignature,
  ZENDESK_TEST_SIGNING_SECRET,
  type VerifyZendeskSignatureOptions,
} from '../../connector/zendesk/webhook-signature.ts';

const fixtureBody = readFileSync('/work/shared/fixtures/zendesk/user.active_changed.json');
const TIMESTAMP = '2026-03-04T05:33:20Z';
const SENT_AT = new Date(TIMESTAMP);
const seconds = (s: number) => new Date(SENT_AT.getTime() + s * 1000);

function delivery(overrides: Partial<VerifyZendeskSignatureOptions> = {}): VerifyZendeskSignatureOptions {
  return {
    secret: ZENDESK_TEST_SIGNING_SECRET,
    signature: signZendeskWebhook(ZENDESK_TEST_SIGNING_SECRET, TIMESTAMP, fixtureBody),
    timestamp: TIMESTAMP,
    rawBody: fixtureBody,
    now: seconds(2),
    ...overrides,
  };
}

describe('signZendeskWebhook', () => {
  it('is base64(HMAC-SHA256(secret, timestamp + body)) with no separator', () => {
    // Computed independently: printf '%s%s' "$TS" '{"a":1}' | openssl dgst -sha256 -hmac "$SECRET" -binary | base64
    expect(signZendeskWebhook(ZENDESK_TEST_SIGNING_SECRET, TIMESTAMP, Buffer.from('{"a":1}'))).toBe(
      'AygTjD/4lSVEJrykUEzapfzgvTAOpl+KnKpjeRrRIJE=',
    );
  });

  it('signs the exact bytes: a string and its Buffer give the same signature', () => {
    expect(signZendeskWebhook('s3cret', TIMESTAMP, '{"é":1}')).toBe(
      signZendeskWebhook('s3cret', TIMESTAMP, Buffer.from('{"é":1}', 'utf8')),
    );
  });
});

describe('verifyZendeskSignature', () => {
  it('accepts the fixture signed with the Zendesk test secret', () => {
    expect(verifyZendeskSignature(delivery())).toEqual({ ok: true });
  });

  it('defaults `now` to the current time', () => {
    const timestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const signature = signZendeskWebhook(ZENDESK_TEST_SIGNING_SECRET, timestamp, fixtureBody);
    expect(
      verifyZendeskSignature({ secret: ZENDESK_TEST_SIGNING_SECRET, signature, timestamp, rawBody: fixtureBody }),
    ).toEqual({ ok: true });
  });

  it('refuses a signature made with another secret', () => {
    const r = verifyZendeskSignature(delivery({ secret: 'another-webhook-secret-entirely' }));
    expect(r).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a body changed by one byte', () => {
    const tampered = Buffer.from(fixtureBody);
    tampered[tampered.indexOf('false')] = 't'.charCodeAt(0);
    expect(verifyZendeskSignature(delivery({ rawBody: tampered }))).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('refuses a re-serialized body (whitespace differs from what Zendesk signed)', () => {
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(fixtureBody.toString('utf8'))));
    expect(verifyZendeskSignature(delivery({ rawBody: reserialized }))).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('refuses a signature replayed with a different (still fresh) timestamp', () => {
    expect(verifyZendeskSignature(delivery({ timestamp: '2026-03-04T05:33:21Z' }))).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it.each([undefined, null, '', '   '])('reports a missing signature (%j)', (signature) => {
    expect(verifyZendeskSignature(delivery({ signature }))).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it.each([undefined, null, ''])('reports a missing timestamp (%j)', (timestamp) => {
    expect(verifyZendeskSignature(delivery({ timestamp }))).toMatchObject({ ok: false, reason: 'missing_timestamp' });
  });

  it.each(['yesterday', '1772602400', '2026-03-04 05:33:20', '2026-03-04T05:33:20', '2026-13-45T99:99:99Z'])(
    'reports a malformed timestamp %j',
    (timestamp) => {
      const r = verifyZendeskSignature(
        delivery({ timestamp, signature: signZendeskWebhook(ZENDESK_TEST_SIGNING_SECRET, timestamp, fixtureBody) }),
      );
      expect(r).toMatchObject({ ok: false, reason: 'malformed_timestamp' });
    },
  );

  it('accepts a timestamp with fractional seconds and an offset', () => {
    const timestamp = '2026-03-04T07:33:20.250+02:00';
    const r = verifyZendeskSignature(
      delivery({ timestamp, signature: signZendeskWebhook(ZENDESK_TEST_SIGNING_SECRET, timestamp, fixtureBody) }),
    );
    expect(r).toEqual({ ok: true });
  });

  it('refuses a stale timestamp beyond the tolerance, accepts one at its edge', () => {
    expect(verifyZendeskSignature(delivery({ now: seconds(300) }))).toEqual({ ok: true });
    const r = verifyZendeskSignature(delivery({ now: seconds(301) }));
    expect(r).toMatchObject({ ok: false, reason: 'stale_timestamp' });
    expect(r.ok === false && r.message).toContain('301 s old');
  });

  it('refuses a timestamp from the future beyond the tolerance', () => {
    expect(verifyZendeskSignature(delivery({ now: seconds(-300) }))).toEqual({ ok: true });
    expect(verifyZendeskSignature(delivery({ now: seconds(-301) }))).toMatchObject({
      ok: false,
      reason: 'future_timestamp',
    });
  });

  it('honours a custom tolerance', () => {
    expect(verifyZendeskSignature(delivery({ now: seconds(61), toleranceSeconds: 60 }))).toMatchObject({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(verifyZendeskSignature(delivery({ now: seconds(59), toleranceSeconds: 60 }))).toEqual({ ok: true });
  });

  it.each(['abc', 'AygTjD/4lSVEJrykUEzapfzgvTAOpl+KnKpjeRrRIJE=AAAA', 'é'.repeat(44)])(
    'refuses a signature of another length without throwing (%j)',
    (signature) => {
      expect(() => verifyZendeskSignature(delivery({ signature }))).not.toThrow();
      expect(verifyZendeskSignature(delivery({ signature }))).toMatchObject({ ok: false, reason: 'bad_signature' });
    },
  );

  it('gives a human message with every failure', () => {
    const r = verifyZendeskSignature(delivery({ signature: undefined }));
    expect(r.ok === false && r.message).toMatch(/X-Zendesk-Webhook-Signature/);
  });
});
