/**
 * Attribution in the running service: a signed webhook goes through the real intake, the intake asks
 * for the tenant's attribution job (its own BullMQ queue), and the job reads Zendesk's audit log through
 * ZENDESK_API_URL, here a local stand-in of Zendesk's API (demo/zendesk-stand-in.ts) in Zendesk's
 * documented shapes. The history answer then names the agent. Every Zendesk client of the tenant (the
 * identity look-ups too) goes to that base.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { startZendeskStandIn, type ZendeskStandIn } from '../../demo/zendesk-stand-in.ts';
import {
  intakeEnv,
  postWebhook,
  startIntakeService,
  stopIntakeService,
  waitFor,
  type IntakeEnv,
} from '../support/intake-harness.ts';

const userDeactivated = JSON.parse(
  readFileSync(new URL('../fixtures/zendesk/user.active_changed.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;
const USER = '6596848315901';

let zendesk: ZendeskStandIn;
let env: IntakeEnv;
let svc: ServiceHandle;

beforeAll(async () => {
  zendesk = await startZendeskStandIn({
    auditLogs: [
      {
        id: 9_100_001,
        action: 'update',
        actor_id: 7001,
        actor_name: 'Mara Lindqvist',
        change_description: 'Active: changed from true to false',
        created_at: '2026-03-04T05:33:19Z',
        source_id: Number(USER),
        source_type: 'user',
        source_label: 'Dana Reyes',
      },
    ],
    ticketAudits: [],
    users: [{ id: 7001, name: 'Mara Lindqvist', email: 'mara@acme.example', role: 'agent' }],
    organizations: [{ id: 8912017421, name: 'Reyes Logistics', external_id: null }],
  });
  env = intakeEnv('attribution_service', {
    ZENDESK_API_URL: zendesk.url,
    STANDING_ATTRIBUTION_SWEEP_MS: '3600000',
  });
  svc = await startIntakeService(env);
});
afterAll(async () => {
  await stopIntakeService(env, svc);
  await zendesk.close();
});

describe('after intake', () => {
  it('attributes the event from the audit log read through ZENDESK_API_URL, in a job of its own', async () => {
    const res = await postWebhook(svc.url, 'default', { ...userDeactivated, id: randomUUID() });
    expect(res.status).toBe(202);
    const event = await waitFor(
      'the attributed event',
      async () => {
        const h = await svc.resources.log.history('default', { zendesk_user_id: USER });
        return h.events[0]?.attribution ? h.events[0] : null;
      },
      20_000,
    );
    expect(event.actor.type).toBe('unknown');
    expect(event.attribution).toMatchObject({
      initiation: 'manual',
      actor: { type: 'agent', id: '7001', name: 'Mara Lindqvist', role: 'agent' },
      source: 'zendesk_audit_log',
      record_id: '9100001',
    });
    const reads = zendesk.requests.filter((r) => r.startsWith('GET /api/v2/audit_logs'));
    expect(reads).toHaveLength(1);
    expect(decodeURIComponent(reads[0]!)).toContain('filter[source_type]=user');
    // The identity look-up (node-zendesk) went to the same base.
    expect(zendesk.requests.some((r) => r.startsWith('GET /api/v2/organizations/8912017421'))).toBe(true);
  });
});
