/**
 * The Zendesk app's actions (`POST /app/v1/{tenant}/actions`): what an agent records in the ticket
 * sidebar, and the answer. The acting agent is never in the request: it is the session's (see
 * connector/app-api/agent-session.ts).
 */
import { z } from 'zod';
import { About, Uuid } from './common.ts';

export const VERIFICATION_KINDS = ['identity_document', 'kyc', 'payment', 'consent', 'device'] as const;
export const ACTION_NAMES = [
  'request_reinstatement',
  'record_verification',
  'approve',
  'deny',
  'suspend',
  'deactivate',
] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

const Text = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => s.trim() !== '', 'must not be empty');

const common = {
  ticket_id: z.string().regex(/^\d{1,20}$/, 'must be a Zendesk ticket id (digits)'),
  about: About.describe("The ticket's requester (`person`) or their organization (`account`)."),
  idempotency_key: Uuid.describe('Made by the app once per form: the same key twice is one event.'),
};

export const ActionRequest = z.discriminatedUnion('action', [
  z.strictObject({
    ...common,
    action: z.literal('request_reinstatement'),
    reason: Text(4000),
    conditions: z.array(Text(2000)).max(20).default([]),
  }),
  z.strictObject({
    ...common,
    action: z.literal('record_verification'),
    kind: z.enum(VERIFICATION_KINDS),
    result: z.enum(['passed', 'failed', 'pending']),
    note: Text(2000).optional(),
    evidence_comment_id: z
      .string()
      .regex(/^\d{1,20}$/, 'must be a ticket comment id (digits)')
      .optional(),
  }),
  z.strictObject({ ...common, action: z.literal('approve'), reason: Text(2000) }),
  z.strictObject({ ...common, action: z.literal('deny'), reason: Text(2000) }),
  z.strictObject({
    ...common,
    action: z.enum(['suspend', 'deactivate']),
    reason_code: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, "must be one of the tenant's reason codes"),
    reason: Text(4000).optional(),
    /** A suspension is temporary and needs a review date; a deactivation may be either. */
    temporary: z.boolean(),
    review_on: z.iso.date({ message: 'must be a date, e.g. 2026-04-01' }).optional(),
  }),
]);
export type ActionRequest = z.input<typeof ActionRequest>;

export const ActionResult = z.object({
  event_ids: z.array(Uuid).describe('The log entries written (or, for a repeated request, found).'),
  duplicate: z.boolean().describe('True when this idempotency key was already recorded: nothing new was written.'),
  apply_in_zendesk: z
    .object({ object: z.enum(['user', 'organization']), id: z.string(), field_key: z.string(), value: z.string() })
    .nullable()
    .describe('After an approval, when the tenant wants it: the field the app sets through the ZAF client.'),
});
export type ActionResult = z.infer<typeof ActionResult>;

/** What the sidebar needs to offer the actions: the proven agent, the reason codes, who may approve. */
export const ActionOptions = z.object({
  agent: z.object({ id: z.string(), name: z.string(), may_approve: z.boolean() }),
  reason_codes: z.array(z.object({ code: z.string(), labels: z.record(z.string(), z.string()) })),
});
export type ActionOptions = z.infer<typeof ActionOptions>;
