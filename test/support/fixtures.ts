/** Builders of valid standing events for tests; override what the test is about. */
import {
  parseStandingEvent,
  type NewStandingEvent,
  type NewStandingEventInput,
} from '../../connector/model/standing-event.ts';

let counter = 0;

export function eventInput(overrides: Partial<NewStandingEventInput> = {}): NewStandingEventInput {
  counter++;
  return {
    tenant: 'acme',
    kind: 'deactivation',
    status: { before: 'active', after: 'suspended' },
    initiation: { type: 'manual', temporary: true },
    reason: { code: 'non_payment', text: 'Invoice 2026-117 overdue by 45 days.' },
    actor: { type: 'agent', id: '900112233', name: 'Ana Agent' },
    source: {
      system: 'zendesk',
      object: 'user',
      id: '6596848315901',
      event_id: `evt-${process.pid}-${counter}`,
      url: 'https://acme.zendesk.com/agent/users/6596848315901',
    },
    detected_via: 'webhook',
    customer: { zendesk_user_id: '6596848315901', email: 'Dana.Reyes@example.com' },
    occurred_at: new Date(Date.UTC(2026, 2, 4, 5, 0, counter % 60)).toISOString(),
    ...overrides,
  };
}

export function event(overrides: Partial<NewStandingEventInput> = {}): NewStandingEvent {
  const r = parseStandingEvent(eventInput(overrides));
  if (!r.ok) throw new Error(`fixture is invalid: ${JSON.stringify(r.problems)}`);
  return r.value;
}
