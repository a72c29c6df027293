/**
 * What the Salesforce source writes to the intake inbox, one row per record change:
 * - a Change Data Capture message (as CometD delivers it), narrowed to one of its `recordIds`;
 * - one notification of an Outbound Message.
 * https://developer.salesforce.com/docs/atlas.en-us.change_data_capture.meta/change_data_capture/cdc_event_fields_header.htm
 */
import { z } from 'zod';

/** Change types of the CDC header; `GAP_*` say events were lost and the record must be re-read. */
export const CHANGE_TYPES = ['CREATE', 'UPDATE', 'DELETE', 'UNDELETE', 'GAP_CREATE', 'GAP_UPDATE', 'GAP_DELETE', 'GAP_UNDELETE', 'GAP_OVERFLOW'] as const;

const SalesforceId = z.string().regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, 'must be a 15- or 18-character Salesforce id');

export const ChangeEventHeader = z.looseObject({
  entityName: z.string().min(1),
  /** Empty for GAP_OVERFLOW (too many changes in one transaction to list). */
  recordIds: z.array(z.string().min(1)).default([]),
  changeType: z.enum(CHANGE_TYPES, { error: `must be one of ${CHANGE_TYPES.join(', ')}` }),
  changeOrigin: z.string().default(''),
  transactionKey: z.string().min(1),
  sequenceNumber: z.number().int().nonnegative(),
  /** Epoch milliseconds of the commit. */
  commitTimestamp: z.number().int().positive(),
  commitUser: z.string().default(''),
  changedFields: z.array(z.string()).default([]),
});
export type ChangeEventHeader = z.output<typeof ChangeEventHeader>;

/** A CDC message as delivered on `/data/<Entity>ChangeEvent`. */
export const ChangeEventMessage = z.looseObject({
  schema: z.string().optional(),
  payload: z.looseObject({ ChangeEventHeader }),
  event: z.looseObject({ replayId: z.number().int() }),
});
export type ChangeEventMessage = z.output<typeof ChangeEventMessage>;

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
  notification: z.strictObject({ id: SalesforceId, object: z.string().min(1), fields: z.record(z.string(), z.string().nullable()) }),
});
export type OutboundNotificationRow = z.output<typeof OutboundNotificationRow>;

export const SalesforceInboxBody = z.discriminatedUnion('kind', [ChangeEventRow, OutboundNotificationRow]);
export type SalesforceInboxBody = z.output<typeof SalesforceInboxBody>;

/**
 * The inbox event id of one record of a change event: deterministic from the transaction, the
 * event's place in it and the record, so a redelivery (or a replay from an older replay id) is the
 * same inbox row and the same log entry.
 */
export function changeEventRecordId(header: Pick<ChangeEventHeader, 'transactionKey' | 'sequenceNumber'>, recordId: string | null): string {
  return `cdc:${header.transactionKey}:${header.sequenceNumber}:${recordId ?? 'all'}`;
}

/** One inbox row per record of a change event (a change event may name several `recordIds`). */
export function splitChangeEvent(channel: string, message: ChangeEventMessage): { event_id: string; body: ChangeEventRow }[] {
  const header = message.payload.ChangeEventHeader;
  const records: (string | null)[] = header.recordIds.length > 0 ? [...new Set(header.recordIds)] : [null];
  return records.map((recordId) => ({
    event_id: changeEventRecordId(header, recordId),
    body: { kind: 'change_event', channel, record_id: recordId, message },
  }));
}
