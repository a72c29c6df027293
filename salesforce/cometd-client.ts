/**
 * The faye (Bayeux/CometD) client jsforce's streaming API creates, narrowed to what the
 * subscriber uses, and the two extensions it installs:
 * - `CommittedReplay`, a jsforce `StreamingExtension.Replay` that sends, on every `/meta/subscribe`,
 *   the replay id of the last message that is *durable*, not of the last one received (jsforce's
 *   Replay advances on receipt, so a reconnect would skip messages still being handled). One per
 *   channel; each adds its channel to the `ext.replay` map instead of replacing the map.
 * - `FailureMonitor`, which takes unsuccessful `/meta/connect` and `/meta/handshake` replies (and
 *   `advice.reconnect: none`) away from faye, so that the subscriber, not faye's fixed-interval
 *   retry, decides how to reconnect.
 */
import type { Connection } from 'jsforce';
import { StreamingExtension } from 'jsforce/lib/api/streaming.js';

/** A Bayeux message as the extensions see it (https://docs.cometd.org/current/reference/#_bayeux). */
export interface BayeuxMessage {
  channel: string;
  successful?: boolean;
  subscription?: string;
  error?: unknown;
  advice?: { reconnect?: string };
  ext?: { replay?: Record<string, number>; sfdc?: { failureReason?: unknown }; [key: string]: unknown };
  data?: unknown;
}

type Pass = (message: BayeuxMessage) => void;

export interface FayeClient {
  subscribe(channel: string, listener: (data: unknown) => void): PromiseLike<unknown>;
  on(event: 'transport:down' | 'transport:up', listener: () => void): void;
  disconnect(): unknown;
}

/** faye 1.4 internals touched to stop a client for good (its `disconnect` is a no-op unless connected). */
interface FayeInternals {
  disable?(feature: string): void;
  _state?: number;
  _advice?: { reconnect?: string };
  _dispatcher?: {
    close(): void;
    transports?: Record<string, Map<string, FayeTransport> | Record<string, FayeTransport>>;
  };
}
interface FayeTransport {
  close?(): void;
  /** WebSocket transports are deferrables that succeed with the socket once it is open. */
  callback?(fn: (socket: { close?(): void } | undefined) => void): void;
}
const FAYE_DISCONNECTED = 4;

export class CommittedReplay extends StreamingExtension.Replay {
  constructor(
    channel: string,
    private readonly position: () => number,
  ) {
    super(channel, position());
  }

  /** Receipt does not move the position: the subscriber moves it once the message is durable. */
  override incoming(message: BayeuxMessage, callback: Pass): void {
    callback(message);
  }

  override outgoing(message: BayeuxMessage, callback: Pass): void {
    if (message.channel === '/meta/subscribe' && message.subscription === this._channel) {
      message.ext = { ...message.ext, replay: { ...message.ext?.replay, [this._channel]: this.position() } };
    }
    callback(message);
  }
}

export interface MetaFailure {
  channel: '/meta/connect' | '/meta/handshake';
  error: unknown;
  sfdcFailureReason: unknown;
}

export class FailureMonitor {
  constructor(private readonly onFailure: (failure: MetaFailure) => void) {}

  incoming(message: BayeuxMessage, callback: Pass): void {
    const meta = message.channel === '/meta/connect' || message.channel === '/meta/handshake';
    if (meta && (message.successful === false || message.advice?.reconnect === 'none')) {
      // Not passed on: faye would otherwise re-handshake or stop on its own.
      this.onFailure({
        channel: message.channel as MetaFailure['channel'],
        error: message.error ?? 'reconnect: none',
        sfdcFailureReason: message.ext?.sfdc?.failureReason,
      });
      return;
    }
    callback(message);
  }
}

/** A new faye client on the connection's `/cometd/<version>` with its current access token. */
export function createCometdClient(connection: Connection, extensions: readonly object[]): FayeClient {
  const client = connection.streaming.createClient([...extensions]) as unknown as FayeClient & FayeInternals;
  // Salesforce's CometD speaks long polling only: no WebSocket probe at the handshake. (jsforce's
  // createClient has already probed once; closeCometdClient closes that probe.)
  client.disable?.('websocket');
  return client;
}

/** Disconnects politely when connected, then stops every retry (handshake, connect) and closes every transport. */
export function closeCometdClient(client: FayeClient): void {
  try {
    client.disconnect();
  } catch {
    // A client that never connected throws nothing useful here; it is closed below.
  }
  const c = client as unknown as FayeInternals;
  c._state = FAYE_DISCONNECTED;
  if (c._advice) c._advice.reconnect = 'none';
  c._dispatcher?.close();
  // Every transport the dispatcher created, including a WebSocket opened only to probe it.
  for (const byEndpoint of Object.values(c._dispatcher?.transports ?? {})) {
    for (const transport of byEndpoint instanceof Map ? byEndpoint.values() : Object.values(byEndpoint)) {
      transport.close?.();
      // A socket still opening is closed once open.
      transport.callback?.((socket) => socket?.close?.());
    }
  }
}
