/**
 * One jsforce `Connection` per tenant, authenticated with the OAuth 2.0 JWT bearer flow (a signed
 * assertion, re-signed whenever the session expires: there is no refresh token) or with a refresh
 * token (whose rotated successors are handed to `onTokens` to persist). jsforce calls our refresh
 * function when a REST call answers 401 INVALID_SESSION_ID and repeats the call once.
 *
 * jsforce is pinned at 3.10.16: later releases need Node >= 22.19 (undici 8) and bypass nock.
 * Token and refresh-token values never reach the logs.
 */
import { Connection, OAuth2 } from 'jsforce';
import type { KeyObject } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { z } from 'zod';
import {
  JWT_BEARER_GRANT_TYPE,
  InvalidPrivateKeyError,
  MAX_JWT_LIFETIME_SECONDS,
  parsePrivateKey,
  signJwtAssertion,
} from './jwt-assertion.ts';
import { err, ok, type Result } from '../connector/lib/result.ts';
import { StandingError } from '../connector/lib/errors.ts';

const HttpsUrl = z
  .url({ message: 'must be a URL such as https://acme.my.salesforce.com' })
  .transform((u) => u.replace(/\/+$/, ''));

export const SalesforceAuthSettings = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('jwt'),
    /** The Salesforce username the integration acts as (pre-authorized on the connected app). */
    username: z.string().min(1),
    /** PEM of the private key whose certificate is uploaded to the connected app. */
    privateKeyPem: z.string().includes('PRIVATE KEY', { message: 'must be a PEM private key' }),
  }),
  z.strictObject({
    kind: z.literal('refresh_token'),
    /** The connected app's consumer secret, when the app requires it for the refresh-token flow. */
    clientSecret: z.string().min(1).optional(),
    refreshToken: z.string().min(1),
  }),
]);

export const SalesforceSettings = z.strictObject({
  /** The org's My Domain URL, e.g. https://acme.my.salesforce.com (replaced by the token response's `instance_url`). */
  instanceUrl: HttpsUrl,
  /** https://login.salesforce.com, https://test.salesforce.com (sandboxes) or the My Domain URL. */
  loginUrl: HttpsUrl.default('https://login.salesforce.com'),
  /** The connected app's consumer key. */
  clientId: z.string().min(1),
  /** API version of REST and CometD calls (`/cometd/<version>`). */
  apiVersion: z
    .string()
    .regex(/^\d{2,3}\.0$/, 'must look like 60.0')
    .default('60.0'),
  auth: SalesforceAuthSettings,
});
export type SalesforceSettings = z.infer<typeof SalesforceSettings>;
export type SalesforceSettingsInput = z.input<typeof SalesforceSettings>;

/** What the token endpoint answered, as the integrator persists it. */
export interface SalesforceTokens {
  accessToken: string;
  instanceUrl: string;
  /** The refresh token now in force (rotated or the same); null in the JWT bearer flow. */
  refreshToken: string | null;
  /** When we received it (ISO 8601). */
  issuedAt: string;
}

const TokenResponse = z.looseObject({
  access_token: z.string().min(1),
  instance_url: z.url(),
  refresh_token: z.string().min(1).optional(),
});

export type SalesforceAuthFailure =
  /**
   * Salesforce refused the grant (revoked refresh token, user not pre-authorized, bad certificate): an admin must act.
   */
  | 'rejected'
  /** The settings are unusable (unreadable private key, invalid values). */
  | 'invalid_settings'
  /** No answer, or a 5xx or 429: try again later. */
  | 'unavailable';

