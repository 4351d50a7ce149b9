// "Reset the sandbox": the simulators forget every company, invoice and token and seed the demo afresh. Every
// sandbox connection is disconnected first, the way an owner's Disconnect does it (tokens wiped, sync stopped,
// its cases paused): the companies they read are about to disappear, and a connection that silently pointed at a
// fresh company with the same name would mix two ledgers. The owner connects again to start the demo over.
import { and, eq, ne } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { connections } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { ConnectionsPort } from '../ports.js';

export interface SandboxResetDeps {
  readonly db: Database;
  readonly connections: Pick<ConnectionsPort, 'disconnect'>;
  readonly sandbox: { reset(): Promise<void> };
  readonly logger?: Logger;
}

/** Resets the sandbox; answers how many connections it disconnected. Two clicks at once make one reset. */
export function createSandboxReset(d: SandboxResetDeps): () => Promise<number> {
  let running: Promise<number> | undefined;
  const reset = async () => {
    const rows = await d.db
      .select({ id: connections.id, organisationId: connections.organisationId })
      .from(connections)
      .where(and(eq(connections.sandbox, true), ne(connections.status, 'disconnected')));
    for (const row of rows) await d.connections.disconnect(row.organisationId, row.id);
    await d.sandbox.reset();
    d.logger?.info({ disconnected: rows.length }, 'sandbox reset: connections disconnected, simulators seeded afresh');
    return rows.length;
  };
  return () => (running ??= reset().finally(() => (running = undefined)));
}
