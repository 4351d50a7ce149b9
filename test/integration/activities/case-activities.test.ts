// The case activities against a real database, a real SMTP server and real PDFs; the ledger is the real QuickBooks
// connector (node-quickbooks) against the QuickBooks simulator, which holds the invoice the case is about.
import { caseAccount } from '../../../src/domain/account.js';
import { ApplicationFailure } from '@temporalio/common';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseActivities, type CaseActivityDeps } from '../../../activities/cases.js';
import { renderEvidencePack } from '../../../activities/evidence-pack.js';
import type { CaseActivities, LetterRequest } from '../../../workflows/dispute-case/activities.js';
import { createApprovalStore } from '../../../src/services/approvals/store.js';
import { type DatabaseHandle } from '../../../src/services/db/index.js';
import { auditEvents, cases, connections, emailOutbox, organisations } from '../../../src/services/db/schema.js';
import { createDocumentStore, type DocumentStore } from '../../../src/services/documents/storage.js';
import { createOutbox } from '../../../src/services/mail/outbox.js';
import { createMailTransport } from '../../../src/services/mail/transport.js';
import { checkApprovalToken } from '../../../src/services/security/approval-links.js';
import { shortPaymentInput } from '../../helpers/case-fixtures.js';
import { pdfText } from '../../helpers/pdf-text.js';
import { startSmtpServer } from '../../helpers/smtp.js';
import { openPglite } from '../../helpers/databases.js';
import type { LedgerConnector } from '../../../integrations/types.js';
import { startHarness, type Harness } from '../quickbooks/harness.js';

const secret = 's'.repeat(40);
let h: DatabaseHandle;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let acts: CaseActivities;
let deps: CaseActivityDeps;
let docs: DocumentStore;
let qb: Harness;
let ledger: LedgerConnector;
/** Invoice 1001 at QuickBooks: $1,000 over three lines (Signage is line 3), $600 paid. */
let invoiceId: string;
const input = shortPaymentInput();
let caseId: string;

beforeAll(async () => {
  [h, smtp, qb] = await Promise.all([openPglite(), startSmtpServer(), startHarness()]);
  ledger = qb.connector();
  invoiceId = qb.sim.admin.addInvoice(qb.realmId, {
    customerId: qb.customerId,
    docNumber: '1001',
    lines: [
      { description: 'Brand identity', unitPrice: 600 },
      { description: 'Menu design', unitPrice: 250 },
      { description: 'Signage', unitPrice: 150 },
    ],
  }).Id;
  qb.sim.admin.addPayment(qb.realmId, {
    customerId: qb.customerId,
    amount: 600,
    applications: [{ invoiceId, amount: 600 }],
  });
  const [org] = await h.db.insert(organisations).values({ name: 'Brightside Design' }).returning();
  const [conn] = await h.db
    .insert(connections)
    .values({ organisationId: org!.id, provider: 'quickbooks', accountId: qb.realmId, name: 'Brightside QBO' })
    .returning();
  const [c] = await h.db
    .insert(cases)
    .values({
      organisationId: org!.id,
      caseKey: input.caseKey,
      workflowId: `case/${input.caseKey}`,
      connectionId: conn!.id,
      kind: 'short_payment',
      status: 'open',
      currency: 'USD',
    })
    .returning();
  caseId = c!.id;
  docs = createDocumentStore(h.db);
  await docs.save({
    id: '6d9c0f5e-1111-4222-8333-444455556666',
    caseId,
    kind: 'sow',
    name: 'Signed SOW.pdf',
    contentType: 'application/pdf',
    content: Buffer.from('%PDF-1.4 sow'),
  });
  const outbox = createOutbox(
    h.db,
    createMailTransport({ smtpUrl: smtp.url, from: 'Shortfall <cases@shortfall.test>' }),
    docs,
  );
  deps = {
    db: h.db,
    outbox,
    approvals: createApprovalStore(h.db, secret),
    documents: docs,
    publicUrl: 'https://app.shortfall.test',
    replyDomain: 'replies.shortfall.test',
    ledger: async () => ledger,
    evidence: async () => {
      throw new Error('no Stripe in this test');
    },
  };
  acts = createCaseActivities(deps);
});
afterAll(async () => {
  await smtp?.close();
  await qb?.close();
  await h?.close();
});

