/**
 * The compliance answers: a Splunk HTTP Event Collector target (its token shown only as set) and
 * what an erasure did.
 */
import { z } from 'zod';
import { Instant, TenantId, Uuid } from './common.ts';

export const SplunkTarget = z.object({
  tenant: TenantId,
  url: z.string().describe('HEC base URL, e.g. https://splunk.example.com:8088.'),
  token: z
    .object({ set: z.literal(true), last4: z.string() })
    .describe('Never the token: only its last four characters.'),
  index: z.string().nullable(),
  sourcetype: z.string(),
  source: z.string(),
  host: z.string().nullable(),
  include_personal_data: z.boolean(),
  enabled: z.boolean(),
  last_seq: z.number().int().min(0).describe('The highest seq Splunk accepted; the push resumes after it.'),
  last_success_at: Instant.nullable(),
  last_error: z.string().nullable().describe('Why the last batch failed (reason, HTTP status, HEC code and text).'),
  last_error_at: Instant.nullable(),
  not_before: Instant.nullable().describe("No push before this (Splunk's Retry-After)."),
  updated_by: z.string(),
  updated_at: Instant,
});
export type SplunkTarget = z.infer<typeof SplunkTarget>;

export const LogglyTarget = z.object({
  tenant: TenantId,
  token: z
    .object({ set: z.literal(true), last4: z.string() })
    .describe('Never the customer token: only its last four characters.'),
  tag: z.string().describe('The Loggly tag the events carry (the bulk URL ends /tag/<tag>/).'),
  include_personal_data: z.boolean(),
  enabled: z.boolean(),
  last_seq: z.number().int().min(0).describe('The highest seq Loggly accepted; the push resumes after it.'),
  last_success_at: Instant.nullable(),
  last_error: z.string().nullable().describe('Why the last batch failed (reason, HTTP status, answer).'),
  last_error_at: Instant.nullable(),
  not_before: Instant.nullable().describe("No push before this (Loggly's Retry-After)."),
  updated_by: z.string(),
  updated_at: Instant,
});
export type LogglyTarget = z.infer<typeof LogglyTarget>;

export const ErasureResult = z.object({
  tenant: TenantId,
  subjects: z
    .array(z.object({ subject_id: Uuid, erasure_seq: z.number().int().min(1) }))
    .describe("The person's subjects erased now, each with the seq of its `erasure` entry."),
  already_erased: z.array(Uuid).describe('Subjects of the person erased before (nothing left to do for them).'),
  inbox_rows_redacted: z.number().int().min(0),
  field_values_deleted: z.number().int().min(0),
  tickets_seen_deleted: z.number().int().min(0),
  erased_at: Instant,
});
export type ErasureResult = z.infer<typeof ErasureResult>;
