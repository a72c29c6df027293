/**
 * A local stand-in for Salesforce's CometD endpoint (`/cometd/<version>`), built on faye's Bayeux
 * server: it keeps every published message with its replay id, honours `ext.replay` on
 * `/meta/subscribe` (replays retained messages after the id; -2 all; -1 none), refuses replay ids
 * marked too old with Salesforce's error text, and checks the `Authorization: OAuth <token>` header
 * the way Salesforce answers an expired session (`401::Authentication invalid`).
 */
import { createRequire } from 'node:module';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

interface BayeuxMessage {
  channel: string;
  clientId?: string;
  subscription?: string;
  successful?: boolean;
  error?: string;
  advice?: Record<string, unknown>;
  ext?: { replay?: Record<string, number>; sfdc?: Record<string, unknown> };
}
type Next = (m: BayeuxMessage) => void;
interface NodeAdapter {
  attach(server: Server): void;
  addExtension(ext: {
    incoming?: (m: BayeuxMessage, req: IncomingMessage | null, next: Next) => void;
    outgoing?: (m: BayeuxMessage, req: IncomingMessage | null, next: Next) => void;
  }): void;
  getClient(): { publish(channel: string, data: unknown): PromiseLike<unknown> };
  close(): void;
}
const faye = createRequire(import.meta.url)('faye') as {
  NodeAdapter: new (o: { mount: string; timeout: number }) => NodeAdapter;
};

export interface SubscribeSeen {
  clientId: string;
  channel: string;
  replayFrom: number | undefined;
  token: string | null;
  refused: boolean;
}

export const tooOldError = (id: number) =>
  `400::The replayId {${id}} you provided was invalid. Please provide a valid ID, -2 to replay all events, ` +
  `or -1 to replay only new events.`;

export class BayeuxTestServer {
  readonly subscribes: SubscribeSeen[] = [];
  /** Access tokens the server accepts; null accepts any. */
  validTokens: Set<string> | null = null;
  /** Replay ids refused as too old. */
  readonly tooOld = new Set<number>();
  /** Errors the next `/meta/connect` replies carry (e.g. `403::Unknown client`). */
  readonly connectFailures: string[] = [];
  private port = 0;
  private readonly sockets = new Set<Socket>();
  private readonly retained = new Map<string, { replayId: number; data: Record<string, unknown> }[]>();
  private readonly adapter: NodeAdapter;
  private readonly http: Server;

  private constructor(readonly apiVersion: string) {
    this.adapter = new faye.NodeAdapter({ mount: `/cometd/${apiVersion}`, timeout: 1 });
    this.http = createServer();
    // closeAllConnections() misses a socket now and then (a long poll mid-request): track them all.
    this.http.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.adapter.attach(this.http);
    this.adapter.addExtension({
      incoming: (m, req, next) => next(this.screen(m, req)),
      outgoing: (m, _req, next) => next(this.advise(m)),
    });
  }

  static async start(apiVersion = '60.0', port = 0): Promise<BayeuxTestServer> {
    const s = new BayeuxTestServer(apiVersion);
    await new Promise<void>((resolve, reject) => {
      s.http.once('error', reject);
      s.http.listen(port, '127.0.0.1', resolve);
    });
    s.port = (s.http.address() as AddressInfo).port;
    return s;
  }

  /** The same org back after an outage, on the same port: retained events kept, every client forgotten. */
  async restart(): Promise<BayeuxTestServer> {
    await this.close();
    const next = await BayeuxTestServer.start(this.apiVersion, this.port);
    for (const [channel, list] of this.retained) next.retained.set(channel, [...list]);
    return next;
  }

  /** What jsforce's `Connection.instanceUrl` must be. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Retains a message and delivers it to the channel's current subscribers. */
  async publish(channel: string, data: Record<string, unknown>): Promise<void> {
    this.retain(channel, data);
    await this.adapter.getClient().publish(channel, data);
  }

  /** Retains a message without delivering it (an event Salesforce kept while the client was away). */
  retain(channel: string, data: Record<string, unknown>): void {
    const replayId = (data.event as { replayId: number }).replayId;
    const list = this.retained.get(channel) ?? [];
    list.push({ replayId, data });
    this.retained.set(channel, list);
  }

  /** Connections open to the server now (HTTP long polls, keep-alive, WebSockets). */
  get openSockets(): number {
    return this.sockets.size;
  }

  /** Distinct clients that subscribed successfully. */
  subscribedClients(): Set<string> {
    return new Set(this.subscribes.filter((s) => !s.refused).map((s) => s.clientId));
  }

  async close(): Promise<void> {
    if (!this.http.listening) return;
    this.adapter.close();
    // Stop accepting first, then drop the open long polls (the other order can let one slip in).
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private screen(m: BayeuxMessage, req: IncomingMessage | null): BayeuxMessage {
    if (!req) return m; // our own publishing client
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('OAuth ') ? auth.slice(6) : null;
    const authorized = this.validTokens === null || (token !== null && this.validTokens.has(token));
    if (m.channel === '/meta/handshake' && !authorized) return { ...m, error: '403::Handshake denied' };
    if (m.channel === '/meta/connect') {
      if (!authorized) return { ...m, error: '401::Authentication invalid' };
      const failure = this.connectFailures.shift();
      if (failure) return { ...m, error: failure };
    }
    if (m.channel === '/meta/subscribe' && m.subscription) {
      const from = m.ext?.replay?.[m.subscription];
      const refused = !authorized || (from !== undefined && this.tooOld.has(from));
      this.subscribes.push({ clientId: m.clientId ?? '', channel: m.subscription, replayFrom: from, token, refused });
      if (!authorized) return { ...m, error: '401::Authentication invalid' };
      if (refused) return { ...m, error: tooOldError(from ?? 0) };
    }
    return m;
  }

  private advise(m: BayeuxMessage): BayeuxMessage {
    if ((m.channel === '/meta/connect' || m.channel === '/meta/handshake') && m.error?.includes('401'))
      return { ...m, advice: { reconnect: 'none' } };
    if (m.channel === '/meta/handshake' && m.error?.includes('Handshake denied'))
      return { ...m, advice: { reconnect: 'none' }, ext: { sfdc: { failureReason: '401::Authentication invalid' } } };
    if (m.channel === '/meta/subscribe' && m.successful && m.subscription) {
      const sub = this.subscribes.findLast((s) => s.clientId === m.clientId && s.channel === m.subscription);
      const from = sub?.replayFrom ?? -1;
      const replay = (this.retained.get(m.subscription) ?? []).filter((r) =>
        from === -2 ? true : from >= 0 && r.replayId > from,
      );
      const channel = m.subscription;
      // After the reply is on its way: a subscriber's listener is registered once the reply arrives.
      setTimeout(
        () =>
          void this.replay(
            channel,
            replay.map((r) => r.data),
          ),
        50,
      );
    }
    return m;
  }

  private async replay(channel: string, messages: Record<string, unknown>[]): Promise<void> {
    for (const data of messages) await this.adapter.getClient().publish(channel, data);
  }
}
