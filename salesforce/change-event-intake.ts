/**
 * Where a Change Data Capture message goes once the subscriber receives it: one inbox row per
 * record (committed), then their jobs. The subscriber stores the message's replay id only after
 * this resolves, so a message is never acknowledged before it is durable.
 */
import type { InboxEntry, InboxKey } from '../connector/intake/intake-inbox.ts';
import { ChangeEventMessage, splitChangeEvent } from './payloads.ts';
import { StandingError } from '../connector/lib/errors.ts';

export interface ChangeEventIntakeDeps {
  accept(entry: InboxEntry): Promise<{ duplicate: boolean }>;
  enqueue(keys: InboxKey[]): Promise<void>;
}

/** Thrown for a message that is not a change event: the subscriber logs it and moves on. */
export class MalformedChangeEventError extends StandingError {
  override name = 'MalformedChangeEventError';
}

/** Commits every record of a change event to the inbox; resolves once all are durable. Returns how many were new. */
export async function acceptChangeEvent(
  deps: ChangeEventIntakeDeps,
  tenant: string,
  channel: string,
  raw: unknown,
): Promise<number> {
  const parsed = ChangeEventMessage.safeParse(raw);
  if (!parsed.success)
    throw new MalformedChangeEventError(
      `not a change event on ${channel}: ` +
        `${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const entries: InboxEntry[] = splitChangeEvent(channel, parsed.data).map((r) => ({
    tenant,
    source: 'salesforce',
    event_id: r.event_id,
    body: r.body,
    meta: { channel: channel.slice(0, 255), replay_id: String(parsed.data.event.replayId) },
  }));
  const accepted = await Promise.all(entries.map((e) => deps.accept(e)));
  const fresh = entries
    .filter((_, i) => !accepted[i]!.duplicate)
    .map(({ tenant: t, source, event_id }) => ({ tenant: t, source, event_id }));
  // Durable already: a failed enqueue is caught up by the sweeper.
  if (fresh.length > 0) await deps.enqueue(fresh).catch(() => undefined);
  return fresh.length;
}