const request = (over: Partial<LetterRequest>): LetterRequest => ({
  kind: 'first_response',
  caseId,
  organisation: input.organisation,
  invoice: input.invoice!,
  payments: input.payments,
  paid: { minor: 60_000, currency: 'USD' },
  balance: { minor: 40_000, currency: 'USD' },
  documents: input.documents,
  paymentDueBy: '2026-12-22T04:59:59.999Z',
  ...over,
});

describe('email', () => {
  it('sends a client email once per key, with its attachments, over real SMTP', async () => {
    const mail = {
      key: `${caseId}/send/1`,
      caseId,
      to: 'pay@harbor.example',
      subject: 'Invoice 1001',
      text: 'Hello',
      html: '<p>Hello</p>',
      replyToCase: true,
      attachments: [{ documentId: '6d9c0f5e-1111-4222-8333-444455556666', name: 'Signed SOW.pdf' }],
    };
    const first = await acts.sendEmail(mail);
    const second = await acts.sendEmail(mail);
    expect(second.messageId).toBe(first.messageId);
    const received = smtp.messages.filter((m) => m.subject === 'Invoice 1001');
    expect(received).toHaveLength(1);
    expect(received[0]!.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([
      ['Signed SOW.pdf', '%PDF-1.4 sow'],
    ]);
    // Replies come back to this case through the inbound-mail endpoint.
    expect(received[0]!.replyTo?.text).toBe(`case+${caseId}@replies.shortfall.test`);
  });

  it('records a failed delivery and retries it with the same key', async () => {
    const broken = createOutbox(h.db, createMailTransport({ smtpUrl: 'smtp://127.0.0.1:1', from: 'x@y.z' }), docs);
    const m = {
      key: `${caseId}/retry`,
      caseId,
      to: 'a@b.c',
      subject: 'Retry me',
      text: 't',
      html: 'h',
      attachments: [],
    };
    await expect(broken.send(m)).rejects.toThrow();
    const [row] = await h.db.select().from(emailOutbox).where(eq(emailOutbox.idempotencyKey, m.key));
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.any(String) });
    await acts.sendEmail(m);
    expect(smtp.messages.filter((x) => x.subject === 'Retry me')).toHaveLength(1);
  });

  it('asks the owner to approve with a signed, expiring, single-use link', async () => {
    const draft = {
      subject: 'Invoice 1001: payment received',
      text: 'Dear Harbor Cafe',
      html: '<p>Dear Harbor Cafe</p>',
      attachments: [],
    };
    const req = {
      key: `${caseId}/approval/1`,
      caseId,
      workflowId: 'case/x',
      version: 1,
      kind: 'first_response' as const,
      draft,
      organisation: input.organisation,
    };
    await acts.requestApproval(req);
    await acts.requestApproval(req);
    const mails = smtp.messages.filter((m) => m.subject === 'Approve: Invoice 1001: payment received');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toMatchObject({ text: 'ana@brightside.example' });
    expect(mails[0]!.text).toContain('Not legal advice.');
    const token = decodeURIComponent(/approvals\/(\S+)/.exec(mails[0]!.text!)![1]!);
    const check = checkApprovalToken(secret, token, Date.now());
    expect(check).toMatchObject({ ok: true, claims: { caseId, workflowId: 'case/x', version: 1 } });
    expect(checkApprovalToken(secret, token, Date.now() + 8 * 86_400_000)).toMatchObject({
      ok: false,
      reason: 'expired',
    });
  });

  it('alerts the owner with a link to the case and the not-legal-advice line', async () => {
    await acts.notifyOwner({
      key: `${caseId}/owner/ff`,
      caseId,
      organisation: input.organisation,
      kind: 'full_and_final',
      subject: 'Urgent: full and final payment',
      detail: 'Object in writing today.',
    });
    const m = smtp.messages.find((x) => x.subject === 'Urgent: full and final payment')!;
    expect(m.text).toContain(`https://app.shortfall.test/cases/${caseId}`);
    expect(m.text).toContain('Not legal advice.');
  });
});

