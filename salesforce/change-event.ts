/**
 * What a Change Data Capture message looks like on the CometD channels (`/data/AccountChangeEvent`,
 * `/data/ContactChangeEvent`, ...), and the Platform Event messages of `/event/*` channels, as zod
 * schemas with inferred types. Field meanings:
 * https://developer.salesforce.com/docs/atlas.en-us.change_data_capture.meta/change_data_capture/cdc_event_fields_header.htm
 */
import { z } from 'zod';

export const CHANGE_TYPES = [
  'CREATE',
  'UPDATE',
  'DELETE',
  'UNDELETE',
  'GAP_CREATE',
  'GAP_UPDATE',
  'GAP_DELETE',
  'GAP_UNDELETE',
  'GAP_OVERFLOW',
] as const;
export const ChangeType = z.enum(CHANGE_TYPES);
export type ChangeType = z.infer<typeof ChangeType>;

/** A 15- or 18-character record id, or the wildcard `001*` sent for field type conversions. */
const RecordId = z
  .string()
  .regex(/^(?:[a-zA-Z0-9]{15}|[a-zA-Z0-9]{18}|[a-zA-Z0-9]{3}\*)$/, 'must be a Salesforce record id');
const ReplayId = z.number().int();

export const ChangeEventHeader = z
  .looseObject({
    entityName: z.string().min(1),
    /** Several ids when Salesforce merged the same change to several records; empty for GAP_OVERFLOW. */
    recordIds: z.array(RecordId),
    changeType: ChangeType,
    /** Empty unless the change came through an API or Lightning Experience. */
    changeOrigin: z.string(),
    transactionKey: z.string(),
    sequenceNumber: z.number().int(),
    /** Epoch milliseconds. */
    commitTimestamp: z.number().int().nonnegative(),
    commitNumber: z.number().int().optional(),
    /** Id of the user who made the change. */
    commitUser: z.string(),
    /** Set for updates (API 47.0+); empty for other change types. */
    changedFields: z.array(z.string()).default([]),
    nulledFields: z.array(z.string()).optional(),
    diffFields: z.array(z.string()).optional(),
  })
  .refine((h) => h.changeType === 'GAP_OVERFLOW' || h.recordIds.length > 0, {
    message: 'must name at least one record',
    path: ['recordIds'],
  });
export type ChangeEventHeader = z.infer<typeof ChangeEventHeader>;

export const ChangeEventMessage = z.object({
  schema: z.string().optional(),
  payload: z.looseObject({ ChangeEventHeader }),
  event: z.looseObject({ replayId: ReplayId }),
});
/** A validated change event: `payload` holds the header and the changed fields (API names). */
export type ChangeEventMessage = z.infer<typeof ChangeEventMessage>;

export const PlatformEventMessage = z.object({
  schema: z.string().optional(),
  payload: z.record(z.string(), z.unknown()),
  event: z.looseObject({ replayId: ReplayId }),
});
export type PlatformEventMessage = z.infer<typeof PlatformEventMessage>;

/** Where a problem is and what it is, like the event model's `FieldProblem`. */
export interface MessageProblem {
  path: string;
  message: string;
}

/**
 * What `onMessage` receives. An invalid message is handed over too (to be quarantined, not lost),
 * with its replay id when one could be read.
 */
export type SubscribedMessage =
  | { kind: 'change_event'; channel: string; replayId: number; message: ChangeEventMessage }
  | { kind: 'platform_event'; channel: string; replayId: number; message: PlatformEventMessage }
  | { kind: 'invalid'; channel: string; replayId: number | null; problems: MessageProblem[]; raw: unknown };

/**
 * Change Data Capture channels are `/data/<Entity>ChangeEvent` (or `/data/ChangeEvents`, or a custom
 * `/data/<Name>__chn`).
 */
export const isChangeEventChannel = (channel: string) => channel.startsWith('/data/');

/** Validates a message received on `channel` (pure). */
export function parseSubscribedMessage(channel: string, raw: unknown): SubscribedMessage {
  const parsed = isChangeEventChannel(channel)
    ? ChangeEventMessage.safeParse(raw)
    : PlatformEventMessage.safeParse(raw);
  if (parsed.success) {
    return isChangeEventChannel(channel)
      ? {
          kind: 'change_event',
          channel,
          replayId: parsed.data.event.replayId,
          message: parsed.data as ChangeEventMessage,
        }
      : {
          kind: 'platform_event',
          channel,
          replayId: parsed.data.event.replayId,
          message: parsed.data as PlatformEventMessage,
        };
  }
  const replay = z.object({ event: z.object({ replayId: ReplayId }) }).safeParse(raw);
  return {
    kind: 'invalid',
    channel,
    replayId: replay.success ? replay.data.event.replayId : null,
    problems: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    raw,
  };
}
