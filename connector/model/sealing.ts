/**
 * Crypto-shredding: personal data in the log is sealed (AES-256-GCM) under a key per customer
 * ("subject"). Subject keys are stored wrapped under the deployment's master key; erasing a
 * customer destroys the wrapped key, which makes every sealed part of theirs unreadable while the
 * ciphertext (and so the hash chain) stays intact.
 *
 * Identity look-ups use blind indexes: HMAC-SHA256 under a key derived from the master key, so
 * the database never holds an email or a provider id in clear outside the sealed parts.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { foldEmail, type IdentityKind } from './standing-event.ts';
import { StandingError } from '../lib/errors.ts';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Thrown when a sealed value or a wrapped key does not authenticate: wrong key or tampered data. */
export class SealBrokenError extends StandingError {
  override name = 'SealBrokenError';
}

export interface MasterKeys {
  /** Wraps subject keys. */
  wrapping: Buffer;
  /** Keys the identity blind index. */
  lookup: Buffer;
  /** Seals tenants' provider credentials (webhook signing secrets, API tokens) at rest. */
  tenantSecrets: Buffer;
  /** Seals the custom field values kept for point-in-time mapping (field history). */
  fieldValues: Buffer;
  /** Keys the digest of source event ids kept in clear in the log (the idempotency key). */
  sourceEvents: Buffer;
}

/** Derives the purpose-specific keys from the 32-byte master key. */
export function deriveMasterKeys(master: Buffer): MasterKeys {
  if (master.length !== 32) throw new RangeError(`master key must be 32 bytes, got ${master.length}`);
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
  return {
    wrapping: derive('standing/subject-key-wrapping/v1'),
    lookup: derive('standing/identity-lookup/v1'),
    tenantSecrets: derive('standing/tenant-secrets/v1'),
    fieldValues: derive('standing/field-values/v1'),
    sourceEvents: derive('standing/source-event-digest/v1'),
  };
}

// IVs come from a pool filled 1,024 at a time: one CSPRNG call per pool instead of one per event
// (randomBytes per call showed up on the append hot path). Pools are replaced, never rewritten.
const IV_POOL_BYTES = IV_BYTES * 1024;
let ivPool = Buffer.alloc(0);
let ivOffset = 0;
function nextIv(): Buffer {
  if (ivOffset + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_POOL_BYTES);
    ivOffset = 0;
  }
  const iv = ivPool.subarray(ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}

export function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = nextIv();
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

export function unseal(key: Buffer, envelope: Buffer, aad: string): Buffer {
  if (envelope.length < IV_BYTES + TAG_BYTES) throw new SealBrokenError('sealed value is too short');
  const iv = envelope.subarray(0, IV_BYTES);
  const tag = envelope.subarray(envelope.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    const plain = decipher.update(envelope.subarray(IV_BYTES, envelope.length - TAG_BYTES));
    const rest = decipher.final(); // empty for GCM: the tag check is all it does
    return rest.length === 0 ? plain : Buffer.concat([plain, rest]);
  } catch {
    throw new SealBrokenError('sealed value does not authenticate (wrong key or altered data)');
  }
}

export function newSubjectKey(): Buffer {
  return randomBytes(32);
}

export const wrapSubjectKey = (keys: MasterKeys, tenant: string, subjectId: string, key: Buffer) =>
  seal(keys.wrapping, key, `subject-key:${tenant}:${subjectId}`);
export const unwrapSubjectKey = (keys: MasterKeys, tenant: string, subjectId: string, wrapped: Buffer) =>
  unseal(keys.wrapping, wrapped, `subject-key:${tenant}:${subjectId}`);

/** Canonical text of an identity value: emails compare case-folded (Unicode rules), ids as given. */
export function normalizeIdentity(kind: IdentityKind, value: string): string {
  const v = value.trim();
  if (kind === 'email') return foldEmail(v);
  if (kind === 'salesforce_account_id' || kind === 'salesforce_contact_id') return salesforceId15(v);
  return v;
}

const SALESFORCE_CASE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/**
 * The case-sensitive 15-character form of a Salesforce id. An 18-character id is the case-safe
 * form: its last three characters encode which of the first 15 are upper case, five per character
 * (https://help.salesforce.com/s/articleView?id=000385585), so an 18-character id that another
 * system upper- or lower-cased still resolves to the right record. Anything else is kept as given.
 */
export function salesforceId15(id: string): string {
  if (id.length !== 18) return id;
  const chars = [...id.slice(0, 15)];
  for (let chunk = 0; chunk < 3; chunk++) {
    const bits = SALESFORCE_CASE_ALPHABET.indexOf(id[15 + chunk]!.toUpperCase());
    if (bits < 0) return id.slice(0, 15);
    for (let i = 0; i < 5; i++) {
      const at = chunk * 5 + i;
      chars[at] = bits & (1 << i) ? chars[at]!.toUpperCase() : chars[at]!.toLowerCase();
    }
  }
  return chars.join('');
}

/** Blind index of one identity, scoped by tenant so equal emails in two tenants never collide. */
export function identityDigest(keys: MasterKeys, tenant: string, kind: IdentityKind, value: string): string {
  return createHmac('sha256', keys.lookup)
    .update(`${tenant}\u0000${kind}\u0000${normalizeIdentity(kind, value)}`)
    .digest('hex');
}

/**
 * What the log keeps in clear of a provider's event id: an HMAC under a deployment key, scoped by
 * tenant and source system. Deterministic, so a redelivery of the same source event (also after
 * the person was erased) still finds the entry; it names no record (CDC and reconciliation ids embed
 * record ids) and cannot be reversed without the master key.
 */
export function sourceEventDigest(keys: MasterKeys, tenant: string, system: string, eventId: string): string {
  return createHmac('sha256', keys.sourceEvents).update(`${tenant}\u0000${system}\u0000${eventId}`).digest('hex');
}
