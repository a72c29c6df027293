import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  SealBrokenError,
  deriveMasterKeys,
  identityDigest,
  newSubjectKey,
  normalizeIdentity,
  salesforceId15,
  seal,
  unseal,
  unwrapSubjectKey,
  wrapSubjectKey,
} from '../../connector/model/sealing.ts';

const plaintext = Buffer.from(JSON.stringify({ email: 'dana.reyes@example.com', reason_text: 'Invoice overdue' }));
const AAD = 'event:acme:0b6f1d9e-1c1a-4f57-9d0e-2f3c4b5a6d7e';

describe('seal / unseal', () => {
  it('round-trips', () => {
    const key = newSubjectKey();
    expect(unseal(key, seal(key, plaintext, AAD), AAD)).toEqual(plaintext);
  });

  it('round-trips an empty plaintext', () => {
    const key = newSubjectKey();
    expect(unseal(key, seal(key, Buffer.alloc(0), AAD), AAD)).toEqual(Buffer.alloc(0));
  });

  it('does not contain the plaintext and differs on every call (random IV)', () => {
    const key = newSubjectKey();
    const a = seal(key, plaintext, AAD);
    const b = seal(key, plaintext, AAD);
    expect(a.equals(b)).toBe(false);
    expect(a.includes(Buffer.from('dana.reyes'))).toBe(false);
  });

  it('refuses the wrong key', () => {
    const envelope = seal(newSubjectKey(), plaintext, AAD);
    expect(() => unseal(newSubjectKey(), envelope, AAD)).toThrow(SealBrokenError);
  });

  it('refuses a different AAD (an envelope moved to another event)', () => {
    const key = newSubjectKey();
    const envelope = seal(key, plaintext, AAD);
    expect(() => unseal(key, envelope, 'event:acme:another-id')).toThrow(SealBrokenError);
  });

  it.each([
    ['the IV', 0],
    ['the ciphertext', 20],
    ['the tag', -1],
  ])('refuses an envelope with a byte of %s flipped', (_part, index) => {
    const key = newSubjectKey();
    const envelope = seal(key, plaintext, AAD);
    const at = index < 0 ? envelope.length + index : index;
    envelope[at] = envelope[at]! ^ 0x01;
    expect(() => unseal(key, envelope, AAD)).toThrow(SealBrokenError);
  });

  it('refuses a truncated envelope', () => {
    const key = newSubjectKey();
    const envelope = seal(key, plaintext, AAD);
    expect(() => unseal(key, envelope.subarray(0, envelope.length - 1), AAD)).toThrow(SealBrokenError);
    expect(() => unseal(key, envelope.subarray(0, 27), AAD)).toThrow(/too short/);
  });
});

describe('subject keys', () => {
  const keys = deriveMasterKeys(randomBytes(32));

  it('wrap and unwrap', () => {
    const key = newSubjectKey();
    expect(unwrapSubjectKey(keys, 'acme', 'subject-1', wrapSubjectKey(keys, 'acme', 'subject-1', key))).toEqual(key);
  });

  it('are bound to their tenant and subject', () => {
    const wrapped = wrapSubjectKey(keys, 'acme', 'subject-1', newSubjectKey());
    expect(() => unwrapSubjectKey(keys, 'acme', 'subject-2', wrapped)).toThrow(SealBrokenError);
    expect(() => unwrapSubjectKey(keys, 'globex', 'subject-1', wrapped)).toThrow(SealBrokenError);
  });

  it('do not unwrap under another master key', () => {
    const wrapped = wrapSubjectKey(keys, 'acme', 'subject-1', newSubjectKey());
    expect(() => unwrapSubjectKey(deriveMasterKeys(randomBytes(32)), 'acme', 'subject-1', wrapped)).toThrow(
      SealBrokenError,
    );
  });
});

describe('deriveMasterKeys', () => {
  it('derives distinct 32-byte keys, the same for the same master', () => {
    const master = randomBytes(32);
    const keys = deriveMasterKeys(master);
    expect(keys.wrapping).toHaveLength(32);
    expect(keys.lookup).toHaveLength(32);
    expect(keys.wrapping.equals(keys.lookup)).toBe(false);
    expect(keys.wrapping.equals(master)).toBe(false);
    expect(deriveMasterKeys(Buffer.from(master))).toEqual(keys);
  });

  it.each([16, 31, 33])('refuses a master key of %i bytes', (n) => {
    expect(() => deriveMasterKeys(randomBytes(n))).toThrow(RangeError);
  });
});

