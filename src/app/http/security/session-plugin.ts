// Loads the session named by the signed cookie onto the request; starts and ends sessions.
import cookie from '@fastify/cookie';
import type { FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import type { WebSettings } from '../settings.js';
import { SESSION_COOKIE, cookieOptions } from './cookies.js';
import { deriveKey } from './keys.js';
import { SESSION_TTL_MS, type Session, type SessionStore } from './sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    session: Session | null;
  }
}

export const sessionPlugin = fp(
  async (app, opts: { settings: WebSettings; store: SessionStore }) => {
    await app.register(cookie, { secret: deriveKey(opts.settings.appSecret, 'session-cookie').toString('base64') });
    app.decorateRequest('session', null);
    app.addHook('onRequest', async (req) => {
      const raw = req.cookies[SESSION_COOKIE];
      if (!raw) return;
      const { valid, value } = req.unsignCookie(raw);
      if (valid && value) req.session = (await opts.store.find(value)) ?? null;
    });
  },
  { name: 'shortfall-session' },
);

export async function startSession(
  reply: FastifyReply,
  store: SessionStore,
  settings: WebSettings,
  email: string,
  userId: string | undefined,
): Promise<Session> {
  const { token, session } = await store.create(email, userId);
  reply.setCookie(SESSION_COOKIE, token, { ...cookieOptions(settings), signed: true, maxAge: SESSION_TTL_MS / 1000 });
  reply.request.session = session;
  return session;
}

export async function endSession(reply: FastifyReply, store: SessionStore, settings: WebSettings): Promise<void> {
  const { session } = reply.request;
  if (session) await store.destroy(session.id);
  reply.clearCookie(SESSION_COOKIE, cookieOptions(settings));
  reply.request.session = null;
}
