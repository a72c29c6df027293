/** The log and the checkpoint signing key as the commands open them (log, retention and audit commands). */
import { randomBytes } from 'node:crypto';
import { loadCheckpointKey } from '../config/checkpoint-key.ts';
import type { StandingConfig } from '../config/config.ts';
import { deriveMasterKeys } from '../model/sealing.ts';
import { migrateFor } from '../store/open-migrated.ts';
import { StandingLog } from '../store/standing-log.ts';
import { CliFailure, EXIT, withDatabase } from './common.ts';

/** The log on the configured database, migrated first. Reading hashes needs no master key. */
export async function withLog<T>(config: StandingConfig, fn: (log: StandingLog) => Promise<T>): Promise<T> {
  return withDatabase(config, async (db) => {
    await migrateFor(db, config.database);
    return fn(new StandingLog(db, deriveMasterKeys(randomBytes(32))));
  });
}

/** The signing key, failures as usage errors naming the variable (never the key). */
export async function signingKey(config: StandingConfig) {
  try {
    return (await loadCheckpointKey(config))!;
  } catch (err) {
    throw new CliFailure((err as Error).message, EXIT.usage);
  }
}
