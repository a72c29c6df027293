/**
 * A small client for Zendesk's incremental exports that follows every page and honours the export
 * limits, unlike node-zendesk 6.0.1 whose incremental helpers stop after the first page
 * (docs/development.md).
 *
 * - Users: the cursor export, `GET /api/v2/incremental/users/cursor.json?start_time=` and then
 *   `?cursor=<after_cursor>`, until `end_of_stream`.
 *   https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-user-export-cursor-based
 * - Organizations: the time-based export, `GET /api/v2/incremental/organizations.json?start_time=`,
 *   the next page starting at the answer's `end_time`. Time-based pages can repeat items (callers dedupe).
 * - Limits: 10 export requests a minute (the users cursor export 20). Over it Zendesk answers 429
 *   with `Retry-After` (seconds); the `Zendesk-RateLimit-incremental-exports[-cursor]` header
 *   (`total=20; remaining=19; resets=41`) says what is left, and an exhausted budget is waited out
 *   before the next request. https://developer.zendesk.com/api-reference/introduction/rate-limits/
 *
 * Retries are decided by connector/lib/retry-decision.ts. A page that still fails after `maxAttempts` is a
 * failure value: the caller stops its run there (never hammering) and resumes next run.
 */
import { z } from 'zod';
import { decideRetry, type RetryDecision } from '../lib/retry-decision.ts';

export interface ZendeskExportCredentials {
  /** `acme` for acme.zendesk.com. */
  subdomain: string;
  /** The Zendesk user owning the token (an admin: exports are admin-only). */
  email: string;
  token: string;
}

export interface ZendeskExportOptions {
  /** @defaultValue `https://<subdomain>.zendesk.com` */
  baseUrl?: string;
  /** Records per page (Zendesk allows at most 1000). @defaultValue 1000 */
  perPage?: number;
  /** Attempts per page, the first included, before a failure is returned. @defaultValue 3 */
  maxAttempts?: number;
  /** Backoff before retrying a 5xx or network failure that named no wait; doubled per attempt. @defaultValue 2000 ms */
  backoffMs?: number;
  /** How a wait is done (tests record it instead). @defaultValue setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** @defaultValue globalThis.fetch (undici) */
  fetch?: typeof fetch;
  /** @defaultValue Date.now */
  now?: () => number;
}

export const DEFAULT_EXPORT_OPTIONS = { perPage: 1000, maxAttempts: 3, backoffMs: 2000 } as const;

const id = z.union([z.number(), z.string()]).transform(String);
const nullableText = z.union([z.string(), z.number()]).transform(String).nullable().optional();

