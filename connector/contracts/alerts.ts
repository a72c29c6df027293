/** Alerting's answers (docs/alerts.md): the tenant's channels, the delivery log, a test-send's outcome. */
import { z } from 'zod';
import { Instant } from './common.ts';
import { WARNING_CODES } from './history.ts';

export const AlertChannelKind = z.enum(['webhook', 'zendesk_note']);
export type AlertChannelKind = z.infer<typeof AlertChannelKind>;

const channelFields = {
  kind: AlertChannelKind,
  url: z.string().nullable().describe("The webhook's URL; null for the Zendesk note."),
  warnings: z.array(z.enum(WARNING_CODES)).describe('The warning codes sent; empty: every code.'),
  enabled: z.boolean(),
  updated_by: z.string(),
  updated_at: Instant,
};

export const AlertChannels = z.object({
  webhook: z
    .object({
      ...channelFields,
      secret: z
        .object({ set: z.literal(true), last4: z.string() })
        .describe('Never the signing secret: only its last four characters.'),
    })
    .nullable(),
  zendesk_note: z.object(channelFields).nullable(),
});
export type AlertChannels = z.infer<typeof AlertChannels>;

export const AlertDelivery = z.object({
  id: z.number().int(),
  alert_key: z.string().describe('The alert id (header X-Standing-Alert-Id): one per warning.'),
  channel: AlertChannelKind,
  code: z.string(),
  attempt: z.number().int().min(1),
  outcome: z.enum(['sent', 'retrying', 'failed']),
  status: z.number().int().nullable().describe('HTTP status the receiver answered; null: no answer.'),
  answer: z.string().describe('What the receiver answered, shortened; never a secret or the alert sent.'),
  test: z.boolean(),
  at: Instant,
});
export type AlertDelivery = z.infer<typeof AlertDelivery>;

export const AlertDeliveriesPage = z.object({
  deliveries: z.array(AlertDelivery).describe('Newest first.'),
  next_before: z.number().int().nullable().describe('Pass as `before` for the next page; null on the last.'),
});
export type AlertDeliveriesPage = z.infer<typeof AlertDeliveriesPage>;

export const AlertTestResult = z.object({
  alert_key: z.string(),
  channel: AlertChannelKind,
  outcome: z.enum(['sent', 'retrying', 'failed']),
  status: z.number().int().nullable(),
  answer: z.string(),
});
export type AlertTestResult = z.infer<typeof AlertTestResult>;
