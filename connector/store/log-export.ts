/**
 * `standing export`: one tenant's log as newline-delimited JSON that tools/verify-export.mjs (node
 * built-ins only) re-checks offline. Lines, in order:
 *   {"type":"standing.export","version":1,"tenant","exported_at","public_key"(SPKI PEM or null),"key_id"}
 *   {"type":"boundary","seq","hash","reason","key_id","signature"}                        (oldest first)
 *   {"type":"checkpoint","number","seq","body","hash","signature"}                      (oldest first)
 *   {"type":"row","row":{...the ChainRecord as hashed, "hash"}}                          (seq order)
 *   {"type":"end","rows":n}                                                              (a cut file fails)
 * With `attributions`, version 2: the same, and the tenant's attribution chain (model/attribution-chain.ts)
 * between the last row and the end line, whose count it adds (the chain's prefix whose events are in the
 * export or were removed by retention). A version 1 verifier refuses line types it
 * does not know, so these lines are written only when asked for:
 *   {"type":"attribution_boundary","seq","hash","log_seq"}                              (oldest first)
 *   {"type":"attribution","record":{...the AttributionChainRecord as hashed, "hash"}}   (seq order)
 *   {"type":"end","rows":n,"attributions":m}
 */
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { CheckpointKey } from '../model/checkpoint.ts';
import { listCheckpoints } from './checkpoints.ts';
import { loadSql } from './sql.ts';
import type { StandingLog } from './standing-log.ts';

const BOUNDARIES = loadSql('boundaries-of-tenant');

export interface ExportOptions {
  /**
   * The public key to name in the header (the auditor should still pin it out of band).
   * @defaultValue the key the latest checkpoint names, or none
   */
  publicKey?: Pick<CheckpointKey, 'publicKeyPem' | 'keyId'>;
  /** @defaultValue () => new Date() */
  now?: () => Date;
  /**
   * Whether to write the attribution chain too (a version 2 export: tools/verify-export.mjs of this
   * release or later reads it; an older copy of the tool refuses it).
   * @defaultValue false
   */
  attributions?: boolean;
}

export interface ExportCounts {
  rows: number;
  checkpoints: number;
  boundaries: number;
  /** Attribution records written (only with `attributions`). */
  attributions?: number;
}

export async function exportLog(
  log: StandingLog,
  tenant: string,
  out: string,
  options: ExportOptions = {},
): Promise<ExportCounts> {
  const checkpoints = await listCheckpoints(log, tenant);
  const boundaries = await log.db.query<{
    seq: number;
    hash: string;
    reason: string;
    key_id: string | null;
    signature: string | null;
  }>(BOUNDARIES, [tenant]);
  const latest = checkpoints.at(-1)?.body;
  const key = options.publicKey ?? (latest ? { publicKeyPem: latest.public_key, keyId: latest.key_id } : undefined);
  // Opened before anything is written, so an existing file fails here (EEXIST), never overwritten.
  const stream = (await open(out, 'wx', 0o600)).createWriteStream();
  const write = async (value: unknown) => {
    if (!stream.write(`${JSON.stringify(value)}\n`)) await once(stream, 'drain');
  };
  let rows = 0;
  let attributions = 0;
  let lastRowSeq = boundaries.length > 0 ? Number(boundaries.at(-1)!.seq) : 0;
  try {
    await write({
      type: 'standing.export',
      version: options.attributions ? 2 : 1,
      tenant,
      exported_at: (options.now ?? (() => new Date()))().toISOString(),
      public_key: key?.publicKeyPem ?? null,
      key_id: key?.keyId ?? null,
    });
    for (const b of boundaries)
      await write({
        type: 'boundary',
        seq: Number(b.seq),
        hash: b.hash,
        reason: b.reason,
        key_id: b.key_id,
        signature: b.signature,
      });
    for (const c of checkpoints)
      await write({
        type: 'checkpoint',
        number: c.number,
        seq: c.seq,
        body: c.body,
        hash: c.hash,
        signature: c.signature,
      });
    for await (const row of log.rows(tenant)) {
      await write({ type: 'row', row });
      lastRowSeq = row.seq;
      rows++;
    }
    if (options.attributions) {
      for (const b of await log.attributions.boundaries(tenant)) await write({ type: 'attribution_boundary', ...b });
      for await (const record of log.attributions.records(tenant)) {
        // The chain's prefix whose events are in this export (appends meanwhile wait for the next one).
        if (record.event_seq > lastRowSeq) break;
        await write({ type: 'attribution', record });
        attributions++;
      }
      await write({ type: 'end', rows, attributions });
    } else await write({ type: 'end', rows });
  } finally {
    stream.end();
    await finished(stream);
  }
  const counts = { rows, checkpoints: checkpoints.length, boundaries: boundaries.length };
  return options.attributions ? { ...counts, attributions } : counts;
}
