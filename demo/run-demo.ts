/**
 * `npm run demo`: the connector on the embedded database (a fresh one per run unless
 * STANDING_DATA_DIR is set), the demo tenant, signed demo webhooks through the real intake, and a
 * local host page embedding the built Zendesk app. Needs Redis at REDIS_URL. No Zendesk account.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, formatConfigProblems } from '../connector/config/config.ts';
import { staticLookups } from '../connector/app-api/zendesk-app-lookups.ts';
import { startStanding } from '../connector/app/standing.ts';
import { buildZendeskApp, DIST_DIR } from '../scripts/build-zendesk-app.ts';
import { AGENTS, DEMO_TENANT, TICKETS } from './demo-data.ts';
import { startHost } from './host-server.ts';
import { demoZendeskRecords } from './demo-audits.ts';
import { startZendeskStandIn } from './zendesk-stand-in.ts';
import { generateDemoSecrets, seedDemo } from './seed.ts';

const env = {
  LOG_LEVEL: 'warn',
  PORT: '0',
  HOST: '127.0.0.1',
  ...process.env,
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
const lookups = staticLookups({
  tickets: { [DEMO_TENANT]: TICKETS },
  roles: { [DEMO_TENANT]: Object.fromEntries(Object.values(AGENTS).map((a) => [a.id, a.role])) },
});
const service = await startStanding(parsed.config, { app: { lookups } });
// Zendesk's audit log and ticket audits for the demo's changes, from a local stand-in of its API.
const now = Date.now();
const zendesk = await startZendeskStandIn(demoZendeskRecords(now));
const { posted } = await seedDemo({
  url: service.url,
  adminToken: service.resources.secrets.operatorToken,
  db: service.resources.db,
  secrets,
  now,
  zendeskApiUrl: zendesk.url,
});
const host = await startHost({
  connectorUrl: service.url,
  appDir: DIST_DIR,
  sharedSecret: secrets.appSecret,
  zendeskApiUrl: zendesk.url,
  port: Number(process.env.DEMO_PORT ?? 4567),
});

process.stdout.write(`
Standing demo
  connector      ${service.url} (embedded database in ${env.STANDING_DATA_DIR})
  zendesk api    ${zendesk.url} (a local stand-in: audit log, ticket audits, users)
  webhooks       ${posted} signed Zendesk webhooks posted to ${service.url}/webhooks/zendesk/${DEMO_TENANT}
  app bundle     ${(report.gzipBytes / 1024).toFixed(1)} KB gzipped (JS + CSS)

  Open the sidebar:  ${host.url}/?ticket=1001   (also #1002 cycles, #1003 no history, #1004 unknown, locale=de)
  Admin page:        ${host.url}/?location=nav_bar

Ctrl-C to stop.
`);

const stop = () => {
  void host
    .close()
    .then(() => service.close())
    .then(() => zendesk.close())
    .then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