describe('case records', () => {
  it('writes each audit event once and keeps the case row current', async () => {
    const e = {
      key: `${caseId}/audit/opened`,
      caseId,
      kind: 'case_opened',
      actor: 'shortfall',
      data: { paid: 60_000 },
    };
    await acts.recordAudit(e);
    await acts.recordAudit(e);
    expect(await h.db.select().from(auditEvents).where(eq(auditEvents.caseId, caseId))).toHaveLength(1);
    const usd = (minor: number) => ({ minor, currency: 'USD' });
    const standing = {
      currency: 'USD',
      openedOn: '2026-12-04',
      openedFor: usd(40_000),
      outstanding: usd(40_000),
      inDispute: usd(40_000),
      recovered: usd(0),
      conceded: usd(0),
      writtenOff: usd(0),
      recoveries: [],
    };
    await acts.projectCase({
      caseId,
      status: 'awaiting_approval',
      paid: { minor: 60_000, currency: 'USD' },
      disputed: { minor: 40_000, currency: 'USD' },
      nextDeadline: '2026-12-09T22:00:00.000Z',
      standing,
    });
    const [row] = await h.db.select().from(cases).where(eq(cases.id, caseId));
    expect(row).toMatchObject({
      status: 'awaiting_approval',
      paidMinor: 60_000,
      disputedMinor: 40_000,
      nextDeadline: new Date('2026-12-09T22:00:00.000Z'),
      standing,
    });
  });
});

describe("the case list's row written by the step that sends", () => {
  const usd = (minor: number) => ({ minor, currency: 'USD' });
  const row = (status: 'open' | 'awaiting_approval', paid: number, at: string) => ({
    caseId,
    status,
    paid: usd(paid),
    disputed: usd(100_000 - paid),
    nextDeadline: '2026-12-09T22:00:00.000Z',
    at,
  });
  const listed = async () => (await h.db.select().from(cases).where(eq(cases.id, caseId)))[0]!;

  it('the receipt and the approval request write the row once they went out', async () => {
    await acts.sendEmailProjected({
      key: `${caseId}/receipt-projected`,
      caseId,
      to: 'pay@harbor.example',
      subject: 'Receipt with the row',
      text: 'Received, thank you',
      html: '<p>Received, thank you</p>',
      attachments: [],
      audit: { key: `${caseId}/audit/receipt_sent/20`, caseId, kind: 'receipt_sent', actor: 'shortfall', data: {} },
      projection: row('open', 60_000, '2030-01-01T10:00:00.000Z'),
    });
    expect(smtp.messages.filter((m) => m.subject === 'Receipt with the row')).toHaveLength(1);
    expect(await listed()).toMatchObject({ status: 'open', paidMinor: 60_000 });
    await acts.requestApprovalProjected({
      key: `${caseId}/approval/projected`,
      caseId,
      workflowId: 'case/x',
      version: 3,
      kind: 'first_response' as const,
      draft: {
        subject: 'Draft with the row',
        text: 'Dear Harbor Cafe',
        html: '<p>Dear Harbor Cafe</p>',
        attachments: [],
      },
      organisation: input.organisation,
      audit: { key: `${caseId}/audit/draft_ready/21`, caseId, kind: 'draft_ready', actor: 'shortfall', data: {} },
      projection: row('awaiting_approval', 60_000, '2030-01-01T10:00:05.000Z'),
    });
    expect(smtp.messages.filter((m) => m.subject === 'Approve: Draft with the row')).toHaveLength(1);
    expect(await listed()).toMatchObject({
      status: 'awaiting_approval',
      projectedAt: new Date('2030-01-01T10:00:05.000Z'),
    });
  });

  it('an attempt that outlived its retry cannot put an older row back', async () => {
    // The retry (and the workflow after it) wrote a payment that landed meanwhile; the first attempt, stuck on a slow
    // mail server, finishes afterwards with the row it read before the payment.
    await acts.projectCase(row('awaiting_approval', 75_000, '2030-01-01T10:02:00.000Z'));
    await acts.projectCase(row('awaiting_approval', 60_000, '2030-01-01T10:01:00.000Z'));
    expect(await listed()).toMatchObject({ paidMinor: 75_000, disputedMinor: 25_000 });
    // The next row the workflow writes goes through.
    await acts.projectCase(row('awaiting_approval', 100_000, '2030-01-01T10:03:00.000Z'));
    expect(await listed()).toMatchObject({ paidMinor: 100_000, disputedMinor: 0 });
  });
});

