// CSRF protection for every form POST: a signed double-submit token. A random nonce lives in a cookie; the
// form carries HMAC(key, nonce | session | scope). A cross-site form can neither read the nonce nor compute
// the HMAC, and the token dies with the session. `scope` binds a token to one object (an approval link).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { csrfRejected } from '../page-error.js';
import type { WebSettings } from '../settings.js';
import { CSRF_COOKIE, cookieOptions } from './cookies.js';
import { deriveKey } from './keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    csrfNonce: string;
    csrfKey: Buffer | null;
  }
}

function tokenFor(key: Buffer, req: FastifyRequest, scope: string): Buffer {
  return createHmac('sha256', key)
    .update(`${req.csrfNonce}|${req.session?.id ?? '-'}|${scope}`)
    .digest();
}

export function csrfToken(req: FastifyRequest, scope = ''): string {
  if (!req.csrfKey) throw new Error('csrfToken used outside the web app');
  return tokenFor(req.csrfKey, req, scope).toString('base64url');
}

/** The token from the form field `_csrf`, or the `x-csrf-token` header for uploads sent by script. */
export function hasValidCsrf(req: FastifyRequest, scope = ''): boolean {
  if (!req.csrfKey) return false;
  const body = req.body as Record<string, unknown> | undefined;
  const raw = body && typeof body === 'object' && !Buffer.isBuffer(body) ? body._csrf : undefined;
  // A multipart form's fields arrive as { value } objects.
  const field = raw && typeof raw === 'object' && 'value' in raw ? (raw as { value: unknown }).value : raw;
  const given = typeof field === 'string' ? field : req.headers['x-csrf-token'];
  if (typeof given !== 'string' || given.length === 0) return false;
  const expected = tokenFor(req.csrfKey, req, scope);
  const provided = Buffer.from(given, 'base64url');
  return provided.length === expected.length && timingSafeEqual(provided, expected);
}

export function assertCsrf(req: FastifyRequest, scope = ''): void {
  if (!hasValidCsrf(req, scope)) throw csrfRejected();
}

/** preHandler for form routes whose token is not scoped. */
export const requireCsrf = async (req: FastifyRequest) => assertCsrf(req);

export const csrfPlugin = fp(
  async (app, opts: { settings: WebSettings }) => {
    const key = deriveKey(opts.settings.appSecret, 'csrf');
    app.decorateRequest('csrfNonce', '');
    app.decorateRequest('csrfKey', null);
    app.addHook('onRequest', async (req, reply) => {
      req.csrfKey = key;
      const nonce = req.cookies[CSRF_COOKIE];
      if (nonce && /^[\w-]{24}$/.test(nonce)) {
        req.csrfNonce = nonce;
        return;
      }
      // A POST without the cookie gets a fresh nonce here and then fails verification: exactly what we want.
      req.csrfNonce = randomBytes(18).toString('base64url');
      reply.setCookie(CSRF_COOKIE, req.csrfNonce, cookieOptions(opts.settings));
    });
  },
  { name: 'shortfall-csrf', dependencies: ['@fastify/cookie', 'shortfall-session'] },
);
