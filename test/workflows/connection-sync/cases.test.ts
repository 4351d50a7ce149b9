// On the real dev server: what applyBatch stores opens exactly one case workflow, later ledger changes signal
// it, and the connection-sync workflow drives all of it from a webhook.
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createCaseStarter } from '../../../src/services/cases/starter.js';
import { createConnectionVault } from '../../../src/services/connections/vault.js';
import { cases, organisations } from '../../../src/services/db/schema.js';
import { caseKey } from '../../../src/domain/case.js';
import type { CaseAction } from '../../../src/domain/case-actions.js';
import { createSyncStore } from '../../../src/services/sync/store.js';
import {
  caseViewQuery,
  disputeCaseWorkflowId,
  type CaseView,
  type OrganisationSettingsChange,
} from '../../../workflows/dispute-case/definitions.js';
import {
  caseStatusKey,
  connectionIdKey,
  disputedMinorKey,
  invoiceNumberKey,
  providerKey,
} from '../../../workflows/search-attributes.js';
import { recordingActivities } from '../../helpers/case-fixtures.js';
import { uniqueId } from '../../helpers/temporal-env.js';
import { testKeyRing } from '../../helpers/key-ring.js';
import { batch, cleared, dispute, seedOrganisation, shortPaid, syncClock } from '../../integration/sync/fixtures.js';
import { syncSuite } from './harness.js';

const ctx = syncSuite();

/** A connection on an account of its own (so case keys and workflow ids never collide between tests) and a worker for its cases. */
async function withLedger(
  provider: 'quickbooks' | 'stripe',
  body: (t: {
    id: string;
    accountId: string;
    starter: ReturnType<typeof createCaseStarter>;
    sync: ReturnType<typeof createSyncStore>;
    apply(
      actions: readonly CaseAction[],
    ): Promise<Awaited<ReturnType<ReturnType<typeof createCaseStarter>['openOrSignalCase']>>[]>;
  }) => Promise<void>,
) {
  const { organisationId } = await seedOrganisation(ctx.db, `Org ${randomUUID()}`);
  const accountId = `${provider === 'stripe' ? 'acct' : 'realm'}-${randomUUID()}`;
  const vault = createConnectionVault({ db: ctx.db, keyRing: testKeyRing() });
  const { connection } = await vault.connect({
    organisationId,
    provider,
    accountId,
    name: 'Ledger',
    tokens: { accessToken: 'at' },
  });
  const taskQueue = uniqueId('cases');
  const starter = createCaseStarter({ db: ctx.db, client: ctx.env.client, taskQueue });
  const sync = createSyncStore({ db: ctx.db, now: syncClock });
  const apply = async (actions: readonly CaseAction[]) => {
    const outcomes = [];
    for (const a of actions) {
      outcomes.push(await starter.openOrSignalCase(a));
      await sync.acknowledge(connection.id, [a.trigger]);
    }
    return outcomes;
  };
  const worker = await ctx.worker(taskQueue, recordingActivities().activities);
  await worker.runUntil(body({ id: connection.id, accountId, starter, sync, apply }));
}

async function until(workflowId: string, pred: (v: CaseView) => boolean): Promise<CaseView> {
  const handle = ctx.env.client.workflow.getHandle(workflowId);
  for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
    const v = await handle.query(caseViewQuery);
    if (pred(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`case ${workflowId} never reached the expected state`);
}

/** The Settings revisions signalled to the case, as its history records them, once there are `n`. */
async function settingsSignalled(workflowId: string, n: number): Promise<number[]> {
  const handle = ctx.env.client.workflow.getHandle(workflowId);
  for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
    const history = await handle.fetchHistory();
    const revisions = (history.events ?? [])
      .map((e) => e.workflowExecutionSignaledEventAttributes)
      .filter((a) => a?.signalName === 'organisationSettings')
      .map((a) => defaultPayloadConverter.fromPayload<OrganisationSettingsChange>(a!.input!.payloads![0]!).revision);
    if (revisions.length >= n) return revisions;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`case ${workflowId} was never signalled ${n} Settings revisions`);
}

