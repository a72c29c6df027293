/**
 * The custom field values Zendesk webhooks report (`user.custom_field_changed`,
 * `organization.custom_field_changed`, `ticket.custom_field_changed`), as facts with their time and
 * actor. Kept in the field-value history, they are what a later (or same-update) status change
 * reads its reason or approval from: facts as of the event, never an API read at processing time.
 * Pure.
 */
import { z } from 'zod';
import type { ReportedFieldValue } from '../model/field-value.ts';
import { CustomFieldChange, looksLikeEventEnvelope, parseEventEnvelope, ZendeskId } from './payloads.ts';

export type FieldObject = 'user' | 'organization' | 'ticket';

/** One reported field value of a Zendesk object. */
export type FieldChange = ReportedFieldValue & { object: FieldObject };

const CUSTOM_FIELD_EVENTS: Readonly<Record<string, FieldObject>> = {
  'zen:event-type:user.custom_field_changed': 'user',
  'zen:event-type:organization.custom_field_changed': 'organization',
  'zen:event-type:ticket.custom_field_changed': 'ticket',
};

const Detail = z.looseObject({ id: ZendeskId, actor_id: z.union([z.string(), z.number(), z.null()]).optional() });
const lower = (v: unknown) => (v === undefined || v === null ? '' : String(v).trim().toLowerCase());

/** The field value a webhook body reports, or null when it reports none (or is malformed: the mapper says why). */
export function fieldChangeOf(body: unknown): FieldChange | null {
  if (!looksLikeEventEnvelope(body)) return null;
  // Most bodies report no field value: known by their type before any parsing.
  if (!Object.hasOwn(CUSTOM_FIELD_EVENTS, (body as { type: string }).type)) return null;
  const envelope = parseEventEnvelope(body as object);
  if (!envelope.success) return null;
  const object = CUSTOM_FIELD_EVENTS[envelope.data.type];
  if (!object) return null;
  const detail = Detail.safeParse(envelope.data.detail);
  const event = CustomFieldChange.safeParse(envelope.data.event);
  if (!detail.success || !event.success) return null;
  const actor = lower(detail.data.actor_id);
  return {
    object,
    object_id: detail.data.id,
    field_id: lower(event.data.field.id),
    field_key: lower(event.data.field.key),
    field_title: lower(event.data.field.title),
    value: event.data.current,
    actor_id: actor === '' || actor === '0' ? null : actor,
    changed_at: new Date(envelope.data.time).toISOString(),
    event_id: envelope.data.id,
  };
}

/** The object an event-subscription body is about and its time: whose field values it may read. */
export function fieldScopeOf(body: unknown): { object: FieldObject; object_id: string; at: string } | null {
  if (!looksLikeEventEnvelope(body)) return null;
  const envelope = parseEventEnvelope(body as object);
  if (!envelope.success) return null;
  const object = envelope.data.type.slice('zen:event-type:'.length).split('.')[0];
  if (object !== 'user' && object !== 'organization' && object !== 'ticket') return null;
  const detail = Detail.safeParse(envelope.data.detail);
  if (!detail.success) return null;
  return { object, object_id: detail.data.id, at: new Date(envelope.data.time).toISOString() };
}
