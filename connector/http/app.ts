/**
 * The HTTP application. Built from its dependencies (no module-level singletons), so tests and the
 * service each assemble their own.
 */
import { readFileSync } from 'node:fs';
import express, { type Express, type RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Database } from '../store/database.ts';
import type { StandingLog } from '../store/standing-log.ts';
import type { Authorize } from '../access/authorize.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { BadRequestError } from '../lib/errors.ts';
import { jsonBodyProblem } from './json-body.ts';
import { healthRoutes, type ReadinessCheck } from './health-routes.ts';
import { historyRoutes } from './history-routes.ts';
import { insightsRoutes } from './insights-routes.ts';
import { AppSettingsStore } from '../history/app-settings.ts';
import { AccessAudit } from '../audit/access-audit.ts';
import { accessAuditRoutes } from '../audit/access-audit-routes.ts';
import { gdprRoutes } from '../gdpr/gdpr-routes.ts';
import type { ErasureNotice } from '../gdpr/erasure-broadcast.ts';
import { logRoutes } from './log-routes.ts';
import type { KeyObject } from 'node:crypto';
import { httpLogger } from './logging.ts';
import { refuseCorsPreflight } from './security-headers.ts';

const OPENAPI_YAML = readFileSync(new URL('./openapi.yaml', import.meta.url), 'utf8');

/**
 * A router added by later work (admin actions), mounted after the JSON body parser and before the
 * 404 handler. Provider webhooks are not Express routes: see direct-routes.ts.
 */
export interface MountedRouter {
  path: string;
  router: RequestHandler;
}

export interface AppOptions {
  log: StandingLog;
  db: Database;
  redis: Redis;
  /** Authentication and role check of every API route. */
  authorize: Authorize;
  /**
   * The public key checkpoints must be signed with, for `GET /api/v1/tenants/{t}/verify`.
   * @defaultValue none: each checkpoint is checked against the key it names
   */
  checkpointPublicKey?: () => Promise<KeyObject | undefined>;
  /**
   * Told of each erasure once it is committed (the service announces it to every process).
   * @defaultValue nothing
   */
  onErased?: (notice: ErasureNotice) => Promise<void>;
  logger: Logger;
  /**
   * The read audit every history read is recorded in.
   * @defaultValue an AccessAudit on `db`
   */
  audit?: AccessAudit;
  /**
   * Whether the history API is served (not by the `worker` and `scheduler` roles).
   * @defaultValue true
   */
  historyApi?: boolean;
  /**
   * The tenants' warning thresholds, for the history answers' warnings.
   * @defaultValue an AppSettingsStore on `db`
   */
  appSettings?: AppSettingsStore;
  /**
   * Extra routers, in order.
   * @defaultValue []
   */
  routers?: readonly MountedRouter[];
  /**
   * Extra readiness checks (e.g. queue workers), reported beside `database` and `redis`.
   * @defaultValue {}
   */
  readinessChecks?: Readonly<Record<string, ReadinessCheck>>;
  /**
   * Reported by /readyz as `backlog` (connector/ops/backlog.ts).
   * @defaultValue none
   */
  readinessReport?: () => Promise<unknown>;
  /**
   * How long each readiness check may take.
   * @defaultValue 1000 ms
   */
  readinessTimeoutMs?: number;
  /**
   * Largest JSON body accepted.
   * @defaultValue '1mb'
   */
  jsonBodyLimit?: string;
}

const DEFAULTS = { readinessTimeoutMs: 1000, jsonBodyLimit: '1mb' } as const;

export function createApp(options: AppOptions): Express {
  const { log, db, redis, authorize, logger } = options;
  const app = express();
  app.disable('x-powered-by');
  // The history query schema expects flat string values (repeated keys become arrays), not nested objects.
  app.set('query parser', 'simple');

  app.use(httpLogger(logger));
  app.use(refuseCorsPreflight);
  app.use(
    healthRoutes({
      checks: { database: () => db.query('SELECT 1'), redis: () => redis.ping(), ...options.readinessChecks },
      timeoutMs: options.readinessTimeoutMs ?? DEFAULTS.readinessTimeoutMs,
      logger,
      report: options.readinessReport,
    }),
  );
  app.use(express.json({ limit: options.jsonBodyLimit ?? DEFAULTS.jsonBodyLimit }));
  // The same edge checks as webhooks (json-body.ts): bounded nesting, text PostgreSQL can store.
  app.use((req, _res, next) => {
    const problem = req.body === undefined ? null : jsonBodyProblem(req.body);
    next(problem ? new BadRequestError(problem.code, problem.message, [problem.problem]) : undefined);
  });

  app.get('/api/v1/openapi.yaml', (_req, res) => {
    res.type('application/yaml').send(OPENAPI_YAML);
  });
  const audit = options.audit ?? new AccessAudit(db);
  const appSettings = options.appSettings ?? new AppSettingsStore(db);
  if (options.historyApi ?? true) app.use('/api/v1', historyRoutes({ log, authorize, audit, settings: appSettings }));
  if (options.historyApi ?? true)
    app.use('/api/v1', insightsRoutes({ insights: log.insights, authorize, audit, settings: appSettings }));
  if (options.historyApi ?? true) app.use('/api/v1', accessAuditRoutes({ audit, authorize }));
  if (options.historyApi ?? true) app.use('/api/v1', gdprRoutes({ log, audit, authorize, onErased: options.onErased }));
  if (options.historyApi ?? true)
    app.use(
      '/api/v1',
      logRoutes({ log, authorize, publicKey: options.checkpointPublicKey ?? (async () => undefined) }),
    );
  for (const { path, router } of options.routers ?? []) app.use(path, router);

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
