// The client accepts the balance and pays it where the ledger lets them: the letter that asks for the balance names
// QuickBooks' own payment page for the invoice, and the response page links it once the client accepts. Without
// online payment on the invoice, or with the ledger out of reach, the page still works and says whom to contact.
import { expect } from 'vitest';
import { scenario, type Scenario } from './harness/index.js';
import { shortPaid } from './harness/stories.js';

/** The first response, approved and sent: the letter that asks for the $400.00 balance. */
async function firstResponse(s: Scenario, onlinePayment: boolean) {
  const { inv } = await shortPaid(s, { onlinePayment });
  await s.approveLatest('first_response', inv);
  await s.letterSent('first_response', inv);
  return { inv, letter: await s.clientReceived(/your payment and the remaining balance of \$400\.00/) };
}

const payOnline = /Pay online: (http:\/\/127\.0\.0\.1:\d+\/portal\/app\/CommerceNetwork\/view\/scs-v1-\S+)/;

scenario(
  "the client accepts the balance from the letter's link and is shown QuickBooks' own payment page for it",
  async (s) => {
    const { letter } = await firstResponse(s, true);
    const link = payOnline.exec(letter.text)?.[1];
    expect(link).toBeDefined();
    expect(letter.text.indexOf('Pay online:')).toBeGreaterThan(letter.text.indexOf('Please pay the remaining balance'));

    const page = await s.clientAcceptsBalance(letter);
    expect(page.text).toContain('You accept the balance of $400.00.');
    expect(page.text).toContain('Pay $400.00 online');
    expect(page.html).toContain(`href="${link}" rel="noopener noreferrer">Pay $400.00 online</a>`);
    await s.ownerReceived(/Harbor Cafe accepts the balance of invoice/);

    // The link is QuickBooks' page for this invoice: it shows the same balance, ready to pay.
    const payment = await fetch(link!);
    expect(payment.status).toBe(200);
    expect(await payment.text()).toContain('Balance due 400.00 USD');
    expect((await s.view()).objection).toBeUndefined();
  },
);

scenario(
  'an invoice QuickBooks cannot take online: no link in the letter, and the page says whom to contact',
  async (s) => {
    const { letter } = await firstResponse(s, false);
    expect(letter.text).not.toContain('Pay online');
    const page = await s.clientAcceptsBalance(letter);
    expect(page.text).toContain('You accept the balance of $400.00.');
    expect(page.text).not.toContain('online');
    expect(page.text).toMatch(/For anything about paying, contact Brightside Design \S+ by replying to their email\./);
  },
);

scenario(
  'with the QuickBooks connection broken for weeks, the page still loads and says whom to contact',
  async (s) => {
    const { letter } = await firstResponse(s, true);
    expect(letter.text).toMatch(payOnline);
    await s.breakConnection();
    // Past what Shortfall keeps of the link when QuickBooks cannot be asked again.
    await s.skip(8 * 86_400_000);
    const page = await s.clientAcceptsBalance(letter);
    expect(page.text).toContain('You accept the balance of $400.00.');
    expect(page.text).not.toContain('Pay $400.00 online');
    expect(page.text).toContain('For anything about paying, contact Brightside Design');
  },
);
