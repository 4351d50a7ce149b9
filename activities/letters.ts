// Turns a workflow's LetterRequest into the domain's letter facts and renders the draft.
// Only translation lives here: what each letter says is decided in src/services/letters.
import type { LetterRequest } from '../workflows/dispute-case/activities.js';
import type { DraftContent } from '../workflows/dispute-case/definitions.js';
import { legacyFields, persistedValues } from '../workflows/dispute-case/persisted-names.js';
import {
  draftFinalNotice,
  draftFirstResponse,
  draftLineItemResponse,
  draftPartialPaymentReceipt,
  draftDisputeEvidence,
  evidenceForOwner,
  draftVagueObjectionReply,
  type Draft,
  type LetterFacts,
} from '../src/services/letters/index.js';

import { caseCreditReference } from '../src/domain/account.js';
import { formatMoney, type Money } from '../src/domain/money.js';

export const creditNoteReference = caseCreditReference;

function facts(r: LetterRequest): LetterFacts {
  const org = {
    name: r.organisation.name,
    signature: r.organisation.signature,
    zone: r.organisation.timeZone,
    locale: r.organisation.locale,
  };
  const inv = r.invoice;
  const invoice = inv
    ? {
        number: inv.number,
        total: inv.total,
        issueDate: inv.issueDate,
        lines: inv.lines.map((l) => ({ id: l.id, description: l.description, amount: l.amount })),
      }
    : {
        number: r.chargeback!.chargeId,
        total: r.chargeback!.amount,
        issueDate: r.payments[0]?.date ?? '1970-01-01',
        lines: [],
      };
  return {
    org,
    customer: {
      name: inv?.customerName ?? 'Customer',
      ...(inv?.customerEmail ? { email: inv.customerEmail } : {}),
      ...(inv?.customerLocale ? { locale: inv.customerLocale } : {}),
    },
    invoice,
    payments: r.payments.map((p) => ({ amount: p.amount, date: p.date, ...(p.memo ? { memo: p.memo } : {}) })),
    balance: r.balance,
    documents: r.documents,
    ...(r.account
      ? { credits: r.account.credits.map((c) => ({ number: c.number ?? c.ref, amount: c.amount, at: c.at })) }
      : {}),
    ...(r.replies?.length ? { replies: r.replies } : {}),
  };
}

const content = (d: Draft): DraftContent => ({
  subject: d.subject,
  text: d.text,
  html: d.html,
  attachments: d.attachments,
});

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`a ${what} is required for this letter`);
  return value;
}

/** The letters that ask the client for the balance: they name the ledger's own payment page when it has one. */
export const asksForPayment = (kind: LetterRequest['kind']): boolean =>
  kind === 'first_response' || kind === 'uphold' || kind === 'concession' || kind === 'final_notice';

/**
 * A request a workflow scheduled before the chargeback field had its neutral name (persisted-names.ts) and a worker
 * of this version runs: read the old field as the new one.
 */
function upgraded(r: LetterRequest): LetterRequest {
  const legacy = (r as unknown as Record<string, unknown>)[legacyFields.chargeback] as LetterRequest['chargeback'];
  return r.chargeback || !legacy ? r : { ...r, chargeback: legacy };
}

/**
 * The day of the disputed charge, as the books record the card payment the processor took back: the latest payment of
 * the charge's amount (as the chargeback was matched to the invoice). None when the books hold no such payment.
 */
function chargedOn(r: LetterRequest, amount: Money): { chargedOn?: string } {
  const payment = [...(r.account?.payments ?? [])]
    .filter((p) => !p.held && p.amount.currency === amount.currency && p.amount.minor === amount.minor)
    .sort((a, b) => a.date.localeCompare(b.date))
    .at(-1);
  return payment ? { chargedOn: payment.date } : {};
}

