/** What a Splunk HEC answer means for the push: the pure retry decision and the event envelope. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HEC_RATE_LIMIT_WAIT_MS,
  decideHecRetry,
  hecEndpoint,
  hecEnvelope,
} from '../../connector/siem/splunk-hec.ts';
import type { SiemEvent } from '../../connector/siem/siem-events.ts';

const NOW = Date.parse('2026-03-04T05:00:00Z');
const answer = (status: number | null, code: number | null = null, retryAfter: string | null = null) =>
  decideHecRetry({ status, code, retryAfter }, NOW);

describe('decideHecRetry', () => {
  it('takes 200 with code 0 (or no code) as success', () => {
    expect(answer(200, 0)).toEqual({ retry: false, reason: 'ok', wait: null });
    expect(answer(200)).toEqual({ retry: false, reason: 'ok', wait: null });
  });

  it('does not take a 200 with another code as success', () => {
    expect(answer(200, 6)).toMatchObject({ retry: false, reason: 'client_error' });
  });

  it('retries a busy or unhealthy HEC (503, codes 9 and 18-20) after its Retry-After, else at the next run', () => {
    expect(answer(503, 9, '120')).toEqual({ retry: true, reason: 'server_busy', wait: 120_000 });
    expect(answer(503, 18)).toEqual({ retry: true, reason: 'server_busy', wait: null });
    expect(answer(503, 9, 'Wed, 04 Mar 2026 05:00:30 GMT')).toEqual({
      retry: true,
      reason: 'server_busy',
      wait: 30_000,
    });
  });

  it('waits out a 429, a minute when it says nothing', () => {
    expect(answer(429, null, '5')).toEqual({ retry: true, reason: 'rate_limited', wait: 5000 });
    expect(answer(429)).toEqual({ retry: true, reason: 'rate_limited', wait: DEFAULT_HEC_RATE_LIMIT_WAIT_MS });
  });

  it('retries server errors and network failures', () => {
    expect(answer(500, 8)).toEqual({ retry: true, reason: 'server_error', wait: null });
    expect(answer(null)).toEqual({ retry: true, reason: 'network', wait: null });
  });

  it('does not retry what needs a fix: token (401, 403), request (400), URL (404), size (413)', () => {
    expect(answer(403, 4)).toEqual({ retry: false, reason: 'unauthorized', wait: null });
    expect(answer(403, 1)).toMatchObject({ reason: 'unauthorized' });
    expect(answer(401, 2)).toMatchObject({ retry: false, reason: 'unauthorized' });
    expect(answer(400, 7)).toEqual({ retry: false, reason: 'bad_request', wait: null });
    expect(answer(404)).toMatchObject({ retry: false, reason: 'not_found' });
    expect(answer(413)).toMatchObject({ retry: false, reason: 'too_large' });
    expect(answer(418)).toMatchObject({ retry: false, reason: 'client_error' });
  });

  it('ignores an unreadable Retry-After', () => {
    expect(answer(503, 9, 'soon')).toEqual({ retry: true, reason: 'server_busy', wait: null });
  });
});

describe('hecEnvelope', () => {
  const e = { type: 'standing.event', seq: 7, id: 'x', occurred_at: '2026-03-04T05:33:18.250Z' } as SiemEvent;
  it('puts the event time in epoch seconds and leaves out unset index and host', () => {
    expect(
      hecEnvelope(e, {
        url: 'https://s:8088',
        index: null,
        host: null,
        source: 'standing',
        sourcetype: 'standing:event',
      }),
    ).toEqual({
      time: 1772602398.25,
      source: 'standing',
      sourcetype: 'standing:event',
      event: e,
    });
    expect(
      hecEnvelope(e, { url: 'https://s:8088', index: 'audit', host: 'standing-prod', source: 's', sourcetype: 't' }),
    ).toMatchObject({ index: 'audit', host: 'standing-prod' });
  });
  it('appends the event endpoint to the base URL', () => {
    expect(hecEndpoint('https://splunk.example.com:8088/')).toBe(
      'https://splunk.example.com:8088/services/collector/event',
    );
  });
});
