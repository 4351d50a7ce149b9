// Builders for case inputs and a recording implementation of CaseActivities (fakes over mocks, STYLE.md B2 #15).
import { randomUUID } from 'node:crypto';
import type {
  CaseActivities,
  CreditNotePosting,
  LetterRequest,
  OutgoingEmail,
  OwnerNotice,
  ApprovalRequest,
} from '../../workflows/dispute-case/activities.js';
import type { DisputeCaseInput, DraftContent } from '../../workflows/dispute-case/definitions.js';

const usd = (minor: number) => ({ minor, currency: 'USD' });
const ref = (id: string) => ({ provider: 'quickbooks' as const, accountId: 'realm-1', id });

export function shortPaymentInput(over: Partial<DisputeCaseInput> = {}): DisputeCaseInput {
  return {
    caseId: randomUUID(),
    caseKey: `invoice/quickbooks/realm-1/${randomUUID()}`,
    connectionId: randomUUID(),
    provider: 'quickbooks',
    organisation: {
      id: 'org-1',
      name: 'Brightside Design',
      ownerEmail: 'ana@brightside.example',
      timeZone: 'America/New_York',
      locale: 'en-US',
      signature: 'Ana Ruiz',
      holidays: [],
    },
    learnedAt: '2026-12-04T15:00:00.000Z', // a Friday, 10:00 in New York
    invoice: {
      ref: ref('inv-1001'),
      number: '1001',
      customerId: 'cust-7',
      customerName: 'Harbor Cafe',
      customerEmail: 'pay@harbor.example',
      issueDate: '2026-11-01',
      dueDate: '2026-12-01',
      total: usd(100_000),
      balance: usd(40_000),
      lines: [
        { id: 'l1', description: 'Brand identity', quantity: '1', unitPrice: usd(60_000), amount: usd(60_000) },
        { id: 'l2', description: 'Menu design', quantity: '1', unitPrice: usd(25_000), amount: usd(25_000) },
        { id: 'l3', description: 'Signage', quantity: '1', unitPrice: usd(15_000), amount: usd(15_000) },
      ],
    },
    payments: [{ ref: ref('pay-1'), amount: usd(60_000), date: '2026-12-04' }],
    documents: [{ id: 'doc-sow', kind: 'sow', name: 'Signed SOW.pdf' }],
    ...over,
  };
}

export function chargebackInput(over: Partial<DisputeCaseInput> = {}): DisputeCaseInput {
  const { invoice: _i, ...base } = shortPaymentInput();
  return {
    ...base,
    provider: 'stripe',
    caseKey: `dispute/stripe/acct_1/${randomUUID()}`,
    payments: [],
    chargeback: {
      dispute: { provider: 'stripe', accountId: 'acct_1', id: 'dp_1' },
      chargeId: 'ch_1',
      dueBy: '2026-12-14T23:59:59.000Z',
      amount: usd(50_000),
      reason: 'product_not_received',
      status: 'needs_response',
    },
    ...over,
  };
}

export interface Recorded {
  audits: string[];
  letters: LetterRequest[];
  approvals: ApprovalRequest[];
  emails: OutgoingEmail[];
  owner: OwnerNotice[];
  credits: CreditNotePosting[];
  staged: string[];
  submitted: string[];
  packs: string[];
  projections: string[];
}

export function recordingActivities(): { activities: CaseActivities; calls: Recorded } {
  const calls: Recorded = {
    audits: [],
    letters: [],
    approvals: [],
    emails: [],
    owner: [],
    credits: [],
    staged: [],
    submitted: [],
    packs: [],
    projections: [],
  };
  const content = (r: LetterRequest): DraftContent => ({
    subject: `${r.kind} for invoice ${r.invoice?.number ?? r.chargeback?.chargeId}`,
    text: `${r.kind}: balance ${r.balance.minor}${r.paymentDueBy ? ` due ${r.paymentDueBy}` : ''}`,
    html: `<p>${r.kind}</p>`,
    attachments: r.documents.map((d) => ({ documentId: d.id, name: d.name })),
    ...(r.kind === 'stripe_evidence'
      ? { evidence: { product_description: 'Design work', uncategorized_text: 'Delivered' } }
      : {}),
  });
  const activities: CaseActivities = {
    attachInvoicePdf: async (r) => ({ documentId: `pdf-${r.invoiceId}`, name: `Invoice ${r.invoiceNumber}.pdf` }),
    recordAudit: async (e) => void calls.audits.push(e.kind),
    projectCase: async (p) => void calls.projections.push(p.status),
    draftLetter: async (r) => (calls.letters.push(r), content(r)),
    // An audit entry carried by the step is written by it, as activities/cases.ts does.
    requestApproval: async (r) => {
      calls.approvals.push(r);
      if (r.audit) calls.audits.push(r.audit.kind);
    },
    sendEmail: async (m) => {
      calls.emails.push(m);
      if (m.audit) calls.audits.push(m.audit.kind);
      return { messageId: `<${calls.emails.length}@test>` };
    },
    // The same steps under the names the workflow uses when they carry their audit entry.
    requestApprovalAudited: async (r) => activities.requestApproval(r),
    sendEmailAudited: async (m) => activities.sendEmail(m),
    // And when they also carry the case list's row, written once sent.
    requestApprovalProjected: async ({ projection, ...r }) => {
      await activities.requestApproval(r);
      await activities.projectCase(projection);
    },
    sendEmailProjected: async ({ projection, ...m }) => {
      const sent = await activities.sendEmail(m);
      await activities.projectCase(projection);
      return sent;
    },
    notifyOwner: async (n) => void calls.owner.push(n),
    postCreditNote: async (c) => (
      calls.credits.push(c),
      {
        ref: `cm-${calls.credits.length}`,
        total: { minor: c.lines.reduce((s, l) => s + l.amount.minor, 0), currency: c.currency },
      }
    ),
    stageStripeEvidence: async (r) => void calls.staged.push(r.key),
    submitStripeEvidence: async (r) => void calls.submitted.push(r.key),
    buildEvidencePack: async (r) => (calls.packs.push(r.key), { documentId: 'doc-pack', name: 'Evidence pack.pdf' }),
  };
  return { activities, calls };
}
