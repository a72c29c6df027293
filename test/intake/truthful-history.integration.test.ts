/**
 * A history that tells the truth, end to end: signed Zendesk webhooks, shaped as Zendesk documents
 * them, through the real intake (inbox, BullMQ, worker) into the log, read back through the history
 * API. Runs on the machine's PostgreSQL and on the embedded database (the README's default), with
 * Redis; no Zendesk API token is configured, so nothing here can come from an API read.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationFor } from '../support/access.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { DEFAULT_ZENDESK_MAPPING_DOCUMENT } from '../../connector/zendesk/mapping-document.ts';
import {
  intakeEnv,
  postWebhook,
  startIntakeService,
  stopIntakeService,
  waitFor,
  type IntakeEnv,
} from '../support/intake-harness.ts';

const COMPANION_WAIT_MS = 1500;
const APPROVAL_FIELD = '360012';
const LEAD = '900445566';
const SOLVER = '900112233';

let n = 0;
/** Unique ids per scenario, digits only (Zendesk ids). */
const id = () => `${Date.now() % 1_000_000_000}${String(++n).padStart(3, '0')}`;
const at = (minute: number, second = 0) =>
  new Date(Date.UTC(2026, 2, 4, 5, minute, second)).toISOString().replace('.000Z', 'Z');

function envelope(
  type: string,
  subject: string,
  time: string,
  detail: Record<string, unknown>,
  event: Record<string, unknown>,
) {
  return {
    type: `zen:event-type:${type}`,
    account_id: 12514403,
    id: randomUUID(),
    time,
    zendesk_event_version: '2022-06-20',
    subject,
    detail,
    event,
  };
}
const user = (userId: string, orgId: string | null, email: string) => ({
  id: userId,
  email,
  external_id: '',
  organization_id: orgId ?? '0',
  role: 'end-user',
  created_at: '2025-01-08T10:12:42Z',
  updated_at: '2026-03-04T05:00:00Z',
  default_group_id: '0',
});
const userEvent = (type: string, u: ReturnType<typeof user>, time: string, event: Record<string, unknown>) =>
  envelope(type, `zen:user:${u.id}`, time, u, event);
const orgEvent = (
  type: string,
  orgId: string,
  time: string,
  event: Record<string, unknown>,
  externalId: string | null = null,
) =>
  envelope(
    type,
    `zen:organization:${orgId}`,
    time,
    {
      id: orgId,
      name: 'Reyes Logistics',
      external_id: externalId,
      created_at: '2025-01-08T10:12:42Z',
      updated_at: time,
    },
    event,
  );
const ticketEvent = (
  type: string,
  ticketId: string,
  requester: string,
  orgId: string,
  actor: string,
  time: string,
  event: Record<string, unknown>,
) =>
  envelope(
    type,
    `zen:ticket:${ticketId}`,
    time,
    { id: ticketId, requester_id: requester, organization_id: orgId, actor_id: actor, status: 'OPEN', tags: [] },
    event,
  );
/** A custom field change as the reference shows it: the field descriptor in `custom_field`. */
const field = (fieldId: string, title: string, current: unknown, previous: unknown = null) => ({
  custom_field: { id: fieldId, title, type: 'text' },
  current,
  previous,
});
const accountStatus = (current: unknown, previous: unknown = 'active') =>
  field('360001', 'Account status', current, previous);
const accountStatusReason = (text: string) => field('360002', 'Account status reason', text);

const MAPPING = {
  ...DEFAULT_ZENDESK_MAPPING_DOCUMENT,
  ticket: {
    tags: [{ tag: 'reinstatement_request', kind: 'reinstatement_requested' }],
    approval: { field: { id: APPROVAL_FIELD, title: 'Reinstatement decision' }, approver_role: 'team_lead' },
  },
};

type Json = Record<string, unknown>;
interface HistoryBody {
  subject: { kind: string };
  current: { status: string } | null;
  person: { current: { status: string } | null } | null;
  accounts: { relation: string; identities: Json; current: { status: string } | null }[];
  events: (Json & {
    about: string;
    kind: string;
    customer?: Json;
    source: { event_id: string };
    reason?: { code: string; text?: string };
  })[];
}

