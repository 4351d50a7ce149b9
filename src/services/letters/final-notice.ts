import type { LetterTemplate } from './engine.js';
import { renderLetter } from './engine.js';
import { attachmentsOf, baseView } from './format.js';
import { greeting, payOnline, signOff } from './partials.js';
import type { Draft, LetterFacts } from './types.js';

const template: LetterTemplate = {
  subject: 'Final notice: invoice <%= it.invoiceNumber %>, <%= it.balance %> outstanding',
  body: `${greeting}
This is our final notice about invoice <%= it.invoiceNumber %> dated <%= it.invoiceDate %> for <%= it.invoiceTotal %>.

<% if (it.hasPaid) { -%>
You paid <%= it.paid %>, which we accepted as partial payment only. <% } -%>We wrote to you on <%= it.respondedOn %> asking you to tell us specifically which item you dispute and why, and we have not received a substantive answer. The remaining balance of <%= it.balance %> is still outstanding.

Please pay <%= it.balance %> by <%= it.payBy %>. If we have not received payment by then, we intend to file a claim for the balance in small claims court without further notice. In that claim we will rely on <% if (it.hasPaid) { -%>your partial payment, <% } -%>our written correspondence and the documents listed below.

<% if (it.documents.length) { -%>
<% it.documents.forEach(function (d) { -%>
- <%= d %>
<% }) -%>
<% } -%>
<% if (it.payOnline) { -%>

<% } -%>
${payOnline}${signOff}`,
};

export interface FinalNoticeFacts extends LetterFacts {
  /** When the first written response was sent (ISO timestamp). */
  readonly respondedAt: string;
  /** The organisation's zone it was sent in, so it is cited by the date it carried; the current zone when unknown. */
  readonly respondedZone?: string;
  readonly payBy: string; // ISO timestamp
}

/** (e) The last letter before a small-claims filing. */
export function draftFinalNotice(facts: FinalNoticeFacts): Draft {
  const view = baseView(facts);
  const data = {
    ...view,
    respondedOn: view.sentOn(facts.respondedAt, facts.respondedZone),
    payBy: view.deadline(facts.payBy),
  };
  return { kind: 'final_notice', ...renderLetter(template, data), attachments: attachmentsOf(facts.documents) };
}
