// Template fragments shared by the client letters. Each expects the BaseView fields on `it`.

export const greeting = `Dear <%= it.customerName %>,
`;

export const signOff = `
Kind regards,

<%= it.signature %>
<% if (!it.signatureNamesOrg) { -%>
<%= it.orgName %>
<% } -%>
`;

export const invoiceLines = `<% if (it.lines.length) { -%>
The lines on invoice <%= it.invoiceNumber %> are:

<% it.lines.forEach(function (l) { -%>
- <%= l.description %>: <%= l.amount %>
<% }) -%>
<% } -%>
`;

export const documentsAttached = `<% if (it.documents.length) { -%>
We attach the following documents for this invoice:

<% it.documents.forEach(function (d) { -%>
- <%= d %>
<% }) -%>
<% } -%>
`;

/** Where a balance is asked for: the provider's own page for paying it, when the ledger has one. */
export const payOnline = `<% if (it.payOnline) { -%>
Pay online: <%= it.payOnline %>
<% } -%>
`;

export const askForSpecifics = `
- which line item or deliverable you are disputing, and why;
- what you expected, and what you received instead.
`;

/** The seed: a partial payment acknowledges the part paid and narrows the dispute to the unpaid remainder. */
export const partialPaymentMeaning = `<% if (it.hasPaid) { -%>
Your payment acknowledges that the <%= it.paid %> you paid was owed. Only the unpaid remainder of <%= it.balance %> is open between us.
<% } -%>
`;

export const repliesAcknowledged = `<% if (it.replies.length) { -%>
Thank you for your <%= it.replies.length > 1 ? 'messages' : 'message' %> of <%= it.replies.map(function (r) { return r.on + ' ("' + r.subject + '")'; }).join(' and ') %>.

<% } -%>
`;
