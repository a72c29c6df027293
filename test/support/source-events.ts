/**
 * The log keeps a keyed digest of each source event id in clear (`standing_events.source_event_id`,
 * see connector/model/sealing.ts `sourceEventDigest`): tests that count stored events by the
 * provider's ids look them up by these digests.
 */
import { sourceEventDigest, type MasterKeys } from '../../connector/model/sealing.ts';

export const sourceEventDigests = (
  master: MasterKeys,
  tenant: string,
  system: string,
  ids: readonly string[],
): string[] => ids.map((id) => sourceEventDigest(master, tenant, system, id));
