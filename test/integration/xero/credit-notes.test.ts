import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationError } from '../../../integrations/errors.js';
import type { CreditNoteRequest } from '../../../integrations/types.js';
import { money } from '../../../src/domain/money.js';
import { apiRequests, demo, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const tenant = demo; // AUD
let caseNumber = 0;

/** A 300.00 + GST invoice, 100.00 paid: 230.00 still due. */
function shortPaidInvoice() {
  const inv = h.sim.admin.seedInvoice(tenant, {
    contact: { name: 'Bellbird Cafe' },
    lines: [
      {
        description: 'Espresso machine repair',
        quantity: 2,
        unitAmount: '150.00',
        accountCode: '260',
        taxType: 'OUTPUT',
      },
      { description: 'Call-out fee', quantity: 1, unitAmount: '0.00', accountCode: '200' },
    ],
  });
  h.sim.admin.seedPayment(tenant, {
    invoiceId: inv.invoiceId,
    amount: '100.00',
    reference: 'paid what we think is fair',
  });
  return inv;
}

function creditRequest(
  invoiceId: string,
  minor: number,
  key = `dispute/xero/${(caseNumber += 1)}/credit/v1`,
): CreditNoteRequest {
  return {
    invoiceId,
    currency: 'AUD',
    lines: [{ description: 'Agreed reduction: second technician', amount: money(minor, 'AUD') }],
    memo: `Shortfall case ${caseNumber}`,
    idempotencyKey: key,
  };
}

const due = (invoiceId: string) => h.sim.admin.invoice(tenant, invoiceId).AmountDue;
const notesFor = (invoiceId: string) =>
  h.sim.admin
    .creditNotes(tenant)
    .filter((c) =>
      (c.Allocations as { Invoice: { InvoiceID: string } }[]).some((a) => a.Invoice.InvoiceID === invoiceId),
    );
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('Xero postCreditNote', () => {
  it('creates an authorised customer credit note, allocates it and notes the case on the invoice', async () => {
    const inv = shortPaidInvoice();
    expect(due(inv.invoiceId)).toBe(237.5);
    h.sim.admin.clearRequests();
    const req = creditRequest(inv.invoiceId, 3750);
    const note = await h.connector(tenant).postCreditNote(req);

    expect(note).toMatchObject({
      ref: { provider: 'xero', accountId: tenant },
      number: 'CN-0001',
      total: money(3750, 'AUD'),
      status: 'applied',
    });
    expect(note.allocations).toEqual([
      { invoice: { provider: 'xero', accountId: tenant, id: inv.invoiceId }, amount: money(3750, 'AUD') },
    ]);
    expect(due(inv.invoiceId)).toBe(200);
    expect(h.sim.admin.invoice(tenant, inv.invoiceId)).toMatchObject({ AmountCredited: 37.5, Status: 'AUTHORISED' });

    const [stored] = h.sim.admin.creditNotes(tenant);
    // Tax-inclusive lines booked like the invoice line they reverse, so the note totals exactly the credit.
    expect(stored).toMatchObject({
      Type: 'ACCRECCREDIT',
      Status: 'PAID',
      LineAmountTypes: 'Inclusive',
      Total: 37.5,
      TotalTax: 4.17,
      Reference: 'Shortfall case 1',
      RemainingCredit: 0,
    });
    expect(stored?.LineItems).toMatchObject([{ AccountCode: '260', TaxType: 'OUTPUT', LineAmount: 37.5 }]);
    expect(h.sim.admin.history(tenant, inv.invoiceId)).toMatchObject([
      { Details: 'Shortfall: credit note CN-0001 for 37.50 AUD allocated. Shortfall case 1' },
    ]);

    const writes = h.sim.admin.requests().filter((r) => r.method !== 'GET');
    expect(
      writes.map((r) => [r.method, r.path.replace(/[0-9a-f-]{36}/g, '{id}'), r.headers['idempotency-key']]),
    ).toEqual([
      ['PUT', '/api.xro/2.0/CreditNotes', `${req.idempotencyKey}/create`],
      ['PUT', '/api.xro/2.0/CreditNotes/{id}/Allocations', `${req.idempotencyKey}/allocate`],
      ['PUT', '/api.xro/2.0/Invoices/{id}/History', `${req.idempotencyKey}/history`],
    ]);
  });

  it('leaves exactly one credit note after the call is retried with the same key', async () => {
    const inv = shortPaidInvoice();
    const req = creditRequest(inv.invoiceId, 5000);
    const first = await h.connector(tenant).postCreditNote(req);
    const retried = await h.connector(tenant).postCreditNote(req);
    const again = await h.connector(tenant).postCreditNote(req);
    expect([retried.ref.id, again.ref.id]).toEqual([first.ref.id, first.ref.id]);
    expect(notesFor(inv.invoiceId)).toHaveLength(1);
    expect(due(inv.invoiceId)).toBe(187.5);
    expect(h.sim.admin.history(tenant, inv.invoiceId)).toHaveLength(1);
  });

  it('finishes after a failure between creating and allocating, without a second note', async () => {
    const inv = shortPaidInvoice();
    const req = creditRequest(inv.invoiceId, 2500);
    h.sim.admin.failNext({ status: 503, body: 'Service Unavailable', pathIncludes: '/Allocations' });
    const error = await failure(h.connector(tenant).postCreditNote(req));
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ kind: 'transient', details: { status: 503 } });
    expect(due(inv.invoiceId)).toBe(237.5);

    const replaysBefore = h.sim.admin.idempotentReplays();
    const note = await h.connector(tenant).postCreditNote(req);
    expect(h.sim.admin.idempotentReplays()).toBe(replaysBefore + 1); // the create was answered from Xero's key store
    expect(note.status).toBe('applied');
    expect(h.sim.admin.creditNotes(tenant).filter((c) => c.Reference === req.memo)).toHaveLength(1);
    expect(due(inv.invoiceId)).toBe(212.5);
  });

  it('refuses to credit more than is still due, before writing anything', async () => {
    const inv = shortPaidInvoice();
    const before = h.sim.admin.creditNotes(tenant).length;
    h.sim.admin.clearRequests();
    const error = await failure(h.connector(tenant).postCreditNote(creditRequest(inv.invoiceId, 23751)));
    expect(error).toMatchObject({ kind: 'invalid', message: expect.stringContaining('exceeds the 237.50 still due') });
    expect(h.sim.admin.creditNotes(tenant)).toHaveLength(before);
    expect(h.sim.admin.requests().filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('voids its own new note when someone else’s credit already used up the balance', async () => {
    const inv = shortPaidInvoice();
    await h.connector(tenant).postCreditNote(creditRequest(inv.invoiceId, 20000));
    const req = creditRequest(inv.invoiceId, 5000);
    const error = await failure(h.connector(tenant).postCreditNote(req));
    expect(error).toMatchObject({ kind: 'invalid', message: expect.stringContaining('voided') });
    expect(
      h.sim.admin
        .creditNotes(tenant)
        .filter((c) => c.Reference === req.memo)
        .map((c) => c.Status),
    ).toEqual(['VOIDED']);
    expect(due(inv.invoiceId)).toBe(37.5);
  });

  it('hashes a business key longer than Xero’s 128 characters', async () => {
    const inv = shortPaidInvoice();
    h.sim.admin.clearRequests();
    await h
      .connector(tenant)
      .postCreditNote(
        creditRequest(inv.invoiceId, 1000, `dispute/xero/${'very-long-case-reference-'.repeat(8)}/credit/v1`),
      );
    const keys = apiRequests(h.sim, '').flatMap((r) =>
      r.headers['idempotency-key'] ? [r.headers['idempotency-key']] : [],
    );
    expect(keys).toHaveLength(3);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{64}\/(create|allocate|history)$/);
  });

  it('refuses a credit in another currency, or against an unknown invoice', async () => {
    const inv = shortPaidInvoice();
    const usd = {
      ...creditRequest(inv.invoiceId, 1000),
      currency: 'USD',
      lines: [{ description: 'x', amount: money(1000, 'USD') }],
    };
    expect(await failure(h.connector(tenant).postCreditNote(usd))).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('AUD'),
    });
    expect(
      await failure(h.connector(tenant).postCreditNote(creditRequest('00000000-0000-4000-8000-000000000000', 1000))),
    ).toMatchObject({ kind: 'not_found' });
  });
});
