// What connecting and disconnecting mean for sync and cases; plugs into the connections port.
import type { Connection } from '../connections/types.js';
import type { CaseStarter } from '../cases/starter.js';
import type { SyncDispatcher } from './dispatch.js';

export function connectionLifecycle(
  dispatcher: Pick<SyncDispatcher, 'syncNow' | 'reconnected' | 'stop'>,
  cases: Pick<CaseStarter, 'signalConnectionBroken' | 'signalConnectionRestored'>,
) {
  return {
    async onConnected(c: Connection, restored: boolean): Promise<void> {
      if (!restored) return dispatcher.syncNow(c.id);
      // A parked sync resumes the cases itself; after a disconnect no sync is running to do it.
      await cases.signalConnectionRestored(c.id);
      await dispatcher.reconnected(c.id);
    },
    async onDisconnected(c: Connection): Promise<void> {
      await dispatcher.stop(c.id);
      // Without the ledger a case cannot see payments: it pauses its payment clocks and tells the owner.
      await cases.signalConnectionBroken(c.id, 'the connection was disconnected');
    },
  };
}
