/**
 * The verification snippet of docs/alerts.md, run as written: its JavaScript block is taken from the
 * page, loaded as a module, and given a real alert that the service delivered to a local receiver
 * (a warning appended to the log, scanned and posted with the channel's secret). It accepts that
 * alert and refuses it changed, under another secret, or replayed later. If the page's algorithm or
 * header names drift from connector/alerts/alert-signing.ts, the real alert is refused and this fails.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Alerts } from '../../connector/alerts/alerts.ts';
import type { AlertPayload } from '../../connector/alerts/alert-payload.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { startAlertReceiver, type AlertReceiver, type ReceivedRequest } from '../../demo/alert-receiver.ts';
import { issueKey } from '../support/access.ts';
import { event } from '../support/fixtures.ts';
import { intakeEnv, startIntakeService, stopIntakeService, type IntakeEnv } from '../support/intake-harness.ts';

type Verify = (secret: string, headers: IncomingHttpHeaders, rawBody: string) => boolean;

const SECRET = 'snippet-secret-0123456789-abcdef';
const DOC = new URL('../../docs/alerts.md', import.meta.url);
let env: IntakeEnv;
let s: ServiceHandle;
let receiver: AlertReceiver;
let dir: string;
let verifyStandingAlert: Verify;
let delivered: ReceivedRequest;

/** The page's only `js` block: the snippet a receiver copies. */
function documentedSnippet(): string {
  const blocks = [...readFileSync(DOC, 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks).toHaveLength(1);
  return blocks[0]!;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'standing-snippet-'));
  const file = join(dir, 'verify.mjs');
  writeFileSync(file, `${documentedSnippet()}\nexport { verifyStandingAlert };\n`);
  ({ verifyStandingAlert } = (await import(pathToFileURL(file).href)) as { verifyStandingAlert: Verify });

  // The test runs the alert job itself, on the real clock (the snippet reads Date.now()).
  env = intakeEnv('alert_snippet', {
    STANDING_ALERTS_INTERVAL_MS: '0',
    STANDING_LOGGLY_PUSH_INTERVAL_MS: '0',
    STANDING_SIEM_PUSH_INTERVAL_MS: '0',
    STANDING_CHECKPOINT_INTERVAL_MS: '0',
    STANDING_RETENTION_INTERVAL_MS: '0',
  });
  s = await startIntakeService(env);
  receiver = await startAlertReceiver();
  const adminKey = await issueKey(s.url, env.env.STANDING_ADMIN_TOKEN!, 'default', 'admin');
  const put = await fetch(`${s.url}/api/v1/tenants/default/alerts/channels`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ webhook: { url: receiver.url, secret: SECRET } }),
  });
  expect(put.status).toBe(200);

  // A reinstatement with no approval: one reinstatement_without_approval warning.
  const customer = { zendesk_user_id: '77001', email: 'snippet@example.com' };
  const at = (h: number) => new Date(Date.now() - 86_400_000 + h * 3_600_000).toISOString();
  await s.resources.log.append([
    event({ tenant: 'default', customer, occurred_at: at(0) }),
    event({
      tenant: 'default',
      customer,
      kind: 'reinstatement',
      status: { before: 'suspended', after: 'active' },
      occurred_at: at(2),
    }),
  ]);
  const r = s.resources;
  const alerts = new Alerts({
    db: r.db,
    log: r.log,
    keys: r.secrets.master,
    settings: (t) => r.appSettings.warnings(t),
  });
  await alerts.run();
  expect(receiver.received).toHaveLength(1);
  delivered = receiver.received[0]!;
});

afterAll(async () => {
  vi.useRealTimers();
  await receiver?.close();
  if (s) await stopIntakeService(env, s);
  rmSync(dir, { recursive: true, force: true });
});

describe('the verification snippet of docs/alerts.md', () => {
  it('accepts a real alert as delivered: the raw body, the headers as Node.js gives them', () => {
    expect((JSON.parse(delivered.body) as AlertPayload).code).toBe('reinstatement_without_approval');
    expect(verifyStandingAlert(SECRET, delivered.headers, delivered.body)).toBe(true);
  });

  it('refuses it changed, under another secret, without its headers, or replayed six minutes later', () => {
    const { headers, body } = delivered;
    expect(verifyStandingAlert(SECRET, headers, body.replace('"test":false', '"test":true'))).toBe(false);
    expect(verifyStandingAlert(`${SECRET}x`, headers, body)).toBe(false);
    expect(verifyStandingAlert(SECRET, { ...headers, 'x-standing-webhook-signature': undefined }, body)).toBe(false);
    expect(
      verifyStandingAlert(SECRET, { ...headers, 'x-standing-webhook-signature-timestamp': 'yesterday' }, body),
    ).toBe(false);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse(headers['x-standing-webhook-signature-timestamp'] as string) + 6 * 60_000);
    expect(verifyStandingAlert(SECRET, headers, body)).toBe(false);
    vi.useRealTimers();
  });
});
