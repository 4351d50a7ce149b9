// Real dispute cases for route tests: the real disputeCaseWorkflow on a Temporal dev server, run by a worker
// with the real case activities (outbox on the local mailbox, approval links, documents) and the real QuickBooks
// connector against a simulated QuickBooks company, which holds each case's invoice and what the case posts to it.
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { desc, eq, like } from 'drizzle-orm';
import { createCaseActivities } from '../../../activities/cases.js';
import { cases, connections, emailOutbox, invoices } from '../../../src/services/db/schema.js';
import { caseViewQuery, type CaseView, type DisputeCaseInput } from '../../../workflows/dispute-case/definitions.js';
import { disputeCaseWorkflow } from '../../../workflows/dispute-case/workflow.js';
import { shortPaymentInput } from '../../helpers/case-fixtures.js';
import { createQuickbooksConnector, createRealmLimiter } from '../../../integrations/quickbooks/index.js';
import { toDecimalString, type Money } from '../../../src/domain/money.js';
import { startQuickbooksSimulator, type QuickbooksSimulator } from '../../../simulators/quickbooks/index.js';
import { uniqueId } from '../../helpers/temporal-env.js';
import { bundleCases } from '../../workflows/dispute-case/harness.js';
import { PUBLIC_URL, SECRET, seedOrganisation, type WebHarness } from './harness.js';
import { CLIENT_LINK_TTL_MS } from '../../../src/services/security/client-links.js';
import type { PaymentLinks } from '../../../src/services/ledger/payment-links.js';

export interface LiveCase {
  readonly id: string;
  readonly workflowId: string;
  /** The case's invoice at QuickBooks. */
  readonly invoiceId: string;
  readonly handle: WorkflowHandle<typeof disputeCaseWorkflow>;
  view(): Promise<CaseView>;
  until(pred: (v: CaseView) => boolean, what: string): Promise<CaseView>;
}

