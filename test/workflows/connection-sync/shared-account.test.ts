// On the real dev server: two organisations connect the same QuickBooks company and both syncs notice the same
// short payment. One case workflow opens, run by the organisation that claimed it first with its connection;
// the second organisation's detection signals that case and starts nothing, and a retried or reopened start
// still runs as the row's owner.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createCaseStarter } from '../../../src/services/cases/starter.js';
import { createConnectionVault } from '../../../src/services/connections/vault.js';
import { cases, connections } from '../../../src/services/db/schema.js';
import { caseKey } from '../../../src/domain/case.js';
import { createSyncStore } from '../../../src/services/sync/store.js';
import { caseViewQuery, disputeCaseWorkflowId, type CaseView } from '../../../workflows/dispute-case/definitions.js';
import { connectionIdKey } from '../../../workflows/search-attributes.js';
import { recordingActivities } from '../../helpers/case-fixtures.js';
import { uniqueId } from '../../helpers/temporal-env.js';
import { testKeyRing } from '../../helpers/key-ring.js';
import { cleared, seedOrganisation, shortPaid, syncClock } from '../../integration/sync/fixtures.js';
import { poll, syncSuite } from './harness.js';

const ctx = syncSuite();

async function sharedLedger(
  body: (t: {
    accountId: string;
    key: string;
    workflowId: string;
    client: { organisationId: string; connectionId: string };
    agency: { organisationId: string; connectionId: string };
    starter: ReturnType<typeof createCaseStarter>;
    sync: ReturnType<typeof createSyncStore>;
  }) => Promise<void>,
) {
  const accountId = `realm-${randomUUID()}`;
  const vault = createConnectionVault({ db: ctx.db, keyRing: testKeyRing() });
  const join = async (name: string) => {
    const { organisationId } = await seedOrganisation(ctx.db, name);
    const { connection } = await vault.connect({
      organisationId,
      provider: 'quickbooks',
      accountId,
      name: 'QBO',
      tokens: { accessToken: 'at' },
    });
    return { organisationId, connectionId: connection.id };
  };
  const client = await join('Brightside Design');
  const agency = await join('Northwind Bookkeeping');
  const taskQueue = uniqueId('shared-cases');
  const starter = createCaseStarter({ db: ctx.db, client: ctx.env.client, taskQueue });
  const sync = createSyncStore({ db: ctx.db, now: syncClock });
  const key = caseKey({ invoice: { provider: 'quickbooks', accountId, id: 'inv-1001' } });
  const worker = await ctx.worker(taskQueue, recordingActivities().activities);
  await worker.runUntil(
    body({ accountId, key, workflowId: disputeCaseWorkflowId(key), client, agency, starter, sync }),
  );
}

const view = (workflowId: string) => ctx.env.client.workflow.getHandle(workflowId).query(caseViewQuery);
const until = (workflowId: string, pred: (v: CaseView) => boolean, what: string) =>
  poll(() => view(workflowId), pred, what);
