import type { CookieSerializeOptions } from '@fastify/cookie';
import { isSecureOrigin, type WebSettings } from '../settings.js';

export const SESSION_COOKIE = 'sf_session';
export const CSRF_COOKIE = 'sf_csrf';

/** Secure whenever the public origin is https; never readable from scripts; not sent on cross-site POSTs. */
export const cookieOptions = (s: Pick<WebSettings, 'publicUrl'>): CookieSerializeOptions => ({
  path: '/',
  httpOnly: true,
  sameSite: 'lax',
  secure: isSecureOrigin(s),
});
