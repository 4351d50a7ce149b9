// On the real dev server with the real case activities: the owner's emailed link drives the approval Update,
// and the case is listed from Temporal visibility by its search attributes. The ledger is the real QuickBooks
// connector against the QuickBooks simulator, which holds the case's invoice.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseActivities } from '../../../activities/cases.js';
import { createApprovalStore } from '../../../src/services/approvals/store.js';
import { type DatabaseHandle } from '../../../src/services/db/index.js';
import { cases, connections, organisations } from '../../../src/services/db/schema.js';
import { createDocumentStore } from '../../../src/services/documents/storage.js';
import { createOutbox } from '../../../src/services/mail/outbox.js';
import { createMailTransport } from '../../../src/services/mail/transport.js';
import { checkApprovalToken } from '../../../src/services/security/approval-links.js';
import {
  caseViewQuery,
  decideDraftUpdate,
  disputeCaseWorkflowId,
} from '../../../workflows/dispute-case/definitions.js';
import { disputeCaseWorkflow } from '../../../workflows/dispute-case/workflow.js';
import {
  caseStatusKey,
  connectionIdKey,
  disputedMinorKey,
  invoiceNumberKey,
  providerKey,
} from '../../../workflows/search-attributes.js';
import { shortPaymentInput } from '../../helpers/case-fixtures.js';
import { startSmtpServer } from '../../helpers/smtp.js';
import { createDevEnv, uniqueId } from '../../helpers/temporal-env.js';
import { bundleCases } from './harness.js';
import { openPglite } from '../../helpers/databases.js';
import { eventually } from '../../helpers/eventually.js';
import { startHarness, type Harness } from '../../integration/quickbooks/harness.js';

const secret = 'k'.repeat(40);
let env: TestWorkflowEnvironment;
let h: DatabaseHandle;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let qb: Harness;

beforeAll(async () => {
  [env, h, smtp, qb] = await Promise.all([createDevEnv(), openPglite(), startSmtpServer(), startHarness()]);
});
afterAll(async () => {
  await env?.teardown();
  await smtp?.close();
  await qb?.close();
  await h?.close();
});

