// Tokens at rest: one AES-256-GCM sealed TokenSet per row, bound to the row by AAD = connection id.
// The expiry times are also kept in clear columns so "what expires soon" is a query, not a decrypt.
import { z } from 'zod';
import type { TokenSet } from '../../../integrations/types.js';
import { open, seal, type KeyRing } from '../security/cipher.js';

export const StoredTokens = z.object({
  accessToken: z.string(),
  refreshToken: z.string().optional(),
  expiresAt: z.string().optional(),
  refreshExpiresAt: z.string().optional(),
  hardExpiresAt: z.string().optional(),
  scope: z.string().optional(),
});

const at = (iso: string | undefined) => (iso ? new Date(iso) : null);

export function sealedTokenColumns(ring: KeyRing, connectionId: string, tokens: TokenSet) {
  const sealed = seal(ring, JSON.stringify(tokens), connectionId);
  return {
    tokenCiphertext: sealed.ciphertext,
    tokenKeyId: sealed.keyId,
    tokenExpiresAt: at(tokens.expiresAt),
    refreshExpiresAt: at(tokens.refreshExpiresAt),
    hardExpiresAt: at(tokens.hardExpiresAt),
  };
}

export const wipedTokenColumns = {
  tokenCiphertext: null,
  tokenKeyId: null,
  tokenExpiresAt: null,
  refreshExpiresAt: null,
  hardExpiresAt: null,
};

export function openTokens(
  ring: KeyRing,
  row: { id: string; tokenCiphertext: string | null; tokenKeyId: string | null },
): TokenSet | undefined {
  if (!row.tokenCiphertext || !row.tokenKeyId) return undefined;
  return StoredTokens.parse(JSON.parse(open(ring, { keyId: row.tokenKeyId, ciphertext: row.tokenCiphertext }, row.id)));
}

/** A provider may leave out what did not change: keep the refresh token and hard cap we already hold. */
export function mergeRefreshed(previous: TokenSet, next: TokenSet): TokenSet {
  return {
    ...next,
    ...(next.refreshToken === undefined &&
      previous.refreshToken !== undefined && { refreshToken: previous.refreshToken }),
    ...(next.hardExpiresAt === undefined &&
      previous.hardExpiresAt !== undefined && { hardExpiresAt: previous.hardExpiresAt }),
  };
}

export function refreshDue(tokens: TokenSet, nowMs: number, marginMs: number): boolean {
  if (!tokens.refreshToken || !tokens.expiresAt) return false; // API keys and non-expiring grants
  return Date.parse(tokens.expiresAt) - nowMs <= marginMs;
}