describe('letters', () => {
  it('renders the first response from facts: partial payment only, the deadline and the documents', async () => {
    const d = await acts.draftLetter(
      request({
        fullAndFinal: { payment: input.payments[0]!.ref, memo: 'Full and final payment', matched: 'full and final' },
      }),
    );
    expect(d.text).toContain('$600.00');
    expect(d.text).toContain('$400.00');
    expect(d.text).toMatch(/partial payment/i);
    // The workflow's own list, plus the document uploaded to the case that the workflow had not heard of.
    expect(d.attachments).toEqual([
      { documentId: 'doc-sow', name: 'Signed SOW.pdf' },
      { documentId: '6d9c0f5e-1111-4222-8333-444455556666', name: 'Signed SOW.pdf' },
    ]);
    expect(d.text).not.toContain('Not legal advice');
  });

  it('renders a concession that names the credit note and says it is not an admission', async () => {
    const d = await acts.draftLetter(
      request({
        kind: 'concession',
        balance: { minor: 25_000, currency: 'USD' },
        objection: { summary: 'Signage was late', lineIds: ['l3'], receivedAt: '2026-12-10T15:00:00Z' },
        concession: { lines: [{ lineId: 'l3', amount: { minor: 15_000, currency: 'USD' } }] },
      }),
    );
    expect(d.text).toContain('Signage');
    expect(d.text).toContain('$150.00');
    expect(d.text).toMatch(/not an admission/i);
    expect(d.text).toMatch(/SF-[0-9A-F]{8}/);
  });

  it('refuses to render a letter that lacks the deadline it must state', async () => {
    await expect(acts.draftLetter(request({ kind: 'final_notice' }))).rejects.toThrow(
      'a first response date is required',
    );
  });
});

