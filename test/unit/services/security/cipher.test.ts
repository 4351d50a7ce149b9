import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { open, parseKeyRing, seal } from '../../../../src/services/security/cipher.js';

const key = () => randomBytes(32).toString('base64');

describe('token cipher', () => {
  const ring = parseKeyRing(`k2:${key()},k1:${key()}`);

  it('round-trips any text and never stores it in the clear', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const sealed = seal(ring, text, 'conn-1');
        expect(sealed.keyId).toBe('k2');
        if (text.length > 3) expect(Buffer.from(sealed.ciphertext, 'base64').toString('utf8')).not.toContain(text);
        return open(ring, sealed, 'conn-1') === text;
      }),
    );
  });

  it('opens data sealed with an older key after rotation', () => {
    const old = parseKeyRing(`k1:${ring.keys.get('k1')!.toString('base64')}`);
    const sealed = seal(old, 'refresh-token', 'conn-1');
    expect(open(ring, sealed, 'conn-1')).toBe('refresh-token');
  });

  it('refuses a ciphertext moved to another row, tampered with, or sealed with an unknown key', () => {
    const sealed = seal(ring, 'secret', 'conn-1');
    expect(() => open(ring, sealed, 'conn-2')).toThrow();
    const raw = Buffer.from(sealed.ciphertext, 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => open(ring, { ...sealed, ciphertext: raw.toString('base64') }, 'conn-1')).toThrow();
    expect(() => open(ring, { ...sealed, keyId: 'k9' }, 'conn-1')).toThrow('no encryption key with id "k9"');
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => parseKeyRing(`k1:${randomBytes(16).toString('base64')}`)).toThrow('must be 32 bytes');
  });
});
