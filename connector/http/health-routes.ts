/**
 * Probes. `/healthz`: the process is alive and serving (liveness; never touches dependencies, so a
 * database outage does not get the process restarted). `/readyz`: every dependency answers within
 * a short timeout (readiness; a failing one takes the instance out of the load balancer).
 */
import { Router } from 'express';
import type { Logger } from 'pino';

/** Resolves when the dependency is usable; rejects or hangs when it is not. */
export type ReadinessCheck = () => Promise<unknown>;
export type CheckOutcome = 'ok' | 'failed' | 'timeout';

export interface HealthRoutesOptions {
  /** Named checks, e.g. `{database, redis}`; the names appear in the response. */
  checks: Readonly<Record<string, ReadinessCheck>>;
  /**
   * How long each check may take.
   * @defaultValue 1000 ms
   */
  timeoutMs?: number;
  logger: Logger;
  /**
   * Extra facts reported as `backlog` beside the checks (never decides readiness).
   * @defaultValue none
   */
  report?: () => Promise<unknown>;
}

export const DEFAULT_READINESS_TIMEOUT_MS = 1000;

export async function runCheck(
  check: ReadinessCheck,
  timeoutMs: number,
): Promise<{ outcome: CheckOutcome; error?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<{ outcome: CheckOutcome }>((resolve) => {
    timer = setTimeout(() => resolve({ outcome: 'timeout' }), timeoutMs);
  });
  const attempt = Promise.resolve()
    .then(check)
    .then(
      () => ({ outcome: 'ok' as const }),
      (error: unknown) => ({ outcome: 'failed' as const, error }),
    );
  try {
    return await Promise.race([attempt, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Logs a check's readiness once per change of state: one warn line when it starts failing (with
 * the error's message and code: an orchestrator probing every few seconds would otherwise log a
 * stack trace per probe for the length of the outage), one info line when it answers again.
 */
export class ReadinessLog {
  /** Checks seen failing and not seen ok since. Every check counts as ok until seen failing. */
  private readonly failing = new Set<string>();

  constructor(private readonly logger: Logger) {}

  record(name: string, result: { outcome: CheckOutcome; error?: unknown }, reqId: unknown): void {
    if (result.outcome === 'ok') {
      if (this.failing.delete(name)) this.logger.info({ reqId, check: name }, `readiness check ${name} ok again`);
      return;
    }
    if (this.failing.has(name)) return;
    this.failing.add(name);
    const err = result.error as { message?: unknown; code?: unknown } | undefined;
    const cause =
      result.outcome === 'failed'
        ? { err: { message: String(err?.message ?? err), ...(err?.code === undefined ? {} : { code: err.code }) } }
        : {};
    this.logger.warn(
      { reqId, check: name, outcome: result.outcome, ...cause },
      `readiness check ${name} ${result.outcome}; logged again when it is ok`,
    );
  }
}

export function healthRoutes({
  checks,
  timeoutMs = DEFAULT_READINESS_TIMEOUT_MS,
  logger,
  report,
}: HealthRoutesOptions): Router {
  const router = Router();
  const readiness = new ReadinessLog(logger);
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (req, res) => {
    const names = Object.keys(checks);
    const [results, backlog] = await Promise.all([
      Promise.all(names.map((name) => runCheck(checks[name]!, timeoutMs))),
      report?.().catch(() => undefined),
    ]);
    const extra = backlog === undefined ? {} : { backlog };
    const outcome = Object.fromEntries(names.map((name, i) => [name, results[i]!.outcome]));
    // Details go to the log only: /readyz is unauthenticated and driver messages name hosts and users.
    names.forEach((name, i) => readiness.record(name, results[i]!, req.id));
    const failing = names.filter((_, i) => results[i]!.outcome !== 'ok');
    if (failing.length === 0) {
      res.json({ status: 'ready', checks: outcome, ...extra });
      return;
    }
    res.status(503).json({ status: 'not_ready', checks: outcome, failing, ...extra });
  });
  return router;
}
