// A fresh key ring for sealing connection tokens in a test's database: one random 32-byte key, as config parses it.
import { randomBytes } from 'node:crypto';
import { parseKeyRing, type KeyRing } from '../../src/services/security/cipher.js';

export const testKeyRing = (): KeyRing => parseKeyRing(`k1:${randomBytes(32).toString('base64')}`);
