// Expired and used secrets (sessions, sign-in links, OAuth states, pending grants, approval links) are worth
// nothing, but their rows would stay forever. This sweep deletes them after a retention chosen per table: long
// enough that a second click on a used or expired link still gets "already used" or "expired", not "not valid".
import { and, isNotNull, lte, ne, or } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Database } from '../db/index.js';
import { approvalTokens, invitations, oauthStates, pendingGrants, sessions, signInTokens } from '../db/schema.js';
import type { Logger } from '../logger.js';

const DAY = 86_400_000;
const INTERVAL_MS = 60 * 60_000;

/** How long a row is kept once it expired (or, for single-use secrets, was used). */
const retentionMs = {
  // An expired session is a signed-out browser; nothing tells it apart from no session.
  sessions: 0,
  // Links and states live 10–15 minutes; a day keeps the "already used" / "expired" answers for late second clicks.
  signInTokens: DAY,
  oauthStates: DAY,
  pendingGrants: DAY,
  // Counted from expiry, never from use: until the signed token expires, its row is what answers "already used"
  // (410) rather than "not valid" (400). After expiry the token says "expired" by itself; the month is for
  // anyone asking which link decided a draft.
  approvalTokens: 30 * DAY,
  // Invitations likewise: until it expires the row answers "used" or "withdrawn"; after, the token says "expired".
  invitations: 30 * DAY,
} as const;

export type PurgeCounts = Record<keyof typeof retentionMs, number> & { readonly grantsWiped: number };

export async function purgeExpiredSecrets(db: Database, nowMs: number): Promise<PurgeCounts> {
  const before = (ms: number) => new Date(nowMs - ms);
  const count = (rows: unknown[]) => rows.length;
  const spent = (t: { expiresAt: PgColumn; usedAt: PgColumn }, ms: number) =>
    or(lte(t.expiresAt, before(ms)), and(isNotNull(t.usedAt), lte(t.usedAt, before(ms))));
  const deleted = {
    sessions: count(
      await db
        .delete(sessions)
        .where(lte(sessions.expiresAt, before(retentionMs.sessions)))
        .returning({ id: sessions.id }),
    ),
    signInTokens: count(
      await db
        .delete(signInTokens)
        .where(spent(signInTokens, retentionMs.signInTokens))
        .returning({ id: signInTokens.tokenHash }),
    ),
    oauthStates: count(
      await db
        .delete(oauthStates)
        .where(spent(oauthStates, retentionMs.oauthStates))
        .returning({ id: oauthStates.state }),
    ),
    pendingGrants: count(
      await db
        .delete(pendingGrants)
        .where(spent(pendingGrants, retentionMs.pendingGrants))
        .returning({ id: pendingGrants.id }),
    ),
    approvalTokens: count(
      await db
        .delete(approvalTokens)
        .where(lte(approvalTokens.expiresAt, before(retentionMs.approvalTokens)))
        .returning({ id: approvalTokens.jti }),
    ),
    invitations: count(
      await db
        .delete(invitations)
        .where(lte(invitations.expiresAt, before(retentionMs.invitations)))
        .returning({ id: invitations.jti }),
    ),
  };
  // A grant that expired unused still holds sealed tokens; they go now, its row (for the message) after a day.
  const grantsWiped = count(
    await db
      .update(pendingGrants)
      .set({ sealed: '' })
      .where(and(lte(pendingGrants.expiresAt, new Date(nowMs)), ne(pendingGrants.sealed, '')))
      .returning({ id: pendingGrants.id }),
  );
  return { ...deleted, grantsWiped };
}

/**
 * Sweeps once now, then every interval, in the process serving the web app. The timer is unref'd so it never
 * holds the process open; stop() clears it and waits for a sweep in flight, so the database closes after it.
 */
export function startHousekeeping(deps: {
  db: Database;
  logger: Logger;
  now?: () => number;
  intervalMs?: number;
  /** Runs first in every sweep, while expired secrets are still there to act on (choices left to expire). */
  before?: () => Promise<unknown>;
}): { stop(): Promise<void> } {
  const log = deps.logger.child({ module: 'security.housekeeping' });
  const now = deps.now ?? Date.now;
  let running: Promise<void> | undefined;
  const before = async () => {
    try {
      await deps.before?.();
    } catch (err) {
      log.error({ err }, 'housekeeping step before the purge failed');
    }
  };
  const sweep = () => {
    running ??= before()
      .then(() => purgeExpiredSecrets(deps.db, now()))
      .then(
        (counts) => log.info(counts, 'expired secrets purged'),
        (err: unknown) => log.error({ err }, 'purging expired secrets failed'),
      )
      .finally(() => (running = undefined));
  };
  sweep();
  const timer = setInterval(sweep, deps.intervalMs ?? INTERVAL_MS).unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