describe('ledger writes', () => {
  const posting = () => ({
    key: `${caseId}/credit/1`,
    caseId,
    connectionId: 'c',
    invoiceId,
    currency: 'USD',
    memo: 'Conceded',
    // The invoice's own line id at QuickBooks (the sync gives the case's lines these ids).
    lines: [{ lineId: '3', description: 'Signage', amount: { minor: 15_000, currency: 'USD' } }],
  });
  const memoWrites = () => qb.sim.admin.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/creditmemo'));

  it('posts a credit note once per key: one memo in the books, applied once to the invoice', async () => {
    const a = await acts.postCreditNote(posting());
    const b = await acts.postCreditNote(posting());
    expect(a).toEqual(b);
    expect(a.total).toEqual({ minor: 15_000, currency: 'USD' });
    const memos = qb.sim.admin.creditMemos(qb.realmId);
    expect(memos).toHaveLength(1);
    expect(memos[0]).toMatchObject({ Id: a.ref, TotalAmt: 150, RemainingCredit: 0 });
    expect(memos[0]!.PrivateNote).toMatch(/^Conceded \(SF-[0-9A-F]{8}\)$/);
    // $1,000 − $600 paid − $150 credited, not − $300.
    expect(qb.sim.admin.invoice(qb.realmId, invoiceId)?.Balance).toBe(250);
    // The retry asked again under the same requestid (the key's digest), and QuickBooks answered with the memo it
    // already had.
    const [first, retry] = memoWrites().map((r) => r.query.requestid);
    expect(first).toBeDefined();
    expect(retry).toBe(first);
  });

  it('turns provider errors into typed failures: invalid is final, rate limits carry the retry delay', async () => {
    const before = qb.sim.admin.requests().length;
    qb.sim.admin.failNext(
      qb.realmId,
      {
        kind: 'validation',
        code: '6070',
        message: 'Amount calculation incorrect in the request.',
        detail: 'Amount is not equal to UnitPrice * Qty. Supplied value:150',
        element: 'Line.Amount',
      },
      { method: 'POST', path: '/creditmemo' },
    );
    const bad = await acts.postCreditNote(posting()).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ApplicationFailure);
    expect(bad).toMatchObject({
      type: 'integration.invalid',
      nonRetryable: true,
      message: expect.stringContaining('Amount calculation incorrect in the request.'),
    });
    qb.sim.admin.failNext(qb.realmId, { kind: 'throttled' });
    const slow = await acts.postCreditNote(posting()).catch((e: unknown) => e);
    expect(slow).toMatchObject({ type: 'integration.rate_limited', nonRetryable: false, nextRetryDelay: 60_000 });
    // QuickBooks refused the memo with a 400 and then throttled the next call; nothing more was written.
    const statuses = qb.sim.admin
      .requests()
      .slice(before)
      .map((r) => r.status);
    expect(statuses.filter((s) => s === 400)).toHaveLength(1);
    expect(statuses.at(-1)).toBe(429);
    expect(qb.sim.admin.creditMemos(qb.realmId)).toHaveLength(1);
    expect(qb.sim.admin.invoice(qb.realmId, invoiceId)?.Balance).toBe(250);
  });
});

describe('invoice PDF', () => {
  it("stores the ledger's invoice PDF with the case once, for letters to attach", async () => {
    const req = {
      key: `${caseId}/invoice-pdf`,
      caseId,
      connectionId: 'c',
      invoiceId,
      invoiceNumber: '1001',
    };
    const first = await acts.attachInvoicePdf(req);
    expect(await acts.attachInvoicePdf(req)).toEqual(first);
    expect(first.name).toBe('Invoice 1001.pdf');
    const stored = await docs.load(first.documentId);
    // The PDF QuickBooks renders for the invoice, stored as it came.
    expect(stored.contentType).toBe('application/pdf');
    expect(stored.content.subarray(0, 5).toString()).toBe('%PDF-');
    expect(stored.content.toString('latin1')).toContain('(Invoice 1001) Tj');
    // Stored once (the second call fetches the PDF again and keeps the document it already has).
    expect((await docs.listForCase(caseId)).filter((d) => d.kind === 'invoice')).toHaveLength(1);
  });
});

