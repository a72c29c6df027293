/**
 * A local webhook receiver for the demo and the alert tests: records every request (headers and the raw
 * body) and answers from a script (a status per request, then 200).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ALERT_SIGNATURE_HEADER,
  ALERT_TIMESTAMP_HEADER,
  verifyAlertSignature,
} from '../connector/alerts/alert-signing.ts';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface AlertReceiver {
  url: string;
  received: ReceivedRequest[];
  /** Statuses for the next requests, in order; after them every request gets 200. */
  script: number[];
  onRequest?: (r: ReceivedRequest) => void;
  close(): Promise<void>;
}

export async function startAlertReceiver(): Promise<AlertReceiver> {
  const receiver: AlertReceiver = {
    url: '',
    received: [],
    script: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      receiver.received.push(r);
      receiver.onRequest?.(r);
      const status = receiver.script.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : `refused with ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}

/** The demo's alert channel: the receiver as the tenant's webhook, for one warning code. */
export function demoAlertChannel(receiver: AlertReceiver, code = 'repeated_cycles') {
  const secret = randomBytes(24).toString('base64url');
  return {
    secret,
    async setUp(url: string, token: string, tenant: string): Promise<void> {
      const res = await fetch(`${url}/api/v1/tenants/${tenant}/alerts/channels`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ webhook: { url: receiver.url, secret, warnings: [code] } }),
      });
      if (!res.ok) throw new Error(`set up the demo alert channel: HTTP ${res.status} ${await res.text()}`);
    },
    /** The first alert, with whether its signature checks out; null after `ms` without one. */
    first(ms: number): Promise<{ verified: boolean; body: string } | null> {
      return new Promise((resolve) => {
        const check = (r: ReceivedRequest) => {
          const header = (name: string) => r.headers[name.toLowerCase()] as string | undefined;
          const verified = verifyAlertSignature(
            secret,
            header(ALERT_TIMESTAMP_HEADER),
            r.body,
            header(ALERT_SIGNATURE_HEADER),
          );
          resolve({ verified, body: r.body });
        };
        const [already] = receiver.received;
        if (already) return check(already);
        receiver.onRequest = check;
        setTimeout(() => resolve(null), ms).unref();
      });
    },
  };
}

export function describeAlert(r: { verified: boolean; body: string } | null): string {
  if (!r) return '\n  No alert arrived within 30 s.\n';
  const a = JSON.parse(r.body) as { code: string; message: string; id: string };
  return (
    `\n  Alert received (signature ${r.verified ? 'verified' : 'NOT verified'}): ${a.code}\n` +
    `    ${a.message}\n    id ${a.id}\n    ${r.body}\n`
  );
}
