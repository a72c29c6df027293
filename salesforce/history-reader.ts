/**
 * Reads what changed in a Salesforce org for reconciliation, through a jsforce Connection handed in
 * by the caller (the tenant's authenticated connection; `connectionFor` builds one from an instance
 * URL and an access token):
 *
 * - `AccountHistory` / `ContactHistory` rows of the mapped status field: real old -> new
 *   transitions with who (`CreatedById`) and when (`CreatedDate`). Needs Field History Tracking on
 *   the field.
 *   https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_accounthistory.htm
 * - `/queryAll` of the records by `SystemModstamp` in [since, until): the current state, soft
 *   deletes included (`IsDeleted`).
 *   https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm
 *
 * Every page is one request; the next one follows `nextRecordsUrl` (never jsforce's autoFetch,
 * which stops silently at maxFetch). How much of the daily API quota is used is asked of Salesforce
 * before the first page (`readQuota()`: the limits resource, `DailyApiRequests`), then taken from
 * the `Sforce-Limit-Info: api-usage=N/M` header of each answer (jsforce keeps it in
 * `conn.limitInfo`); `quotaStop()` names the reason to stop once it is above the configured share.
 * The tenant's connection lives long: a figure it kept from an earlier run is never used, or a run
 * stopped once at high usage would stop every later run on that old figure.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
 */
import { Connection } from 'jsforce';
import { z } from 'zod';

export type SalesforceObject = 'Account' | 'Contact';

export interface HistoryRow {
  Id: string;
  /** The Account or Contact id. */
  ParentId: string;
  OldValue: unknown;
  NewValue: unknown;
  CreatedDate: string;
  CreatedById: string | null;
}

export interface StateRow {
  Id: string;
  IsDeleted: boolean;
  SystemModstamp: string;
  /** The status field's value, `AccountId` for Contacts, `Email` for Contacts. */
  fields: Record<string, unknown>;
}

/** Where a read stands: a time range, and within a run the next page's URL. */
export interface SoqlPosition {
  /** Inclusive lower edge (ISO-8601). */
  since: string;
  /** Exclusive upper edge, fixed when the range began (ISO-8601). */
  until: string;
  /** `nextRecordsUrl` of the previous page (valid for a few minutes: never checkpointed). */
  next?: string;
}

export interface SoqlPage<R> {
  ok: true;
  rows: R[];
  next: SoqlPosition;
  done: boolean;
}
export type SoqlResult<R> =
  SoqlPage<R> | { ok: false; message: string; errorCode: string | null; status: number | null };

export interface HistoryReaderOptions {
  /** Stop (resume next run) once this share of the org's daily API quota is used. @defaultValue 0.5 */
  maxQuotaShare?: number;
}

export const DEFAULT_HISTORY_READER_OPTIONS = { maxQuotaShare: 0.5 } as const;

/** The org's daily API usage as this run read it. */
export interface QuotaReading {
  used: number;
  limit: number;
  /**
   * `limits`: the limits resource before the first page; `response`: the `Sforce-Limit-Info` header of an answer of
   * this run.
   */
  from: 'limits' | 'response';
}

/** What the limits resource says of the daily API requests (other limits are ignored). */
const LimitsBody = z.object({
  DailyApiRequests: z.object({ Max: z.number().int().nonnegative(), Remaining: z.number().int() }),
});

/**
 * A jsforce connection from an instance URL and an access token (the integrator may pass an authenticated one instead).
 */
