/**
 * `npm run demo`: the connector on the embedded database (a fresh one per run unless
 * STANDING_DATA_DIR is set), the demo tenant, signed demo webhooks through the real intake, and a
 * local host page embedding the built Zendesk app, and a local alert receiver set up as the tenant's
 * signed webhook: the demo prints the alert it gets. Needs Redis at REDIS_URL. No Zendesk account.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, formatConfigProblems } from '../connector/config/config.ts';
import { staticLookups } from '../connector/app-api/zendesk-app-lookups.ts';
import { startStanding } from '../connector/app/standing.ts';
import { buildZendeskApp, DIST_DIR } from '../scripts/build-zendesk-app.ts';
import { DEMO_TENANT, demoLookupData } from './demo-data.ts';
import { startHost } from './host-server.ts';
import { demoZendeskRecords } from './demo-audits.ts';
import { startZendeskStandIn } from './zendesk-stand-in.ts';
import { generateDemoSecrets, seedDemo } from './seed.ts';
import { demoAlertChannel, describeAlert, startAlertReceiver } from './alert-receiver.ts';

const env = {
  LOG_LEVEL: 'warn',
  PORT: '0',
  HOST: '127.0.0.1',
  ...process.env,
  // Alerts every second, so the demo's alert arrives while you watch.
  STANDING_ALERTS_INTERVAL_MS: process.env.STANDING_ALERTS_INTERVAL_MS ?? '1000',
  // The Zendesk stand-in serves no incremental exports: a scheduled run against it could only fail.
  STANDING_RECONCILE_INTERVAL_MS: process.env.STANDING_RECONCILE_INTERVAL_MS ?? '0',
  STANDING_DATA_DIR: process.env.STANDING_DATA_DIR || mkdtempSync(join(tmpdir(), 'standing-demo-')),
  DATABASE_URL: process.env.DEMO_DATABASE_URL ?? '',
  ZENDESK_WEBHOOK_SECRET: '',
  ZENDESK_API_TOKEN: '',
};
const parsed = parseConfig(env);
if (!parsed.ok) {
  process.stderr.write(`standing demo: configuration error\n${formatConfigProblems(parsed.problems)}\n`);
  process.exit(2);
}

const report = await buildZendeskApp();
const secrets = generateDemoSecrets();
const lookups = staticLookups(demoLookupData());
const service = await startStanding(parsed.config, {
  // The connector serves the app page (signed URLs) so the sidebar's actions know the acting agent.
  app: { lookups, appPage: { dir: join(DIST_DIR, 'assets'), frameAncestors: ['http://127.0.0.1:*'] } },
});
const receiver = await startAlertReceiver();
const alert = demoAlertChannel(receiver);
// Zendesk's audit log and ticket audits for the demo's changes, from a local stand-in of its API.
const now = Date.now();
const zendesk = await startZendeskStandIn(demoZendeskRecords(now));
const { posted } = await seedDemo({
  url: service.url,
  adminToken: service.resources.secrets.operatorToken,
  db: service.resources.db,
  secrets,
  afterTenant: () => alert.setUp(service.url, service.resources.secrets.operatorToken, DEMO_TENANT),
  now,
  zendeskApiUrl: zendesk.url,
});
const host = await startHost({
  connectorUrl: service.url,
  appDir: DIST_DIR,
  sharedSecret: secrets.appSecret,
  appPrivateKey: secrets.appKeys.privateKey,
  zendeskApiUrl: zendesk.url,
  port: Number(process.env.DEMO_PORT ?? 4567),
});

process.stdout.write(`
Standing demo
  connector      ${service.url} (embedded database in ${env.STANDING_DATA_DIR})
  zendesk api    ${zendesk.url} (a local stand-in: audit log, ticket audits, users)
  webhooks       ${posted} signed Zendesk webhooks posted to ${service.url}/webhooks/zendesk/${DEMO_TENANT}
  app bundle     ${(report.gzipBytes / 1024).toFixed(1)} KB gzipped (JS + CSS; the admin page's insights tab loads
                 ${(report.lazyGzipBytes / 1024).toFixed(1)} KB more when opened)

  Open the sidebar:  ${host.url}/?ticket=1001   (also #1002 cycles, #1003 no history, #1004 unknown, locale=de)
  Admin page:        ${host.url}/?location=nav_bar   (tab Insights: charts over the demo's twelve weeks)
  Record steps:      as Alex (default) or Tara, ${host.url}/?ticket=1002&user=9002

Ctrl-C to stop.
`);
process.stdout.write(`  Alert receiver ${receiver.url} (the tenant's signed webhook, warning repeated_cycles)\n`);
void alert.first(30_000).then((r) => process.stdout.write(describeAlert(r)));

const stop = () => {
  void host
    .close()
    .then(() => receiver.close())
    .then(() => service.close())
    .then(() => zendesk.close())
    .then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
