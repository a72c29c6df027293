/**
 * The signed assertion of the OAuth 2.0 JWT bearer flow (RFC 7523) as Salesforce expects it:
 * header `{"alg":"RS256"}`, claims `iss` (the connected app's consumer key), `sub` (the
 * Salesforce username), `aud` (the login URL, e.g. https://login.salesforce.com) and `exp`
 * (at most 3 minutes ahead), signed with the private key of the certificate uploaded to the
 * connected app.
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { StandingError } from '../connector/lib/errors.ts';

export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Salesforce refuses assertions whose `exp` is more than 3 minutes away. */
export const MAX_JWT_LIFETIME_SECONDS = 180;

export interface JwtAssertionInput {
  clientId: string;
  username: string;
  audience: string;
  privateKey: KeyObject;
  nowMs: number;
  /** Seconds until `exp`; clamped to 1..180. */
  lifetimeSeconds: number;
}

export class InvalidPrivateKeyError extends StandingError {
  override name = 'InvalidPrivateKeyError';
}

/** Parses a PEM private key; the error never repeats the key. */
export function parsePrivateKey(pem: string): KeyObject {
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa') throw new InvalidPrivateKeyError('the private key must be an RSA key (RS256)');
    return key;
  } catch (e) {
    if (e instanceof InvalidPrivateKeyError) throw e;
    throw new InvalidPrivateKeyError('the private key is not a readable PEM private key');
  }
}

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

export function signJwtAssertion(input: JwtAssertionInput): string {
  const lifetime = Math.min(Math.max(Math.floor(input.lifetimeSeconds), 1), MAX_JWT_LIFETIME_SECONDS);
  const header = b64url(JSON.stringify({ alg: 'RS256' }));
  const claims = b64url(
    JSON.stringify({
      iss: input.clientId,
      sub: input.username,
      aud: input.audience,
      exp: Math.floor(input.nowMs / 1000) + lifetime,
    }),
  );
  const signature = sign('sha256', Buffer.from(`${header}.${claims}`), input.privateKey);
  return `${header}.${claims}.${b64url(signature)}`;
}