describe('identityDigest', () => {
  const keys = deriveMasterKeys(randomBytes(32));

  it('is an opaque hex HMAC that does not contain the value', () => {
    const digest = identityDigest(keys, 'acme', 'email', 'dana.reyes@example.com');
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(identityDigest(keys, 'acme', 'email', 'dana.reyes@example.com')).toBe(digest);
  });

  it('is scoped by tenant', () => {
    expect(identityDigest(keys, 'acme', 'email', 'dana@example.com')).not.toBe(
      identityDigest(keys, 'globex', 'email', 'dana@example.com'),
    );
  });

  it('is scoped by identity kind', () => {
    expect(identityDigest(keys, 'acme', 'zendesk_user_id', '360001')).not.toBe(
      identityDigest(keys, 'acme', 'zendesk_organization_id', '360001'),
    );
  });

  it('cannot be forged by moving the separator between tenant and value', () => {
    expect(identityDigest(keys, 'acme', 'email', 'x@example.com')).not.toBe(
      identityDigest(keys, 'acmex', 'email', '@example.com'),
    );
  });

  it('depends on the master key', () => {
    expect(identityDigest(keys, 'acme', 'email', 'dana@example.com')).not.toBe(
      identityDigest(deriveMasterKeys(randomBytes(32)), 'acme', 'email', 'dana@example.com'),
    );
  });

  it('compares emails case-insensitively and ignores surrounding space', () => {
    const lower = identityDigest(keys, 'acme', 'email', 'dana.reyes@example.com');
    expect(identityDigest(keys, 'acme', 'email', 'Dana.Reyes@EXAMPLE.com')).toBe(lower);
    expect(identityDigest(keys, 'acme', 'email', '  dana.reyes@example.com ')).toBe(lower);
    expect(identityDigest(keys, 'acme', 'email', 'dana.reyes2@example.com')).not.toBe(lower);
  });

  it.each(['salesforce_account_id', 'salesforce_contact_id'] as const)(
    'gives the 18- and 15-character forms of a %s the same digest',
    (kind) => {
      const id18 = '001Dn00000A1b2cIAB';
      expect(identityDigest(keys, 'acme', kind, id18)).toBe(identityDigest(keys, 'acme', kind, id18.slice(0, 15)));
    },
  );

  it('restores the case of an 18-character Salesforce id another system upper- or lower-cased', () => {
    const right = identityDigest(keys, 'acme', 'salesforce_account_id', '001Dn00000A1b2c');
    for (const id of ['001Dn00000A1b2cIAB', '001DN00000A1B2CIAB', '001dn00000a1b2ciab']) {
      expect(identityDigest(keys, 'acme', 'salesforce_account_id', id), id).toBe(right);
    }
  });

  it("gets back the 15-character id from its 18-character form in any case (Salesforce's checksum, round trip)", () => {
    // Salesforce's documented 15 -> 18 conversion, as a reference: per 5 characters, a bit per upper-case letter.
    const to18 = (id15: string) =>
      id15 +
      [0, 5, 10]
        .map(
          (start) =>
            'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'[
              [...id15.slice(start, start + 5)].reduce((n, c, i) => (c >= 'A' && c <= 'Z' ? n | (1 << i) : n), 0)
            ],
        )
        .join('');
    const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    for (let n = 0; n < 200; n++) {
      const id15 = Array.from({ length: 15 }, () => chars[randomBytes(1)[0]! % chars.length]).join('');
      const id18 = to18(id15);
      expect(salesforceId15(id18)).toBe(id15);
      expect(salesforceId15(id18.toUpperCase())).toBe(id15);
      expect(salesforceId15(id18.toLowerCase())).toBe(id15);
    }
    expect(to18('001Dn00000A1b2c')).toBe('001Dn00000A1b2cIAB');
  });

  it(
    'keeps an id that is neither 15 nor 18 characters, or whose suffix is not a case checksum, as its prefix ' +
      'or as given',
    () => {
      expect(salesforceId15('001Dn00000A1b2')).toBe('001Dn00000A1b2');
      expect(salesforceId15('001Dn00000A1b2c!!!')).toBe('001Dn00000A1b2c');
    },
  );

  it('keeps 15-character Salesforce ids case-sensitive (they are, at Salesforce)', () => {
    expect(identityDigest(keys, 'acme', 'salesforce_account_id', '001Dn00000A1b2c')).not.toBe(
      identityDigest(keys, 'acme', 'salesforce_account_id', '001DN00000A1B2C'),
    );
  });

  it('keeps other ids as given', () => {
    expect(normalizeIdentity('zendesk_user_id', ' 6596848315901 ')).toBe('6596848315901');
    expect(normalizeIdentity('zendesk_organization_id', 'ABC')).toBe('ABC');
  });
});
