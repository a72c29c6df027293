/** Webhook routes log a delivery only when it fails, with no headers or body, and echo the request id. */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createLogger, quietRequestLogger } from '../../connector/http/logging.ts';

describe('quietRequestLogger', () => {
  it('logs failures at warn, successes only at debug, never headers', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk)) as Record<string, unknown>), done()),
    });
    const app = express();
    app.use('/hook', quietRequestLogger(createLogger('info', sink)), (req, res) =>
      res.status(req.path === '/bad' ? 401 : 202).end(),
    );
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const ok = await fetch(`${base}/good?email=a@b.c`, {
        method: 'POST',
        headers: { authorization: 'Bearer secret-token', 'x-request-id': 'req-1' },
      });
      expect(ok.headers.get('x-request-id')).toBe('req-1');
      await fetch(`${base}/bad?email=a@b.c`, { method: 'POST', headers: { authorization: 'Bearer secret-token' } });
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      server.close();
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, msg: 'POST /hook/bad 401', res: { status: 401 } });
    const text = JSON.stringify(lines);
    expect(text).not.toContain('secret-token');
    expect(text).not.toContain('a@b.c');
  });
});
