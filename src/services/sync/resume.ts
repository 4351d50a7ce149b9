// At start: every active connection gets a sync pass now (starting its sync workflow if it is not running), so
// a restart picks up whatever changed while Shortfall was down. A pass over unchanged books sends nothing: cases
// already open are found again by their key and their letters are sent once.
import { eq } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { connections } from '../db/schema.js';

export async function resumeSyncs(
  db: Database,
  dispatcher: { syncNow(connectionId: string): Promise<void> },
): Promise<number> {
  const active = await db.select({ id: connections.id }).from(connections).where(eq(connections.status, 'active'));
  for (const c of active) await dispatcher.syncNow(c.id);
  return active.length;
}
