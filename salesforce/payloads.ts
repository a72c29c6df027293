/**
 * What the Salesforce source writes to the intake inbox, one row per record change:
 * - a Change Data Capture message (as CometD delivers it), narrowed to one of its `recordIds`;
 * - one notification of an Outbound Message.
 * https://developer.salesforce.com/docs/atlas.en-us.change_data_capture.meta/change_data_capture/cdc_event_fields_header.htm
 */
import { z } from 'zod';
import { ChangeEventMessage, PlatformEventMessage, type ChangeEventHeader } from './change-event.ts';

export { CHANGE_TYPES, ChangeEventHeader, ChangeEventMessage } from './change-event.ts';

const SalesforceId = z
  .string()
  .regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, 'must be a 15- or 18-character Salesforce id');

/** Inbox body of one record of a change event. */
export const ChangeEventRow = z.strictObject({
  kind: z.literal('change_event'),
  channel: z.string().min(1),
  /** `null` for a change event that names no record (GAP_OVERFLOW). */
  record_id: SalesforceId.nullable(),
  message: ChangeEventMessage,
});
export type ChangeEventRow = z.output<typeof ChangeEventRow>;

/** Inbox body of one Outbound Message notification (the session id is never kept). */
export const OutboundNotificationRow = z.strictObject({
  kind: z.literal('outbound_message'),
  organization_id: SalesforceId,
  action_id: z.string().min(1),
  notification: z.strictObject({
    id: SalesforceId,
    object: z.string().min(1),
    fields: z.record(z.string(), z.string().nullable()),
  }),
});
export type OutboundNotificationRow = z.output<typeof OutboundNotificationRow>;

/** Inbox body of a Platform Event from a configured `/event/*` channel. */
export const PlatformEventRow = z.strictObject({
  kind: z.literal('platform_event'),
  channel: z.string().min(1),
  message: PlatformEventMessage,
});
export type PlatformEventRow = z.output<typeof PlatformEventRow>;

/** Inbox body of a message the subscriber could not read: kept (quarantined) so an admin sees it. */
export const InvalidMessageRow = z.strictObject({
  kind: z.literal('invalid_message'),
  channel: z.string().min(1),
  problems: z.array(z.strictObject({ path: z.string(), message: z.string() })),
  raw: z.unknown(),
});
export type InvalidMessageRow = z.output<typeof InvalidMessageRow>;

export const SalesforceInboxBody = z.discriminatedUnion('kind', [
  ChangeEventRow,
  OutboundNotificationRow,
  PlatformEventRow,
  InvalidMessageRow,
]);
export type SalesforceInboxBody = z.output<typeof SalesforceInboxBody>;

/**
 * The inbox event id of one record of a change event: deterministic from the transaction, the
 * event's place in it and the record, so a redelivery (or a replay from an older replay id) is the
 * same inbox row and the same log entry.
 */
export function changeEventRecordId(
  header: Pick<ChangeEventHeader, 'transactionKey' | 'sequenceNumber'>,
  recordId: string | null,
): string {
  return `cdc:${header.transactionKey}:${header.sequenceNumber}:${recordId ?? 'all'}`;
}

/** One inbox row per record of a change event (a change event may name several `recordIds`). */
export function splitChangeEvent(
  channel: string,
  message: ChangeEventMessage,
): { event_id: string; body: ChangeEventRow }[] {
  const header = message.payload.ChangeEventHeader;
  const records: (string | null)[] = header.recordIds.length > 0 ? [...new Set(header.recordIds)] : [null];
  return records.map((recordId) => ({
    event_id: changeEventRecordId(header, recordId),
    body: { kind: 'change_event', channel, record_id: recordId, message },
  }));
}
