/**
 * Signed checkpoints and signed chain boundaries: pure functions over node:crypto, no I/O.
 *
 * A checkpoint says "tenant T's chain had head (seq, head_hash) at `at`, starting after `start`",
 * names the previous checkpoint's hash, and is signed with Ed25519 over the JCS (RFC 8785) text of
 * exactly that body. A boundary written by retention is signed the same way. Whoever holds the
 * public key (an auditor, tools/verify-export.mjs) can check both without the service.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';
import { StandingError } from '../lib/errors.ts';

export class InvalidCheckpointKeyError extends StandingError {
  override name = 'InvalidCheckpointKeyError';
}

/** A signing key with its public half and id (SHA-256 of the public key's DER, hex). */
export interface CheckpointKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
  /** SPKI PEM of the public key: what an auditor pins. */
  publicKeyPem: string;
}

export interface CheckpointBody {
  type: 'standing.checkpoint';
  version: 1;
  tenant: string;
  /** 1, 2, 3... per tenant. */
  number: number;
  seq: number;
  head_hash: string;
  /** The link the retained chain starts after: {0, genesis} or the latest boundary. */
  start: { seq: number; hash: string };
  at: string;
  /** Hash of the previous checkpoint's body, `null` for number 1. */
  previous: string | null;
  key_id: string;
  /** SPKI PEM of the signing key, so an export is self-describing; trust comes from pinning key_id. */
  public_key: string;
}

export interface BoundaryBody {
  type: 'standing.boundary';
  version: 1;
  tenant: string;
  seq: number;
  hash: string;
  reason: string;
  key_id: string;
}

// DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** From a PKCS#8 PEM, or the base64 of a 32-byte seed. */
export function parseCheckpointKey(text: string): CheckpointKey {
  const trimmed = text.trim();
  let privateKey: KeyObject;
  try {
    if (trimmed.startsWith('-----BEGIN')) privateKey = createPrivateKey(trimmed);
    else {
      const seed = Buffer.from(trimmed, 'base64');
      if (seed.length !== 32 || !/^[A-Za-z0-9+/]{43}=$/.test(trimmed))
        throw new InvalidCheckpointKeyError('is neither a PKCS#8 PEM nor the base64 of a 32-byte seed');
      privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    }
  } catch (err) {
    if (err instanceof InvalidCheckpointKeyError) throw err;
    throw new InvalidCheckpointKeyError('is not a readable private key (PKCS#8 PEM or base64 seed)');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new InvalidCheckpointKeyError('must be an Ed25519 key');
  return withPublic(privateKey);
}

function withPublic(privateKey: KeyObject): CheckpointKey {
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    keyId: keyIdOf(publicKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export const keyIdOf = (publicKey: KeyObject): string =>
  createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');

/** A public key to pin, from its SPKI PEM. */
export function parsePublicKey(pem: string): KeyObject {
  try {
    const key = createPublicKey(pem.trim());
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not ed25519');
    return key;
  } catch {
    throw new InvalidCheckpointKeyError('is not an Ed25519 public key (SPKI PEM)');
  }
}

export function jcs(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('not serializable');
  return text;
}

export const bodyHash = (body: CheckpointBody | BoundaryBody): string =>
  createHash('sha256').update(jcs(body)).digest('hex');

export function signBody(key: CheckpointKey, body: CheckpointBody | BoundaryBody): string {
  return sign(null, Buffer.from(jcs(body)), key.privateKey).toString('base64');
}

export function signatureValid(publicKey: KeyObject, body: CheckpointBody | BoundaryBody, signature: string): boolean {
  try {
    return verify(null, Buffer.from(jcs(body)), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

export function boundaryBody(tenant: string, seq: number, hash: string, reason: string, keyId: string): BoundaryBody {
  return { type: 'standing.boundary', version: 1, tenant, seq, hash, reason, key_id: keyId };
}

/** A checkpoint as stored and exported: the signed body, its hash and signature. */
export interface SignedCheckpoint {
  number: number;
  seq: number;
  body: CheckpointBody;
  hash: string;
  signature: string;
}
