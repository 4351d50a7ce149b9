// Two organisations reading one ledger account (an agency and its client on one QuickBooks company) share ONE
// case per invoice: whoever's sync claims it first owns it, a later claim from the other organisation gets the
// owner's row back (never a second case), and a case reopened after its owner disconnected passes to the
// organisation that still reads the account. On both engines, against the real claim query.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { claimCase } from '../../../src/services/cases/claim.js';
import { createConnectionVault } from '../../../src/services/connections/vault.js';
import { cases, connections } from '../../../src/services/db/schema.js';
import { caseKey, type CaseFacts } from '../../../src/domain/case.js';
import { bothEngines } from '../../helpers/databases.js';
import { testKeyRing } from '../../helpers/key-ring.js';
import { qbo, seedOrganisation, usd } from './fixtures.js';

const key = caseKey({ invoice: qbo('inv-1001', 'realm-shared') });
const facts: CaseFacts = {
  kind: 'short_payment',
  invoice: qbo('inv-1001', 'realm-shared'),
  paid: usd(60_000),
  disputed: usd(40_000),
  payments: [qbo('pay-1', 'realm-shared')],
};

describe.each(bothEngines())('claiming a case on a shared ledger account, on %s', (_engine, open) => {
  async function setup() {
    const h = await open();
    const vault = createConnectionVault({ db: h.db, keyRing: testKeyRing() });
    const client = await seedOrganisation(h.db, 'Brightside Design');
    const agency = await seedOrganisation(h.db, 'Northwind Bookkeeping');
    const connect = async (organisationId: string) =>
      (
        await vault.connect({
          organisationId,
          provider: 'quickbooks',
          accountId: 'realm-shared',
          name: 'QBO',
          tokens: { accessToken: 'at' },
        })
      ).connection;
    const a = { organisationId: client.organisationId, connectionId: (await connect(client.organisationId)).id };
    const b = { organisationId: agency.organisationId, connectionId: (await connect(agency.organisationId)).id };
    const claim = (by: typeof a) =>
      claimCase(h.db, { ...by, caseKey: key, facts, customerName: 'Harbor Cafe' }, new Date());
    const setStatus = (status: string) => h.db.update(cases).set({ status }).where(eq(cases.caseKey, key));
    return { db: h.db, a, b, claim, setStatus };
  }

  it("gives the second organisation the first one's case, never a second one", async () => {
    const { db, a, b, claim, setStatus } = await setup();
    const first = await claim(a);
    expect(first).toMatchObject({ organisationId: a.organisationId, connectionId: a.connectionId, status: 'starting' });
    // Both syncs saw the short payment before either started the workflow: the row stays the first one's.
    expect(await claim(b)).toMatchObject({
      id: first!.id,
      organisationId: a.organisationId,
      connectionId: a.connectionId,
    });
    await setStatus('awaiting_approval');
    expect(await claim(b)).toBeUndefined(); // running: the starter signals it instead
    expect(await db.select().from(cases)).toEqual([
      expect.objectContaining({ id: first!.id, organisationId: a.organisationId }),
    ]);
  });

  it('reopens a resolved case for its owner while the owner still reads the account, even if its connection is broken', async () => {
    const { db, a, b, claim, setStatus } = await setup();
    const first = await claim(a);
    expect(first).toMatchObject({ inserted: true, settingsRevision: 0 });
    await setStatus('resolved');
    // The owner's workflow had its Settings revision 7: the reopened case is still the owner's, and keeps it.
    await db.update(cases).set({ settingsRevision: 7 }).where(eq(cases.id, first!.id));
    await db.update(connections).set({ status: 'needs_reconnect' }).where(eq(connections.id, a.connectionId));
    expect(await claim(b)).toMatchObject({
      id: first!.id,
      organisationId: a.organisationId,
      connectionId: a.connectionId,
      status: 'starting',
      inserted: false,
      settingsRevision: 7,
    });
  });

  it('hands a reopened case to the organisation still reading the account once the owner disconnected it', async () => {
    const { db, a, b, claim, setStatus } = await setup();
    const first = await claim(a);
    await setStatus('resolved');
    // Revision 7 of the first owner's Settings means nothing to the new owner: its case has none of its own yet.
    await db.update(cases).set({ settingsRevision: 7 }).where(eq(cases.id, first!.id));
    await db.update(connections).set({ status: 'disconnected' }).where(eq(connections.id, a.connectionId));
    expect(await claim(b)).toMatchObject({
      id: first!.id,
      organisationId: b.organisationId,
      connectionId: b.connectionId,
      status: 'starting',
      inserted: false,
      settingsRevision: 0,
    });
    await setStatus('written_off');
    expect(await claim(a)).toBeUndefined(); // an owner's decision to stop chasing holds, whoever asks
  });
});
