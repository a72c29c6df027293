/** Webhook bodies and load helpers shared by the fault, fuzz and ops suites. */

/**
 * A Zendesk `user.active_changed` to inactive: one deactivation of one person. `detail` overrides
 * the user's fields; an `email: undefined` leaves the email out of the body (JSON drops it), so the
 * worker looks it up.
 */
export function userDeactivated(
  id: string,
  user: number,
  detail: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'zen:event-type:user.active_changed',
    account_id: 1,
    id,
    time: '2026-03-04T05:33:18Z',
    zendesk_event_version: '2022-06-20',
    subject: `zen:user:${user}`,
    detail: {
      id: String(user),
      email: `u${user}@example.com`,
      role: 'end-user',
      external_id: '',
      organization_id: '0',
      created_at: '2025-01-08T10:12:42Z',
      updated_at: '2026-03-04T05:33:17Z',
      ...detail,
    },
    event: { current: false, previous: true },
  };
}

/** What a load run saw: the ids answered 2xx (acked), and how many requests failed or got another answer. */
export interface LoadTally {
  acked: Set<string>;
  failures: number;
  statuses: Map<number | 'network', number>;
}

export interface ZendeskLikeSenderOptions {
  /** Where to post (read on every request, so a restarted API can be swapped in). */
  url: () => string;
  /** Posts one event; resolves with the HTTP status, rejects on a network error. */
  post: (url: string, id: string, index: number) => Promise<number>;
  /**
   * Requests in flight at once.
   * @defaultValue 20
   */
  concurrency?: number;
  /**
   * Pause before retrying an event that was not acked (Zendesk retries too).
   * @defaultValue 200 ms
   */
  retryDelayMs?: number;
}

/**
 * Sends every id until it is acked, as Zendesk does: a network error or a non-2xx answer is
 * retried after a pause. Resolves when all are acked.
 */
export async function sendUntilAcked(
  ids: readonly string[],
  o: ZendeskLikeSenderOptions,
  tally: LoadTally = { acked: new Set(), failures: 0, statuses: new Map() },
): Promise<LoadTally> {
  const queue = ids.map((id, index) => ({ id, index }));
  const lane = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      let status: number | 'network';
      try {
        status = await o.post(o.url(), next.id, next.index);
      } catch {
        status = 'network';
      }
      tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
      if (typeof status === 'number' && status >= 200 && status < 300) {
        tally.acked.add(next.id);
      } else {
        tally.failures += 1;
        await new Promise((r) => setTimeout(r, o.retryDelayMs ?? 200));
        queue.push(next);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 20 }, lane));
  return tally;
}
