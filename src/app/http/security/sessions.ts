// Server-side sessions. The cookie carries a random token (signed by @fastify/cookie); the table keys the
// session by the token's hash, so a database read cannot be turned into a cookie.
import { randomBytes } from 'node:crypto';
import { and, eq, gt } from 'drizzle-orm';
import type { Database } from '../../../services/db/index.js';
import { organisations, sessions, users } from '../../../services/db/schema.js';
import { isRole, type Role } from '../auth/access.js';
import { sha256Hex } from './keys.js';

export const SESSION_TTL_MS = 30 * 86_400_000;

export interface SessionUser {
  readonly id: string;
  readonly email: string;
  readonly role: Role;
  readonly organisation: {
    readonly id: string;
    readonly name: string;
    readonly timeZone: string;
    readonly locale: string;
  };
}

export interface Session {
  readonly id: string;
  readonly email: string;
  /** Absent until the onboarding form has created the organisation. */
  readonly user?: SessionUser;
}

export function createSessionStore(db: Database, now: () => number) {
  return {
    async create(email: string, userId: string | undefined): Promise<{ token: string; session: Session }> {
      const token = randomBytes(32).toString('base64url');
      const id = sha256Hex(token);
      await db
        .insert(sessions)
        .values({ id, email, userId: userId ?? null, expiresAt: new Date(now() + SESSION_TTL_MS) });
      return { token, session: (await this.find(token))! };
    },

    async find(token: string): Promise<Session | undefined> {
      const id = sha256Hex(token);
      const [row] = await db
        .select({ s: sessions, u: users, o: organisations })
        .from(sessions)
        .leftJoin(users, eq(users.id, sessions.userId))
        .leftJoin(organisations, eq(organisations.id, users.organisationId))
        .where(and(eq(sessions.id, id), gt(sessions.expiresAt, new Date(now()))));
      if (!row) return undefined;
      const user =
        row.u && row.o
          ? {
              id: row.u.id,
              email: row.u.email,
              // An unknown role reads as the least one: it can never widen what a session may do.
              role: isRole(row.u.role) ? row.u.role : ('viewer' as const),
              organisation: { id: row.o.id, name: row.o.name, timeZone: row.o.timeZone, locale: row.o.locale },
            }
          : undefined;
      return { id, email: row.s.email, ...(user ? { user } : {}) };
    },

    async attachUser(sessionId: string, userId: string): Promise<void> {
      await db.update(sessions).set({ userId }).where(eq(sessions.id, sessionId));
    },

    async destroy(sessionId: string): Promise<void> {
      await db.delete(sessions).where(eq(sessions.id, sessionId));
    },

    /** Ends every session of a user (a removed teammate): their next request is signed out. */
    async destroyForUser(userId: string): Promise<number> {
      const gone = await db.delete(sessions).where(eq(sessions.userId, userId)).returning({ id: sessions.id });
      return gone.length;
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
