/**
 * The load generator's HTTP/1.1 client: kept-alive sockets, each sending one pre-serialized
 * request at a time and reading back just the status line and `Content-Length` body.
 *
 * Why not node:http's client: the load generator shares the machine's 2 cores with the service
 * it measures, and node:http spends ~0.2 ms of CPU per request building and parsing messages,
 * which the service then does not get. Requests here are bytes prepared before the clock starts.
 * It is not a general client: it expects every response to carry `Content-Length` (ours all do)
 * and fails loudly otherwise.
 */
import { connect, type Socket } from 'node:net';

export interface LoadResponse {
  status: number;
}

/** A request as the bytes that go on the wire. */
export function serializeRequest(
  method: string,
  path: string,
  headers: Readonly<Record<string, string>>,
  body = '',
): Buffer {
  const bodyBytes = Buffer.from(body, 'utf8');
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: keep-alive'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (method !== 'GET' || bodyBytes.length > 0) lines.push(`Content-Length: ${bodyBytes.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), bodyBytes]);
}

class Connection {
  private socket: Socket | null = null;
  private buffered: Buffer = Buffer.alloc(0);
  private pending: { resolve: (r: LoadResponse) => void; reject: (e: Error) => void } | null = null;

  constructor(private readonly port: number) {}

  send(request: Buffer): Promise<LoadResponse> {
    if (this.pending) throw new Error('load client: one request at a time per connection');
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.open().write(request);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private open(): Socket {
    if (this.socket) return this.socket;
    const socket = connect({ host: '127.0.0.1', port: this.port, noDelay: true });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const fail = (err: Error) => {
      if (this.socket === socket) this.socket = null;
      this.buffered = Buffer.alloc(0);
      const p = this.pending;
      this.pending = null;
      p?.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () =>
      fail(Object.assign(new Error('load client: connection closed by the server'), { code: 'ECONNRESET' })),
    );
    this.socket = socket;
    return socket;
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const headEnd = this.buffered.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = this.buffered.toString('latin1', 0, headEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!length) {
      this.pending?.reject(new Error(`load client: response without Content-Length: ${head.split('\r\n', 1)[0]}`));
      this.pending = null;
      this.close();
      return;
    }
    const total = headEnd + 4 + Number(length[1]);
    if (this.buffered.length < total) return;
    const status = Number(head.slice(9, 12));
    const closing = /\r\nconnection: *close/i.test(head);
    this.buffered = this.buffered.subarray(total);
    const p = this.pending;
    this.pending = null;
    if (closing) this.close();
    p?.resolve({ status });
  }
}

/** A pool of kept-alive connections to one local port; a request waits for a free connection. */
export class LoadClient {
  private readonly idle: Connection[] = [];
  private readonly waiting: ((c: Connection) => void)[] = [];
  private readonly all: Connection[] = [];

  constructor(
    private readonly port: number,
    private readonly maxConnections = 128,
  ) {}

  async send(request: Buffer): Promise<LoadResponse> {
    const connection = await this.acquire();
    try {
      return await connection.send(request).catch((err: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed as it was reused: send again on a fresh one, as
        // Zendesk would (a repeated webhook is answered as a duplicate, never stored twice).
        if (err.code !== 'ECONNRESET') throw err;
        return connection.send(request);
      });
    } finally {
      this.release(connection);
    }
  }

  close(): void {
    for (const c of this.all) c.close();
  }

  private acquire(): Promise<Connection> {
    const free = this.idle.pop();
    if (free) return Promise.resolve(free);
    if (this.all.length < this.maxConnections) {
      const c = new Connection(this.port);
      this.all.push(c);
      return Promise.resolve(c);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(connection: Connection): void {
    const next = this.waiting.shift();
    if (next) next(connection);
    else this.idle.push(connection);
  }
}