describe.each(['postgres', 'embedded'] as const)('a truthful history (%s)', (backend) => {
  let env: IntakeEnv;
  let svc: ServiceHandle;

  const api = async (path: string, init: RequestInit = {}) =>
    fetch(`${svc.url}${path}`, {
      ...init,
      headers: {
        authorization: await authorizationFor(svc.url, env.env.STANDING_ADMIN_TOKEN!, path),
        'content-type': 'application/json',
        ...init.headers,
      },
    });
  const history = async (query: string): Promise<HistoryBody> => {
    const res = await api(`/api/v1/history?${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as HistoryBody;
  };
  const post = async (...bodies: Json[]) => {
    for (const body of bodies) expect((await postWebhook(svc.url, 'default', body)).status).toBe(202);
  };
  const settled = (eventId: string) =>
    waitFor(
      `inbox event ${eventId} settled`,
      async () => {
        const [row] = await svc.resources.db.query<{ state: string; outcome: Json | null }>(
          'SELECT state, outcome FROM intake_inbox WHERE event_id = $1',
          [eventId],
        );
        return row && row.state !== 'pending' ? row : null;
      },
      20_000,
    );
  const stored = async (...bodies: { id: string }[]) => {
    for (const b of bodies) expect((await settled(b.id)).state).toBe('stored');
  };

  beforeAll(async () => {
    // No ZENDESK_API_TOKEN: nothing can be read from Zendesk's API.
    env = intakeEnv(`truth_${backend}`, {
      ZENDESK_API_TOKEN: '',
      ZENDESK_API_EMAIL: '',
      STANDING_COMPANION_WAIT_MS: String(COMPANION_WAIT_MS),
    });
    if (backend === 'embedded') delete env.env.DATABASE_URL;
    svc = await startIntakeService(env);
    const res = await api('/api/v1/tenants/default/mappings/zendesk', { method: 'PUT', body: JSON.stringify(MAPPING) });
    expect(res.status, await res.clone().text()).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await stopIntakeService(env, svc);
  });

  it(
    "keeps two colleagues' histories and statuses apart, and shows their organization's own suspension, " +
      'labelled, in both',
    async () => {
      const org = id();
      const ana = user(id(), org, `ana.${org}@example.com`);
      const ben = user(id(), org, `ben.${org}@example.com`);
      const anaDeleted = userEvent('user.active_changed', ana, at(1), { current: false, previous: true });
      const benSuspended = userEvent('user.custom_field_changed', ben, at(2), accountStatus('suspended'));
      const orgSuspended = orgEvent('organization.custom_field_changed', org, at(3), accountStatus('suspended_fraud'));
      await post(anaDeleted, benSuspended, orgSuspended);
      await stored(anaDeleted, benSuspended, orgSuspended);

      const a = await history(`zendesk_user_id=${ana.id}`);
      const b = await history(`email=${encodeURIComponent(ben.email)}`);
      expect(a.subject).toEqual({ kind: 'person' });
      expect(a.person?.current?.status).toBe('deleted');
      expect(b.person?.current?.status).toBe('suspended');
      expect(a.events.map((e) => e.source.event_id)).toEqual([orgSuspended.id, anaDeleted.id]);
      expect(b.events.map((e) => e.source.event_id)).toEqual([orgSuspended.id, benSuspended.id]);
      expect(JSON.stringify(b)).not.toContain(ana.email);
      for (const h of [a, b]) {
        expect(h.events[0]).toMatchObject({ about: 'account', reason: { code: 'fraud_suspected' } });
        expect(h.events[1]).toMatchObject({ about: 'person' });
        expect(h.accounts).toEqual([
          expect.objectContaining({
            relation: 'member',
            identities: { zendesk_organization_id: org },
            current: expect.objectContaining({ status: 'suspended' }),
          }),
        ]);
      }
      // The deletion is recorded as it happened: from active (previous: true), cause unknown (user events name no
      // actor).
      expect(a.events[1]).toMatchObject({
        kind: 'deactivation',
        status: { before: 'active', after: 'deleted' },
        initiation: { type: 'unknown' },
        actor: { type: 'unknown' },
      });
      // The organization's own history is its own: none of its members' events.
      const o = await history(`zendesk_organization_id=${org}`);
      expect(o.subject).toEqual({ kind: 'account' });
      expect(o.events.map((e) => e.source.event_id)).toEqual([orgSuspended.id]);
      expect(o.current?.status).toBe('suspended');
    },
  );

  it('resolves a Zendesk organization and the Salesforce Account id in its external_id to one account', async () => {
    const org = id();
    const sfAccount = `001${org.padStart(12, '0').slice(-12)}`;
    const closed = orgEvent('organization.custom_field_changed', org, at(4), accountStatus('closed'), sfAccount);
    await post(closed);
    await stored(closed);
    const bySalesforce = await history(`salesforce_account_id=${sfAccount}`);
    const byZendesk = await history(`zendesk_organization_id=${org}`);
    expect(bySalesforce.events.map((e) => e.source.event_id)).toEqual([closed.id]);
    // The same account, whichever system's id asks (seconds_since_change moves with the clock).
    const stable = (accounts: HistoryBody['accounts']) =>
      accounts.map((a) => ({ ...a, current: a.current ? { ...a.current, seconds_since_change: 0 } : null }));
    expect(stable(byZendesk.accounts)).toEqual(stable(bySalesforce.accounts));
    expect(bySalesforce.accounts).toEqual([
      expect.objectContaining({
        relation: 'asked',
        identities: { zendesk_organization_id: org, salesforce_account_id: sfAccount },
      }),
    ]);
  });

  it('takes the reason text from the earlier field event, without an API token', async () => {
    const dana = user(id(), null, `dana.${n}@example.com`);
    const reason = userEvent(
      'user.custom_field_changed',
      dana,
      at(5),
      accountStatusReason('Invoice 2026-117 overdue by 45 days.'),
    );
    const suspended = userEvent('user.custom_field_changed', dana, at(5), accountStatus('suspended_billing'));
    await post(reason);
    await settled(reason.id);
    await post(suspended);
    await stored(suspended);
    const [e] = (await history(`zendesk_user_id=${dana.id}`)).events;
    expect(e).toMatchObject({
      kind: 'deactivation',
      status: { before: 'active', after: 'suspended' },
      reason: { code: 'non_payment', text: 'Invoice 2026-117 overdue by 45 days.' },
    });
    // The reason field's own event is not a standing change: it is ignored, and says why.
    expect((await settled(reason.id)).outcome).toMatchObject({
      reason: expect.stringContaining('Account status reason'),
    });
  });

  it(
    'keeps a reason text as written, trailing whitespace (U+2028, spaces) included, from a field event and ' +
      'from a trigger',
    async () => {
      const written = 'Invoice 2026-117 overdue.\u2028Call first.\u2028  ';
      const mia = user(id(), null, `mia.${n}@example.com`);
      const reason = userEvent('user.custom_field_changed', mia, at(9), accountStatusReason(written));
      const suspended = userEvent('user.custom_field_changed', mia, at(9), accountStatus('suspended_billing'));
      await post(reason);
      await settled(reason.id);
      await post(suspended);
      await stored(suspended);
      const [fromField] = (await history(`zendesk_user_id=${mia.id}`)).events;
      expect(fromField?.reason).toEqual({ code: 'non_payment', text: written });

      const requester = id();
      const trigger = {
        standing: {
          version: 1,
          kind: 'deactivation',
          event_id: `trig-${requester}`,
          status_after: 'suspended',
          reason_code: 'fraud_suspected',
          reason_text: `\u2028 ${written}`,
        },
        ticket: { id: id(), updated_at: at(10) },
        requester: { id: requester, email: `trig.${requester}@example.com`, external_id: '' },
        organization: { id: '', external_id: '' },
        current_user: { id: SOLVER },
      };
      await post(trigger);
      expect((await settled(trigger.standing.event_id)).state).toBe('stored');
      const [fromTrigger] = (await history(`zendesk_user_id=${requester}`)).events;
      expect(fromTrigger?.reason).toEqual({ code: 'fraud_suspected', text: `\u2028 ${written}` });
    },
  );

  it('puts a reason that arrives after its status change (same update) on that change', async () => {
    const kim = user(id(), null, `kim.${n}@example.com`);
    const suspended = userEvent('user.custom_field_changed', kim, at(6), accountStatus('suspended_fraud'));
    const reason = userEvent(
      'user.custom_field_changed',
      kim,
      at(6),
      accountStatusReason('Chargebacks on three cards.'),
    );
    await post(suspended);
    await post(reason);
    await stored(suspended);
    const [e] = (await history(`zendesk_user_id=${kim.id}`)).events;
    expect(e).toMatchObject({ reason: { code: 'fraud_suspected', text: 'Chargebacks on three cards.' } });
  });

  it('maps a status change without its companion once the wait is over', async () => {
    const lee = user(id(), null, `lee.${n}@example.com`);
    const closed = userEvent('user.custom_field_changed', lee, at(7), accountStatus('closed'));
    await post(closed);
    await stored(closed);
    const [e] = (await history(`zendesk_user_id=${lee.id}`)).events;
    expect(e).toMatchObject({ status: { after: 'closed' } });
    expect(e?.reason).toBeUndefined();
  });

  it('reproduces the original decision on replay: the reason as it was at the event, not as it is now', async () => {
    const org = id();
    const reason = orgEvent('organization.custom_field_changed', org, at(8), accountStatusReason('Audit pending'));
    const onHold = orgEvent('organization.custom_field_changed', org, at(8, 30), accountStatus('on_hold'));
    const later = orgEvent('organization.custom_field_changed', org, at(50), accountStatusReason('Audit passed'));
    await post(reason, onHold, later);
    expect((await settled(onHold.id)).state).toBe('quarantined');
    await settled(later.id);
    const fixed = {
      ...MAPPING,
      organization: {
        fields: [
          {
            ...MAPPING.organization!.fields![0]!,
            values: { ...MAPPING.organization!.fields![0]!.values, on_hold: 'suspended' },
          },
        ],
      },
    };
    expect(
      (await api('/api/v1/tenants/default/mappings/zendesk', { method: 'PUT', body: JSON.stringify(fixed) })).status,
    ).toBe(200);
    try {
      expect(
        (
          await api('/api/v1/tenants/default/quarantine/replay', {
            method: 'POST',
            body: JSON.stringify({ event_ids: [onHold.id] }),
          })
        ).status,
      ).toBe(202);
      await stored(onHold);
      const [e] = (await history(`zendesk_organization_id=${org}`)).events;
      expect(e).toMatchObject({ status: { after: 'suspended' }, reason: { text: 'Audit pending' } });
    } finally {
      await api('/api/v1/tenants/default/mappings/zendesk', { method: 'PUT', body: JSON.stringify(MAPPING) });
    }
  });

  it(
    'records as approver the agent who set the approval field, ' + 'when they set it, not whoever solved the ticket',
    async () => {
      const org = id();
      const requester = user(id(), org, `req.${org}@example.com`);
      const ticket = id();
      const requested = ticketEvent('ticket.tags_changed', ticket, requester.id, org, requester.id, at(9), {
        tags_added: ['reinstatement_request'],
        tags_removed: [],
      });
      const decided = ticketEvent('ticket.custom_field_changed', ticket, requester.id, org, LEAD, at(10), {
        custom_field: { id: APPROVAL_FIELD, title: 'Reinstatement decision', type: 'tagger' },
        current: { value: 'approved' },
        previous: null,
      });
      const solved = ticketEvent('ticket.status_changed', ticket, requester.id, org, SOLVER, at(11), {
        current: 'SOLVED',
        previous: 'OPEN',
      });
      await post(requested, decided);
      await settled(decided.id);
      await post(solved);
      await stored(requested, solved);
      const h = await history(`zendesk_user_id=${requester.id}`);
      expect(h.events.map((e) => e.kind)).toEqual(['reinstatement_approved', 'reinstatement_requested']);
      expect(h.events[0]).toMatchObject({
        about: 'person',
        actor: { type: 'agent', id: SOLVER },
        approvals: [
          {
            by: { type: 'agent', id: LEAD },
            role: 'team_lead',
            decision: 'approved',
            at: new Date(at(10)).toISOString(),
          },
        ],
      });
      expect(h.events[1]).toMatchObject({
        initiation: { type: 'customer_initiated' },
        customer: { zendesk_user_id: requester.id },
      });
    },
  );

  it('stores an international email and finds it case-insensitively', async () => {
    const zoe = user(id(), null, 'Zoë.Ünal@Example.COM');
    const deleted = userEvent('user.deleted', zoe, at(12), {});
    await post(deleted);
    await stored(deleted);
    const h = await history(`email=${encodeURIComponent('ZOË.ÜNAL@EXAMPLE.COM')}`);
    expect(h.events).toHaveLength(1);
    expect(h.events[0]?.customer).toEqual({ zendesk_user_id: zoe.id, email: 'zoë.ünal@example.com' });
  });

  it('lists a deliberately ignored event with its reason', async () => {
    const merged = userEvent('user.merged', user(id(), null, `m.${n}@example.com`), at(13), {});
    await post(merged);
    expect((await settled(merged.id)).state).toBe('ignored');
    const res = await api('/api/v1/tenants/default/inbox?state=ignored&limit=500');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { state: string; events: { event_id: string; reason: string; body: Json }[] };
    expect(body.state).toBe('ignored');
    expect(body.events.find((e) => e.event_id === merged.id)).toMatchObject({
      reason: 'zen:event-type:user.merged carries no standing meaning',
      body: { type: 'zen:event-type:user.merged' },
    });
    expect((await api('/api/v1/tenants/default/inbox?state=lost')).status).toBe(400);
  });
});
