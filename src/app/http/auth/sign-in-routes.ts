// Sign-in by magic link: ask for an email, mail a single-use link, confirm it with a POST (a GET alone never
// signs anyone in, so mail scanners that prefetch links cannot burn or use them).
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { users } from '../../../services/db/schema.js';
import type { WebDeps } from '../deps.js';
import { PageError } from '../page-error.js';
import { page } from '../render.js';
import { assertCsrf, requireCsrf } from '../security/csrf.js';
import { sha256Hex } from '../security/keys.js';
import { endSession, startSession } from '../security/session-plugin.js';
import type { Session, SessionStore } from '../security/sessions.js';
import { safeNext } from './guard.js';
import type { LinkCheck, MagicLinks } from './magic-links.js';
import { signInEmail } from './sign-in-email.js';

const Email = z.string().trim().toLowerCase().pipe(z.email());
const SignInBody = z.object({ email: z.string(), next: z.string().optional(), _csrf: z.string().optional() });
const VerifyQuery = z.object({ token: z.string().default(''), next: z.string().optional() });
const VerifyBody = z.object({ token: z.string(), next: z.string().optional(), _csrf: z.string().optional() });

/** Why the link does not work, and what to do: a reader already signed in needs no new link, just their way back. */
function linkFailure(check: Exclude<LinkCheck, { ok: true }>, session: Session | null): PageError {
  if (session) {
    const why =
      check.reason === 'used'
        ? ['link_used', 'This sign-in link was already used', 'Each link works once.']
        : check.reason === 'expired'
          ? ['link_expired', 'This sign-in link has expired', 'Links work for 15 minutes.']
          : ['link_invalid', 'This sign-in link is not valid', 'It may not have been copied whole.'];
    return new PageError(
      check.reason === 'unknown' ? 400 : 410,
      why[0]!,
      why[1]!,
      `${why[2]} You are already signed in as ${session.email}, so you need no new link.`,
      undefined,
      [
        session.user
          ? { href: '/', text: 'Continue to Shortfall' }
          : { href: '/onboarding', text: 'Set up your organisation' },
      ],
    );
  }
  const again = 'Ask for a new link on the sign-in page.';
  if (check.reason === 'used')
    return new PageError(410, 'link_used', 'This sign-in link was already used', `Each link works once. ${again}`);
  if (check.reason === 'expired')
    return new PageError(410, 'link_expired', 'This sign-in link has expired', `Links work for 15 minutes. ${again}`);
  return new PageError(
    400,
    'link_invalid',
    'This sign-in link is not valid',
    `Check that the whole link was copied, or ${again.toLowerCase()}`,
  );
}

export function signInRoutes(deps: WebDeps, links: MagicLinks, sessions: SessionStore) {
  const limit = { rateLimit: { max: deps.settings.limits.signIn, timeWindow: '1 minute' } };
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get('/sign-in', { schema: { querystring: z.object({ next: z.string().optional() }) } }, async (req, reply) => {
      if (req.session?.user) return reply.redirect('/', 303);
      return page(req, reply, 'sign-in', { title: 'Sign in', email: '', next: safeNext(req.query.next) });
    });

    app.post(
      '/sign-in',
      { schema: { body: SignInBody }, config: limit, preHandler: requireCsrf },
      async (req, reply) => {
        const next = safeNext(req.body.next);
        const email = Email.safeParse(req.body.email);
        if (!email.success)
          return page(
            req,
            reply,
            'sign-in',
            { title: 'Sign in', email: req.body.email, next, error: 'Enter an email address like name@example.com.' },
            400,
          );
        const token = await links.issue(email.data);
        if (!token)
          throw new PageError(
            429,
            'too_many_links',
            'Too many sign-in emails',
            'Several links were sent to this address in the last 15 minutes. Use the newest one, or wait and try again.',
          );
        const verify = `${deps.settings.publicUrl}/sign-in/verify?`;
        const link = `${verify}token=${token}${next ? `&next=${encodeURIComponent(next)}` : ''}`;
        try {
          await deps.outbox.send({
            key: `sign-in/${sha256Hex(token)}`,
            to: email.data,
            ...signInEmail(link),
            attachments: [],
            secretLinks: [verify],
          });
        } catch (err) {
          req.log.error({ err: { message: (err as Error).message } }, 'sign-in email not sent');
          throw new PageError(
            503,
            'mail_unavailable',
            'The email could not be sent',
            'Shortfall could not send the sign-in email just now. Try again in a minute.',
          );
        }
        return page(req, reply, 'sign-in-sent', { title: 'Check your email', email: email.data });
      },
    );

    app.get('/sign-in/verify', { schema: { querystring: VerifyQuery }, config: limit }, async (req, reply) => {
      const check = await links.peek(req.query.token);
      if (!check.ok) throw linkFailure(check, req.session);
      return page(req, reply, 'sign-in-confirm', {
        title: 'Sign in',
        email: check.email,
        token: req.query.token,
        next: safeNext(req.query.next),
      });
    });

    app.post('/sign-in/verify', { schema: { body: VerifyBody }, config: limit }, async (req, reply) => {
      assertCsrf(req);
      const check = await links.consume(req.body.token);
      if (!check.ok) throw linkFailure(check, req.session);
      const [user] = await deps.db.select({ id: users.id }).from(users).where(eq(users.email, check.email));
      await startSession(reply, sessions, deps.settings, check.email, user?.id);
      req.log.info({ userId: user?.id, firstSignIn: !user }, 'signed in');
      return reply.redirect(user ? (safeNext(req.body.next) ?? '/') : '/onboarding', 303);
    });

    app.post('/sign-out', { preHandler: requireCsrf }, async (_req, reply) => {
      await endSession(reply, sessions, deps.settings);
      return reply.redirect('/sign-in', 303);
    });
  };
}