const runsOf = async (workflowId: string) => {
  const runs = [];
  for await (const w of ctx.env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(w.runId);
  return runs;
};

describe('a ledger account two organisations connect', () => {
  it("opens one case for the first organisation; the second one's detection signals it and starts nothing", async () => {
    await sharedLedger(async ({ key, workflowId, client, agency, starter, sync }) => {
      // Both syncs store the short payment before either acts on it: both decide to open a case.
      const fromClient = await sync.applyBatch(client.connectionId, shortPaid());
      const fromAgency = await sync.applyBatch(agency.connectionId, shortPaid());
      expect(fromClient).toEqual([expect.objectContaining({ kind: 'open', caseKey: key })]);
      expect(fromAgency).toEqual([expect.objectContaining({ kind: 'open', caseKey: key })]);

      const started = await starter.openOrSignalCase(fromClient[0]!);
      expect(started).toMatchObject({ kind: 'started', workflowId });
      const second = await starter.openOrSignalCase(fromAgency[0]!);
      expect(second).toEqual({
        kind: 'signalled',
        caseId: started.kind === 'started' ? started.caseId : '',
        workflowId,
        signals: 0,
      }); // the payment is known already
      await sync.acknowledge(client.connectionId, [fromClient[0]!.trigger]);
      await sync.acknowledge(agency.connectionId, [fromAgency[0]!.trigger]);

      expect(await ctx.db.select().from(cases).where(eq(cases.caseKey, key))).toEqual([
        expect.objectContaining({ organisationId: client.organisationId, connectionId: client.connectionId }),
      ]);
      expect(
        await poll(
          () => runsOf(workflowId),
          (r) => r.length > 0,
          'the run to be listed',
        ),
      ).toHaveLength(1);
      const described = await ctx.env.client.workflow.getHandle(workflowId).describe();
      expect(described.typedSearchAttributes.get(connectionIdKey)).toBe(client.connectionId);
      await until(workflowId, (v) => v.status === 'awaiting_approval', 'the first draft');

      // Either sync may see the rest arrive: the case hears it once.
      const paidOnAgency = await sync.applyBatch(agency.connectionId, cleared());
      expect(await starter.openOrSignalCase(paidOnAgency[0]!)).toMatchObject({
        kind: 'signalled',
        workflowId,
        signals: 1,
      });
      const paidOnClient = await sync.applyBatch(client.connectionId, cleared());
      expect(await starter.openOrSignalCase(paidOnClient[0]!)).toMatchObject({
        kind: 'signalled',
        workflowId,
        signals: 0,
      });
      expect(await ctx.env.client.workflow.getHandle(workflowId).result()).toMatchObject({ status: 'resolved' });
      expect(await runsOf(workflowId)).toHaveLength(1);
    });
  });

  it("starts a claimed-but-not-started case as its owner even when the other organisation's sync gets there first", async () => {
    await sharedLedger(async ({ key, workflowId, client, agency, starter, sync }) => {
      const fromClient = await sync.applyBatch(client.connectionId, shortPaid());
      const fromAgency = await sync.applyBatch(agency.connectionId, shortPaid());
      // The client's sync claimed the row and crashed before starting the workflow; the agency's sync starts it.
      const first = await starter.openOrSignalCase(fromClient[0]!);
      await ctx.env.client.workflow.getHandle(workflowId).terminate('simulated crash before the start');
      await ctx.db.update(cases).set({ status: 'starting' }).where(eq(cases.caseKey, key));
      const restarted = await starter.openOrSignalCase(fromAgency[0]!);
      expect(restarted).toMatchObject({
        kind: 'started',
        caseId: first.kind === 'started' ? first.caseId : '',
        workflowId,
      });
      const described = await ctx.env.client.workflow.getHandle(workflowId).describe();
      expect(described.runId).not.toBe(first.kind === 'started' ? first.runId : '');
      expect(described.typedSearchAttributes.get(connectionIdKey)).toBe(client.connectionId); // the owner's connection posts credit notes
      expect(await ctx.db.select().from(cases).where(eq(cases.caseKey, key))).toEqual([
        expect.objectContaining({
          organisationId: client.organisationId,
          connectionId: client.connectionId,
          status: 'open',
        }),
      ]);
      await ctx.env.client.workflow.getHandle(workflowId).terminate('test finished');
    });
  });

  it('reopens a resolved case under the organisation still reading the account when its owner disconnected', async () => {
    await sharedLedger(async ({ key, workflowId, client, agency, starter, sync }) => {
      const opened = await sync.applyBatch(client.connectionId, shortPaid());
      await starter.openOrSignalCase(opened[0]!);
      await ctx.env.client.workflow.getHandle(workflowId).terminate('resolved earlier');
      await ctx.db.update(cases).set({ status: 'resolved' }).where(eq(cases.caseKey, key));
      await ctx.db.update(connections).set({ status: 'disconnected' }).where(eq(connections.id, client.connectionId));
      const again = await sync.applyBatch(agency.connectionId, shortPaid());
      expect(await starter.openOrSignalCase(again[0]!)).toMatchObject({ kind: 'started', workflowId });
      expect(await ctx.db.select().from(cases).where(eq(cases.caseKey, key))).toEqual([
        expect.objectContaining({ organisationId: agency.organisationId, connectionId: agency.connectionId }),
      ]);
      expect(
        (await ctx.env.client.workflow.getHandle(workflowId).describe()).typedSearchAttributes.get(connectionIdKey),
      ).toBe(agency.connectionId);
      await ctx.env.client.workflow.getHandle(workflowId).terminate('test finished');
    });
  });
});
