// AES-256-GCM sealing for secrets at rest. The key id travels with the ciphertext so keys can rotate:
// the first key seals, every listed key can open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface KeyRing {
  readonly activeKeyId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

export function parseKeyRing(spec: string): KeyRing {
  const keys = new Map<string, Buffer>();
  for (const part of spec.split(',')) {
    const [keyId, b64] = part.split(':');
    const key = Buffer.from(b64 ?? '', 'base64');
    if (!keyId || key.length !== 32)
      throw new Error(`encryption key "${keyId ?? ''}" must be 32 bytes, base64-encoded`);
    keys.set(keyId, key);
  }
  const activeKeyId = spec.split(':')[0]!;
  return { activeKeyId, keys };
}

export interface Sealed {
  readonly keyId: string;
  /** base64(iv ‖ tag ‖ ciphertext) */
  readonly ciphertext: string;
}

export function seal(ring: KeyRing, plaintext: string, aad: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', ring.keys.get(ring.activeKeyId)!, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { keyId: ring.activeKeyId, ciphertext: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64') };
}

/** `aad` binds the ciphertext to its row, so a sealed token copied to another connection fails to open. */
export function open(ring: KeyRing, sealed: Sealed, aad: string): string {
  const key = ring.keys.get(sealed.keyId);
  if (!key) throw new Error(`no encryption key with id "${sealed.keyId}" is configured`);
  const raw = Buffer.from(sealed.ciphertext, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