describe('case starter on the dev server', () => {
  it('opens exactly one case workflow for a short payment, and the clearing payment resolves it', async () => {
    await withLedger('quickbooks', async ({ id, accountId, sync, apply, starter }) => {
      const key = caseKey({ invoice: { provider: 'quickbooks', accountId, id: 'inv-1001' } });
      const workflowId = disputeCaseWorkflowId(key);
      const opened = await sync.applyBatch(id, shortPaid('cp-1'));
      expect(await apply(opened)).toEqual([
        { kind: 'started', caseId: expect.any(String), workflowId, runId: expect.any(String) },
      ]);
      const handle = ctx.env.client.workflow.getHandle(workflowId);
      const described = await handle.describe();
      expect(described.typedSearchAttributes.get(providerKey)).toBe('quickbooks');
      expect(described.typedSearchAttributes.get(connectionIdKey)).toBe(id);
      expect(described.typedSearchAttributes.get(invoiceNumberKey)).toBe('1001');
      expect(described.typedSearchAttributes.get(disputedMinorKey)).toBe(40_000);
      expect(described.typedSearchAttributes.get(caseStatusKey)).toBeDefined();
      const view = await until(workflowId, (v) => v.status === 'awaiting_approval');
      expect(view).toMatchObject({
        paid: { minor: 60_000, currency: 'USD' },
        disputed: { minor: 40_000, currency: 'USD' },
      });

      // The same batch again decides nothing; a retried start after a crash joins the running run (USE_EXISTING).
      expect(await sync.applyBatch(id, shortPaid('cp-2'))).toEqual([]);
      await ctx.db.update(cases).set({ status: 'starting' }).where(eq(cases.caseKey, key));
      expect(await starter.openOrSignalCase(opened[0]!)).toMatchObject({ kind: 'started', runId: described.runId });
      expect(await ctx.db.select().from(cases).where(eq(cases.caseKey, key))).toEqual([
        expect.objectContaining({ status: 'open' }),
      ]);

      const resolved = await sync.applyBatch(id, cleared('cp-3'));
      expect(resolved).toEqual([expect.objectContaining({ kind: 'resolve', reason: 'balance_cleared' })]);
      expect(await apply(resolved)).toEqual([expect.objectContaining({ kind: 'signalled', signals: 1 })]);
      const result = (await handle.result()) as CaseView;
      expect(result).toMatchObject({ status: 'resolved', paid: { minor: 100_000 }, disputed: { minor: 0 } });
      expect(result.timeline.filter((t) => t.kind === 'payment')).toHaveLength(1);
      // Told once: a retried resolve signals nothing more.
      expect(await starter.openOrSignalCase(resolved[0]!)).toMatchObject({ kind: 'signalled', signals: 0 });
    });
  });

  it('a retried start that joins the running workflow gives it the settings saved since, and records them once it took them', async () => {
    await withLedger('quickbooks', async ({ id, accountId, sync, apply, starter }) => {
      const key = caseKey({ invoice: { provider: 'quickbooks', accountId, id: 'inv-1001' } });
      const workflowId = disputeCaseWorkflowId(key);
      const opened = await sync.applyBatch(id, shortPaid('cp-1'));
      const [started] = await apply(opened);
      const row = async () => (await ctx.db.select().from(cases).where(eq(cases.caseKey, key)))[0]!;
      const first = await row();
      const organisationId = first.organisationId;
      // The owner saves Settings; then the process crashes before it records that the case runs, and retries.
      const [org] = await ctx.db
        .update(organisations)
        .set({ signature: 'Ana Ruiz, Treasurer', settingsRevision: sql`${organisations.settingsRevision} + 1` })
        .where(eq(organisations.id, organisationId))
        .returning();
      expect(org!.settingsRevision).toBeGreaterThan(first.settingsRevision);
      await ctx.db.update(cases).set({ status: 'starting' }).where(eq(cases.caseKey, key));
      // The retry built its input with the new revision, but joined the workflow started with the older one.
      expect(await starter.openOrSignalCase(opened[0]!)).toMatchObject({
        kind: 'started',
        runId: started!.kind === 'started' ? started!.runId : '',
      });
      // So the workflow is signalled the new revision, and the row records it because Temporal took it.
      expect(await settingsSignalled(workflowId, 1)).toEqual([org!.settingsRevision]);
      expect(await row()).toMatchObject({ status: 'open', settingsRevision: org!.settingsRevision });
    });
  });

  it('pauses and resumes every running case of a broken connection', async () => {
    await withLedger('quickbooks', async ({ id, accountId, sync, apply, starter }) => {
      await apply(await sync.applyBatch(id, shortPaid()));
      const workflowId = disputeCaseWorkflowId(
        caseKey({ invoice: { provider: 'quickbooks', accountId, id: 'inv-1001' } }),
      );
      await until(workflowId, (v) => v.status === 'awaiting_approval');
      expect(await starter.signalConnectionBroken(id, 'invalid_grant')).toBe(1);
      await until(workflowId, (v) => !v.ledgerConnected);
      expect(await starter.signalConnectionRestored(id)).toBe(1);
      await until(workflowId, (v) => v.ledgerConnected);
    });
  });

  it('opens a chargeback case for a Stripe dispute and passes status changes on', async () => {
    await withLedger('stripe', async ({ id, accountId, sync, apply }) => {
      const opened = await sync.applyBatch(id, batch({ disputes: [dispute()] }));
      const [started] = await apply(opened);
      const workflowId = disputeCaseWorkflowId(caseKey({ chargeback: { provider: 'stripe', accountId, id: 'dp_1' } }));
      expect(started).toMatchObject({ kind: 'started', workflowId });
      expect(await until(workflowId, (v) => v.disputeStatus === 'needs_response')).toMatchObject({
        disputed: { minor: 50_000 },
      });
      const changed = await sync.applyBatch(
        id,
        batch({ disputes: [dispute({ status: 'under_review' })], checkpoint: 'cp-2' }),
      );
      expect(await apply(changed)).toEqual([expect.objectContaining({ kind: 'signalled', signals: 1 })]);
      await until(workflowId, (v) => v.disputeStatus === 'under_review');
    });
  });
});
