/**
 * Builders of Zendesk webhook bodies for the mapper tests, shaped after the documented examples
 * (https://developer.zendesk.com/api-reference/webhooks/event-types/webhook-event-types/) and the
 * fixtures in /work/shared/fixtures/zendesk/.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { NewStandingEvent } from '../../connector/model/standing-event.ts';
import { mapZendeskWebhook, type MapperDirectory, type ZendeskMapResult } from '../../connector/zendesk/map-event.ts';
import type { FieldFact } from '../../connector/zendesk/map-common.ts';
import {
  DEFAULT_ZENDESK_MAPPING,
  parseMappingDocument,
  type ZendeskMapping,
} from '../../connector/zendesk/mapping-document.ts';

export const AT = '2026-03-04T05:33:18Z';
export const USER_ID = '6596848315901';
export const ORG_ID = '8912017421';
export const AGENT_ID = '900112233';
export const TICKET_ID = '48213';
/** An 18-character Salesforce Account id (key prefix 001). */
export const SF_ACCOUNT_ID = '0015g00000XyZabAAB';

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`/work/shared/fixtures/zendesk/${name}.json`, 'utf8')) as Record<string, unknown>;
}

let counter = 0;
function envelope(
  type: string,
  subject: string,
  detail: Record<string, unknown>,
  event: Record<string, unknown>,
): Record<string, unknown> {
  counter++;
  return {
    type: `zen:event-type:${type}`,
    account_id: 12514403,
    id: `0d6c3a1e-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    time: AT,
    zendesk_event_version: '2022-06-20',
    subject,
    detail,
    event,
  };
}

export function userEvent(
  type: string,
  event: Record<string, unknown>,
  detail: Record<string, unknown> = {},
): Record<string, unknown> {
  return envelope(
    type,
    `zen:user:${USER_ID}`,
    {
      created_at: '2025-01-08T10:12:42Z',
      default_group_id: '0',
      email: 'dana.reyes@example.com',
      external_id: '',
      id: USER_ID,
      organization_id: ORG_ID,
      role: 'end-user',
      updated_at: AT,
      ...detail,
    },
    event,
  );
}

export function organizationEvent(
  type: string,
  event: Record<string, unknown>,
  detail: Record<string, unknown> = {},
): Record<string, unknown> {
  return envelope(
    type,
    `zen:organization:${ORG_ID}`,
    {
      created_at: '2025-01-08T10:12:42Z',
      external_id: SF_ACCOUNT_ID,
      group_id: null,
      id: ORG_ID,
      name: 'Reyes Logistics',
      shared_comments: false,
      shared_tickets: false,
      updated_at: AT,
      ...detail,
    },
    event,
  );
}

export function ticketEvent(
  type: string,
  event: Record<string, unknown>,
  detail: Record<string, unknown> = {},
): Record<string, unknown> {
  const base = fixture('ticket.status_changed').detail as Record<string, unknown>;
  return {
    ...envelope(type, `zen:ticket:${TICKET_ID}`, { ...base, ...detail }, event),
    zendesk_event_version: '2022-11-06',
  };
}

export function mapping(document: Record<string, unknown>): ZendeskMapping {
  const r = parseMappingDocument({ version: 1, ...document });
  if (!r.ok) throw new Error(`test mapping is invalid: ${JSON.stringify(r.problems)}`);
  return r.mapping;
}

export interface MapOptions {
  mapping?: ZendeskMapping;
  directory?: MapperDirectory;
  subdomain?: string | null;
  invocationId?: string;
  tenant?: string;
  /** Field values known as of the event (the field-value history's answer). */
  fieldsAsOf?: FieldFact[];
  /** Whether a companion event may still arrive. @defaultValue false */
  mayWait?: boolean;
}

/** A field value reported before (or with) an event: by default in the same update (time AT). */
export function fieldFact(
  name: { id?: string; key?: string; title?: string },
  value: unknown,
  more: Partial<FieldFact> = {},
): FieldFact {
  counter++;
  return {
    field_id: name.id?.toLowerCase() ?? '',
    field_key: name.key?.toLowerCase() ?? '',
    field_title: name.title?.toLowerCase() ?? '',
    value,
    actor_id: null,
    changed_at: new Date(AT).toISOString(),
    event_id: `field-event-${counter}`,
    ...more,
  };
}

export function map(body: unknown, options: MapOptions = {}): ZendeskMapResult {
  return mapZendeskWebhook({
    tenant: options.tenant ?? 'acme',
    body,
    mapping: options.mapping ?? DEFAULT_ZENDESK_MAPPING,
    subdomain: options.subdomain === undefined ? 'acme' : options.subdomain,
    invocationId: options.invocationId,
    receivedAt: '2026-03-04T05:33:20Z',
    directory: options.directory,
    fieldsAsOf: options.fieldsAsOf,
    mayWait: options.mayWait,
  });
}

/** The events of a result that must have produced some. */
export function eventsOf(result: ZendeskMapResult): NewStandingEvent[] {
  expect(result, JSON.stringify(result)).toMatchObject({ outcome: 'events' });
  return result.outcome === 'events' ? result.events : [];
}

/** The single event of a result that must have produced exactly one. */
export function onlyEvent(result: ZendeskMapResult): NewStandingEvent {
  const events = eventsOf(result);
  expect(events).toHaveLength(1);
  return events[0] as NewStandingEvent;
}
