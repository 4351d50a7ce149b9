import type { Money } from '../../domain/money.js';
import type { LetterTemplate } from './engine.js';
import { renderLetter } from './engine.js';
import { attachmentsOf, baseView } from './format.js';
import {
  documentsAttached,
  greeting,
  partialPaymentMeaning,
  payOnline,
  repliesAcknowledged,
  signOff,
} from './partials.js';
import type { Draft, LetterFacts } from './types.js';

const template: LetterTemplate = {
  subject: 'Invoice <%= it.invoiceNumber %>: our response to the points you raised',
  body: `${greeting}
${repliesAcknowledged}Thank you for setting out your concerns about invoice <%= it.invoiceNumber %>. We have checked each point against our records.
<% if (it.fullAndFinal) { -%>

<% if (it.memo) { %>Your payment carried the note "<%= it.memo %>".<% } else { %>Your payment was marked as payment in full.<% } %> We do not accept it in full and final settlement of invoice <%= it.invoiceNumber %>, and we expressly reject any accord and satisfaction. We have accepted it as partial payment only.
<% } -%>

<% it.supported.forEach(function (l) { -%>
<%= l.description %> (<%= l.amount %>): our documents support this charge as invoiced, and it stands.

<% }) -%>
<% it.conceded.forEach(function (l) { -%>
<%= l.description %> (<%= l.amount %>): you are right on this point. We will issue a credit note for <%= l.credit %>.

<% }) -%>
<% if (it.creditNote) { -%>
Credit note <%= it.creditNote.number %> for <%= it.creditNote.total %> will be applied to invoice <%= it.invoiceNumber %>. This credit is given for the item<%= it.conceded.length > 1 ? 's' : '' %> named above only. It is not an admission that any other part of the invoice is wrong, and the rest of the invoice stands.

<% } -%>
${documentsAttached}
<% if (it.settled) { -%>
<% if (it.hasPaid) { %>With your payment of <%= it.paid %><% if (it.creditNote) { %> and <% } %><% } else { %>With <% } %><% if (it.creditNote) { %>credit note <%= it.creditNote.number %><% } %>, invoice <%= it.invoiceNumber %> is now settled in full. Nothing more is owed, and no further payment is needed.
<% } else { -%>
<% if (it.hasPaid) { -%>
Your earlier payment of <%= it.paid %> was accepted as partial payment only. <% } -%>The remaining balance is <%= it.balance %>. Please pay it by <%= it.dueBy %>.
${payOnline}${partialPaymentMeaning}<% } -%>
${signOff}`,
};

export interface LineItemFinding {
  readonly description: string;
  readonly amount: Money;
  /** Present when the objection has merit: the credit given for this line. */
  readonly credit?: Money;
}

export interface LineItemResponseFacts extends LetterFacts {
  readonly findings: readonly LineItemFinding[];
  /** Required when any finding is conceded. */
  readonly creditNote?: { readonly number: string; readonly total: Money };
  readonly remainderDueBy: string; // ISO timestamp
  /** This is the first written response to a payment marked "full and final": it must reject that in writing. */
  readonly fullAndFinal?: { readonly memo?: string };
}

/** (d) Reply to a specific objection: each named line is either supported by the documents or conceded. */
export function draftLineItemResponse(facts: LineItemResponseFacts): Draft {
  const view = baseView(facts);
  const row = (f: LineItemFinding) => ({
    description: f.description,
    amount: view.money(f.amount),
    credit: f.credit ? view.money(f.credit) : '',
  });
  const conceded = facts.findings.filter((f) => f.credit).map(row);
  if (conceded.length > 0 && !facts.creditNote)
    throw new Error('A conceded line needs the credit note that goes with it');
  const data = {
    ...view,
    dueBy: view.deadline(facts.remainderDueBy),
    conceded,
    supported: facts.findings.filter((f) => !f.credit).map(row),
    creditNote:
      conceded.length && facts.creditNote
        ? { number: facts.creditNote.number, total: view.money(facts.creditNote.total) }
        : undefined,
    fullAndFinal: Boolean(facts.fullAndFinal),
    memo: facts.fullAndFinal?.memo,
  };
  return { kind: 'line_item_response', ...renderLetter(template, data), attachments: attachmentsOf(facts.documents) };
}
