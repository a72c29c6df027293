import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidPrivateKeyError, parsePrivateKey, signJwtAssertion } from '../../salesforce/jwt-assertion.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('JWT bearer assertion', () => {
  it('carries iss, sub, aud and an exp at most 3 minutes ahead, signed RS256', () => {
    const now = Date.UTC(2026, 3, 4, 6, 0, 0);
    const jwt = signJwtAssertion({
      clientId: '3MVG9abc',
      username: 'integration@acme.com',
      audience: 'https://login.salesforce.com',
      privateKey: parsePrivateKey(pem),
      nowMs: now,
      lifetimeSeconds: 600,
    });
    const [h, c, s] = jwt.split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg: 'RS256' });
    expect(JSON.parse(Buffer.from(c, 'base64url').toString())).toEqual({
      iss: '3MVG9abc',
      sub: 'integration@acme.com',
      aud: 'https://login.salesforce.com',
      exp: now / 1000 + 180,
    });
    expect(verify('sha256', Buffer.from(`${h}.${c}`), publicKey, Buffer.from(s, 'base64url'))).toBe(true);
  });

  it('refuses an unreadable or non-RSA key without repeating it', () => {
    expect(() => parsePrivateKey('-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----')).toThrow(
      InvalidPrivateKeyError,
    );
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(() => parsePrivateKey(ec)).toThrow(/RSA/);
  });
});
