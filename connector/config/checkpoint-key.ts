/**
 * The checkpoint signing key: STANDING_CHECKPOINT_KEY when set; outside production, generated once
 * into `<data dir>/checkpoint.key` (mode 0600) like the master key. Only commands that sign (the
 * checkpoint writer, retention) need it; verifying needs the public half alone.
 */
import { generateKeyPairSync } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StandingConfig } from './config.ts';
import { InvalidCheckpointKeyError, parseCheckpointKey, type CheckpointKey } from '../model/checkpoint.ts';
import { StandingError } from '../lib/errors.ts';

export const CHECKPOINT_KEY_FILE = 'checkpoint.key';

export class CheckpointKeyMissingError extends StandingError {
  override name = 'CheckpointKeyMissingError';
}

type KeyConfig = Pick<StandingConfig, 'dataDir' | 'production'> & {
  checkpoints: Pick<StandingConfig['checkpoints'], 'key'>;
};

/**
 * Resolves the signing key. `generate: false` only reads (verifying must not create a key that
 * would then seem to vouch for what is there); resolves to `null` when there is none.
 */
export async function loadCheckpointKey(
  config: KeyConfig,
  options: { generate?: boolean } = {},
): Promise<CheckpointKey | null> {
  const generate = options.generate ?? true;
  if (config.checkpoints.key !== undefined)
    return named('STANDING_CHECKPOINT_KEY', () => parseCheckpointKey(config.checkpoints.key!));
  const path = join(config.dataDir, CHECKPOINT_KEY_FILE);
  if (generate && !config.production) {
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await writeFile(path, pem, { mode: 0o600, flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) {
    if (generate)
      throw new CheckpointKeyMissingError(
        'STANDING_CHECKPOINT_KEY: must be set when NODE_ENV=production (keys are only generated outside production)',
      );
    return null;
  }
  if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  return named(`STANDING_CHECKPOINT_KEY: unset, and ${path}`, () => parseCheckpointKey(text));
}

function named(what: string, parse: () => CheckpointKey): CheckpointKey {
  try {
    return parse();
  } catch (err) {
    if (err instanceof InvalidCheckpointKeyError) throw new InvalidCheckpointKeyError(`${what} ${err.message}`);
    throw err;
  }
}
