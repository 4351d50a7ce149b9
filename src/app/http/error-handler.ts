// One error handler: known errors become the { error: { code, message } } envelope; 5xx hides details.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (hasZodFastifySchemaValidationErrors(err)) {
    return reply.code(400).send({
      error: {
        code: 'invalid_request',
        message: 'The request is not valid.',
        issues: err.validation.map((v) => ({ path: v.instancePath, message: v.message })),
      },
    });
  }
  const status = err.statusCode ?? 500;
  if (status >= 500) {
    req.log.error({ err }, 'request failed');
    return reply.code(status).send({ error: { code: 'internal', message: 'Something went wrong on our side.' } });
  }
  return reply.code(status).send({ error: { code: err.code ?? 'bad_request', message: err.message } });
}

export function notFoundHandler(req: FastifyRequest, reply: FastifyReply) {
  return reply
    .code(404)
    .send({ error: { code: 'not_found', message: `No route for ${req.method} ${req.url.split('?')[0]}` } });
}
