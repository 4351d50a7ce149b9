// The payment link capability against the QuickBooks simulator, through node-quickbooks: an invoice read with
// `?include=invoiceLink` carries InvoiceLink only when the client can pay it online and it has an email; the link
// opens QuickBooks' payment page. The invoice as read stays within Finance.xsd.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadFinanceSchema, schemaViolations } from '../../unit/integrations/quickbooks/xsd.js';
import { startHarness, type Harness } from './harness.js';

let types: ReturnType<typeof loadFinanceSchema>;
beforeAll(() => {
  types = loadFinanceSchema();
});

let h: Harness;
afterEach(() => h.close());

const workshop = [{ description: 'Workshop', qty: 2, unitPrice: 500 }];

describe('QuickBooks payment links', () => {
  it('reads the InvoiceLink of an invoice the client can pay online, and the link shows the balance', async () => {
    h = await startHarness();
    const invoice = h.sim.admin.addInvoice(h.realmId, {
      customerId: h.customerId,
      lines: workshop,
      onlinePayment: true,
    });
    h.sim.admin.addPayment(h.realmId, {
      customerId: h.customerId,
      amount: 600,
      applications: [{ invoiceId: invoice.Id, amount: 600 }],
    });

    const link = await h.connector().paymentLink!(invoice.Id);
    expect(link).toMatch(new RegExp(`^${h.sim.url}/portal/app/CommerceNetwork/view/scs-v1-`));
    const [read] = h.sim.admin.requests().filter((r) => r.path.endsWith(`/invoice/${invoice.Id}`));
    expect(read?.query).toMatchObject({ include: 'invoiceLink', minorversion: '75' });

    const page = await fetch(link!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Balance due 400.00 USD');
  });

  it('serves InvoiceLink on the wire only when asked for, within Finance.xsd', async () => {
    h = await startHarness();
    const invoice = h.sim.admin.addInvoice(h.realmId, {
      customerId: h.customerId,
      lines: workshop,
      onlinePayment: true,
    });
    const read = async (query: string) => {
      const res = await fetch(`${h.sim.urls.api}${h.realmId}/invoice/${invoice.Id}${query}`, {
        headers: { authorization: `Bearer ${h.tokens.accessToken}`, accept: 'application/json' },
      });
      return ((await res.json()) as { Invoice: Record<string, unknown> }).Invoice;
    };
    const plain = await read('?minorversion=75');
    const withLink = await read('?include=invoiceLink&minorversion=75');
    expect(plain.InvoiceLink).toBeUndefined();
    expect(withLink.InvoiceLink).toEqual(expect.stringContaining('/portal/app/CommerceNetwork/view/'));
    expect(withLink).toMatchObject({ AllowOnlineCreditCardPayment: true, AllowOnlineACHPayment: true });
    expect(schemaViolations(types, [withLink], 'Invoice')).toEqual([]);
  });

  it('gives none without online payment, without an email, or for an invoice QuickBooks does not have', async () => {
    h = await startHarness();
    const offline = h.sim.admin.addInvoice(h.realmId, { customerId: h.customerId, lines: workshop });
    const noEmail = h.sim.admin.addCustomer(h.realmId, { name: 'Cash Only Ltd' }).Id;
    const unreachable = h.sim.admin.addInvoice(h.realmId, {
      customerId: noEmail,
      lines: workshop,
      onlinePayment: true,
    });
    const connector = h.connector();

    expect(await connector.paymentLink!(offline.Id)).toBeNull();
    expect(await connector.paymentLink!(unreachable.Id)).toBeNull();
    expect(await connector.paymentLink!('424242')).toBeNull();
  });

  it('fails a read QuickBooks refuses, so the caller can fall back', async () => {
    h = await startHarness();
    const invoice = h.sim.admin.addInvoice(h.realmId, {
      customerId: h.customerId,
      lines: workshop,
      onlinePayment: true,
    });
    const connector = h.connector({ tokens: { accessToken: 'expired-or-forged' } });
    await expect(connector.paymentLink!(invoice.Id)).rejects.toMatchObject({ kind: 'auth' });
  });
});
