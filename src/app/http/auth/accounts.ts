// The first sign-in of an address creates its organisation, with that address as the owner.
import { eq } from 'drizzle-orm';
import type { Database } from '../../../services/db/index.js';
import { organisations, users } from '../../../services/db/schema.js';
import type { OrganisationInput } from './organisation-form.js';

class AlreadyOnboarded extends Error {}

/** The owner's user id. When another tab finished onboarding first, that user is returned and nothing is created. */
export async function createOrganisation(db: Database, email: string, input: OrganisationInput): Promise<string> {
  try {
    return await db.transaction(async (tx) => {
      const [org] = await tx
        .insert(organisations)
        .values({ name: input.name, timeZone: input.timeZone, signature: input.signature, holidays: input.holidays })
        .returning({ id: organisations.id });
      const [user] = await tx
        .insert(users)
        .values({ organisationId: org!.id, email, role: 'owner' })
        .onConflictDoNothing({ target: users.email })
        .returning({ id: users.id });
      if (!user) throw new AlreadyOnboarded(); // rolls the new organisation back
      return user.id;
    });
  } catch (err) {
    if (!(err instanceof AlreadyOnboarded)) throw err;
    const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
    return existing!.id;
  }
}
