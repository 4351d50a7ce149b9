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
    lines: [{ description: 'Design', unitPrice: 300 }, { description: 'Hosting', unitPrice: 100, item: { value: '7', name: 'Hosting' } }],
  });
  h.sim.admin.addPayment(h.realmId, { customerId: h.customerId, amount: 300, applications: [{ invoiceId: invoice.Id, amount: 300 }], memo: 'Not paying for hosting' });
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
    expect(note).toMatchObject({ ref: { id: memo?.Id }, total: usd(10000), status: 'applied', allocations: [{ invoice: { id: invoiceId }, amount: usd(10000) }] });
    expect(memo).toMatchObject({ PrivateNote: 'Case 42: hosting conceded', TotalAmt: 100, RemainingCredit: 0, Line: [{ Amount: 100, SalesItemLineDetail: { ItemRef: { value: '7' } } }, { DetailType: 'SubTotalLineDetail' }] });
    expect(linkingPayments()).toMatchObject([
      { Line: [{ Amount: 100, LinkedTxn: [{ TxnId: invoiceId, TxnType: 'Invoice' }] }, { Amount: 100, LinkedTxn: [{ TxnId: memo?.Id, TxnType: 'CreditMemo' }] }] },
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
    // Four requests a minute: with one spent below, the payment (fourth of the call) is throttled.
    const invoiceId = await shortPaidInvoice({ clock: clock.now, rateLimit: { requests: 4, perMs: 60_000, concurrent: 10 } });
    const connector = h.connector({ limiter: new Bottleneck() });
    await connector.getInvoice(invoiceId);

    const interrupted = connector.postCreditNote(request(invoiceId, 10000, 'case/44/decision/1/credit'));
    await expect(interrupted).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 60_000, message: expect.stringMatching(/was created but not applied/) });
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
    expect(writes.slice(0, 2).map((r) => r.query.requestid)).toEqual(['case/45/credit/creditmemo', 'case/45/credit/payment']);
    expect(writes[2]?.query.requestid).toMatch(/^[0-9a-f]{50}$/);
    expect(writes[2]?.query.requestid).not.toBe(writes[3]?.query.requestid);
  });

  it('leaves the application to QuickBooks when AutoApplyCredit is on', async () => {
    const invoiceId = await shortPaidInvoice({}, { autoApplyCredit: true });

    const note = await h.connector().postCreditNote(request(invoiceId, 10000, 'case/46/decision/1/credit'));

    expect(linkingPayments()).toEqual([]);
    expect(note).toMatchObject({ status: 'applied', allocations: [{ invoice: { id: invoiceId }, amount: usd(10000) }] });
    expect(h.sim.admin.invoice(h.realmId, invoiceId)?.Balance).toBe(0);
  });

  it('reports no allocation when AutoApplyCredit spent the credit on an older invoice', async () => {
    const invoiceId = await shortPaidInvoice({}, { autoApplyCredit: true });
    const older = h.sim.admin.addInvoice(h.realmId, { customerId: h.customerId, txnDate: '2026-01-15', lines: [{ description: 'Old work', unitPrice: 500 }] });

    const note = await h.connector().postCreditNote(request(invoiceId, 10000, 'case/47/decision/1/credit'));

    expect(note).toMatchObject({ status: 'applied', allocations: [] });
    expect(h.sim.admin.invoice(h.realmId, older.Id)?.Balance).toBe(400);
    expect(h.sim.admin.invoice(h.realmId, invoiceId)?.Balance).toBe(100);
  });

  it('refuses an impossible credit before writing anything', async () => {
    const invoiceId = await shortPaidInvoice();
    const connector = h.connector();

    await expect(connector.postCreditNote(request(invoiceId, 40001, 'case/48/a'))).rejects.toMatchObject({ kind: 'invalid', details: { code: 'credit_note_rejected' } });
    await expect(connector.postCreditNote({ ...request(invoiceId, 100, 'case/48/b'), currency: 'EUR', lines: [{ description: 'x', amount: { minor: 100, currency: 'EUR' } }] })).rejects.toMatchObject({ kind: 'invalid' });
    await expect(connector.postCreditNote({ ...request(invoiceId, 100, 'case/48/c'), lines: [{ invoiceLineId: '9', description: 'x', amount: usd(100) }] })).rejects.toMatchObject({ kind: 'invalid' });
    await expect(connector.postCreditNote(request('777777', 100, 'case/48/d'))).rejects.toMatchObject({ kind: 'not_found' });
    expect(h.sim.admin.creditMemos(h.realmId)).toEqual([]);
  });
});
