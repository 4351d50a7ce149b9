// Server-rendered HTML with eta: templates are files in ./views, every interpolation is escaped
// (`<%= %>`); raw output (`<%~ %>`) is used only for the layout body and includes.
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mayUse } from './auth/access.js';
import { csrfToken } from './security/csrf.js';
import { formatters } from './format.js';
import type { SessionUser } from './security/sessions.js';
import type { ViewName, Views } from './views.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The web app's clock at the start of the request (deps.now), so one page shows one consistent "now". */
    nowMs: number;
    /** Mail stays in the local mailbox (no SMTP_URL, not production): pages link to it. */
    mailboxLink: boolean;
  }
}

const eta = new Eta({ views: fileURLToPath(new URL('./views', import.meta.url)), cache: true, autoEscape: true });

export interface PageChrome {
  readonly user?: SessionUser | undefined;
  readonly csrf: string;
  readonly now: number;
  /** Link the local mailbox from the header. */
  readonly mailbox?: boolean | undefined;
}

/** Pages written for the business's client: they look the same whoever opens them (no member's menu or settings). */
const clientViews: ReadonlySet<ViewName> = new Set(['respond']);

export function renderHtml<V extends ViewName>(view: V, model: Views[V], given: PageChrome): string {
  const chrome = clientViews.has(view) ? { ...given, user: undefined } : given;
  const org = chrome.user?.organisation;
  const f = formatters({
    locale: org?.locale ?? 'en-US',
    timeZone: org?.timeZone ?? 'UTC',
    now: chrome.now,
    owner: chrome.user ? chrome.user.role === 'owner' : true,
  });
  const nav =
    view === 'dashboard'
      ? 'dashboard'
      : view === 'mailbox' || view === 'mailbox-message'
        ? 'mailbox'
        : view === 'cases' || view === 'case'
          ? 'cases'
          : view === 'connections' || view === 'choose-accounts' || view === 'sync-progress'
            ? 'connections'
            : view === 'tolerances' || view === 'settings' || view === 'team' || view === 'payment-settings'
              ? 'settings'
              : view === 'invoices' || view === 'arrangement'
                ? 'invoices'
                : undefined;
  // Pages offer only the forms and links the member's role may use (the server refuses the rest anyway).
  const user = chrome.user;
  const may = (method: string, url: string) => Boolean(user && mayUse(user.role, method, url));
  return eta.render(view, {
    ...model,
    user,
    csrf: chrome.csrf,
    f,
    nav,
    may,
    mailbox: chrome.mailbox ?? false,
  });
}

export function sendHtml(reply: FastifyReply, status: number, html: string): FastifyReply {
  // Pages show case details and carry CSRF tokens: never let a shared cache keep them.
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}

/** Renders a page for this request: the signed-in user in the header, a CSRF token for its forms. */
export function page<V extends ViewName>(
  req: FastifyRequest,
  reply: FastifyReply,
  view: V,
  model: Views[V],
  status = 200,
): FastifyReply {
  // Outside the web app (the root 404 and error handlers) there is no session, CSRF nonce or clock.
  const csrf = req.csrfNonce ? csrfToken(req) : '';
  return sendHtml(
    reply,
    status,
    renderHtml(view, model, { user: req.session?.user, csrf, now: req.nowMs || Date.now(), mailbox: req.mailboxLink }),
  );
}
