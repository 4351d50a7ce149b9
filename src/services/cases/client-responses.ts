// What clients answered through their letters' response links: one answer per letter (README, "The client's
// response page"). The first answer wins; a second submission finds it and changes nothing.
import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { clientResponses } from '../db/schema.js';

export const disputeReasons = {
  rate: 'The rate or price is not what was agreed',
  quantity: 'The hours or quantity are wrong',
  scope: 'This work was not agreed',
  not_delivered: 'This was not delivered',
  quality: 'The quality is not what was agreed',
  already_paid: 'This was already paid',
  other: 'Something else',
} as const;
export type DisputeReason = keyof typeof disputeReasons;

export type ClientAnswer =
  | {
      readonly kind: 'objection';
      readonly lineIds: readonly string[];
      readonly reason: DisputeReason;
      readonly expected?: string;
      readonly received?: string;
      readonly acceptsMinor?: number;
      readonly message?: string;
    }
  | { readonly kind: 'accepts'; readonly message?: string };

export type ClientResponseRow = typeof clientResponses.$inferSelect;

export function createClientResponses(db: Database) {
  return {
    find: async (caseId: string, letter: string): Promise<ClientResponseRow | undefined> =>
      (
        await db
          .select()
          .from(clientResponses)
          .where(and(eq(clientResponses.caseId, caseId), eq(clientResponses.letter, letter)))
      )[0],
    /** Records the answer; `fresh` is false when this letter had been answered already (the stored answer is returned). */
    async record(
      caseId: string,
      letter: string,
      currency: string,
      a: ClientAnswer,
    ): Promise<{ fresh: boolean; row: ClientResponseRow }> {
      const values =
        a.kind === 'objection'
          ? {
              lineIds: a.lineIds,
              reason: a.reason,
              expected: a.expected ?? null,
              received: a.received ?? null,
              acceptsMinor: a.acceptsMinor ?? null,
              message: a.message ?? null,
            }
          : { lineIds: [], message: a.message ?? null };
      const inserted = await db
        .insert(clientResponses)
        .values({ caseId, letter, kind: a.kind, currency, ...values })
        .onConflictDoNothing({ target: [clientResponses.caseId, clientResponses.letter] })
        .returning();
      if (inserted[0]) return { fresh: true, row: inserted[0] };
      return { fresh: false, row: (await this.find(caseId, letter))! };
    },
    /** Gives the letter back its one answer: the case could not take the answer just recorded. */
    async release(id: string): Promise<void> {
      await db.delete(clientResponses).where(eq(clientResponses.id, id));
    },
  };
}

export type ClientResponses = ReturnType<typeof createClientResponses>;