/** Starts one worker for the test file; returns a function that opens cases for one organisation. */
/** Reads until `read` gives a value; fails after 30 s (a busy machine is slow, never wrong). */
async function poll<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + 30_000;
  for (;;) {
    const v = await read();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A QuickBooks company at the simulator: the cases' ledger. */
export interface LiveBooks {
  readonly sim: QuickbooksSimulator;
  readonly realmId: string;
  /** The client the cases are about (Harbor Cafe). */
  readonly customerId: string;
  readonly accessToken: string;
}

/** Starts the QuickBooks simulator with Brightside Design's company, its client Harbor Cafe and the app's tokens. */
export async function startLiveBooks(): Promise<LiveBooks> {
  const sim = await startQuickbooksSimulator();
  const app = sim.admin.createApp({ redirectUris: ['http://127.0.0.1:1/oauth/quickbooks/callback'] });
  const realmId = sim.admin.createCompany({ name: 'Brightside Design' });
  const customerId = sim.admin.addCustomer(realmId, { name: 'Harbor Cafe', email: 'pay@harbor.example' }).Id;
  return { sim, realmId, customerId, accessToken: sim.admin.grantTokens(app.clientId, realmId).access_token };
}

const qboAmount = (m: Money) => Number(toDecimalString(m));

/**
 * `o.clientLinks`: letters to the client carry their response link (signed with the harness's secret).
 * `o.books`: the QuickBooks company to use (the caller closes it); otherwise one is started for the file.
 */
export async function startCaseWorker(
  env: TestWorkflowEnvironment,
  w: WebHarness,
  owner: { email: string; name?: string },
  o: { clientLinks?: boolean; paymentLinks?: Pick<PaymentLinks, 'forInvoice'>; books?: LiveBooks } = {},
) {
  const books = o.books ?? (await startLiveBooks());
  const { realmId } = books;
  const ledger = createQuickbooksConnector({
    auth: { accountId: realmId, tokens: { accessToken: books.accessToken } },
    apiUrl: books.sim.urls.api,
    limiter: createRealmLimiter(),
  });
  const taskQueue = uniqueId('web-cases');
  const activities = createCaseActivities({
    db: w.h.db,
    outbox: w.outbox,
    approvals: w.approvals,
    documents: w.documents,
    publicUrl: PUBLIC_URL,
    replyDomain: 'replies.shortfall.test',
    ledger: async () => ledger,
    evidence: async () => {
      throw new Error('no chargebacks in these tests');
    },
    ...(o.clientLinks ? { clientLinks: { secret: SECRET, ttlMs: CLIENT_LINK_TTL_MS } } : {}),
    ...(o.paymentLinks ? { paymentLinks: o.paymentLinks } : {}),
  });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundleCases(),
    activities,
  });
  const running = worker.run();
  const { org, user } = await seedOrganisation(w.h, owner);
  const started: WorkflowHandle<typeof disputeCaseWorkflow>[] = [];
  const [conn] = await w.h.db
    .insert(connections)
    .values({ organisationId: org.id, provider: 'quickbooks', accountId: realmId, name: 'Brightside QBO' })
    .returning();

  /**
   * The case's invoice in the QuickBooks company, with its lines (and, where the case's total is more than its lines,
   * one more line for the rest) and the payment that left its balance. Its id and line ids are QuickBooks' own.
   */
  function seedInvoice(invoice: NonNullable<DisputeCaseInput['invoice']>): string {
    const { currency } = invoice.total;
    const linesMinor = invoice.lines.reduce((n, l) => n + l.amount.minor, 0);
    const rest = invoice.total.minor - linesMinor;
    const seeded = books.sim.admin.addInvoice(realmId, {
      customerId: books.customerId,
      docNumber: invoice.number,
      lines: [
        ...invoice.lines.map((l) => ({ description: l.description, unitPrice: qboAmount(l.amount) })),
        ...(rest > 0 ? [{ description: 'Further work', unitPrice: qboAmount({ minor: rest, currency }) }] : []),
      ],
    });
    const paid = invoice.total.minor - invoice.balance.minor;
    if (paid > 0) {
      const amount = qboAmount({ minor: paid, currency });
      books.sim.admin.addPayment(realmId, {
        customerId: books.customerId,
        amount,
        applications: [{ invoiceId: seeded.Id, amount }],
      });
    }
    return seeded.Id;
  }

  /**
   * `ledgerInvoiceId`: an invoice the test put in the QuickBooks company itself; otherwise the case's invoice is
   * entered there first. Either way the case's lines carry the invoice's line ids at QuickBooks ("1", "2", …).
   */
  /**
   * `whileStarting`: the row is written "starting" (as the starter claims it) and this runs before the workflow is
   * started, so a test can do what happens meanwhile (a Settings save, say).
   */
  async function openCase(
    over: Partial<DisputeCaseInput> = {},
    ledgerInvoiceId?: string,
    whileStarting?: (caseId: string) => Promise<void>,
  ): Promise<LiveCase> {
    const base = shortPaymentInput({ learnedAt: new Date().toISOString(), documents: [], ...over });
    const invoiceId = ledgerInvoiceId ?? seedInvoice(base.invoice!);
    const ledgerLines = books.sim.admin
      .invoice(realmId, invoiceId)!
      .Line.filter((l) => l.DetailType === 'SalesItemLineDetail');
    const invoice = {
      ...base.invoice!,
      ref: { ...base.invoice!.ref, accountId: realmId, id: invoiceId },
      customerId: books.customerId,
      lines: base.invoice!.lines.map((l, i) => ({ ...l, id: ledgerLines[i]?.Id ?? l.id })),
    };
    await w.h.db.insert(invoices).values({
      connectionId: conn!.id,
      externalId: invoiceId,
      number: invoice.number,
      customerId: invoice.customerId,
      customerName: invoice.customerName,
      customerEmail: invoice.customerEmail ?? null,
      currency: invoice.total.currency,
      totalMinor: invoice.total.minor,
      balanceMinor: invoice.balance.minor,
      issueDate: invoice.issueDate,
      dueDate: invoice.dueDate ?? null,
      status: 'open',
      lines: invoice.lines,
      providerUpdatedAt: new Date(),
    });
    const caseKey = `invoice/quickbooks/${realmId}/${invoiceId}`;
    const [row] = await w.h.db
      .insert(cases)
      .values({
        organisationId: org.id,
        caseKey,
        workflowId: uniqueId('case'),
        connectionId: conn!.id,
        invoiceId,
        kind: 'short_payment',
        status: whileStarting ? 'starting' : 'open',
        customerName: invoice.customerName,
        currency: 'USD',
        paidMinor: 60_000,
        disputedMinor: invoice.balance.minor,
      })
      .returning();
    const input: DisputeCaseInput = {
      ...base,
      caseId: row!.id,
      caseKey,
      connectionId: conn!.id,
      invoice,
      organisation: {
        ...base.organisation,
        id: org.id,
        name: org.name,
        ownerEmail: user.email,
        timeZone: org.timeZone,
      },
    };
    await whileStarting?.(row!.id);
    const handle = await env.client.workflow.start(disputeCaseWorkflow, {
      taskQueue,
      workflowId: row!.workflowId,
      args: [input],
    });
    started.push(handle);
    const view = () => handle.query(caseViewQuery);
    const until = async (pred: (v: CaseView) => boolean, what: string) => {
      for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
        const v = await view();
        if (pred(v)) return v;
        await new Promise((r) => setTimeout(r, 50));
      }
      const v = await view();
      throw new Error(
        `timed out waiting for ${what}; status ${v.status}, timeline: ${v.timeline.map((t) => t.kind).join(', ')}`,
      );
    };
    return { id: row!.id, workflowId: row!.workflowId, invoiceId, handle, view, until };
  }

  /** The newest approval link emailed for this case, as a path. */
  async function approvalPath(caseId: string, version: number): Promise<string> {
    for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
      const [row] = await w.h.db
        .select()
        .from(emailOutbox)
        .where(like(emailOutbox.idempotencyKey, `%/approval/${version}`))
        .orderBy(desc(emailOutbox.createdAt))
        .then((rows) => rows.filter((r) => r.caseId === caseId));
      const m = row && /https:\/\/app\.shortfall\.test(\/approvals\/\S+)/.exec(row.text);
      if (m) return m[1]!;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no approval email for version ${version} of case ${caseId}`);
  }

  /** The response link of the newest letter to the client that carries one, as a path; with the letter's text. */
  async function responsePath(
    caseId: string,
    since = new Date(0),
  ): Promise<{ path: string; text: string; key: string }> {
    return poll(`a client letter with a response link for case ${caseId}`, async () => {
      const rows = await w.h.db
        .select()
        .from(emailOutbox)
        .where(eq(emailOutbox.caseId, caseId))
        .orderBy(desc(emailOutbox.createdAt));
      const row = rows.find((r) => r.createdAt >= since && r.text.includes('/respond/'));
      const m = row && /https:\/\/app\.shortfall\.test(\/respond\/\S+)/.exec(row.text);
      return m && row ? { path: m[1]!, text: row.text, key: row.idempotencyKey } : undefined;
    });
  }

  async function stop() {
    // A running case left behind keeps timers with no worker; end each one this file started.
    for (const handle of started) {
      if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('test finished');
    }
    worker.shutdown();
    await running;
    if (!o.books) await books.sim.close();
  }

  return {
    org,
    user,
    connection: conn!,
    /** The cases' QuickBooks company: what was posted to it, and the requests it received. */
    books,
    openCase,
    approvalPath,
    responsePath,
    stop,
    caseRow: (id: string) =>
      w.h.db
        .select()
        .from(cases)
        .where(eq(cases.id, id))
        .then((r) => r[0]!),
  };
}
