/**
 * What the routes that serve customers' histories share to audit them: the subjects an answer
 * holds, and recording the read before it is served (a read that cannot be recorded is refused).
 */
import type { Response } from 'express';
import type { Principal } from '../access/principal.ts';
import { HttpError } from '../lib/errors.ts';
import { historySubjectIds } from '../store/standing-log.ts';
import type { AccessAudit, ReadAuditEntry } from './access-audit.ts';

export const AUDIT_RETRY_AFTER_SECONDS = 5;

/** The read could not be recorded in the read audit, so it is not served. */
export class AuditUnavailableError extends HttpError {
  constructor() {
    super(
      503,
      'audit_unavailable',
      'the read could not be recorded in the read audit, so it is not served; retry later',
      undefined,
      {
        'Retry-After': String(AUDIT_RETRY_AFTER_SECONDS),
      },
    );
  }
}

/**
 * The subjects a history answer holds: as the standing log reported them, else (another history
 * source) the accounts it lists.
 */
export function answerSubjectIds(answer: {
  events: readonly object[];
  accounts: readonly { subject_id: string }[];
}): string[] {
  return [...(historySubjectIds(answer) ?? answer.accounts.map((a) => a.subject_id))];
}

/** The authenticated principal when the authentication set one, else `fallback`. */
export function principalOr(res: Response, fallback: Principal): Principal {
  return (res.locals.principal as Principal | undefined) ?? fallback;
}

/** Records the read; any failure becomes a 503 (the cause goes to the request's log line). */
export async function recordReadOrRefuse(audit: AccessAudit, res: Response, entry: ReadAuditEntry): Promise<void> {
  try {
    await audit.record(entry);
  } catch (err) {
    // pino-http logs `res.err` with the request's completion line.
    res.err = err instanceof Error ? err : new Error(String(err));
    throw new AuditUnavailableError();
  }
}
