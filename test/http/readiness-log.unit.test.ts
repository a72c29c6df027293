/** /readyz logs a failing check once when it starts failing and once when it is ok again, not once per probe. */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { expect, it } from 'vitest';
import { healthRoutes } from '../../connector/http/health-routes.ts';
import { createLogger } from '../../connector/http/logging.ts';

it('N failed probes log one line, without a stack; recovery logs one line; a new failure logs one more', async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk)) as Record<string, unknown>), done()),
  });
  let down = true;
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  const app = express();
  app.use(
    healthRoutes({
      checks: {
        database: () => (down ? Promise.reject(refused) : Promise.resolve()),
        redis: () => Promise.resolve('PONG'),
      },
      logger: createLogger('info', sink),
    }),
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const probe = async () => (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`)).status;
  try {
    for (let i = 0; i < 5; i++) expect(await probe()).toBe(503);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 40,
      check: 'database',
      outcome: 'failed',
      err: { message: refused.message, code: 'ECONNREFUSED' },
    });
    expect(JSON.stringify(lines[0])).not.toContain('stack');

    down = false;
    for (let i = 0; i < 3; i++) expect(await probe()).toBe(200);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ level: 30, check: 'database', msg: 'readiness check database ok again' });

    down = true;
    for (let i = 0; i < 4; i++) expect(await probe()).toBe(503);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({ level: 40, check: 'database', outcome: 'failed' });
    expect(lines.some((l) => l.check === 'redis')).toBe(false);
  } finally {
    server.close();
  }
});
