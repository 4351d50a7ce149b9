// Kill -9 the worker while it is posting a credit note to the QuickBooks simulator; another worker picks the
// activity up and the ledger ends with exactly one credit memo, applied once to its invoice.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseViewQuery, disputeCaseWorkflowId, type CaseView } from '../../../workflows/dispute-case/definitions.js';
import { disputeCaseWorkflow } from '../../../workflows/dispute-case/workflow.js';
import * as st from '../../../workflows/dispute-case/state.js';
import { startHarness, type Harness } from '../quickbooks/harness.js';
import { shortPaymentInput } from '../../helpers/case-fixtures.js';
import { createDevEnv, uniqueId } from '../../helpers/temporal-env.js';
import { startCaseWorker, type CrashWorkerConfig } from './crash-worker.js';
import { eventually } from '../../helpers/eventually.js';

let env: TestWorkflowEnvironment;
let qb: Harness;
let child: ChildProcess | undefined;

beforeAll(async () => {
  // Each API call takes 1.5 s, so the kill lands while the credit memo request is in flight.
  [env, qb] = await Promise.all([createDevEnv(), startHarness({ latencyMs: 1500 })]);
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await qb?.close();
  await env?.teardown();
});

const usd = (minor: number) => ({ minor, currency: 'USD' });

/** A case whose owner has just approved a concession on the Hosting line: its next step posts the credit note. */
function approvedConcession(invoiceId: string) {
  const now = new Date().toISOString();
  const base = shortPaymentInput({ learnedAt: now });
  const input = {
    ...base,
    caseKey: `invoice/quickbooks/${qb.realmId}/${invoiceId}`,
    invoice: {
      ...base.invoice!,
      ref: { provider: 'quickbooks' as const, accountId: qb.realmId, id: invoiceId },
      total: usd(40_000),
      balance: usd(10_000),
      lines: [
        { id: '1', description: 'Design', quantity: '1', unitPrice: usd(30_000), amount: usd(30_000) },
        { id: '2', description: 'Hosting', quantity: '1', unitPrice: usd(10_000), amount: usd(10_000) },
      ],
    },
    payments: [
      {
        ref: { provider: 'quickbooks' as const, accountId: qb.realmId, id: 'p1' },
        amount: usd(30_000),
        date: now.slice(0, 10),
      },
    ],
  };
  let s = st.scheduleResponse(st.initialState(input, now), now, now);
  s = st.markSent(
    st.applyDraftDecision(
      st.addDraft(
        { ...s, announced: true },
        'first_response',
        { subject: 'r', text: 'r', html: 'r', attachments: [] },
        now,
        now,
      ),
      { kind: 'approve', version: 1, by: 'ana' },
      now,
    ),
    1,
    now,
  );
  s = st.applyObjection(s, { kind: 'specific', by: 'ana', summary: 'Hosting was never set up', lineIds: ['2'] }, now);
  s = st.applyObjectionDecision(s, { kind: 'concede', by: 'ana', lines: [{ lineId: '2', amount: usd(10_000) }] }, now);
  s = st.addDraft(
    s,
    'concession',
    { subject: 'Hosting credited', text: 'We credit hosting.', html: '<p>We credit hosting.</p>', attachments: [] },
    now,
    st.dueByFor(s, 'concession', now),
  );
  s = st.applyDraftDecision(s, { kind: 'approve', version: 2, by: 'ana' }, now);
  return { ...input, carried: s };
}

describe('a worker killed mid credit note', () => {
  it('leaves exactly one credit memo in the ledger, applied once', async () => {
    const invoice = qb.sim.admin.addInvoice(qb.realmId, {
      customerId: qb.customerId,
      txnDate: '2026-11-02',
      lines: [
        { description: 'Design', unitPrice: 300 },
        { description: 'Hosting', unitPrice: 100 },
      ],
    });
    qb.sim.admin.addPayment(qb.realmId, {
      customerId: qb.customerId,
      amount: 300,
      applications: [{ invoiceId: invoice.Id, amount: 300 }],
    });
    const taskQueue = uniqueId('crash');
    const input = approvedConcession(invoice.Id);
    const cfg: CrashWorkerConfig = {
      address: env.address,
      taskQueue,
      apiUrl: qb.sim.urls.api,
      realmId: qb.realmId,
      accessToken: qb.tokens.accessToken,
      caseId: input.caseId,
      caseKey: input.caseKey,
    };

    child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./crash-worker.ts', import.meta.url))], {
      env: { ...process.env, CRASH_WORKER_CONFIG: JSON.stringify(cfg) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await once(child.stdout!, 'data');
    const handle = await env.client.workflow.start(disputeCaseWorkflow, {
      taskQueue,
      workflowId: disputeCaseWorkflowId(input.caseKey),
      args: [input],
    });

    const creditMemoPosted = () =>
      qb.sim.admin.requests().some((r) => r.method === 'POST' && /\/creditmemo/i.test(r.path));
    await eventually(creditMemoPosted, Boolean, 'the credit memo POST', { timeoutMs: 60_000, intervalMs: 25 });
    child.kill('SIGKILL'); // mid-request: the simulator finishes the write, the worker never hears back
    await once(child, 'exit');

    const survivor = await startCaseWorker(cfg);
    // A busy machine stretches every step (each API call also takes 1.5 s here): wait on the state, not a count.
    const view: CaseView = await eventually(
      () => handle.query(caseViewQuery),
      (v) => v.drafts.at(-1)?.state === 'sent',
      'the concession letter sent by the surviving worker',
      { timeoutMs: 150_000, intervalMs: 100 },
    );
    expect(view.drafts.at(-1)).toMatchObject({ kind: 'concession', state: 'sent' });
    expect(view.conceded).toEqual(usd(10_000));
    expect(qb.sim.admin.creditMemos(qb.realmId)).toHaveLength(1);
    expect(qb.sim.admin.payments(qb.realmId).filter((p) => p.TotalAmt === 0)).toHaveLength(1);
    expect(qb.sim.admin.invoice(qb.realmId, invoice.Id)?.Balance).toBe(0);
    // The credit cleared the balance: once the concession letter is out, the case resolves itself.
    expect((await handle.result()).status).toBe('resolved');
    await survivor.stop();
  }, 240_000);
});
