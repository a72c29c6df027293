/**
 * Assembles and runs the service: secrets, database (migrated), Redis, the standing log and the
 * HTTP app. Later parts (webhook routes, queue workers) plug in through `extend`, which receives
 * the opened resources and hands back routers, readiness checks and a close hook.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type { ConfigProblem, StandingConfig } from '../config/config.ts';
import { createApp, type MountedRouter } from '../http/app.ts';
import { directRouteListener, type DirectRoute } from '../http/direct-routes.ts';
import { withSecurityHeaders } from '../http/security-headers.ts';
import type { ReadinessCheck } from '../http/health-routes.ts';
import { createLogger, type Logger } from '../http/logging.ts';
import { loadSecrets, type Secrets } from '../config/secrets.ts';
import { type Database } from '../store/database.ts';
import { openMigratedDatabase } from '../store/open-migrated.ts';
import { type MigrationReport } from '../store/migrate.ts';
import { StandingLog } from '../store/standing-log.ts';
import { AccessAudit } from '../audit/access-audit.ts';
import { requireBearerToken } from '../http/auth.ts';
import { ApiKeyStore } from '../access/api-keys.ts';
import { loadCheckpointKey } from '../config/checkpoint-key.ts';
import { ErasureBroadcast, erasureChannel } from '../gdpr/erasure-broadcast.ts';
import { createAuthorizer, type Authorize } from '../access/authorize.ts';
import { keyRoutes } from '../keys/key-routes.ts';
import { KeyIssuer } from '../keys/key-issuance.ts';
import { TenantRegistry } from '../tenants/tenant-registry.ts';
import { AppSettingsStore } from '../history/app-settings.ts';
import { StandingMetrics } from '../ops/metrics.ts';
import { databaseProbe, instrumentDirectRoutes, metricsRoutes } from '../ops/metrics-wiring.ts';
import { roleDuties } from '../config/roles.ts';
import { StandingError } from '../lib/errors.ts';

/** Startup refused because of the deployment's configuration (e.g. a missing secret in production). */
export class StartupError extends StandingError {
  override name = 'StartupError';
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map((p) => `${p.variable}: ${p.message}`).join('\n'));
  }
}

/** What `extend` receives: everything opened, nothing listening yet. */
export interface ServiceResources {
  config: StandingConfig;
  logger: Logger;
  secrets: Secrets;
  db: Database;
  redis: Redis;
  log: StandingLog;
  /** The read audit: every read and export of a customer's history, and denied attempts. */
  audit: AccessAudit;
  migrations: MigrationReport;
  /** This instance's Prometheus metrics (served at /metrics). */
  metrics: StandingMetrics;
  /** Tenants' API keys. */
  keys: ApiKeyStore;
  /** Every API route's authentication and role check (connector/access/authorize.ts). */
  authorize: Authorize;
  /** Erasures announced to every process, so each drops what it caches of the person. */
  erasures: ErasureBroadcast;
  /** The tenants (one registry, one cache, per process). */
  tenants: TenantRegistry;
  /** The tenants' warning thresholds (history answers and the Zendesk app's settings). */
  appSettings: AppSettingsStore;
}

export interface ServiceExtension {
  /** Mounted after the built-in routes. */
  routers?: readonly MountedRouter[];
  /** Served by node:http ahead of Express (provider webhooks): see direct-routes.ts. */
  directRoutes?: readonly DirectRoute[];
  /** Reported by /readyz beside `database` and `redis`. */
  readinessChecks?: Readonly<Record<string, ReadinessCheck>>;
  /** Reported by /readyz as `backlog`. */
  readinessReport?: () => Promise<unknown>;
  /** Runs once HTTP has drained and before Redis and the database close (stop workers here). */
  close?: () => Promise<void>;
}

/** Runs extensions side by side: routes in order, readiness checks merged, closed in reverse. */
export function combineExtensions(...parts: ServiceExtension[]): ServiceExtension {
  return {
    routers: parts.flatMap((p) => p.routers ?? []),
    directRoutes: parts.flatMap((p) => p.directRoutes ?? []),
    readinessChecks: Object.assign({}, ...parts.map((p) => p.readinessChecks ?? {})),
    // The first part that reports a backlog reports it (the intake does).
    readinessReport: parts.find((p) => p.readinessReport)?.readinessReport,
    close: async () => {
      for (const p of [...parts].reverse()) await p.close?.();
    },
  };
}

export interface ServiceOptions {
  /**
   * Where logs go.
   * @defaultValue a pino logger at `config.logLevel` on stdout
   */
  logger?: Logger;
  /**
   * Adds routes, readiness checks and background work once the resources are open.
   * @defaultValue nothing added
   */
  extend?: (resources: ServiceResources) => ServiceExtension | Promise<ServiceExtension>;
}

export interface ServiceHandle {
  /** `http://host:port` as listened on (the configured host, the real port). */
  url: string;
  port: number;
  server: Server;
  resources: ServiceResources;
  /**
   * Stops accepting connections, lets in-flight requests finish within SHUTDOWN_GRACE_MS, then closes
   * everything. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Redis client for the app's own commands. Retries forever with a capped delay, but fails single
 * commands fast, so /readyz reports an outage instead of hanging.
 */
export function connectRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    connectTimeout: 5000,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 500, 5000),
  });
  let down = false;
  // One line per outage rather than one per reconnect attempt. The URL is not logged: it may hold a password.
  redis.on('error', (err: Error) => {
    if (!down) logger.warn({ err }, 'redis unavailable; retrying');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info('redis available again');
    down = false;
  });
  return redis;
}

