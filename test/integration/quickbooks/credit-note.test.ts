// postCreditNote over node-quickbooks: a CreditMemo plus the zero-total Payment that applies it, idempotent
// through `requestid`, checked against the simulator's books.
import Bottleneck from 'bottleneck';
import { afterEach, describe, expect, it } from 'vitest';
import type { CreditNoteRequest } from '../../../integrations/types.js';
import type { CompanyInput, QuickbooksSimulatorOptions } from '../../../simulators/quickbooks/index.js';
import { manualClock, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h.close());

const usd = (minor: number) => ({ minor, currency: 'USD' });

async function shortPaidInvoice(options: QuickbooksSimulatorOptions = {}, company: CompanyInput = {}) {
  h = await startHarness(options, company);
  const invoice = h.sim.admin.addInvoice(h.realmId, {
    customerId: h.customerId,
    txnDate: '2026-04-02',
    lines: [
      { description: 'Design', unitPrice: 300 },
      { description: 'Hosting', unitPrice: 100, item: { value: '7', name: 'Hosting' } },
    ],
  });
  h.sim.admin.addPayment(h.realmId, {
    customerId: h.customerId,
    amount: 300,
    applications: [{ invoiceId: invoice.Id, amount: 300 }],
    memo: 'Not paying for hosting',
  });
  return invoice.Id;
}

const request = (invoiceId: string, minor: number, idempotencyKey: string): CreditNoteRequest => ({
  invoiceId,
  currency: 'USD',
  lines: [{ invoiceLineId: '2', description: 'Hosting (disputed)', amount: usd(minor) }],
  memo: 'Case 42: hosting conceded',
  idempotencyKey,
});

const linkingPayments = () => h.sim.admin.payments(h.realmId).filter((p) => p.TotalAmt === 0);

