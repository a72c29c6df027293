/**
 * The textbook pipeline the intake is measured against, as a child process: `api` is Express
 * (raw body, HMAC check, JSON.parse) adding one BullMQ job per webhook and answering 202 once it is
 * added; `worker` takes the jobs (concurrency 50) and commits one INSERT per job. Usage:
 * `node --import tsx bench/textbook-process.ts api|worker` with TEXTBOOK_* variables; prints
 * `ready` when it serves.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import express from 'express';
import { Redis } from 'ioredis';
import pg from 'pg';

const role = process.argv[2];
const env = process.env as Record<string, string>;
const connection = new Redis(env.TEXTBOOK_REDIS_URL!, { maxRetriesPerRequest: null });
const prefix = env.TEXTBOOK_PREFIX!;

if (role === 'api') {
  const queue = new Queue('textbook', { connection, prefix });
  const secret = env.TEXTBOOK_SECRET!;
  const app = express();
  app.post('/webhooks/zendesk/default', express.raw({ type: '*/*', limit: '256kb' }), async (req, res) => {
    const raw = req.body as Buffer;
    const timestamp = String(req.headers['x-zendesk-webhook-signature-timestamp'] ?? '');
    const expected = createHmac('sha256', secret).update(timestamp).update(raw).digest();
    const given = Buffer.from(String(req.headers['x-zendesk-webhook-signature'] ?? ''), 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.status(401).end();
      return;
    }
    const event = JSON.parse(raw.toString('utf8')) as { id: string };
    await queue.add('event', { id: String(event.id), body: event }, { removeOnComplete: true });
    res.status(202).json({ status: 'accepted' });
  });
  app.listen(Number(env.TEXTBOOK_PORT), '127.0.0.1', () => console.log('ready'));
} else {
  const pool = new pg.Pool({ connectionString: env.TEXTBOOK_DATABASE_URL, max: 10 });
  const table = env.TEXTBOOK_TABLE!;
  const worker = new Worker(
    'textbook',
    async (job) => {
      await pool.query(`INSERT INTO ${table} (event_id, body) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
        job.data.id,
        job.data.body,
      ]);
    },
    { connection, prefix, concurrency: 50 },
  );
  await worker.waitUntilReady();
  console.log('ready');
}
process.on('SIGTERM', () => process.exit(0));
