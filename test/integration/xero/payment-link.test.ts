// The payment link capability against the Xero simulator, through xero-node: GET /Invoices/{id}/OnlineInvoice gives
// an approved sales invoice's online invoice, which the client can open; a draft or a bill has none. Every request
// and answer is held to Xero's OpenAPI files (the harness checks on close).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harbour, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const audit = [{ description: 'Audit', unitAmount: '1000.00' }];

describe('Xero payment links', () => {
  it("reads an approved invoice's online invoice, and the link shows what is due", async () => {
    const invoice = h.sim.admin.seedInvoice(harbour, { contact: { name: 'Fabrikam' }, lines: audit });
    h.sim.admin.seedPayment(harbour, { invoiceId: invoice.invoiceId, amount: '600.00' });

    const link = await h.connector(harbour).paymentLink!(invoice.invoiceId);
    expect(link).toMatch(new RegExp(`^${h.sim.url}/in/`));

    const page = await fetch(link!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Amount due 400.00');
  });

  it('gives none for a draft, a bill or an invoice Xero does not have', async () => {
    const connector = h.connector(harbour);
    const draft = h.sim.admin.seedInvoice(harbour, { contact: { name: 'Fabrikam' }, lines: audit, status: 'DRAFT' });
    const bill = h.sim.admin.seedInvoice(harbour, { type: 'ACCPAY', contact: { name: 'A supplier' }, lines: audit });

    expect(await connector.paymentLink!(draft.invoiceId)).toBeNull();
    expect(await connector.paymentLink!(bill.invoiceId)).toBeNull();
    expect(await connector.paymentLink!('00000000-0000-0000-0000-000000000000')).toBeNull();
  });

  it('fails a read Xero refuses, so the caller can fall back', async () => {
    const invoice = h.sim.admin.seedInvoice(harbour, { contact: { name: 'Fabrikam' }, lines: audit });
    const connector = h.connector(harbour, { auth: { accountId: harbour, tokens: { accessToken: 'forged' } } });
    await expect(connector.paymentLink!(invoice.invoiceId)).rejects.toMatchObject({ kind: 'auth' });
  });
});
