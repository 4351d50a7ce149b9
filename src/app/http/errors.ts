// Browsers get a plain HTML page for every error; API clients keep the { error: { code, message } } envelope.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { PageError } from './page-error.js';
import { page } from './render.js';

/** True when the client asked for HTML before JSON (a browser navigating), false for API clients and tools. */
export function wantsHtml(req: FastifyRequest): boolean {
  const accept = req.headers.accept ?? '';
  const html = accept.indexOf('text/html');
  const json = accept.indexOf('application/json');
  return html !== -1 && (json === -1 || html < json);
}

const headings: Readonly<Record<number, string>> = {
  400: 'This request could not be understood',
  401: 'Please sign in',
  403: 'This form has expired',
  404: 'Page not found',
  409: 'This has changed',
  410: 'This link no longer works',
  413: 'That file is too large',
  415: 'That kind of upload is not accepted',
  429: 'Too many requests',
  503: 'Temporarily unavailable',
};

export function htmlErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
  if (err instanceof PageError) {
    if (status >= 500) req.log.error({ err }, 'request failed');
    if (!wantsHtml(req)) return reply.code(status).send({ error: { code: err.code, message: err.message } });
  } else if (!wantsHtml(req)) {
    return errorHandler(err, req, reply);
  } else if (status >= 500) {
    req.log.error({ err }, 'request failed');
  }
  const heading =
    err instanceof PageError
      ? err.heading
      : (headings[status] ??
        (status >= 500 ? 'Something went wrong on our side' : 'This request could not be completed'));
  const message =
    err instanceof PageError
      ? err.message
      : status >= 500
        ? 'Please try again in a minute. If it keeps happening, the details are in the server log.'
        : status === 400
          ? 'Some of the information sent was not valid. Go back and check the form.'
          : err.message;
  const links = err instanceof PageError ? err.links : undefined;
  return page(req, reply, 'message', { title: heading, heading, message, ...(links ? { links } : {}) }, status);
}

export function htmlNotFoundHandler(req: FastifyRequest, reply: FastifyReply) {
  if (!wantsHtml(req)) return notFoundHandler(req, reply);
  return page(
    req,
    reply,
    'message',
    {
      title: 'Page not found',
      heading: 'Page not found',
      message: 'There is no page at this address. Check the link, or start from your cases.',
      links: [{ href: '/cases', text: 'Your cases' }],
    },
    404,
  );
}
