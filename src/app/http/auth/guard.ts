// Pages behind sign-in. A browser without a session is sent to sign in and brought back; a session whose
// organisation does not exist yet is sent to onboarding.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PageError } from '../page-error.js';
import type { SessionUser } from '../security/sessions.js';

const safePath = /^\/(?!\/)[\w\-/.~%?=&]*$/;

/** Only same-site relative paths: `next` must never become an open redirect. */
export const safeNext = (next: unknown): string | undefined =>
  typeof next === 'string' && safePath.test(next) && next.length < 512 ? next : undefined;

export async function requireUser(req: FastifyRequest, reply: FastifyReply) {
  if (req.session?.user) return;
  if (req.method !== 'GET')
    throw new PageError(
      401,
      'unauthenticated',
      'Please sign in',
      'Your session has ended. Sign in again, then repeat what you were doing.',
    );
  if (req.session) return reply.redirect('/onboarding', 303);
  const next = safeNext(req.url);
  return reply.redirect(next && next !== '/' ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in', 303);
}

export function userOf(req: FastifyRequest): SessionUser {
  const user = req.session?.user;
  if (!user) throw new PageError(401, 'unauthenticated', 'Please sign in', 'Sign in to continue.');
  return user;
}
