/**
 * `standing alerts channels show|set` and `standing alerts deliveries` with the tenant's keys: the
 * webhook secret read from a file and never printed, absent options kept, codes picked and reset to
 * "all", a channel removed, bad input naming its field, the delivery log paged, an agent refused.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AlertOutbox } from '../../connector/alerts/alert-outbox.ts';
import { testAlertPayload } from '../../connector/alerts/alert-payload.ts';
import { TEST_DATABASE_URL, openTestStore, type TestStore } from '../support/databases.ts';
import { runCli, type Run } from '../support/cli.ts';
import { tenantKey } from '../support/access.ts';

let store: TestStore;
let workDir: string;
const masterKey = randomBytes(32).toString('base64');
const tenant = `alerts-${randomBytes(2).toString('hex')}`;
const SECRET = 'cli-alert-secret-0123456789-wxyz';
const keys: Record<string, string> = {};
/** Each command is a process of its own through tsx: several seconds each on a shared machine. */
const MANY_COMMANDS_MS = 180_000;
const cli = (args: string[], role: string): Promise<Run> =>
  runCli(args, {
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: store.schema,
    STANDING_DATA_DIR: join(workDir, 'data'),
    STANDING_MASTER_KEY: masterKey,
    STANDING_API_KEY: keys[role]!,
  });
const set = (args: string[], role = 'admin') => cli(['alerts', 'channels', 'set', '--tenant', tenant, ...args], role);

beforeAll(async () => {
  store = await openTestStore('postgres', 'alerts_cli');
  workDir = mkdtempSync(join(tmpdir(), 'standing-alerts-cli-'));
  for (const role of ['agent', 'admin'] as const) keys[role] = await tenantKey(store.db, tenant, role);
});
afterAll(async () => {
  await store?.dispose();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

it(
  'sets the webhook from a secret file, shows it without the secret, and keeps what is not given',
  async () => {
    const file = join(workDir, 'secret');
    writeFileSync(file, `${SECRET}\n`);
    const url = 'https://hooks.example.com/standing';
    const missing = await set(['--url', url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('webhook.secret');
    const bad = await set(['--url', 'http://hooks.example.com/x', '--secret-file', file, '--warnings', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('webhook.url');
    expect(bad.stderr).toContain('webhook.warnings');

    const made = await set([
      '--url',
      url,
      '--secret-file',
      file,
      '--warnings',
      'repeated_cycles,reactivation_after_fraud',
    ]);
    expect(made.code, made.stderr).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({
      webhook: {
        url,
        enabled: true,
        warnings: ['repeated_cycles', 'reactivation_after_fraud'],
        secret: { last4: 'wxyz' },
      },
      zendesk_note: null,
    });
    const off = await set(['--disable', '--note-enable', '--note-warnings', 'suspension_without_reason']);
    expect(JSON.parse(off.stdout)).toMatchObject({
      webhook: { url, enabled: false, warnings: ['repeated_cycles', 'reactivation_after_fraud'] },
      zendesk_note: { enabled: true, warnings: ['suspension_without_reason'] },
    });
    const all = await set(['--warnings', 'all', '--enable']);
    expect(JSON.parse(all.stdout)).toMatchObject({ webhook: { enabled: true, warnings: [] } });
    const shown = await cli(['alerts', 'channels', 'show', '--tenant', tenant], 'admin');
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ webhook: { url, secret: { set: true, last4: 'wxyz' } } });
    for (const r of [made, off, all, shown]) expect(r.stdout + r.stderr).not.toContain(SECRET);

    const removed = await set(['--remove-note']);
    expect(JSON.parse(removed.stdout)).toMatchObject({ webhook: { url }, zendesk_note: null });
    expect((await set([])).code).toBe(2);
    expect((await set(['--enable', '--disable'])).code).toBe(2);
  },
  MANY_COMMANDS_MS,
);

it(
  'pages the delivery log, newest first, and refuses an agent',
  async () => {
    const outbox = new AlertOutbox(store.db);
    const at = Date.parse('2026-03-10T12:00:00Z');
    for (let i = 0; i < 3; i++) {
      const key = `test_cli_${i}`;
      const now = new Date(at + i * 1000);
      await outbox.enqueue(
        {
          tenant,
          alert_key: key,
          channel: 'webhook',
          payload: testAlertPayload(tenant, key, now),
          ticket_id: null,
          test: true,
        },
        now,
      );
      const [alert] = await outbox.claim(now, 10, 60_000, tenant);
      await outbox.settle(alert!, { outcome: 'sent', status: 200, answer: `HTTP 200: ok ${i}` }, now);
    }
    const first = await cli(['alerts', 'deliveries', '--tenant', tenant, '--limit', '2'], 'admin');
    expect(first.code, first.stderr).toBe(0);
    const page = JSON.parse(first.stdout) as { deliveries: { answer: string; id: number }[]; next_before: number };
    expect(page.deliveries.map((d) => d.answer)).toEqual(['HTTP 200: ok 2', 'HTTP 200: ok 1']);
    const next = await cli(
      ['alerts', 'deliveries', '--tenant', tenant, '--limit', '2', '--before', String(page.next_before)],
      'admin',
    );
    expect(JSON.parse(next.stdout)).toMatchObject({
      deliveries: [{ answer: 'HTTP 200: ok 0', test: true }],
      next_before: null,
    });
    expect((await cli(['alerts', 'deliveries', '--tenant', tenant, '--limit', '0'], 'admin')).code).toBe(2);
    expect((await cli(['alerts', 'deliveries', '--tenant', tenant], 'agent')).code).toBe(4);
    expect((await cli(['alerts', 'channels', 'show', '--tenant', tenant], 'agent')).code).toBe(4);
  },
  MANY_COMMANDS_MS,
);
