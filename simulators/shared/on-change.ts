// Lets a simulator's owner save its state after every request that may have changed it (any method but GET and
// HEAD), before the answer leaves: a client never holds a token or an id the saved state does not know.
import type { FastifyInstance } from 'fastify';

export type OnChange = () => void | Promise<void>;

export function saveAfterChanges(app: FastifyInstance, onChange: OnChange | undefined): void {
  if (!onChange) return;
  app.addHook('onSend', async (req, _reply, payload) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') await onChange();
    return payload;
  });
}