/** Closes the client and stops its reconnect loop. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') {
    // No usable connection: disconnect() cancels the pending reconnect. (ioredis 6 leaves status at
    // `reconnecting` in that case and never emits `end`, so there is nothing to wait for.)
    redis.disconnect();
    return;
  }
  const ended = new Promise<void>((resolve) => redis.once('end', () => resolve()));
  await redis.quit().catch(() => redis.disconnect());
  await ended;
}

export async function startService(config: StandingConfig, options: ServiceOptions = {}): Promise<ServiceHandle> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const loaded = await loadSecrets(config);
  if (!loaded.ok) throw new StartupError(loaded.problems);

  // Closers of what is open so far, run in reverse on close() or when a later start step fails,
  // so a failed start leaves no open handles.
  const cleanups: (() => Promise<void>)[] = [];
  const undo = async () => {
    for (const cleanup of cleanups.reverse())
      await cleanup().catch((err: unknown) => logger.error({ err }, 'error while closing'));
  };
  try {
    const { db, migrations } = await openMigratedDatabase({
      ...config.database,
      // One line when the database goes away and one when it is back, however many requests and
      // jobs fail meanwhile (webhooks are answered 503 with Retry-After; jobs retry).
      onAvailabilityChange: (available, err) => {
        if (available) logger.info('database available again');
        else
          logger.error(
            {
              err: {
                message: (err as Error | undefined)?.message,
                code: (err as { code?: unknown } | undefined)?.code,
              },
            },
            'database unavailable; answering 503 and retrying until it is back',
          );
      },
    });
    cleanups.push(() => db.close());
    if (migrations.applied.length > 0) logger.info({ applied: migrations.applied }, 'database migrations applied');
    const redis = connectRedis(config.redisUrl, logger);
    cleanups.push(() => closeRedis(redis));
    const metrics = new StandingMetrics({ logger });
    metrics.addProbe(databaseProbe(db, metrics));
    const log = new StandingLog(db, loaded.secrets.master);
    const keys = new ApiKeyStore(db);
    const audit = new AccessAudit(db);
    const authorize = createAuthorizer({ operatorToken: loaded.secrets.operatorToken, keys, denials: audit, logger });
    const erasures = new ErasureBroadcast(config.redisUrl, erasureChannel(config.intake.queuePrefix), logger);
    erasures.onErasure((n) => log.subjects.forget(n.tenant, n.subject_ids));
    erasures.start();
    cleanups.push(() => erasures.close());
    const tenants = new TenantRegistry(db, loaded.secrets.master);
    const appSettings = new AppSettingsStore(db);
    const resources: ServiceResources = {
      config,
      logger,
      secrets: loaded.secrets,
      db,
      redis,
      log,
      audit,
      migrations,
      metrics,
      keys,
      authorize,
      erasures,
      tenants,
      appSettings,
    };
    const extension = (await options.extend?.(resources)) ?? {};
    if (extension.close) cleanups.push(extension.close);

    const app = createApp({
      log: resources.log,
      audit: resources.audit,
      db,
      redis,
      authorize,
      onErased: (notice) => erasures.publish(notice, redis).then(() => undefined),
      checkpointPublicKey: async () =>
        (await loadCheckpointKey(config, { generate: false }).catch(() => null))?.publicKey,
      logger,
      historyApi: roleDuties(config.intake.role).httpApi,
      appSettings,
      routers: [
        // A dedicated scrape token (`STANDING_METRICS_TOKEN`) when set: scrapers get no key of any tenant.
        {
          path: '/',
          router: metricsRoutes(
            metrics,
            config.metricsToken ? requireBearerToken(config.metricsToken) : authorize('ops.read'),
          ),
        },
        ...(roleDuties(config.intake.role).httpApi
          ? [
              {
                path: '/api/v1',
                router: keyRoutes({
                  keys,
                  issuer: new KeyIssuer(db, { operatorAuditorKeys: config.operatorAuditorKeys }),
                  tenants,
                  authorize,
                }),
              },
            ]
          : []),
        ...(extension.routers ?? []),
      ],
      readinessChecks: extension.readinessChecks ?? {},
      readinessReport: extension.readinessReport,
    });
    const server = createServer(
      withSecurityHeaders(
        directRouteListener(instrumentDirectRoutes(extension.directRoutes ?? [], metrics), app, logger),
      ),
    );
    const drain = drainer(server, config.shutdownGraceMs, logger);
    await listen(server, config.port, config.host);
    const port = (server.address() as AddressInfo).port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;

    let closing: Promise<void> | undefined;
    return {
      url: `http://${host}:${port}`,
      port,
      server,
      resources,
      close: () => {
        closing ??= (async () => {
          await drain();
          await undo();
        })();
        return closing;
      },
    };
  } catch (err) {
    await undo();
    throw err;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Returns a function that stops accepting connections and resolves once the open ones are done;
 * ones still busy after `graceMs` are cut.
 */
function drainer(server: Server, graceMs: number, logger: Logger): () => Promise<void> {
  let draining = false;
  // close() only closes the keep-alive connections idle at that moment; a connection whose response
  // finishes later would otherwise stay open until the client drops it, holding shutdown up.
  server.on('request', (_req, res) => {
    res.on('finish', () => {
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });
  return async () => {
    draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => {
      logger.warn({ graceMs }, 'shutdown grace period over; closing remaining connections');
      server.closeAllConnections();
    }, graceMs);
    timer.unref();
    await closed;
    clearTimeout(timer);
  };
}