async function waitForMail(subjectStart: string) {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
    const m = smtp.messages.find((x) => x.subject?.startsWith(subjectStart));
    if (m) return m;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no email "${subjectStart}…" arrived; got: ${smtp.messages.map((m) => m.subject).join(' | ')}`);
}

describe('dispute case on the dev server', () => {
  it('is approved through the emailed link as an Update and listed by its search attributes', async () => {
    const docs = createDocumentStore(h.db);
    const ledger = qb.connector();
    // Invoice 1001 at QuickBooks: $1,000, $600 paid.
    const invoice = qb.sim.admin.addInvoice(qb.realmId, {
      customerId: qb.customerId,
      docNumber: '1001',
      lines: [
        { description: 'Brand identity', unitPrice: 600 },
        { description: 'Menu design', unitPrice: 250 },
        { description: 'Signage', unitPrice: 150 },
      ],
    });
    qb.sim.admin.addPayment(qb.realmId, {
      customerId: qb.customerId,
      amount: 600,
      applications: [{ invoiceId: invoice.Id, amount: 600 }],
    });
    const activities = createCaseActivities({
      db: h.db,
      outbox: createOutbox(h.db, createMailTransport({ smtpUrl: smtp.url, from: 'cases@shortfall.test' }), docs),
      approvals: createApprovalStore(h.db, secret),
      documents: docs,
      publicUrl: 'https://app.shortfall.test',
      replyDomain: 'replies.shortfall.test',
      ledger: async () => ledger,
      evidence: async () => {
        throw new Error('not a chargeback');
      },
    });
    const [org] = await h.db.insert(organisations).values({ name: 'Brightside Design' }).returning();
    const [conn] = await h.db
      .insert(connections)
      .values({ organisationId: org!.id, provider: 'quickbooks', accountId: qb.realmId, name: 'QBO' })
      .returning();
    const fixture = shortPaymentInput({ learnedAt: new Date().toISOString(), documents: [] });
    const base = {
      ...fixture,
      invoice: { ...fixture.invoice!, ref: { ...fixture.invoice!.ref, accountId: qb.realmId, id: invoice.Id } },
    };
    const [row] = await h.db
      .insert(cases)
      .values({
        organisationId: org!.id,
        caseKey: base.caseKey,
        workflowId: disputeCaseWorkflowId(base.caseKey),
        connectionId: conn!.id,
        kind: 'short_payment',
        status: 'open',
        currency: 'USD',
      })
      .returning();
    const input = { ...base, caseId: row!.id, connectionId: conn!.id };
    const taskQueue = uniqueId('dev-cases');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundleCases(),
      activities,
    });

    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(disputeCaseWorkflow, {
        taskQueue,
        workflowId: row!.workflowId,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        typedSearchAttributes: [
          { key: caseStatusKey, value: 'open' },
          { key: providerKey, value: 'quickbooks' },
          { key: connectionIdKey, value: conn!.id },
          { key: invoiceNumberKey, value: '1001' },
          { key: disputedMinorKey, value: 40_000 },
        ],
      });
      const receipt = await waitForMail('Payment received for invoice 1001');
      expect(receipt.to).toMatchObject({ text: 'pay@harbor.example' });
      const approval = await waitForMail('Approve: ');
      const token = decodeURIComponent(/approvals\/(\S+)/.exec(approval.text!)![1]!);
      const check = checkApprovalToken(secret, token, Date.now());
      if (!check.ok) throw new Error(`approval token rejected: ${check.reason}`);
      expect(check.claims).toMatchObject({ workflowId: row!.workflowId, version: 1 });

      const result = await env.client.workflow.getHandle(check.claims.workflowId).executeUpdate(decideDraftUpdate, {
        args: [{ kind: 'approve', version: check.claims.version, by: 'ana@brightside.example' }],
        updateId: check.claims.jti,
      });
      expect(result).toEqual({ version: 1, outcome: 'approved' });
      // The same link clicked twice is the same Update: the server returns the first outcome.
      const again = await env.client.workflow.getHandle(check.claims.workflowId).executeUpdate(decideDraftUpdate, {
        args: [{ kind: 'approve', version: check.claims.version, by: 'ana@brightside.example' }],
        updateId: check.claims.jti,
      });
      expect(again).toEqual(result);

      await eventually(
        () => handle.query(caseViewQuery),
        (v) => v.status === 'awaiting_payment',
        'the case to await payment',
      );
      const sent = await eventually(
        () => smtp.messages.filter((m) => m.to && 'text' in m.to && m.to.text === 'pay@harbor.example'),
        (s) => s.length >= 2,
        'two letters to the client',
      );
      expect(sent).toHaveLength(2);
      // The approved letter carries the invoice PDF the case fetched from QuickBooks.
      const pdfs = sent.flatMap((m) => m.attachments.filter((a) => a.filename === 'Invoice 1001.pdf'));
      expect(pdfs.map((a) => a.content.toString('latin1'))).toEqual([expect.stringContaining('(Invoice 1001) Tj')]);
      const listed = await eventually(
        async () => {
          const ids: string[] = [];
          for await (const w of env.client.workflow.list({
            query: `ShortfallCaseStatus = 'awaiting_payment' AND ShortfallConnectionId = '${conn!.id}'`,
          }))
            ids.push(w.workflowId);
          return ids;
        },
        (ids) => ids.length > 0,
        'the case in the visibility list',
        { intervalMs: 100 },
      );
      expect(listed).toEqual([row!.workflowId]);
      const [projected] = await eventually(
        () => h.db.select().from(cases),
        ([c]) => c?.status === 'awaiting_payment',
        'the projected case row',
      );
      expect(projected).toMatchObject({ status: 'awaiting_payment', paidMinor: 60_000, disputedMinor: 40_000 });

      // Each upsert is a history event and a visibility write: the case upserts only what changed since its start
      // or its last upsert (TemporalChangeVersion is the SDK's own, for each patch the case takes).
      const history = await handle.fetchHistory();
      const fields = (f: Record<string, { data?: Uint8Array | null }> | null | undefined) =>
        Object.entries(f ?? {}).map(([k, v]) => [k, Buffer.from(v.data ?? []).toString()] as const);
      const held = new Map(
        fields(history.events?.[0]?.workflowExecutionStartedEventAttributes?.searchAttributes?.indexedFields),
      );
      const upserted: string[] = [];
      for (const e of history.events ?? []) {
        const set = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
        for (const [k, v] of fields(set).filter(([k]) => k !== 'TemporalChangeVersion')) {
          expect(held.get(k), `${k} upserted again with the value it held`).not.toBe(v);
          held.set(k, v);
          upserted.push(k);
        }
      }
      expect(upserted).toContain('ShortfallCaseStatus');
      expect(held.get('ShortfallCaseStatus')).toBe('"awaiting_payment"');
      await handle.terminate('test finished');
    });
  });
});
