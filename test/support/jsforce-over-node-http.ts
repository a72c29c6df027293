/**
 * Test setup: jsforce (3.10.19+) sends its HTTP through its own undici `fetch`, which nock cannot see
 * (nock intercepts `http.request` and the global `fetch`, not a bundled undici). This hands jsforce a
 * dispatcher that performs each request with node:http / node:https instead, so the suites keep
 * mocking Salesforce's token endpoint and REST API with nock. Only the transport under jsforce's
 * fetch changes: jsforce builds the same requests and reads the same responses (status, headers,
 * body, aborts on timeout). Production keeps jsforce's own undici agent.
 */
import http from 'node:http';
import https from 'node:https';
import { setDispatcher } from 'jsforce/lib/request.js';

/** The part of undici's dispatch options that fetch passes (undici 8, lib/web/fetch/index.js). */
interface DispatchOptions {
  origin: string | URL;
  path: string;
  method: string;
  headers?: Iterable<[string, string]> | Record<string, string> | null;
  body?: string | Uint8Array | AsyncIterable<Uint8Array> | null;
}

/** The handler callbacks fetch gives a dispatcher (undici 8's controller-style API). */
interface DispatchHandler {
  onRequestStart?(controller: Controller, context: object): void;
  onResponseStarted?(): void;
  onResponseStart?(controller: Controller, status: number, headers: http.IncomingHttpHeaders, statusText: string): void;
  onResponseData?(controller: Controller, chunk: Buffer): void;
  onResponseEnd?(controller: Controller, trailers: object): void;
  onResponseError?(controller: Controller, error: Error): void;
}

interface Controller {
  /** Response headers as undici reads them: name, value, name, value... as Buffers. */
  rawHeaders?: Buffer[];
  abort(reason?: Error): void;
  pause(): void;
  resume(): void;
  readonly aborted: boolean;
  readonly paused: boolean;
}

function headerObject(headers: DispatchOptions['headers']): http.OutgoingHttpHeaders {
  if (!headers) return {};
  const entries = Symbol.iterator in headers ? [...headers] : Object.entries(headers);
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of entries) {
    const prev = out[name];
    out[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [String(prev)]), value];
  }
  return out;
}

const isAsyncIterable = (body: unknown): body is AsyncIterable<Uint8Array> =>
  typeof body === 'object' && body !== null && Symbol.asyncIterator in body;

function dispatch(opts: DispatchOptions, handler: DispatchHandler): boolean {
  const url = new URL(opts.path, opts.origin);
  let response: http.IncomingMessage | undefined;
  let aborted = false;
  let paused = false;
  const fail = (error: Error) => handler.onResponseError?.(controller, error);
  const controller: Controller = {
    abort: (reason) => {
      aborted = true;
      request.destroy(reason ?? new Error('aborted'));
    },
    pause: () => {
      paused = true;
      response?.pause();
    },
    resume: () => {
      paused = false;
      response?.resume();
    },
    get aborted() {
      return aborted;
    },
    get paused() {
      return paused;
    },
  };
  const send = url.protocol === 'https:' ? https.request : http.request;
  const request = send(url, { method: opts.method, headers: headerObject(opts.headers) }, (res) => {
    response = res;
    controller.rawHeaders = res.rawHeaders.map((part) => Buffer.from(part, 'latin1'));
    handler.onResponseStarted?.();
    handler.onResponseStart?.(controller, res.statusCode ?? 0, res.headers, res.statusMessage ?? '');
    res.on('data', (chunk: Buffer) => handler.onResponseData?.(controller, chunk));
    res.on('end', () => handler.onResponseEnd?.(controller, res.trailers));
    res.on('error', fail);
  });
  request.on('error', fail);
  handler.onRequestStart?.(controller, {});
  const body = opts.body;
  if (isAsyncIterable(body)) {
    void (async () => {
      for await (const chunk of body) request.write(chunk);
      request.end();
    })().catch(fail);
  } else request.end(body ?? undefined);
  return true;
}

setDispatcher({ dispatch } as unknown as Parameters<typeof setDispatcher>[0]);
