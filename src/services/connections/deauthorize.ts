// The provider told us an account withdrew our access (a deauthorization webhook). Like the
// owner's disconnect the tokens are wiped, but nothing is revoked: the grant is already gone at the provider.
import { and, eq, lte, ne } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { connections } from '../db/schema.js';
import type { ProviderKey } from '../../domain/model.js';
import { lockKeyOf } from './fresh-auth.js';
import { mutexFor } from './mutex.js';
import { wipedTokenColumns } from './tokens.js';

export interface Deauthorization {
  readonly provider: ProviderKey;
  readonly accountId: string;
  /** When the provider withdrew access. Providers may give whole seconds, so a grant stored within that second is kept. */
  readonly at: Date;
}

export const deauthorizedError = "The account withdrew Shortfall's access at the provider; reconnect it to resume.";

/**
 * Disconnects every connection to the account whose grant predates the withdrawal, and returns them all, the
 * ones an earlier delivery already disconnected included, so a retried event finishes what the first began.
 * A grant stored after the withdrawal (the owner reconnected) is not what was withdrawn, and is left alone.
 */
export async function markDeauthorized(db: Database, d: Deauthorization, now: Date): Promise<string[]> {
  // A key the owner pasted (a restricted API key) is not our app's grant: withdrawing the app leaves it working.
  const granted = and(
    eq(connections.provider, d.provider),
    eq(connections.accountId, d.accountId),
    eq(connections.credential, 'oauth'),
    lte(connections.authorizedAt, d.at),
  );
  const rows = await db.select({ id: connections.id, grantId: connections.grantId }).from(connections).where(granted);
  for (const row of rows) {
    const { id } = row;
    // The refresh lock: a refresh already under way cannot write tokens back after they are wiped.
    await mutexFor(db).run(lockKeyOf(row), () =>
      db
        .update(connections)
        .set({ ...wipedTokenColumns, status: 'disconnected', lastError: deauthorizedError, updatedAt: now })
        .where(and(eq(connections.id, id), ne(connections.status, 'disconnected'), granted)),
    );
  }
  return rows.map((r) => r.id);
}