export class SalesforceAuthError extends StandingError {
  override name = 'SalesforceAuthError';
  constructor(
    readonly failure: SalesforceAuthFailure,
    /** The OAuth error code (`invalid_grant`, `invalid_client`, `ERROR_HTTP_503`, ...) or `network`. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
  get retryable(): boolean {
    return this.failure === 'unavailable';
  }
}

/** Turns what jsforce's OAuth2 throws into a failure kind (pure). Its errors carry the OAuth `error` as `name`. */
export function classifyTokenError(e: unknown): SalesforceAuthError {
  if (e instanceof SalesforceAuthError) return e;
  const name = e instanceof Error ? e.name : '';
  const description = e instanceof Error ? e.message : String(e);
  const http = /^ERROR_HTTP_(\d{3})$/.exec(name);
  if (http) {
    const status = Number(http[1]);
    const failure = status >= 500 || status === 429 ? 'unavailable' : 'rejected';
    return new SalesforceAuthError(failure, name, `token endpoint answered HTTP ${status}`);
  }
  if (/^[a-z_]+$/.test(name) && name !== 'error') {
    // OAuth errors: invalid_grant, invalid_client, invalid_client_id, unsupported_grant_type, ...
    return new SalesforceAuthError(
      'rejected',
      name,
      `token endpoint refused the grant: ${name}${description ? ` (${description.slice(0, 200)})` : ''}`,
    );
  }
  return new SalesforceAuthError('unavailable', 'network', `token endpoint unreachable: ${description.slice(0, 200)}`);
}

export interface SalesforceConnectionOptions {
  /**
   * Called with the tokens whenever the refresh-token flow obtained new ones (at connect and at each
   * refresh): persist `refreshToken`, since Salesforce may rotate it. Not called in the JWT flow.
   * A rejection is logged; the new access token is used anyway.
   * @defaultValue does nothing
   */
  onTokens?: (tenant: string, tokens: SalesforceTokens) => Promise<void>;
  /**
   * Lifetime of a JWT bearer assertion, in seconds (Salesforce allows at most 180).
   * @defaultValue 180
   */
  jwtLifetimeSeconds?: number;
  /**
   * When jsforce asks for a second refresh this soon after the previous one it asked for (Salesforce
   * refused the fresh session too), the REST call fails instead: jsforce 3.10.16 would otherwise
   * refresh and repeat the call forever.
   * @defaultValue 10_000 ms
   */
  refreshLoopGuardMs?: number;
  /**
   * How long a token request may take before it counts as unavailable.
   * @defaultValue 30_000 ms
   */
  tokenTimeoutMs?: number;
  /**
   * Logger; never receives tokens.
   * @defaultValue a silent logger
   */
  logger?: Logger;
  /**
   * Clock, for tests.
   * @defaultValue Date.now
   */
  now?: () => number;
}

const DEFAULTS = {
  jwtLifetimeSeconds: MAX_JWT_LIFETIME_SECONDS,
  tokenTimeoutMs: 30_000,
  refreshLoopGuardMs: 10_000,
  now: Date.now,
} as const;

/** A tenant's authenticated connection. */
export interface SalesforceSession {
  readonly tenant: string;
  readonly settings: SalesforceSettings;
  /** The jsforce connection; its REST calls refresh the session once on 401 INVALID_SESSION_ID. */
  readonly connection: Connection;
  /** Gets a new access token now (e.g. after CometD answered `401::Authentication invalid`). */
  refresh(): Promise<Result<SalesforceTokens, SalesforceAuthError>>;
  /** Calls `listener` after every new access token, whoever asked for it; returns the unsubscribe function. */
  onRefresh(listener: (tokens: SalesforceTokens) => void): () => void;
}

export class SalesforceConnectionFactory {
  private readonly onTokens: (tenant: string, tokens: SalesforceTokens) => Promise<void>;
  private readonly jwtLifetimeSeconds: number;
  private readonly tokenTimeoutMs: number;
  /** @internal */
  readonly refreshLoopGuardMs: number;
  private readonly logger: Logger;
  /** @internal */
  readonly now: () => number;

  constructor(options: SalesforceConnectionOptions = {}) {
    this.onTokens = options.onTokens ?? (async () => undefined);
    this.jwtLifetimeSeconds = options.jwtLifetimeSeconds ?? DEFAULTS.jwtLifetimeSeconds;
    this.tokenTimeoutMs = options.tokenTimeoutMs ?? DEFAULTS.tokenTimeoutMs;
    this.refreshLoopGuardMs = options.refreshLoopGuardMs ?? DEFAULTS.refreshLoopGuardMs;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.now = options.now ?? DEFAULTS.now;
  }

  /** Validates the settings, obtains a first access token and returns the tenant's session. */
  async connect(
    tenant: string,
    input: SalesforceSettingsInput,
  ): Promise<Result<SalesforceSession, SalesforceAuthError>> {
    const parsed = SalesforceSettings.safeParse(input);
    if (!parsed.success) {
      // Only paths and messages: the input holds secrets.
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      return err(new SalesforceAuthError('invalid_settings', 'invalid_settings', `Salesforce settings: ${problems}`));
    }
    const settings = parsed.data;
    let key: KeyObject | null = null;
    if (settings.auth.kind === 'jwt') {
      try {
        key = parsePrivateKey(settings.auth.privateKeyPem);
      } catch (e) {
        if (!(e instanceof InvalidPrivateKeyError)) throw e;
        return err(new SalesforceAuthError('invalid_settings', 'invalid_private_key', e.message));
      }
    }
    const session = new TenantSession(tenant, settings, key, this);
    const first = await session.refresh();
    return first.ok ? ok(session) : err(first.error);
  }

  /** @internal Asks the token endpoint for a new access token. */
  async requestTokens(
    tenant: string,
    settings: SalesforceSettings,
    key: KeyObject | null,
    refreshToken: string | null,
  ): Promise<Result<SalesforceTokens, SalesforceAuthError>> {
    const log = this.logger.child({ tenant, salesforce_auth: settings.auth.kind });
    let raw: unknown;
    try {
      if (settings.auth.kind === 'jwt' && key) {
        const assertion = signJwtAssertion({
          clientId: settings.clientId,
          username: settings.auth.username,
          audience: settings.loginUrl,
          privateKey: key,
          nowMs: this.now(),
          lifetimeSeconds: this.jwtLifetimeSeconds,
        });
        // No client id on this OAuth2: the JWT bearer request carries only grant_type and assertion.
        raw = await this.withTimeout(
          new OAuth2({ loginUrl: settings.loginUrl }).requestToken({ grant_type: JWT_BEARER_GRANT_TYPE, assertion }),
        );
      } else if (settings.auth.kind === 'refresh_token') {
        const oauth2 = new OAuth2({
          loginUrl: settings.loginUrl,
          clientId: settings.clientId,
          clientSecret: settings.auth.clientSecret,
        });
        raw = await this.withTimeout(oauth2.refreshToken(refreshToken ?? settings.auth.refreshToken));
      }
    } catch (e) {
      const failure = classifyTokenError(e);
      log.warn({ code: failure.code, failure: failure.failure }, 'Salesforce token request failed');
      return err(failure);
    }
    const body = TokenResponse.safeParse(raw);
    if (!body.success) {
      log.warn('Salesforce token endpoint answered without access_token/instance_url');
      return err(
        new SalesforceAuthError(
          'unavailable',
          'malformed_response',
          'token endpoint answered without access_token and instance_url',
        ),
      );
    }
    const tokens: SalesforceTokens = {
      accessToken: body.data.access_token,
      instanceUrl: body.data.instance_url.replace(/\/+$/, ''),
      refreshToken:
        settings.auth.kind === 'refresh_token'
          ? (body.data.refresh_token ?? refreshToken ?? settings.auth.refreshToken)
          : null,
      issuedAt: new Date(this.now()).toISOString(),
    };
    if (settings.auth.kind === 'refresh_token') {
      try {
        await this.onTokens(tenant, tokens);
      } catch (e) {
        log.error(
          { err_name: e instanceof Error ? e.name : typeof e },
          'persisting the Salesforce tokens failed; a rotated refresh token may be lost',
        );
      }
    }
    log.debug({ rotated: body.data.refresh_token !== undefined }, 'Salesforce access token obtained');
    return ok(tokens);
  }

  private withTimeout<T>(request: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new SalesforceAuthError(
              'unavailable',
              'timeout',
              `token endpoint did not answer within ${this.tokenTimeoutMs} ms`,
            ),
          ),
        this.tokenTimeoutMs,
      );
    });
    return Promise.race([request, timeout]).finally(() => clearTimeout(timer));
  }
}

