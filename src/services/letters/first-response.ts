import type { LetterTemplate } from './engine.js';
import { renderLetter } from './engine.js';
import { attachmentsOf, baseView } from './format.js';
import {
  askForSpecifics,
  documentsAttached,
  greeting,
  invoiceLines,
  partialPaymentMeaning,
  payOnline,
  repliesAcknowledged,
  signOff,
} from './partials.js';
import type { Money } from '../../domain/money.js';
import type { Draft, LetterFacts, PaymentSummary } from './types.js';

const template: LetterTemplate = {
  subject:
    'Invoice <%= it.invoiceNumber %>: <%= it.amount ? "your payment and the remaining balance" : "your concerns and the balance" %> of <%= it.balance %>',
  body: `${greeting}
${repliesAcknowledged}<% if (it.plan) { -%>
We agreed that invoice <%= it.invoiceNumber %> dated <%= it.invoiceDate %> for <%= it.invoiceTotal %> would be paid in instalments. The instalments due so far have not all been paid: <%= it.plan.overdue %> is overdue.

The agreed instalments are:

<% it.plan.instalments.forEach(function (i) { -%>
- <%= i.dueOn %>: <%= i.amount %>
<% }) -%>

Please pay the overdue <%= it.plan.overdue %> by <%= it.dueBy %>. The later instalments stay due on their agreed dates.
${payOnline}
If something about the work is holding the payment back, please tell us in writing:
${askForSpecifics}
${documentsAttached}${signOff}<% } else { -%>
<% if (it.amount) { -%>
Thank you for your payment of <%= it.amount %>, received on <%= it.date %>, towards invoice <%= it.invoiceNumber %> dated <%= it.invoiceDate %> for <%= it.invoiceTotal %>.

<% } else { -%>
Thank you for letting us know that you have concerns about invoice <%= it.invoiceNumber %> dated <%= it.invoiceDate %> for <%= it.invoiceTotal %>. The balance of <%= it.balance %> is still outstanding.

<% } -%>
<% if (it.fullAndFinal) { -%>
<% if (it.memo) { %>Your payment carried the note "<%= it.memo %>".<% } else { %>Your payment was marked as payment in full.<% } %> We do not accept this payment in full and final settlement of invoice <%= it.invoiceNumber %>, and we expressly reject any accord and satisfaction. We have accepted the payment as partial payment only, and not as settlement, and we reserve our right to the remaining balance of <%= it.balance %>.
<% } else if (it.amount) { -%>
We have accepted this payment as partial payment only, and not as settlement of the invoice. The remaining balance of <%= it.balance %> is still outstanding.
<% } -%>
${partialPaymentMeaning}
We understand that you have concerns about part of the invoice, and we want to look into them properly. Please tell us in writing:
${askForSpecifics}
${invoiceLines}
${documentsAttached}
Please pay the remaining balance of <%= it.balance %> by <%= it.dueBy %>, or before then tell us specifically which item you dispute and why.
${payOnline}${signOff}<% } -%>`,
};

export interface FirstResponseFacts extends LetterFacts {
  /** The short payment being acknowledged; absent for a dispute raised before any payment. */
  readonly payment?: PaymentSummary;
  /** Set when the payment memo was flagged as "full and final". */
  readonly fullAndFinal: boolean;
  readonly remainderDueBy: string; // ISO timestamp
  /** The agreed payment plan, when the client missed an instalment: the letter asks for the overdue part only. */
  readonly plan?: {
    readonly overdue: Money;
    readonly instalments: readonly { readonly dueOn: string; readonly amount: Money }[];
  };
}

/** (b) The written response to a short payment or dispute. */
export function draftFirstResponse(facts: FirstResponseFacts): Draft {
  const view = baseView(facts);
  const { payment } = facts;
  const data = {
    ...view,
    dueBy: view.deadline(facts.remainderDueBy),
    amount: payment && view.money(payment.amount),
    date: payment && view.day(payment.date),
    fullAndFinal: Boolean(payment && facts.fullAndFinal),
    memo: payment?.memo,
    plan: facts.plan && {
      overdue: view.money(facts.plan.overdue),
      instalments: facts.plan.instalments.map((i) => ({ dueOn: view.day(i.dueOn), amount: view.money(i.amount) })),
    },
  };
  return { kind: 'first_response', ...renderLetter(template, data), attachments: attachmentsOf(facts.documents) };
}
