import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyCometdError } from '../../salesforce/cometd-errors.ts';

describe('CometD errors', () => {
  it('recognises a refused replay id, as a string and as faye parses it', () => {
    const text =
      '400::The replayId {6734} you provided was invalid. Please provide a valid ID, -2 to replay all ' +
      'events, or -1 to replay only new events.';
    expect(classifyCometdError(text)).toBe('replay_id_invalid');
    expect(classifyCometdError({ code: 400, params: [], message: text.slice(5) })).toBe('replay_id_invalid');
  });

  it('recognises an expired session on connect or handshake', () => {
    expect(classifyCometdError('401::Authentication invalid')).toBe('unauthorized');
    expect(classifyCometdError('403::Handshake denied', '401::Authentication invalid')).toBe('unauthorized');
    expect(classifyCometdError('403::Unknown client')).toBe('unknown_client');
    expect(classifyCometdError('500::Internal')).toBe('other');
  });
});

describe('reconnect backoff', () => {
  const options = { initialMs: 1000, maxMs: 60_000, jitter: 0.5 };
  it('doubles up to the cap', () => {
    const none = () => 0;
    expect([0, 1, 2, 3, 6, 7, 30].map((a) => backoffDelay(a, options, none))).toEqual([
      1000, 2000, 4000, 8000, 60_000, 60_000, 60_000,
    ]);
  });
  it('jitter takes away at most its fraction', () => {
    expect(backoffDelay(2, options, () => 1)).toBe(2000);
    expect(backoffDelay(2, options, () => 0.5)).toBe(3000);
  });
});
