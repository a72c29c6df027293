/**
 * Realistic standing events for benchmarks: a mix of kinds and sources as a Zendesk + Salesforce
 * deployment produces them, for a population of made-up customers (no real personal data). Every
 * event goes through the zod model, so the log receives exactly what a source would hand it.
 */
import {
  parseStandingEvent,
  type CustomerIdentities,
  type NewStandingEvent,
  type NewStandingEventInput,
} from '../connector/model/standing-event.ts';
import { seededRandom } from './harness.ts';

export interface BenchCustomer {
  zendeskUserId: string;
  email: string;
  /** About half the customers are also a Salesforce Contact. */
  salesforceContactId: string | null;
}

export interface EventMixOptions {
  /** Tenant of every event. */
  tenant: string;
  /** Events to make. */
  count: number;
  /** The customers the events are about. */
  customers: readonly BenchCustomer[];
  /**
   * Seed of the data set: same seed, same events.
   * @defaultValue 1
   */
  seed?: number;
  /**
   * Prefix of every source event id, so data sets of one tenant never collide on the idempotency key.
   * @defaultValue `evt`
   */
  eventIdPrefix?: string;
  /**
   * Instant of the first event; later ones follow at random gaps of up to `maxGapMs`.
   * @defaultValue 2024-01-01T00:00:00Z
   */
  startAt?: Date;
  /**
   * Longest gap between two consecutive events.
   * @defaultValue 600_000 (10 minutes)
   */
  maxGapMs?: number;
}

const DEFAULT_MIX = {
  seed: 1,
  eventIdPrefix: 'evt',
  startAt: new Date('2024-01-01T00:00:00Z'),
  maxGapMs: 600_000,
} as const;

/** Made-up customers: ids in provider formats, emails on the reserved `example.test` domain. */
export function makeCustomers(count: number, idOffset = 0): BenchCustomer[] {
  return Array.from({ length: count }, (_, i) => {
    const n = idOffset + i;
    return {
      zendeskUserId: String(360_000_000_000 + n),
      email: `customer.${n}@example.test`,
      salesforceContactId: n % 2 === 0 ? `003${String(n).padStart(12, '0')}AAE` : null,
    };
  });
}

type Template = (c: BenchCustomer, at: string, rand: () => number) => Partial<NewStandingEventInput>;

const OVERDUE_NOTE = (days: number) => `Invoice overdue by ${days} days; two reminders sent, card declined on retry.`;

/** Kinds in rough production proportion: most traffic is observations and suspend/reinstate pairs. */
const TEMPLATES: readonly [weight: number, Template][] = [
  [
    30,
    () => ({
      kind: 'status_observed',
      status: { before: null, after: 'active' },
      actor: { type: 'system' },
      detected_via: 'reconciliation',
    }),
  ],
  [
    25,
    (_c, _at, rand) => ({
      kind: 'deactivation',
      status: { before: 'active', after: 'suspended' },
      initiation: { type: 'automatic', temporary: true },
      reason: { code: 'non_payment', text: OVERDUE_NOTE(30 + Math.floor(rand() * 60)) },
      actor: { type: 'system', name: 'Billing dunning rule' },
    }),
  ],
  [
    20,
    () => ({
      kind: 'reinstatement',
      status: { before: 'suspended', after: 'active' },
      initiation: { type: 'manual', temporary: false },
      reason: { code: 'payment_received', text: 'Outstanding balance settled by bank transfer.' },
    }),
  ],
  [
    10,
    () => ({
      kind: 'reinstatement_requested',
      status: { before: 'suspended', after: null },
      actor: { type: 'customer' },
      reason: { code: 'customer_request', text: 'Customer asks to restore access after paying.' },
    }),
  ],
  [
    10,
    (_c, at) => ({
      kind: 'verification_recorded',
      status: { before: null, after: null },
      verification: [{ method: 'id_document', result: 'passed', at, notes: 'Passport checked against billing name.' }],
    }),
  ],
  [
    5,
    () => ({
      kind: 'deactivation',
      status: { before: 'active', after: 'deactivated' },
      initiation: { type: 'manual', temporary: false },
      reason: { code: 'fraud_suspected', text: 'Chargebacks on three cards within a week.' },
      evidence: { chargebacks: 3, review_queue: 'risk-l2' },
    }),
  ],
];
const TOTAL_WEIGHT = TEMPLATES.reduce((sum, [w]) => sum + w, 0);

function pickTemplate(rand: () => number): Template {
  let r = rand() * TOTAL_WEIGHT;
  for (const [w, t] of TEMPLATES) {
    if ((r -= w) < 0) return t;
  }
  return TEMPLATES[0]![1];
}

/**
 * Events spread over the customers with a mild skew (some customers are far busier than others).
 * Zendesk events carry the user id and email, Salesforce ones the Contact id and email, so both
 * resolve to one subject per customer.
 */
export function makeEvents(options: EventMixOptions): NewStandingEvent[] {
  const o = { ...DEFAULT_MIX, ...options };
  const rand = seededRandom(o.seed);
  let clock = o.startAt.getTime();
  const out: NewStandingEvent[] = [];
  for (let i = 0; i < o.count; i++) {
    const c = o.customers[Math.floor(rand() * rand() * o.customers.length)]!;
    clock += Math.floor(rand() * o.maxGapMs);
    const at = new Date(clock).toISOString();
    const fromSalesforce = c.salesforceContactId !== null && rand() < 0.3;
    const customer: CustomerIdentities = fromSalesforce
      ? { salesforce_contact_id: c.salesforceContactId!, email: c.email }
      : { zendesk_user_id: c.zendeskUserId, email: c.email };
    const source = fromSalesforce
      ? {
          system: 'salesforce' as const,
          object: 'Contact',
          id: c.salesforceContactId!,
          event_id: `${o.eventIdPrefix}-sf-${i}`,
          url: `https://example.my.salesforce.com/${c.salesforceContactId}`,
        }
      : {
          system: 'zendesk' as const,
          object: 'user',
          id: c.zendeskUserId,
          event_id: `${o.eventIdPrefix}-zd-${i}`,
          url: `https://example.zendesk.com/agent/users/${c.zendeskUserId}`,
        };
    const input: NewStandingEventInput = {
      tenant: o.tenant,
      kind: 'status_observed',
      status: { before: null, after: 'active' },
      actor: { type: 'agent', id: '900112233', name: 'Support agent' },
      source,
      detected_via: fromSalesforce ? 'change_event' : 'webhook',
      related_ticket_ids: rand() < 0.4 ? [String(4_000_000 + i)] : [],
      customer,
      occurred_at: at,
      ...pickTemplate(rand)(c, at, rand),
    };
    const parsed = parseStandingEvent(input);
    if (!parsed.ok) throw new Error(`benchmark event ${i} is invalid: ${JSON.stringify(parsed.problems)}`);
    out.push(parsed.value);
  }
  return out;
}
