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

export async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<{ outcome: CheckOutcome; error?: unknown }> {
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

export function healthRoutes({ checks, timeoutMs = DEFAULT_READINESS_TIMEOUT_MS, logger, report }: HealthRoutesOptions): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (req, res) => {
    const names = Object.keys(checks);
    const [results, backlog] = await Promise.all([Promise.all(names.map((name) => runCheck(checks[name]!, timeoutMs))), report?.().catch(() => undefined)]);
    const extra = backlog === undefined ? {} : { backlog };
    const outcome = Object.fromEntries(names.map((name, i) => [name, results[i]!.outcome]));
    const failing = names.filter((_, i) => results[i]!.outcome !== 'ok');
    if (failing.length === 0) {
      res.json({ status: 'ready', checks: outcome, ...extra });
      return;
    }
    // Details go to the log only: /readyz is unauthenticated and driver messages name hosts and users.
    for (const name of failing) {
      const r = results[names.indexOf(name)]!;
      logger.warn({ reqId: req.id, check: name, outcome: r.outcome, err: r.error }, `readiness check ${name} ${r.outcome}`);
    }
    res.status(503).json({ status: 'not_ready', checks: outcome, failing, ...extra });
  });
  return router;
}
