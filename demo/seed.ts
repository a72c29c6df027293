/** Sets up the demo tenant and posts the demo webhooks, signed, through the running connector's real intake. */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { recordTicketsSeen } from '../connector/zendesk/tickets-seen.ts';
import type { SqlClient } from '../connector/store/database.ts';
import { signZendeskWebhook } from '../connector/zendesk/webhook-signature.ts';
import { APPROVER_GROUP, DEMO_SUBDOMAIN, DEMO_TENANT, demoWebhooks, TICKETS } from './demo-data.ts';
import { demoInsightsWebhooks } from './insights-data.ts';

export interface DemoSecrets {
  webhookSecret: string;
  appSecret: string;
  /** Stands in for the app's key pair at Zendesk: the host signs the app page's JWT with the private key. */
  appKeys: { privateKey: KeyObject; publicKey: KeyObject };
}

export function generateDemoSecrets(): DemoSecrets {
  return {
    webhookSecret: randomBytes(24).toString('base64'),
    appSecret: randomBytes(32).toString('base64url'),
    appKeys: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  };
}

async function ok(res: Response, what: string): Promise<void> {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
}

export async function seedDemo(o: {
  url: string;
  adminToken: string;
  db: SqlClient;
  secrets: DemoSecrets;
  tenant?: string;
  /** Runs once the tenant exists, before any webhook is posted (the demo sets up its alert channel). */
  afterTenant?: () => Promise<void>;
  /** The times of the demo's changes are relative to this. @defaultValue Date.now() */
  now?: number;
  /**
   * A Zendesk API stand-in (zendesk-stand-in.ts) holding the demo's audit records: the tenant reads
   * them through it (`zendesk.api_url`), and the seed waits until every event was attributed.
   */
  zendeskApiUrl?: string;
}): Promise<{ posted: number }> {
  const tenant = o.tenant ?? DEMO_TENANT;
  const auth = { authorization: `Bearer ${o.adminToken}`, 'content-type': 'application/json' };
  await ok(
    await fetch(`${o.url}/api/v1/tenants`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        id: tenant,
        name: 'Demo Co',
        zendesk: {
          subdomain: DEMO_SUBDOMAIN,
          webhook_secret: o.secrets.webhookSecret,
          ...(o.zendeskApiUrl
            ? { api_url: o.zendeskApiUrl, api_email: 'standing@demo.example', api_token: 'demo-stand-in-token' }
            : {}),
          app_shared_secret: o.secrets.appSecret,
        },
      }),
    }),
    'create the demo tenant',
  );
  await o.afterTenant?.();
  await ok(
    await fetch(`${o.url}/api/v1/tenants/${tenant}/app-settings/workplace`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({
        app_public_key: o.secrets.appKeys.publicKey.export({ type: 'spki', format: 'pem' }),
        approvers: { roles: ['admin'], group_ids: [APPROVER_GROUP] },
      }),
    }),
    "set the demo tenant's app actions",
  );
  // The insights tab's background customers first: the story's customers' events stay the latest.
  const bodies = [...demoInsightsWebhooks(), ...demoWebhooks(o.now)];
  for (const body of bodies) await postZendeskWebhook(o.url, tenant, o.secrets.webhookSecret, body);
  // What the intake worker will record for ticket events once wired (see recordTicketsSeen).
  const at = new Date().toISOString();
  await recordTicketsSeen(
    o.db,
    Object.entries(TICKETS).map(([ticket_id, t]) => ({ tenant, ticket_id, ...t, at })),
  );
  const until = Date.now() + 30_000;
  await webhooksProcessed(o.db, tenant, until);
  if (o.zendeskApiUrl) await attributed(o.db, tenant, until);
  return { posted: bodies.length };
}

/** Posts one webhook body to the tenant's Zendesk intake, signed as Zendesk signs it. */
export async function postZendeskWebhook(url: string, tenant: string, secret: string, body: unknown): Promise<void> {
  const raw = JSON.stringify(body);
  const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const res = await fetch(`${url}/webhooks/zendesk/${tenant}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-zendesk-webhook-signature-timestamp': timestamp,
      'x-zendesk-webhook-signature': signZendeskWebhook(secret, timestamp, raw),
      'x-zendesk-webhook-invocation-id': String(Math.floor(Math.random() * 1e12)),
    },
    body: raw,
  });
  await ok(res, 'post a demo webhook');
}

/** The worker stores asynchronously: waits until none of the tenant's received events is pending. */
export async function webhooksProcessed(db: SqlClient, tenant: string, until = Date.now() + 30_000): Promise<void> {
  for (;;) {
    const [row] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM intake_inbox WHERE tenant = $1 AND state = 'pending'`,
      [tenant],
    );
    if (row && Number(row.n) === 0) return;
    if (Date.now() > until) throw new Error('the demo webhooks were not processed within 30 s (is Redis running?)');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the attribution job has looked at every event of the tenant's log. */
async function attributed(db: SqlClient, tenant: string, until: number): Promise<void> {
  for (;;) {
    const [row] = await db.query<{ behind: boolean }>(
      `SELECT h.seq > coalesce(p.last_seq, 0) AS behind FROM chain_heads h
        LEFT JOIN attribution_progress p ON p.tenant = h.tenant WHERE h.tenant = $1`,
      [tenant],
    );
    if (row && !row.behind) return;
    if (Date.now() > until) throw new Error('the demo events were not attributed within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}
