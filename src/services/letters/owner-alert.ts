import type { CaseKind } from '../../domain/case.js';
import type { ScheduleEntry } from '../../domain/deadlines.js';
import { formatMoney, type Money } from '../../domain/money.js';
import type { LetterTemplate } from './engine.js';
import { renderLetter } from './engine.js';
import { formatDeadlineTime } from './format.js';
import type { Draft, Organisation } from './types.js';

const kindLabels: Record<CaseKind, string> = {
  short_payment: 'short payment',
  dispute: 'dispute',
  both: 'short payment and dispute',
};

const deadlineLabels: Record<string, string> = {
  written_response: 'Send the written response',
  written_response_hard_limit: 'Latest date for the written response',
  dispute_evidence: 'Submit the chargeback evidence',
  remaining_balance: 'Remaining balance due from the client',
};

const template: LetterTemplate = {
  subject:
    '<%= it.fullAndFinal ? "Urgent: " : "" %><%= it.customerName %>, invoice <%= it.invoiceNumber %>: <%= it.kindLabel %> of <%= it.disputed %>',
  body: `Hello,

<%= it.customerName %> has <%= it.summary %> invoice <%= it.invoiceNumber %> (<%= it.total %>). Paid so far: <%= it.paid %>. Unpaid remainder: <%= it.disputed %>.

<% if (it.fullAndFinal) { -%>
Urgent: the payment is marked "<%= it.fullAndFinal %>". Cashing a payment marked "full and final" without objecting in writing may settle the whole invoice for the smaller amount. We have drafted a written response that rejects this and accepts the payment as partial payment only; please approve it today. In some places even an objection may not be enough once such a payment is cashed, so if it is a cheque you have not yet deposited, consider holding it until you have taken advice.

<% } -%>
<% if (it.deadlines.length) { -%>
Deadlines:

<% it.deadlines.forEach(function (d) { -%>
- <%= d.label %>: <%= d.at %>
<% }) -%>

<% } -%>
Shortfall has drafted the letters for this case for your approval. Nothing is sent to the client until you approve it.

Not legal advice.
`,
};

export interface OwnerAlertFacts {
  readonly org: Organisation;
  readonly customerName: string;
  readonly invoiceNumber: string;
  readonly kind: CaseKind;
  readonly total: Money;
  readonly paid: Money;
  readonly disputed: Money;
  /** The flagged memo text, when the payment claimed full and final settlement. */
  readonly fullAndFinalMemo?: string;
  readonly deadlines: readonly Pick<ScheduleEntry, 'kind' | 'name' | 'at'>[];
}

/** (g) Owner-facing summary; the only draft that carries the "Not legal advice." line. */
export function draftOwnerAlert(f: OwnerAlertFacts): Draft {
  const locale = f.org.locale ?? 'en-US';
  const money = (m: Money) => formatMoney(m, locale);
  const summary = { short_payment: 'paid part of', dispute: 'disputed', both: 'paid part of and disputed' }[f.kind];
  const data = {
    customerName: f.customerName,
    invoiceNumber: f.invoiceNumber,
    kindLabel: kindLabels[f.kind],
    summary,
    total: money(f.total),
    paid: money(f.paid),
    disputed: money(f.disputed),
    fullAndFinal: f.fullAndFinalMemo,
    deadlines: f.deadlines
      .filter((d) => d.kind === 'deadline')
      .map((d) => ({
        label: deadlineLabels[d.name] ?? d.name,
        at: formatDeadlineTime(d.at, locale, f.org.zone),
      })),
  };
  return { kind: 'owner_alert', ...renderLetter(template, data), attachments: [] };
}
