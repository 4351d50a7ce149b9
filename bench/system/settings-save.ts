// Saving Settings with many open cases, and with Temporal down: what the owner waits for against what the delivery
// to the open cases costs, on a Temporal dev server and PGlite. N running workflows stand for the open cases (the
// server accepts a signal whether or not a worker runs them, so none runs here); the bench times
//   - the save's own work (the Settings write and handing the delivery to the background), and the delivery to
//     every open case (what the save awaited before the delivery moved to the background);
//   - a sweep after one case missed a save: the cases it signals (before: every open case of the organisation);
//   - a delivery while Temporal is down: how long until it gives up (5 s deadline a batch), against the same
//     delivery with no deadline (the client's own retries: what a save waited for before).
//
// Findings (2 shared cores, PGlite, dev server; 1,000 open cases; load average 20–22 from other engineers' runs):
//   - a save answered only after every open case was signalled, 20 at a time: 3.3 s for 1,000 open cases here,
//     growing with the cases. With Temporal down it waited for the client's own retries of the first batch: 21.9 s
//     (10 attempts with backoff). The save now writes the Settings and hands the delivery to the server: 18 ms.
//   - with Temporal down a delivery now gives up at the first batch's 5 s deadline (6.4 s in all under this load,
//     0.29 × the retries) and leaves the cases owed to the sweep; the save never waits for it.
//   - the sweep used a per-organisation mark, so one unreachable case made it signal every open case again (1,000
//     signals); each case row now records its revision and the sweep signalled the 1 case that missed it (9 ms).
//   - what did not fit: a deadline per signal instead of per batch (20 deadlines of 5 s would not bound the batch
//     any better, since they run at once); no global limit on deliveries across organisations (each has at most 20
//     signals in flight and saves are human-paced; the sweep goes one organisation at a time).

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Connection, WorkflowClient } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq, sql } from 'drizzle-orm';
import { createSettingsDelivery, type DeliveryResult } from '../../src/services/cases/settings-signal.js';
import { openDatabase } from '../../src/services/db/index.js';
import { cases, organisations, users } from '../../src/services/db/schema.js';
import { requireBinary } from '../../test/helpers/binaries.js';

export interface SettingsSaveResult {
  readonly openCases: number;
  /** The Settings write and handing the delivery over, as the save route does them (ms). */
  readonly saveMs: number;
  /** From the save to every open case signalled (ms): what the save awaited before. */
  readonly deliveryMs: number;
  readonly delivered: DeliveryResult | undefined;
  /** A sweep after one case missed the save: cases signalled, and its time (ms). */
  readonly sweepSignalled: number;
  readonly sweepMs: number;
  /** Temporal down: until the delivery gives up, with the 5 s deadline a batch, and with none (ms). */
  readonly downGivesUpMs: number;
  readonly downWithoutDeadlineMs: number;
  readonly load: string;
}

const ms = (since: bigint) => Math.round(Number(process.hrtime.bigint() - since) / 1e6);

export async function benchSettingsSave(n: number): Promise<SettingsSaveResult> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: requireBinary('temporal') } },
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shortfall-bench-settings-'));
  const handle = await openDatabase({ kind: 'pglite', dir });
  const down = new WorkflowClient({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  try {
    const db = handle.db;
    const [org] = await db.insert(organisations).values({ name: 'Bench Studio', signature: 'Ana' }).returning();
    await db.insert(users).values({ organisationId: org!.id, email: 'ana@bench.example', role: 'owner' });
    const taskQueue = 'bench-settings-unpolled';
    const ids = Array.from({ length: n }, (_, i) => `bench-settings/${i}`);
    for (let i = 0; i < n; i += 50)
      await Promise.all(
        ids
          .slice(i, i + 50)
          .map((workflowId) => env.client.workflow.start('sleepingWorkflow', { taskQueue, workflowId, args: [] })),
      );
    for (let i = 0; i < n; i += 500)
      await db.insert(cases).values(
        ids.slice(i, i + 500).map((workflowId, j) => ({
          organisationId: org!.id,
          caseKey: `bench/${i + j}`,
          workflowId,
          kind: 'short_payment',
          status: 'awaiting_approval',
          currency: 'USD',
        })),
      );
    const delivery = createSettingsDelivery(db, env.client.workflow);
    // What the save route does: write the Settings (a new revision), hand the delivery over, answer.
    const save = async () => {
      await db
        .update(organisations)
        .set({
          signature: sql`${organisations.signature} || '.'`,
          settingsRevision: sql`${organisations.settingsRevision} + 1`,
        })
        .where(eq(organisations.id, org!.id));
      return { delivering: delivery.deliver(org!.id) };
    };
    let t = process.hrtime.bigint();
    const { delivering } = await save();
    const saveMs = ms(t);
    const delivered = await delivering;
    const deliveryMs = ms(t);

    // One case missed the newest save (its row says so); the sweep signals it alone.
    await db.update(cases).set({ settingsRevision: 0 }).where(eq(cases.workflowId, ids[0]!));
    t = process.hrtime.bigint();
    const swept = await delivery.sweep();
    const sweepMs = ms(t);
    await delivery.close();

    // Temporal down: a save of its own, delivered over a client that reaches nothing.
    await db
      .update(organisations)
      .set({ settingsRevision: sql`${organisations.settingsRevision} + 1` })
      .where(eq(organisations.id, org!.id));
    t = process.hrtime.bigint();
    await createSettingsDelivery(db, down).deliver(org!.id);
    const downGivesUpMs = ms(t);
    t = process.hrtime.bigint();
    await createSettingsDelivery(db, down, { callTimeoutMs: 120_000 }).deliver(org!.id);
    const downWithoutDeadlineMs = ms(t);

    return {
      openCases: n,
      saveMs,
      deliveryMs,
      delivered,
      sweepSignalled: swept.signalled,
      sweepMs,
      downGivesUpMs,
      downWithoutDeadlineMs,
      load: os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' '),
    };
  } finally {
    await down.connection.close();
    await handle.close();
    await rm(dir, { recursive: true, force: true });
    await env.teardown();
  }
}
