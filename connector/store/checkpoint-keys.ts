/**
 * The checkpoint public keys the database accepts signatures from (table checkpoint_keys,
 * migration 016). The owner's functions check every retention boundary and every checkpoint against
 * them, so only the owner may register one: `standing checkpoint register-key` and `standing db
 * grant` with DATABASE_OWNER_URL set, or by itself where the service's own database role is the
 * owner (the embedded database, or a deployment with a single role).
 */
import type { CheckpointKey } from '../model/checkpoint.ts';
import type { SqlClient } from './database.ts';
import { StandingError } from '../lib/errors.ts';

/** The key signs, but the database does not know it: nothing it signs would be accepted. */
export class CheckpointKeyNotRegisteredError extends StandingError {
  override name = 'CheckpointKeyNotRegisteredError';
  constructor(readonly keyId: string) {
    super(
      `checkpoint key ${keyId} is not registered in the database: run \`standing checkpoint register-key\` ` +
        `with DATABASE_OWNER_URL set (the owner registers it), then retry`,
    );
  }
}

// An Ed25519 SPKI DER is a 12-byte prefix and the 32 raw bytes of the key (RFC 8410).
const rawPublicKey = (key: CheckpointKey): Buffer => key.publicKey.export({ type: 'spki', format: 'der' }).subarray(12);

export async function isCheckpointKeyRegistered(db: SqlClient, keyId: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM checkpoint_keys WHERE key_id = $1', [keyId])).length > 0;
}

/** Registers the key's public half; needs the owner's connection. Returns the key id. */
export async function registerCheckpointKey(db: SqlClient, key: CheckpointKey, registeredBy: string): Promise<string> {
  const [r] = await db.query<{ key_id: string }>('SELECT standing_checkpoint_key_register($1, $2) AS key_id', [
    rawPublicKey(key),
    registeredBy,
  ]);
  return r!.key_id;
}

/**
 * Before signing: the key is registered, or gets registered when this connection is the owner's;
 * otherwise CheckpointKeyNotRegisteredError says what to run.
 */
export async function ensureCheckpointKeyRegistered(db: SqlClient, key: CheckpointKey): Promise<void> {
  if (await isCheckpointKeyRegistered(db, key.keyId)) return;
  try {
    await registerCheckpointKey(db, key, 'service (the schema owner)');
  } catch (err) {
    if ((err as { code?: string }).code === '42501') throw new CheckpointKeyNotRegisteredError(key.keyId);
    throw err;
  }
}
