import type { LetterTemplate } from './engine.js';
import { renderLetter } from './engine.js';
import { baseView } from './format.js';
import { greeting, partialPaymentMeaning, signOff } from './partials.js';
import type { Draft, LetterFacts, PaymentSummary } from './types.js';

const template: LetterTemplate = {
  subject: 'Payment received for invoice <%= it.invoiceNumber %>: <%= it.amount %>',
  body: `${greeting}
Thank you for your payment of <%= it.amount %>, received on <%= it.date %>, towards invoice <%= it.invoiceNumber %> dated <%= it.invoiceDate %> for <%= it.invoiceTotal %>.

This payment has been accepted as partial payment only, not as settlement of the invoice. The remaining balance of <%= it.balance %> on invoice <%= it.invoiceNumber %> is still outstanding.
${partialPaymentMeaning}${signOff}`,
};

/** (a) Sent as soon as a short payment is detected, so the payment is documented in writing at once. */
export function draftPartialPaymentReceipt(facts: LetterFacts & { payment: PaymentSummary }): Draft {
  const view = baseView(facts);
  const data = { ...view, amount: view.money(facts.payment.amount), date: view.day(facts.payment.date) };
  return { kind: 'partial_payment_receipt', ...renderLetter(template, data), attachments: [] };
}
