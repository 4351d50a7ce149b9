import type { LetterTemplate } from './engine.js';
import { renderLetter } from './engine.js';
import { baseView } from './format.js';
import { askForSpecifics, greeting, invoiceLines, signOff } from './partials.js';
import type { Draft, LetterFacts } from './types.js';

const template: LetterTemplate = {
  subject: 'Invoice <%= it.invoiceNumber %>: please tell us specifically what you dispute',
  body: `${greeting}
Thank you for your message of <%= it.receivedOn %> about invoice <%= it.invoiceNumber %>. We want to resolve your concern, but we cannot investigate a general objection. So that we can look into it, please tell us in writing by <%= it.replyBy %>:
${askForSpecifics}
${invoiceLines}
<% if (it.hasPaid) { -%>
Your payment of <%= it.paid %> has been accepted as partial payment only. The remaining balance of <%= it.balance %> is still outstanding.
<% } else { -%>
The balance of <%= it.balance %> on invoice <%= it.invoiceNumber %> is still outstanding.
<% } -%>
${signOff}`,
};

export interface VagueObjectionFacts extends LetterFacts {
  readonly objectionReceivedAt: string; // ISO timestamp
  readonly replyBy: string; // ISO timestamp
}

/** (c) Reply to an objection that names no line item or deliverable. */
export function draftVagueObjectionReply(facts: VagueObjectionFacts): Draft {
  const view = baseView(facts);
  const data = { ...view, receivedOn: view.deadline(facts.objectionReceivedAt), replyBy: view.deadline(facts.replyBy) };
  return { kind: 'vague_objection_reply', ...renderLetter(template, data), attachments: [] };
}
