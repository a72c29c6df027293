/**
 * The database's own Ed25519 verifier (migration 015) agrees with Node's crypto, on PostgreSQL and
 * PGlite: RFC 8032's test vectors, signatures made here, and every kind of forgery.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestStore, type TestStore } from '../support/databases.ts';

const raw = (publicKey: KeyObject) => publicKey.export({ type: 'spki', format: 'der' }).subarray(12);
const hex = (s: string) => Buffer.from(s, 'hex');

// RFC 8032 section 7.1, TEST 1 (empty message), TEST 2 (one byte) and TEST 3 (two bytes).
const RFC_VECTORS = [
  {
    key: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155' +
      '5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    key: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da' +
      '085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    key: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac' +
      '18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

describe.each(BACKENDS)('standing_ed25519_verify on %s', (backend) => {
  let store: TestStore;
  const verify = async (key: Buffer, message: Buffer, signature: Buffer) => {
    const [row] = await store.db.query<{ ok: boolean }>('SELECT standing_ed25519_verify($1, $2, $3) AS ok', [
      key,
      message,
      signature,
    ]);
    return row!.ok;
  };

  beforeAll(async () => {
    store = await openTestStore(backend, 'ed25519');
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it.each(RFC_VECTORS)("accepts RFC 8032's vector for message '$message'", async (v) => {
    expect(await verify(hex(v.key), hex(v.message), hex(v.signature))).toBe(true);
  });

  it('accepts what Node signs, for texts with any characters', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    for (const text of ['{"hash":"ab","key_id":"k","reason":"retention","seq":3}', 'zé\u2028"\\\n', 'x'.repeat(3000)]) {
      const message = Buffer.from(text);
      expect(await verify(raw(publicKey), message, sign(null, message, privateKey))).toBe(true);
    }
  });

  it('refuses a changed message, another key, a changed R or S, and S + L', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const other = generateKeyPairSync('ed25519').publicKey;
    const message = Buffer.from('{"seq":41}');
    const signature = sign(null, message, privateKey);
    expect(await verify(raw(publicKey), Buffer.from('{"seq":42}'), signature)).toBe(false);
    expect(await verify(raw(other), message, signature)).toBe(false);
    for (const at of [0, 31, 32, 63]) {
      const bad = Buffer.from(signature);
      bad[at]! ^= 1;
      expect(await verify(raw(publicKey), message, bad)).toBe(false);
    }
    // The same S plus the group order L: a valid equation, but RFC 8032 requires S < L (malleability).
    const l = 2n ** 252n + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = s * 256n + BigInt(signature[32 + i]!);
    s += l;
    const malleable = Buffer.from(signature);
    for (let i = 0; i < 32; i++) {
      malleable[32 + i] = Number(s & 255n);
      s >>= 8n;
    }
    expect(await verify(raw(publicKey), message, malleable)).toBe(false);
  });

  it('answers false, never an error, for malformed inputs', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const message = Buffer.from('m');
    const signature = sign(null, message, privateKey);
    expect(await verify(raw(publicKey).subarray(1), message, signature)).toBe(false);
    expect(await verify(raw(publicKey), message, signature.subarray(1))).toBe(false);
    expect(await verify(Buffer.from('AAAA', 'base64'), message, Buffer.from('AAAA', 'base64'))).toBe(false);
    // y = 2 is not the y of any curve point.
    const notAPoint = Buffer.alloc(32);
    notAPoint[0] = 2;
    expect(await verify(notAPoint, message, signature)).toBe(false);
    const [row] = await store.db.query<{ ok: boolean | null }>('SELECT standing_ed25519_verify(NULL, $1, $2) AS ok', [
      message,
      signature,
    ]);
    expect(row!.ok).toBe(false);
  });
});
