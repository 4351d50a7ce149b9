// Signals a case at most once per ledger fact. The key is claimed on the case row and the signal sent inside
// the same transaction: a failed signal rolls the claim back, and the row lock keeps two senders apart.
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { cases } from '../db/schema.js';

const asJson = (keys: readonly string[]) => sql`${JSON.stringify(keys)}::jsonb`;

/** signal_keys ∪ keys, without duplicates. */
export const withKeys = (keys: readonly string[]) =>
  sql`(select coalesce(jsonb_agg(distinct k), '[]'::jsonb) from jsonb_array_elements(${cases.signalKeys} || ${asJson(keys)}) as k)`;

export async function sendOnce(
  db: Database,
  caseId: string,
  keyed: { key: string; alsoMarks: readonly string[] },
  send: () => Promise<void>,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const claimed = await tx
      .update(cases)
      .set({ signalKeys: withKeys([keyed.key, ...keyed.alsoMarks]), updatedAt: new Date() })
      .where(and(eq(cases.id, caseId), sql`not (${cases.signalKeys} @> ${asJson([keyed.key])})`))
      .returning({ id: cases.id });
    if (claimed.length === 0) return false;
    await send();
    return true;
  });
}