describe('QuickBooks credit notes', () => {
  it('creates a credit memo and applies it to the invoice with a zero-total payment', async () => {
    const invoiceId = await shortPaidInvoice();

    const note = await h.connector().postCreditNote(request(invoiceId, 10000, 'case/42/decision/1/credit'));

    const [memo] = h.sim.admin.creditMemos(h.realmId);
    expect(note).toMatchObject({
      ref: { id: memo?.Id },
      total: usd(10000),
      status: 'applied',
      allocations: [{ invoice: { id: invoiceId }, amount: usd(10000) }],
    });
    expect(memo).toMatchObject({
      PrivateNote: 'Case 42: hosting conceded',
      TotalAmt: 100,
      RemainingCredit: 0,
      Line: [{ Amount: 100, SalesItemLineDetail: { ItemRef: { value: '7' } } }, { DetailType: 'SubTotalLineDetail' }],
    });
    expect(linkingPayments()).toMatchObject([
      {
        Line: [
          { Amount: 100, LinkedTxn: [{ TxnId: invoiceId, TxnType: 'Invoice' }] },
          { Amount: 100, LinkedTxn: [{ TxnId: memo?.Id, TxnType: 'CreditMemo' }] },
        ],
      },
    ]);
    expect(h.sim.admin.invoice(h.realmId, invoiceId)?.Balance).toBe(0);
  });

  it('writes nothing new when the same request is retried', async () => {
    const invoiceId = await shortPaidInvoice();
    const connector = h.connector();

    const first = await connector.postCreditNote(request(invoiceId, 4000, 'case/43/decision/1/credit'));
    const again = await connector.postCreditNote(request(invoiceId, 4000, 'case/43/decision/1/credit'));

    expect(again).toEqual(first);
    expect(h.sim.admin.creditMemos(h.realmId)).toHaveLength(1);
    expect(linkingPayments()).toHaveLength(1);
    expect(h.sim.admin.invoice(h.realmId, invoiceId)?.Balance).toBe(60);
  });

  it('finishes a call cut short after the memo, on retry, without a second memo', async () => {
    const clock = manualClock();
    // Five requests a minute: with one spent below, the payment (fifth of the call, after the invoice, the
    // preferences, the company's tax setup and the memo) is throttled.
    const invoiceId = await shortPaidInvoice({
      clock: clock.now,
      rateLimit: { requests: 5, perMs: 60_000, concurrent: 10 },
    });
    const connector = h.connector({ limiter: new Bottleneck() });
    await connector.getInvoice(invoiceId);

    const interrupted = connector.postCreditNote(request(invoiceId, 10000, 'case/44/decision/1/credit'));
    await expect(interrupted).rejects.toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 60_000,
      message: expect.stringMatching(/was created but not applied/),
    });
    expect(h.sim.admin.creditMemos(h.realmId)).toHaveLength(1);
    expect(h.sim.admin.invoice(h.realmId, invoiceId)?.Balance).toBe(100);

    clock.advance(60_000);
    const note = await connector.postCreditNote(request(invoiceId, 10000, 'case/44/decision/1/credit'));

    expect(note.status).toBe('applied');
    expect(h.sim.admin.creditMemos(h.realmId)).toHaveLength(1);
    expect(linkingPayments()).toHaveLength(1);
    expect(h.sim.admin.invoice(h.realmId, invoiceId)?.Balance).toBe(0);
  });

  it('sends the key as requestid: readable when short, a 50-character digest when long', async () => {
    const invoiceId = await shortPaidInvoice();
    const longKey = `case/${'9'.repeat(40)}/decision/1/credit`;

    await h.connector().postCreditNote(request(invoiceId, 1000, 'case/45/credit'));
    await h.connector().postCreditNote(request(invoiceId, 1000, longKey));

    const writes = h.sim.admin.requests().filter((r) => r.method === 'POST');
    expect(writes).toHaveLength(4);
    expect(writes.every((r) => r.query.requestid !== undefined && r.query.requestid.length <= 50)).toBe(true);
    expect(writes.slice(0, 2).map((r) => r.query.requestid)).toEqual([
      'case/45/credit/creditmemo',
      'case/45/credit/payment',
    ]);
    expect(writes[2]?.query.requestid).toMatch(/^[0-9a-f]{50}$/);
    expect(writes[2]?.query.requestid).not.toBe(writes[3]?.query.requestid);
  });

  it('leaves the application to QuickBooks when AutoApplyCredit is on, and reads it from the $0 Payment QuickBooks records', async () => {
    const invoiceId = await shortPaidInvoice({}, { autoApplyCredit: true });

    const note = await h.connector().postCreditNote(request(invoiceId, 10000, 'case/46/decision/1/credit'));

    // QuickBooks, not Shortfall, wrote the linking Payment; the invoice links the Payment, not the memo.
    expect(
      h.sim.admin
        .requests()
        .filter((r) => r.method === 'POST')
        .map((r) => r.path),
    ).toEqual([expect.stringMatching(/\/creditmemo$/)]);
    const [memo] = h.sim.admin.creditMemos(h.realmId);
    expect(linkingPayments()).toMatchObject([
      {
        Line: [
          { Amount: 100, LinkedTxn: [{ TxnId: invoiceId, TxnType: 'Invoice' }] },
          { Amount: 100, LinkedTxn: [{ TxnId: memo?.Id, TxnType: 'CreditMemo' }] },
        ],
      },
    ]);
    expect(h.sim.admin.invoice(h.realmId, invoiceId)?.LinkedTxn.some((t) => t.TxnType === 'CreditMemo')).toBe(false);
    expect(note).toMatchObject({
      status: 'applied',
      allocations: [{ invoice: { id: invoiceId }, amount: usd(10000) }],
    });
    expect(h.sim.admin.invoice(h.realmId, invoiceId)?.Balance).toBe(0);
  });

  it('reports the part QuickBooks applied to this invoice when it split the credit with an older one', async () => {
    const invoiceId = await shortPaidInvoice({}, { autoApplyCredit: true });
    const older = h.sim.admin.addInvoice(h.realmId, {
      customerId: h.customerId,
      txnDate: '2026-01-15',
      lines: [{ description: 'Old work', unitPrice: 30 }],
    });

    const note = await h.connector().postCreditNote(request(invoiceId, 10000, 'case/49/decision/1/credit'));

    expect(h.sim.admin.invoice(h.realmId, older.Id)?.Balance).toBe(0);
    expect(h.sim.admin.invoice(h.realmId, invoiceId)?.Balance).toBe(30);
    expect(note).toMatchObject({ status: 'applied', allocations: [{ invoice: { id: invoiceId }, amount: usd(7000) }] });
  });

  it('reports no allocation when AutoApplyCredit spent the credit on an older invoice', async () => {
    const invoiceId = await shortPaidInvoice({}, { autoApplyCredit: true });
    const older = h.sim.admin.addInvoice(h.realmId, {
      customerId: h.customerId,
      txnDate: '2026-01-15',
      lines: [{ description: 'Old work', unitPrice: 500 }],
    });

    const note = await h.connector().postCreditNote(request(invoiceId, 10000, 'case/47/decision/1/credit'));

    expect(note).toMatchObject({ status: 'applied', allocations: [] });
    expect(h.sim.admin.invoice(h.realmId, older.Id)?.Balance).toBe(400);
    expect(h.sim.admin.invoice(h.realmId, invoiceId)?.Balance).toBe(100);
  });

  it('refuses an impossible credit before writing anything', async () => {
    const invoiceId = await shortPaidInvoice();
    const connector = h.connector();

    await expect(connector.postCreditNote(request(invoiceId, 40001, 'case/48/a'))).rejects.toMatchObject({
      kind: 'invalid',
      details: { code: 'credit_note_rejected' },
    });
    await expect(
      connector.postCreditNote({
        ...request(invoiceId, 100, 'case/48/b'),
        currency: 'EUR',
        lines: [{ description: 'x', amount: { minor: 100, currency: 'EUR' } }],
      }),
    ).rejects.toMatchObject({ kind: 'invalid' });
    await expect(
      connector.postCreditNote({
        ...request(invoiceId, 100, 'case/48/c'),
        lines: [{ invoiceLineId: '9', description: 'x', amount: usd(100) }],
      }),
    ).rejects.toMatchObject({ kind: 'invalid' });
    await expect(connector.postCreditNote(request('777777', 100, 'case/48/d'))).rejects.toMatchObject({
      kind: 'not_found',
    });
    expect(h.sim.admin.creditMemos(h.realmId)).toEqual([]);
  });

  describe('in a VAT/GST company', () => {
    async function ukInvoice(country = 'GB') {
      h = await startHarness({}, { country, homeCurrency: 'USD' });
      return h.sim.admin.addInvoice(h.realmId, {
        customerId: h.customerId,
        txnDate: '2026-04-02',
        globalTaxCalculation: 'TaxExcluded',
        lines: [
          { description: 'Design', unitPrice: 300, taxCode: { value: '3', name: '20.0% S' } },
          {
            description: 'Hosting',
            unitPrice: 100,
            item: { value: '7', name: 'Hosting' },
            taxCode: { value: '3', name: '20.0% S' },
          },
        ],
      });
    }

    it('refuses a sales document line without a tax code, as QuickBooks does (fault 6000)', async () => {
      h = await startHarness({}, { country: 'GB' });
      const refusal = () => {
        try {
          h.sim.admin.addInvoice(h.realmId, { customerId: h.customerId, lines: [{ unitPrice: 10 }] });
        } catch (e) {
          return e;
        }
        return undefined;
      };
      expect(refusal()).toMatchObject({
        status: 400,
        type: 'ValidationFault',
        code: '6000',
        detail: 'Business Validation Error: Make sure all your transactions have a VAT rate before you save.',
      });
      await h.close();
      h = await startHarness({}, { country: 'CA' });
      expect(refusal()).toMatchObject({ code: '6000', detail: expect.stringMatching(/GST\/HST rate before you save/) });
    });

    it("carries the invoice line's tax code onto the credit memo's lines", async () => {
      const invoice = await ukInvoice();

      const note = await h.connector().postCreditNote(request(invoice.Id, 10000, 'case/50/decision/1/credit'));

      const [memo] = h.sim.admin.creditMemos(h.realmId);
      expect(memo).toMatchObject({
        GlobalTaxCalculation: 'TaxExcluded',
        Line: [
          { Amount: 100, SalesItemLineDetail: { ItemRef: { value: '7' }, TaxCodeRef: { value: '3' } } },
          { DetailType: 'SubTotalLineDetail' },
        ],
      });
      expect(note).toMatchObject({
        status: 'applied',
        allocations: [{ invoice: { id: invoice.Id }, amount: usd(10000) }],
      });
    });

    it('reads the company tax setup once per connector', async () => {
      const invoice = await ukInvoice('CA');
      const connector = h.connector();

      await connector.postCreditNote(request(invoice.Id, 1000, 'case/51/a'));
      await connector.postCreditNote(request(invoice.Id, 1000, 'case/51/b'));

      expect(h.sim.admin.requests().filter((r) => r.path.includes('/companyinfo/'))).toHaveLength(1);
    });

    it('gives a line naming no invoice line the tax code all invoice lines share, and refuses to guess between rates', async () => {
      const invoice = await ukInvoice();
      await h.connector().postCreditNote({
        ...request(invoice.Id, 500, 'case/52/a'),
        lines: [{ description: 'Goodwill', amount: usd(500) }],
      });
      expect(h.sim.admin.creditMemos(h.realmId)[0]?.Line[0]?.SalesItemLineDetail?.TaxCodeRef).toEqual({ value: '3' });

      const mixed = h.sim.admin.addInvoice(h.realmId, {
        customerId: h.customerId,
        lines: [
          { unitPrice: 50, taxCode: { value: '3' } },
          { unitPrice: 50, taxCode: { value: '9', name: 'Exempt' } },
        ],
      });
      await expect(
        h.connector().postCreditNote({
          ...request(mixed.Id, 500, 'case/52/b'),
          lines: [{ description: 'Goodwill', amount: usd(500) }],
        }),
      ).rejects.toMatchObject({
        kind: 'invalid',
        details: { code: 'credit_note_rejected' },
        message: expect.stringMatching(/different VAT\/GST rates/),
      });
      expect(h.sim.admin.creditMemos(h.realmId)).toHaveLength(1);
    });
  });
});