describe('evidence pack', () => {
  it('builds a readable PDF once and stores it with the case documents', async () => {
    const view = {
      caseId,
      status: 'final_notice' as const,
      paid: { minor: 60_000, currency: 'USD' },
      disputed: { minor: 40_000, currency: 'USD' },
      conceded: { minor: 0, currency: 'USD' },
      drafts: [
        {
          version: 1,
          kind: 'first_response' as const,
          state: 'sent' as const,
          draftedAt: '2026-12-04T15:00:00Z',
          sentAt: '2026-12-05T15:00:00Z',
          content: {
            subject: 'Invoice 1001',
            text: 'We accept your payment as partial payment only.',
            html: '',
            attachments: [],
          },
        },
      ],
      deadlines: [],
      timeline: [
        { at: '2026-12-04T15:00:00Z', kind: 'opened', summary: 'Short payment detected' },
        // 02:30 UTC on the 6th is still the evening of the 5th in New York, the organisation's zone.
        { at: '2026-12-06T02:30:00Z', kind: 'client_replied', summary: 'The client replied' },
      ],
      ledgerConnected: true,
      lines: [],
      account: caseAccount({
        total: { minor: 100_000, currency: 'USD' },
        payments: [{ ref: 'pay-1', amount: { minor: 60_000, currency: 'USD' }, date: '2026-12-04' }],
        credits: [],
        writeOffs: [],
      }),
      evidencePack: {},
    };
    const req = {
      key: `${caseId}/evidence-pack`,
      caseId,
      organisation: input.organisation,
      invoice: input.invoice!,
      payments: [{ ...input.payments[0]!, memo: 'full and final' }],
      view,
      documents: input.documents,
    };
    const first = await acts.buildEvidencePack(req);
    const again = await acts.buildEvidencePack(req);
    expect(again).toEqual(first);
    const pdf = await docs.load(first.documentId);
    expect(pdf.content.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(pdf.content);
    expect(pdf.contentType).toBe('application/pdf');
    for (const s of [
      'Evidence pack',
      'Ledger statement',
      'Amount claimed (still owed): $400.00',
      'Chronology',
      'Times are in the America/New_York time zone.',
      'memo: "full and final"',
      'partial payment only',
      'Exhibit 1: Signed SOW.pdf',
      'Not legal advice',
    ])
      expect(text).toContain(s);
    // The chronology in the organisation's zone, as on the pages (the dash is WinAnsi's, one byte).
    expect(text).toMatch(/^Fri, Dec 4, 2026, 10:00 AM EST . Short payment detected$/m);
    expect(text).toMatch(/^Sat, Dec 5, 2026, 9:30 PM EST . The client replied$/m);
    expect(text).toMatch(/^2026-12-05 . Invoice 1001$/m);
    expect(text).not.toContain('UTC');
    expect((await docs.listForCase(caseId)).filter((d) => d.kind === 'evidence_pack')).toHaveLength(1);
  });

  it('never reads as answering before the client objected, when the business moved to another zone in between', async () => {
    // The objection came at 1 AM Friday in Auckland, where the business is now; our answer went out at 10:30 PM on
    // Thursday from New York, where it was then: the day it carried is the day before the objection's in the chronology.
    const auckland = { ...input.organisation, timeZone: 'Pacific/Auckland' };
    const letter = { subject: 'Invoice 1001', text: 'Our position.', html: '', attachments: [] };
    const view = {
      caseId,
      status: 'final_notice' as const,
      paid: { minor: 60_000, currency: 'USD' },
      disputed: { minor: 40_000, currency: 'USD' },
      conceded: { minor: 0, currency: 'USD' },
      drafts: [
        {
          version: 1,
          kind: 'first_response' as const,
          state: 'sent' as const,
          draftedAt: '2026-06-04T20:00:00Z',
          sentAt: '2026-06-05T02:30:00Z',
          sentZone: 'America/New_York',
          content: letter,
        },
      ],
      deadlines: [],
      timeline: [
        { at: '2026-06-04T13:00:00Z', kind: 'objection', summary: 'Objection registered' },
        { at: '2026-06-05T02:30:00Z', kind: 'sent', summary: 'Invoice 1001 (v1) sent' },
      ],
      ledgerConnected: true,
      lines: [],
      account: caseAccount({
        total: { minor: 100_000, currency: 'USD' },
        payments: [{ ref: 'pay-1', amount: { minor: 60_000, currency: 'USD' }, date: '2026-06-01' }],
        credits: [],
        writeOffs: [],
      }),
      evidencePack: {},
    };
    const text = pdfText(
      await renderEvidencePack(
        { key: 'k', caseId, organisation: auckland, invoice: input.invoice!, payments: [], view, documents: [] },
        new Date('2026-07-01T00:00:00Z'),
      ),
    );
    expect(text).toContain('Times are in the Pacific/Auckland time zone.');
    expect(text).toMatch(/^Fri, Jun 5, 2026, 1:00 AM GMT\+12 . Objection registered$/m);
    expect(text).toMatch(/^Fri, Jun 5, 2026, 2:30 PM GMT\+12 . Invoice 1001 \(v1\) sent$/m);
    // The letter keeps the day it carried, and is placed on the chronology's day beside it.
    expect(text).toMatch(/^2026-06-04 \(America\/New_York; 2026-06-05 in the chronology\) . Invoice 1001$/m);
    expect(text).toContain(
      'The written response of 2026-06-04 (America/New_York; 2026-06-05 in the chronology) set out the position',
    );
  });
});

describe('audit entries written by the step they record', () => {
  it('a letter and an approval request write their entry once they went out, once per key, the letter with its messageId', async () => {
    const letter = {
      key: `${caseId}/receipt-audited`,
      caseId,
      to: 'pay@harbor.example',
      subject: 'Receipt with its audit entry',
      text: 'Received, thank you',
      html: '<p>Received, thank you</p>',
      attachments: [],
      audit: { key: `${caseId}/audit/receipt_sent/9`, caseId, kind: 'receipt_sent', actor: 'shortfall', data: {} },
    };
    const sent = await acts.sendEmail(letter);
    await acts.sendEmail(letter); // a retried activity: the mail and the entry are each there once
    expect(smtp.messages.filter((m) => m.subject === 'Receipt with its audit entry')).toHaveLength(1);
    const receipts = await h.db.select().from(auditEvents).where(eq(auditEvents.idempotencyKey, letter.audit.key));
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({
      kind: 'receipt_sent',
      actor: 'shortfall',
      data: { messageId: sent.messageId },
    });

    const approval = {
      key: `${caseId}/approval/audited`,
      caseId,
      workflowId: 'case/x',
      version: 2,
      kind: 'first_response' as const,
      draft: { subject: 'Audited draft', text: 'Dear Harbor Cafe', html: '<p>Dear Harbor Cafe</p>', attachments: [] },
      organisation: input.organisation,
      audit: {
        key: `${caseId}/audit/draft_ready/10`,
        caseId,
        kind: 'draft_ready',
        actor: 'shortfall',
        data: { version: 2, kind: 'first_response' },
      },
    };
    await acts.requestApproval(approval);
    await acts.requestApproval(approval);
    expect(smtp.messages.filter((m) => m.subject === 'Approve: Audited draft')).toHaveLength(1);
    const ready = await h.db.select().from(auditEvents).where(eq(auditEvents.idempotencyKey, approval.audit.key));
    expect(ready).toHaveLength(1);
    expect(ready[0]).toMatchObject({ kind: 'draft_ready', data: { version: 2, kind: 'first_response' } });
  });

  it('a letter that cannot go out writes no entry: the retry that sends it does', async () => {
    const failing = createOutbox(h.db, createMailTransport({ smtpUrl: 'smtp://127.0.0.1:1', from: 'x@y.z' }), docs);
    const broken = createCaseActivities({ ...deps, outbox: failing });
    const letter = {
      key: `${caseId}/audited-retry`,
      caseId,
      to: 'a@b.c',
      subject: 'Audited retry',
      text: 't',
      html: 'h',
      attachments: [],
      audit: { key: `${caseId}/audit/receipt_sent/retry`, caseId, kind: 'receipt_sent', actor: 'shortfall', data: {} },
    };
    await expect(broken.sendEmail(letter)).rejects.toThrow();
    expect(await h.db.select().from(auditEvents).where(eq(auditEvents.idempotencyKey, letter.audit.key))).toEqual([]);
    await acts.sendEmail(letter);
    expect(await h.db.select().from(auditEvents).where(eq(auditEvents.idempotencyKey, letter.audit.key))).toHaveLength(
      1,
    );
  });
});