export function connectionFor(o: { instanceUrl: string; accessToken: string; version?: string }): Connection {
  return new Connection({ instanceUrl: o.instanceUrl, accessToken: o.accessToken, version: o.version ?? '60.0' });
}

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;
/** Salesforce writes offsets without a colon (`2026-03-04T10:00:00.000+0000`): as ISO-8601 UTC. */
const isoOf = (v: unknown) => new Date(String(v)).toISOString();
const soqlDate = (iso: string) => new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class SalesforceHistoryReader {
  private readonly maxQuotaShare: number;
  private reading: QuotaReading | null = null;
  /** `conn.limitInfo` as it was when last taken in: anything older is not this run's. */
  private lastLimitInfo: unknown;

  constructor(
    private readonly conn: Connection,
    options: HistoryReaderOptions = {},
  ) {
    this.maxQuotaShare = options.maxQuotaShare ?? DEFAULT_HISTORY_READER_OPTIONS.maxQuotaShare;
    this.lastLimitInfo = conn.limitInfo;
  }

  /**
   * Asks Salesforce how much of the daily quota is used now (one request). When the limits resource
   * cannot be read (it needs the "View Setup and Configuration" permission), returns null and the
   * run goes on: the first answer's header decides from then on.
   */
  async readQuota(): Promise<QuotaReading | null> {
    try {
      const body = LimitsBody.parse(await this.conn.request('/limits'));
      const { Max, Remaining } = body.DailyApiRequests;
      this.reading = { used: Math.max(Max - Remaining, 0), limit: Max, from: 'limits' };
    } catch {
      this.reading = null;
    }
    this.lastLimitInfo = this.conn.limitInfo;
    return this.reading;
  }

  /** The latest figure this run read (the limits resource, or a later answer's header), or null. */
  quota(): QuotaReading | null {
    const info = this.conn.limitInfo;
    // jsforce replaces `limitInfo` with a new object at every answer that carries the header.
    if (info !== this.lastLimitInfo) {
      this.lastLimitInfo = info;
      const usage = info?.apiUsage;
      if (usage) this.reading = { used: usage.used, limit: usage.limit, from: 'response' };
    }
    return this.reading;
  }

  /** A reason to stop when the latest figure of this run is above the allowed share of the quota. */
  quotaStop(): string | null {
    const usage = this.quota();
    if (!usage || usage.limit <= 0) return null;
    const where =
      usage.from === 'limits' ? 'the limits resource before the first page' : "the last answer's Sforce-Limit-Info";
    return usage.used / usage.limit > this.maxQuotaShare
      ? `Salesforce API usage ${usage.used}/${usage.limit} (from ${where}) is above ` +
          `${Math.round(this.maxQuotaShare * 100)} % of the daily quota; the next run resumes`
      : null;
  }

  /** One page of the status field's history rows in the position's range, oldest first. */
  async historyPage(object: SalesforceObject, field: string, position: SoqlPosition): Promise<SoqlResult<HistoryRow>> {
    if (!FIELD_NAME.test(field))
      return { ok: false, message: `not a field API name: ${field}`, errorCode: null, status: null };
    const parent = object === 'Account' ? 'AccountId' : 'ContactId';
    const soql =
      `SELECT Id, ${parent}, OldValue, NewValue, CreatedDate, CreatedById FROM ${object}History ` +
      `WHERE Field = '${field}' AND CreatedDate >= ${soqlDate(position.since)} ` +
      `AND CreatedDate < ${soqlDate(position.until)} ORDER BY CreatedDate, Id`;
    const r = await this.page<Record<string, unknown>>(soql, position, 'query', (row) => String(row.CreatedDate));
    if (!r.ok) return r;
    return {
      ...r,
      rows: r.rows.map((x) => ({
        Id: String(x.Id),
        ParentId: String(x[parent]),
        OldValue: x.OldValue,
        NewValue: x.NewValue,
        CreatedDate: isoOf(x.CreatedDate),
        CreatedById: x.CreatedById ? String(x.CreatedById) : null,
      })),
    };
  }

  /** One page of the records modified in the position's range (deleted ones too), by SystemModstamp. */
  async statePage(
    object: SalesforceObject,
    fields: readonly string[],
    position: SoqlPosition,
  ): Promise<SoqlResult<StateRow>> {
    const bad = fields.find((f) => !FIELD_NAME.test(f));
    if (bad) return { ok: false, message: `not a field API name: ${bad}`, errorCode: null, status: null };
    const extra = [...new Set(fields)].filter((f) => !['Id', 'IsDeleted', 'SystemModstamp'].includes(f));
    const soql =
      `SELECT Id, IsDeleted, SystemModstamp${extra.map((f) => `, ${f}`).join('')} FROM ${object} ` +
      `WHERE SystemModstamp >= ${soqlDate(position.since)} AND SystemModstamp < ${soqlDate(position.until)} ` +
      'ORDER BY SystemModstamp, Id';
    const r = await this.page<Record<string, unknown>>(soql, position, 'queryAll', (row) => String(row.SystemModstamp));
    if (!r.ok) return r;
    return {
      ...r,
      rows: r.rows.map((x) => ({
        Id: String(x.Id),
        IsDeleted: x.IsDeleted === true || x.IsDeleted === 'true',
        SystemModstamp: isoOf(x.SystemModstamp),
        fields: Object.fromEntries(extra.map((f) => [f, x[f]])),
      })),
    };
  }

  private async page<R extends Record<string, unknown>>(
    soql: string,
    position: SoqlPosition,
    resource: 'query' | 'queryAll',
    timeOf: (row: R) => string,
  ): Promise<SoqlResult<R>> {
    let body: { records: R[]; done: boolean; nextRecordsUrl?: string };
    try {
      body = await this.conn.request(position.next ?? `/${resource}?q=${encodeURIComponent(soql)}`);
    } catch (err) {
      const e = err as { errorCode?: string; statusCode?: number; message?: string };
      return {
        ok: false,
        message: `Salesforce ${resource} failed: ${e.errorCode ?? ''} ${e.message ?? ''}`.trim(),
        errorCode: e.errorCode ?? null,
        status: e.statusCode ?? null,
      };
    }
    const records = (body.records ?? []).map(({ attributes: _a, ...rest }) => rest as unknown as R);
    const last = records.at(-1);
    // The next run (or a resume after a stop) starts at the last durable row's time: rows at that
    // very instant are read again and deduplicated by their ids, none is skipped.
    const since = body.done ? position.until : last ? new Date(timeOf(last)).toISOString() : position.since;
    return {
      ok: true,
      rows: records,
      next: {
        since,
        until: position.until,
        ...(body.done || !body.nextRecordsUrl ? {} : { next: body.nextRecordsUrl }),
      },
      done: body.done || !body.nextRecordsUrl,
    };
  }
}
