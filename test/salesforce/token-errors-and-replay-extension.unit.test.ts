import { describe, expect, it } from 'vitest';
import {
  CommittedReplay,
  FailureMonitor,
  type BayeuxMessage,
  type MetaFailure,
} from '../../salesforce/cometd-client.ts';
import { classifyTokenError } from '../../salesforce/connection.ts';

/** What jsforce's OAuth2 throws: the OAuth `error` as the name. */
const oauthError = (name: string, message = '') => Object.assign(new Error(message), { name });

describe('token endpoint failures', () => {
  it('a refused grant needs an admin, an unavailable endpoint is retried', () => {
    expect(classifyTokenError(oauthError('invalid_grant', "user hasn't approved this consumer"))).toMatchObject({
      failure: 'rejected',
      code: 'invalid_grant',
      retryable: false,
    });
    expect(classifyTokenError(oauthError('invalid_client_id'))).toMatchObject({ failure: 'rejected' });
    expect(classifyTokenError(oauthError('ERROR_HTTP_503', '<html>'))).toMatchObject({
      failure: 'unavailable',
      retryable: true,
    });
    expect(classifyTokenError(oauthError('ERROR_HTTP_429'))).toMatchObject({ failure: 'unavailable' });
    expect(classifyTokenError(oauthError('ERROR_HTTP_404'))).toMatchObject({ failure: 'rejected' });
    expect(classifyTokenError(oauthError('FetchError', 'connect ECONNREFUSED'))).toMatchObject({
      failure: 'unavailable',
      code: 'network',
    });
  });
});

describe('CometD extensions', () => {
  const pass = (
    ext: {
      outgoing?: (m: BayeuxMessage, cb: (m: BayeuxMessage) => void) => void;
      incoming?: (m: BayeuxMessage, cb: (m: BayeuxMessage) => void) => void;
    },
    stage: 'incoming' | 'outgoing',
    m: BayeuxMessage,
  ) => {
    let out: BayeuxMessage | null = null;
    ext[stage]?.(m, (r) => (out = r));
    return out as BayeuxMessage | null;
  };

  it('each channel adds its committed replay id to the subscribe message, read when it is sent', () => {
    const positions = new Map([
      ['/data/AccountChangeEvent', 6734],
      ['/data/ContactChangeEvent', -2],
    ]);
    const account = new CommittedReplay('/data/AccountChangeEvent', () => positions.get('/data/AccountChangeEvent')!);
    const contact = new CommittedReplay('/data/ContactChangeEvent', () => positions.get('/data/ContactChangeEvent')!);
    positions.set('/data/AccountChangeEvent', 6740);
    const m = pass(
      contact,
      'outgoing',
      pass(account, 'outgoing', {
        channel: '/meta/subscribe',
        subscription: '/data/AccountChangeEvent',
        ext: { replay: { '/data/Other': 1 } },
      })!,
    );
    expect(m?.ext?.replay).toEqual({ '/data/Other': 1, '/data/AccountChangeEvent': 6740 });
    // Receiving a message does not move the position (only storing it does).
    pass(account, 'incoming', { channel: '/data/AccountChangeEvent', data: { event: { replayId: 6800 } } });
    expect(
      pass(account, 'outgoing', { channel: '/meta/subscribe', subscription: '/data/AccountChangeEvent' })?.ext?.replay,
    ).toEqual({ '/data/AccountChangeEvent': 6740 });
  });

  it('failed connects and handshakes go to the subscriber, not to faye', () => {
    const seen: MetaFailure[] = [];
    const monitor = new FailureMonitor((f) => seen.push(f));
    expect(
      pass(monitor, 'incoming', {
        channel: '/meta/connect',
        successful: false,
        error: '401::Authentication invalid',
        advice: { reconnect: 'none' },
      }),
    ).toBeNull();
    expect(
      pass(monitor, 'incoming', {
        channel: '/meta/handshake',
        successful: false,
        error: '403::Handshake denied',
        ext: { sfdc: { failureReason: '401::Authentication invalid' } },
      }),
    ).toBeNull();
    expect(
      pass(monitor, 'incoming', { channel: '/meta/subscribe', successful: false, error: '400::x' }),
    ).not.toBeNull();
    expect(pass(monitor, 'incoming', { channel: '/meta/connect', successful: true })).not.toBeNull();
    expect(seen.map((f) => [f.channel, f.error, f.sfdcFailureReason])).toEqual([
      ['/meta/connect', '401::Authentication invalid', undefined],
      ['/meta/handshake', '403::Handshake denied', '401::Authentication invalid'],
    ]);
  });
});