/** A user as the export returns it; only what standing reads. */
export const ExportUser = z.looseObject({
  id,
  active: z.boolean().optional(),
  suspended: z.boolean().optional(),
  updated_at: z.string(),
  email: z.string().nullable().optional(),
  external_id: nullableText,
  organization_id: id.nullable().optional(),
  user_fields: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type ExportUser = z.output<typeof ExportUser>;

export const ExportOrganization = z.looseObject({
  id,
  updated_at: z.string(),
  deleted_at: z.string().nullable().optional(),
  external_id: nullableText,
  tags: z.array(z.string()).optional(),
  organization_fields: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type ExportOrganization = z.output<typeof ExportOrganization>;

const UsersCursorPage = z.looseObject({
  users: z.array(ExportUser),
  after_cursor: z.string().nullable().optional(),
  end_of_stream: z.boolean(),
});
const OrganizationsPage = z.looseObject({
  organizations: z.array(ExportOrganization),
  end_time: z.number().int().nullable().optional(),
  end_of_stream: z.boolean(),
});

/** Where an export stands: a cursor (users) or a start time in epoch seconds (both, at first). */
export type ExportPosition = { cursor: string } | { start_time: number };

export interface ExportPage<T> {
  ok: true;
  items: T[];
  /** Where the next page starts: what a checkpoint stores once this page is durable. */
  next: ExportPosition;
  endOfStream: boolean;
}

export interface ExportFailure {
  ok: false;
  /** The last decision: `rate_limited` after waiting out every Retry-After we were given, an auth failure, ... */
  decision: RetryDecision;
  status: number | null;
  message: string;
}

export type ExportResult<T> = ExportPage<T> | ExportFailure;

/** A budget header's value: `total=20; remaining=19; resets=41`. */
export function parseBudgetHeader(
  value: string | null,
): { total: number; remaining: number; resetsSeconds: number } | null {
  if (!value) return null;
  const parts = Object.fromEntries(
    value.split(';').map(
      (p) =>
        p
          .trim()
          .split('=')
          .map((s) => s.trim()) as [string, string],
    ),
  );
  const total = Number(parts.total);
  const remaining = Number(parts.remaining);
  const resets = Number(parts.resets);
  if (![total, remaining, resets].every(Number.isFinite)) return null;
  return { total, remaining, resetsSeconds: resets };
}

const BUDGET_HEADERS = {
  users: 'zendesk-ratelimit-incremental-exports-cursor',
  organizations: 'zendesk-ratelimit-incremental-exports',
} as const;

export class ZendeskIncrementalExport {
  private readonly o: Required<Omit<ZendeskExportOptions, 'baseUrl'>> & { baseUrl: string };
  private readonly auth: string;
  /** Per budget header: epoch ms before which no request of that budget is sent (it was exhausted). */
  private readonly notBefore = new Map<string, number>();
  /** Every wait this client made, in ms (reported by runs; read by tests). */
  readonly waits: number[] = [];
  requests = 0;

  constructor(credentials: ZendeskExportCredentials, options: ZendeskExportOptions = {}) {
    this.o = {
      ...DEFAULT_EXPORT_OPTIONS,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      fetch: (...a) => globalThis.fetch(...a),
      now: Date.now,
      ...options,
      baseUrl: (options.baseUrl ?? `https://${credentials.subdomain}.zendesk.com`).replace(/\/$/, ''),
    };
    this.auth = `Basic ${Buffer.from(`${credentials.email}/token:${credentials.token}`).toString('base64')}`;
  }

  /** One page of the users cursor export. */
  async usersPage(position: ExportPosition): Promise<ExportResult<ExportUser>> {
    const q =
      'cursor' in position
        ? `cursor=${encodeURIComponent(position.cursor)}`
        : `start_time=${Math.floor(position.start_time)}`;
    const r = await this.get(
      `/api/v2/incremental/users/cursor.json?${q}&per_page=${this.o.perPage}`,
      BUDGET_HEADERS.users,
    );
    if (!r.ok) return r;
    const page = UsersCursorPage.safeParse(r.body);
    if (!page.success) return malformed(r.status, page.error);
    const next = page.data.after_cursor ? { cursor: page.data.after_cursor } : position;
    return { ok: true, items: page.data.users, next, endOfStream: page.data.end_of_stream };
  }

  /** One page of the time-based organizations export. */
  async organizationsPage(startTime: number): Promise<ExportResult<ExportOrganization>> {
    const r = await this.get(
      `/api/v2/incremental/organizations.json?start_time=${Math.floor(startTime)}&per_page=${this.o.perPage}`,
      BUDGET_HEADERS.organizations,
    );
    if (!r.ok) return r;
    const page = OrganizationsPage.safeParse(r.body);
    if (!page.success) return malformed(r.status, page.error);
    const end = page.data.end_time ?? startTime;
    // A page whose end_time did not move would repeat itself forever: it is the end.
    return {
      ok: true,
      items: page.data.organizations,
      next: { start_time: end },
      endOfStream: page.data.end_of_stream || end <= startTime,
    };
  }

  private async get(
    path: string,
    budgetHeader: string,
  ): Promise<{ ok: true; status: number; body: unknown } | ExportFailure> {
    let last: ExportFailure = {
      ok: false,
      decision: { retry: false, reason: 'network', wait: null },
      status: null,
      message: 'not attempted',
    };
    for (let attempt = 1; attempt <= this.o.maxAttempts; attempt++) {
      const wait = (this.notBefore.get(budgetHeader) ?? 0) - this.o.now();
      if (wait > 0) await this.pause(wait);
      let res: Response;
      try {
        this.requests++;
        res = await this.o.fetch(this.o.baseUrl + path, {
          headers: { authorization: this.auth, accept: 'application/json' },
        });
      } catch (err) {
        last = {
          ok: false,
          decision: decideRetry({ status: null }),
          status: null,
          message: `network: ${(err as Error).message}`,
        };
        if (attempt < this.o.maxAttempts) await this.pause(this.o.backoffMs * 2 ** (attempt - 1));
        continue;
      }
      const budget = parseBudgetHeader(res.headers.get(budgetHeader));
      if (budget && budget.remaining <= 0) this.notBefore.set(budgetHeader, this.o.now() + budget.resetsSeconds * 1000);
      const decision = decideRetry({
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        now: this.o.now(),
      });
      if (decision.reason === 'ok') return { ok: true, status: res.status, body: await res.json() };
      await res.body?.cancel();
      last = {
        ok: false,
        decision,
        status: res.status,
        message: `Zendesk answered ${res.status} (${decision.reason})`,
      };
      if (!decision.retry || attempt >= this.o.maxAttempts) break;
      await this.pause(decision.wait ?? this.o.backoffMs * 2 ** (attempt - 1));
    }
    return last;
  }

  private async pause(ms: number): Promise<void> {
    this.waits.push(ms);
    await this.o.sleep(ms);
  }
}

function malformed(status: number, error: z.ZodError): ExportFailure {
  const first = error.issues[0];
  return {
    ok: false,
    decision: { retry: false, reason: 'client_error', wait: null },
    status,
    message: `unexpected export page: ${first?.path.join('.')}: ${first?.message}`,
  };
}
