// Static assets: one stylesheet and two scripts, no inline code, so the CSP can be strict.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { syncProgressScript } from './sync-progress-script.js';
import { uploadScript } from './upload-script.js';

const css = readFileSync(new URL('./app.css', import.meta.url), 'utf8');

export async function assetRoutes(app: FastifyInstance) {
  const cache = 'public, max-age=3600';
  app.get('/assets/app.css', async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', cache).send(css),
  );
  app.get('/assets/upload.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', cache).send(uploadScript),
  );
  app.get('/assets/sync-progress.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', cache).send(syncProgressScript),
  );
}
