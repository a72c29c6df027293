/**
 * Calls to the Standing connector through Zendesk's request proxy: `secure: true`, so the
 * `shared_secret` setting never reaches the browser; Zendesk signs the JWT (HS256) server-side.
 */
import type { ZafClient } from './zaf-client';
import type {
  ActionOptions,
  ActionRequest,
  ActionResult,
  AppReconciliationRuns,
  CurrentMapping,
  FieldProblem,
  Insights,
  KeyRecordsPage,
  MappingPreview,
  MappingVersion,
  QuarantinePage,
  ReplayResult,
  SidebarPage,
  WarningSettings,
} from '@standing/contracts';

export type ApiErrorKind = 'unknown_ticket' | 'unauthorized' | 'forbidden' | 'invalid' | 'conflict' | 'unreachable';

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    readonly status: number,
    message: string,
    readonly problems: FieldProblem[] = [],
    /** The connector's error code (`four_eyes`, `session_required`, ...), when it answered one. */
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

export interface ConnectorSettings {
  connectorUrl: string;
  tenant: string;
  userId: number;
}

export function settingsOf(settings: Record<string, unknown>, userId: number): ConnectorSettings {
  return {
    connectorUrl: String(settings['connector_url'] ?? '').replace(/\/+$/, ''),
    tenant: String(settings['tenant'] ?? 'default'),
    userId,
  };
}

interface FailedXhr {
  status?: number;
  responseJSON?: { error?: { code?: string; message?: string; details?: FieldProblem[] } };
  responseText?: string;
}

function classify(err: unknown): ApiError {
  const x = (typeof err === 'object' && err !== null ? err : {}) as FailedXhr;
  const status = typeof x.status === 'number' ? x.status : 0;
  let body = x.responseJSON;
  if (!body && x.responseText) {
    try {
      body = JSON.parse(x.responseText) as FailedXhr['responseJSON'];
    } catch {
      body = undefined;
    }
  }
  const e = body?.error;
  const message = e?.message ?? `HTTP ${status}`;
  const code = e?.code ?? null;
  if (status === 404 && code === 'unknown_ticket') return new ApiError('unknown_ticket', status, message, [], code);
  if (status === 401) return new ApiError('unauthorized', status, message, [], code);
  if (status === 403) return new ApiError('forbidden', status, message, [], code);
  if (status === 409) return new ApiError('conflict', status, message, [], code);
  if (status === 400) return new ApiError('invalid', status, message, Array.isArray(e?.details) ? e.details : [], code);
  return new ApiError('unreachable', status, message, [], code);
}

export async function call<T>(
  client: ZafClient,
  s: ConnectorSettings,
  path: string,
  init: { method?: 'GET' | 'POST' | 'PUT'; body?: unknown; session?: string } = {},
): Promise<T> {
  try {
    return await client.request<T>({
      url: `${s.connectorUrl}/app/v1/${encodeURIComponent(s.tenant)}${path}`,
      type: init.method ?? 'GET',
      ...(init.body === undefined ? {} : { contentType: 'application/json', data: JSON.stringify(init.body) }),
      secure: true,
      cors: false,
      headers: {
        Authorization: 'Bearer {{jwt.token}}',
        // The proven agent (agent-session.ts): the JWT's user_id below is only the app's claim.
        ...(init.session ? { 'X-Standing-Session': init.session } : {}),
      },
      jwt: {
        algorithm: 'HS256',
        secret_key: '{{setting.shared_secret}}',
        expiry: 300,
        claims: { tenant: s.tenant, user_id: String(s.userId) },
      },
    });
  } catch (err) {
    throw classify(err);
  }
}

const sidebarQuery = (q: { ticketId: string; about: string; cursor?: string | null }) =>
  new URLSearchParams({ ticket_id: q.ticketId, about: q.about, ...(q.cursor ? { cursor: q.cursor } : {}) });

/** The insights' query (`GET …/admin/insights`): UTC days, inclusive. */
export interface InsightsParams {
  from: string;
  to: string;
  bucket: 'day' | 'week' | 'month';
  source?: 'zendesk' | 'salesforce';
}

export const api = {
  sidebar: (c: ZafClient, s: ConnectorSettings, q: { ticketId: string; about: string; cursor?: string | null }) =>
    call<SidebarPage>(c, s, `/sidebar?${sidebarQuery(q).toString()}`),
  mapping: (c: ZafClient, s: ConnectorSettings) => call<CurrentMapping>(c, s, '/admin/mapping'),
  saveMapping: (c: ZafClient, s: ConnectorSettings, document: unknown) =>
    call<MappingVersion>(c, s, '/admin/mapping', { method: 'PUT', body: document }),
  preview: (c: ZafClient, s: ConnectorSettings, document: unknown) =>
    call<MappingPreview>(c, s, '/admin/mapping/preview', { method: 'POST', body: { document, limit: 20 } }),
  quarantine: (c: ZafClient, s: ConnectorSettings) => call<QuarantinePage>(c, s, '/admin/quarantine?limit=50'),
  replay: (c: ZafClient, s: ConnectorSettings, eventIds: string[]) =>
    call<ReplayResult>(c, s, '/admin/quarantine/replay', { method: 'POST', body: { event_ids: eventIds } }),
  warningSettings: (c: ZafClient, s: ConnectorSettings) => call<WarningSettings>(c, s, '/admin/warning-settings'),
  saveWarningSettings: (c: ZafClient, s: ConnectorSettings, doc: unknown) =>
    call<WarningSettings>(c, s, '/admin/warning-settings', { method: 'PUT', body: doc }),
  reconciliation: (c: ZafClient, s: ConnectorSettings) => call<AppReconciliationRuns>(c, s, '/admin/reconciliation'),
  actionOptions: (c: ZafClient, s: ConnectorSettings, session: string) =>
    call<ActionOptions>(c, s, '/actions/options', { session }),
  act: (c: ZafClient, s: ConnectorSettings, session: string, body: ActionRequest) =>
    call<ActionResult>(c, s, '/actions', { method: 'POST', body, session }),
  keyRecords: (c: ZafClient, s: ConnectorSettings) => call<KeyRecordsPage>(c, s, '/admin/key-records?limit=1000'),
  insights: (c: ZafClient, s: ConnectorSettings, q: InsightsParams) =>
    call<Insights>(c, s, `/admin/insights?${new URLSearchParams({ ...q }).toString()}`),
};