/** `payOnline`: the provider's page where the client pays this invoice (src/services/ledger/payment-links.ts). */
export function renderDraft(
  recorded: LetterRequest,
  o: { readonly payOnline?: string | undefined } = {},
): DraftContent {
  const r = upgraded(recorded);
  const f = { ...facts(r), ...(o.payOnline ? { payOnline: o.payOnline } : {}) };
  const payment = f.payments[f.payments.length - 1];
  switch (r.kind) {
    case 'receipt':
      return content(draftPartialPaymentReceipt({ ...f, payment: need(payment, 'payment') }));
    case 'first_response':
      return content(
        draftFirstResponse({
          ...f,
          ...(payment && !r.plan ? { payment } : {}),
          fullAndFinal: Boolean(r.fullAndFinal),
          remainderDueBy: need(r.paymentDueBy, 'payment deadline'),
          ...(r.plan ? { plan: r.plan } : {}),
        }),
      );
    case 'ask_specifics':
      return content(
        draftVagueObjectionReply({
          ...f,
          objectionReceivedAt: need(r.objection, 'objection').receivedAt,
          replyBy: need(r.paymentDueBy, 'reply deadline'),
        }),
      );
    case 'uphold':
    case 'concession': {
      const o = need(r.objection, 'objection');
      const credits = new Map((r.concession?.lines ?? []).map((c) => [c.lineId, c.amount]));
      const findings = o.lineIds.map((id) => {
        const line = f.invoice.lines.find((l) => l.id === id)!;
        const credit = credits.get(id);
        return { description: line.description, amount: line.amount, ...(credit ? { credit } : {}) };
      });
      const total = r.concession
        ? { minor: r.concession.lines.reduce((s, c) => s + c.amount.minor, 0), currency: r.balance.currency }
        : undefined;
      return content(
        draftLineItemResponse({
          ...f,
          findings,
          remainderDueBy: need(r.paymentDueBy, 'payment deadline'),
          ...(total ? { creditNote: { number: creditNoteReference(r.caseId), total } } : {}),
          // The first written response to a "full and final" payment must reject it, whichever letter that is.
          ...(r.firstWrittenResponse && r.fullAndFinal ? { fullAndFinal: { memo: r.fullAndFinal.memo } } : {}),
        }),
      );
    }
    case 'final_notice':
      return content(
        draftFinalNotice({
          ...f,
          respondedAt: need(r.respondedAt, 'first response date'),
          ...(r.respondedZone ? { respondedZone: r.respondedZone } : {}),
          payBy: need(r.paymentDueBy, 'final deadline'),
        }),
      );
    case persistedValues.evidenceDraftKind: {
      const dispute = need(r.chargeback, 'chargeback');
      // The ledger's own service dates, when its lines carry them; never the invoice's issue date.
      const days = (r.invoice?.lines ?? []).flatMap((l) => (l.serviceDate ? [l.serviceDate] : [])).sort();
      const draft = draftDisputeEvidence({
        ...f,
        serviceDescription:
          f.invoice.lines.map((l) => l.description).join('; ') || `Services charged as ${dispute.chargeId}`,
        ...(days.length > 0 && { service: { from: days[0]!, to: days.at(-1)! } }),
        reason: dispute.reason,
        ...chargedOn(r, dispute.amount),
        correspondence: r.correspondence ?? [],
      });
      const fields = Object.fromEntries(
        Object.entries({ ...draft.fields, customer_communication: draft.customerCommunication }).filter(
          (e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== '',
        ),
      );
      // The owner reads the evidence in words; the processor's field names stay in `evidence`, what is submitted.
      const text = evidenceForOwner(fields);
      const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      return {
        // For the owner (the processor takes no subject): the invoice and client, not the processor's ids.
        subject: r.invoice
          ? `Evidence for the chargeback on invoice ${r.invoice.number} (${r.invoice.customerName})`
          : `Evidence for the chargeback of ${formatMoney(dispute.amount, r.organisation.locale ?? 'en-US')}`,
        text,
        html: `<pre>${escape(text)}</pre>`,
        attachments: draft.attachments.map((a) => ({ documentId: a.documentId, name: a.name })),
        evidence: fields,
      };
    }
  }
}
