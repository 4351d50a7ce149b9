import { randomBytes } from 'node:crypto';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Stripe-looking ids: a type prefix and 24 alphanumerics, e.g. `in_1PgafmB7WZ01zgkW6dKueIc5`. */
export function newId(prefix: string, length = 24): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[randomByte() % alphabet.length];
  return `${prefix}_${out}`;
}

// Random bytes drawn 4 KiB at a time: one call into the OS per ~150 ids rather than one per id.
let pool = Buffer.alloc(0);
let next = 0;
function randomByte(): number {
  if (next >= pool.length) {
    pool = randomBytes(4096);
    next = 0;
  }
  return pool[next++] ?? 0;
}