class TenantSession implements SalesforceSession {
  readonly connection: Connection;
  private refreshToken: string | null;
  private inFlight: Promise<Result<SalesforceTokens, SalesforceAuthError>> | null = null;
  /** When jsforce last asked for a refresh (a REST call answered 401). */
  private lastJsforceRefreshAt: number | null = null;
  private readonly listeners = new Set<(tokens: SalesforceTokens) => void>();

  constructor(
    readonly tenant: string,
    readonly settings: SalesforceSettings,
    private readonly key: KeyObject | null,
    private readonly factory: SalesforceConnectionFactory,
  ) {
    this.refreshToken = settings.auth.kind === 'refresh_token' ? settings.auth.refreshToken : null;
    this.connection = new Connection({
      instanceUrl: settings.instanceUrl,
      version: settings.apiVersion,
      // jsforce calls this on 401 INVALID_SESSION_ID, then sets the token and emits `refresh`.
      refreshFn: (_conn, callback) => {
        const now = this.factory.now();
        if (this.lastJsforceRefreshAt !== null && now - this.lastJsforceRefreshAt < this.factory.refreshLoopGuardMs) {
          callback(
            new SalesforceAuthError(
              'rejected',
              'session_refused',
              'Salesforce refused a session obtained moments ago (401 INVALID_SESSION_ID again)',
            ),
          );
          return;
        }
        this.lastJsforceRefreshAt = now;
        this.renew().then(
          (r) => (r.ok ? callback(null, r.value.accessToken) : callback(r.error)),
          (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
        );
      },
    });
  }

  refresh(): Promise<Result<SalesforceTokens, SalesforceAuthError>> {
    return this.renew();
  }

  onRefresh(listener: (tokens: SalesforceTokens) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One token request at a time; concurrent callers share it. */
  private renew(): Promise<Result<SalesforceTokens, SalesforceAuthError>> {
    this.inFlight ??= this.factory
      .requestTokens(this.tenant, this.settings, this.key, this.refreshToken)
      .then((r) => {
        if (r.ok) {
          this.refreshToken = r.value.refreshToken;
          this.connection.accessToken = r.value.accessToken;
          this.connection.instanceUrl = r.value.instanceUrl;
          for (const l of this.listeners) l(r.value);
        }
        return r;
      })
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }
}
