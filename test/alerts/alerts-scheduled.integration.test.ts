/**
 * Alerts as the service runs them: the channel set from the Zendesk app's admin page (an admin's app
 * token; an agent is refused), then the scheduler's `alerts` job alone (no manual run) delivering a
 * new warning to the receiver, signed, listed in the admin page's delivery log and counted in /metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticLookups } from '../../connector/app-api/zendesk-app-lookups.ts';
import {
  ALERT_SIGNATURE_HEADER,
  ALERT_TIMESTAMP_HEADER,
  verifyAlertSignature,
} from '../../connector/alerts/alert-signing.ts';
import { startAlertReceiver, type AlertReceiver } from '../../demo/alert-receiver.ts';
import { appToken, createTenant, startAppService, type AppService } from '../support/app-harness.ts';
import { event } from '../support/fixtures.ts';
import { stopIntakeService } from '../support/intake-harness.ts';

const APP_SECRET = 'acme-app-shared-secret-0123456789abcdef';
const HOOK_SECRET = 'scheduled-alert-secret-0123456789';
let s: AppService;
let receiver: AlertReceiver;

const admin = async (path: string, user: string, init: RequestInit = {}) =>
  fetch(`${s.url}/app/v1/acme/admin/alerts${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${await appToken(APP_SECRET, { tenant: 'acme', user_id: user })}`,
      'content-type': 'application/json',
    },
  });

async function until(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 20 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  s = await startAppService(
    'alerts_scheduled',
    staticLookups({ roles: { acme: { '7001': 'admin', '7002': 'agent' } } }),
    {
      STANDING_ALERTS_INTERVAL_MS: '200',
      STANDING_LOGGLY_PUSH_INTERVAL_MS: '0',
      STANDING_SIEM_PUSH_INTERVAL_MS: '0',
      STANDING_CHECKPOINT_INTERVAL_MS: '0',
      STANDING_RETENTION_INTERVAL_MS: '0',
    },
  );
  await createTenant(s, { id: 'acme', name: 'Acme', zendesk: { subdomain: 'acme', app_shared_secret: APP_SECRET } });
  receiver = await startAlertReceiver();
});

afterAll(async () => {
  await receiver?.close();
  if (s) await stopIntakeService(s.env, s.handle);
});

describe('scheduled alerts', () => {
  it('are configured by a Zendesk admin on the admin page, not by an agent', async () => {
    const body = JSON.stringify({ webhook: { url: receiver.url, secret: HOOK_SECRET } });
    expect((await admin('/channels', '7002', { method: 'PUT', body })).status).toBe(403);
    const res = await admin('/channels', '7001', { method: 'PUT', body });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ webhook: { url: receiver.url, secret: { last4: '6789' } } });
  });

  it('deliver a new warning through the scheduler, signed, logged and counted', async () => {
    const customer = { zendesk_user_id: '7301' };
    await s.handle.resources.log.append([
      event({ tenant: 'acme', customer, occurred_at: '2026-03-01T00:00:00Z' }),
      event({
        tenant: 'acme',
        customer,
        kind: 'reinstatement',
        status: { before: 'suspended', after: 'active' },
        occurred_at: '2026-03-01T02:00:00Z',
      }),
    ]);
    await until('the alert', () => receiver.received.length >= 1);
    const [req] = receiver.received;
    const header = (n: string) => req!.headers[n.toLowerCase()] as string;
    expect(
      verifyAlertSignature(HOOK_SECRET, header(ALERT_TIMESTAMP_HEADER), req!.body, header(ALERT_SIGNATURE_HEADER)),
    ).toBe(true);
    expect(JSON.parse(req!.body)).toMatchObject({ code: 'reinstatement_without_approval', tenant: 'acme' });

    await until('the delivery log', async () => {
      const log = (await (await admin('/deliveries', '7001')).json()) as { deliveries: { outcome: string }[] };
      return log.deliveries.some((d) => d.outcome === 'sent');
    });
    const metrics = await (
      await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.adminToken}` } })
    ).text();
    expect(metrics).toMatch(/standing_alert_deliveries_total\{[^}]*outcome="sent"[^}]*\} 1/);
    expect(metrics).toMatch(/standing_alerts_queued_total\{[^}]*code="reinstatement_without_approval"[^}]*\} 1/);
    expect(receiver.received).toHaveLength(1);
  });
});
