/**
 * The Loggly push: the loop of the Splunk push (siem-push.ts: batches after the cursor, the cursor
 * moved only once Loggly answered ok, at-least-once, order kept), sent to the bulk endpoint.
 * Each line carries `seq` and `id`, so a batch sent twice after a crash can be deduplicated in Loggly.
 */
import type { RetryDecision } from '../lib/retry-decision.ts';
import type { StandingLog } from '../store/standing-log.ts';
import { decideLogglyRetry, sendLogglyBatch, type LogglySendOptions } from './loggly.ts';
import type { LogglyTargets } from './loggly-targets.ts';
import { pushTargets, type SiemPushOptions, type SiemPushOutcome } from './siem-push.ts';

export type LogglyPushOutcome = SiemPushOutcome<RetryDecision['reason']>;

export function pushLogglyTargets(
  log: StandingLog,
  targets: LogglyTargets,
  options: Omit<SiemPushOptions, 'send'> & { send?: LogglySendOptions } = {},
): Promise<LogglyPushOutcome[]> {
  return pushTargets(
    log,
    targets,
    async (t, batch, now) => {
      const answer = await sendLogglyBatch(t.token, t.tag, batch, options.send);
      const decision = decideLogglyRetry(answer, now);
      const httpPart = answer.status === null ? '' : `HTTP ${answer.status}, `;
      return { decision, error: `${decision.reason}: ${httpPart}${answer.text}` };
    },
    options,
  );
}
