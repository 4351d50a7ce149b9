// What the simulator puts on the wire, read with plain fetch: entity payloads held to Finance.xsd, and faults
// in the three dialects QBO answers in.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadFinanceSchema, schemaViolations } from '../../unit/integrations/quickbooks/xsd.js';
import { manualClock, startHarness, type Harness } from './harness.js';

let types: ReturnType<typeof loadFinanceSchema>;
beforeAll(() => {
  types = loadFinanceSchema();
});

let h: Harness;
afterEach(() => h.close());

const call = (path: string, init: RequestInit & { token?: string } = {}) =>
  fetch(`${h.sim.urls.api}${h.realmId}/${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${init.token ?? h.tokens.accessToken}`,
      'content-type': 'application/json',
      accept: 'application/json',
    },
  });
const json = async (path: string) => (await call(path)).json() as Promise<Record<string, unknown>>;

describe('QuickBooks simulator wire format', () => {
  it('serves query pages, CDC changes (deletions included) and preferences with declared names only', async () => {
    const clock = manualClock();
    h = await startHarness({ clock: clock.now });
    const since = new Date(clock.now()).toISOString();
    clock.advance(1000);
    const invoice = h.sim.admin.addInvoice(h.realmId, {
      customerId: h.customerId,
      dueDate: '2026-06-01',
      lines: [{ description: 'Workshop', qty: 2, unitPrice: 150 }],
    });
    const gone = h.sim.admin.addInvoice(h.realmId, { customerId: h.customerId, lines: [{ unitPrice: 5 }] });
    h.sim.admin.addPayment(h.realmId, {
      customerId: h.customerId,
      amount: 100,
      applications: [{ invoiceId: invoice.Id, amount: 100 }],
      memo: 'Part payment',
      refNum: 'ACH-1',
    });
    h.sim.admin.addCreditMemo(h.realmId, {
      customerId: h.customerId,
      lines: [{ description: 'Goodwill', amount: 20 }],
    });
    h.sim.admin.deleteInvoice(h.realmId, gone.Id);

    const pages = await Promise.all(
      ['Invoice', 'Payment', 'CreditMemo'].map(
        async (entity) => [entity, await json(`query?query=${encodeURIComponent(`select * from ${entity}`)}`)] as const,
      ),
    );
    const cdc = (await json(`cdc?entities=Invoice,Payment,CreditMemo&changedSince=${since}`)) as {
      CDCResponse: { QueryResponse: Record<string, unknown>[] }[];
    };
    const preferences = await json('preferences');

    for (const [entity, page] of pages) {
      const rows = (page.QueryResponse as Record<string, unknown[]>)[entity];
      expect(rows).toHaveLength(1);
      expect(schemaViolations(types, rows, entity)).toEqual([]);
    }
    const groups = cdc.CDCResponse[0]?.QueryResponse ?? [];
    const changed = groups.flatMap(
      (g) => Object.entries(g).filter(([, v]) => Array.isArray(v)) as [string, unknown[]][],
    );
    expect(changed.map(([entity, rows]) => [entity, rows.length])).toEqual([
      ['Invoice', 2],
      ['Payment', 1],
      ['CreditMemo', 1],
    ]);
    expect(changed.flatMap(([entity, rows]) => schemaViolations(types, rows, entity))).toEqual([]);
    expect(changed[0]?.[1]).toContainEqual({
      domain: 'QBO',
      status: 'Deleted',
      Id: gone.Id,
      MetaData: { LastUpdatedTime: '2026-05-03T16:00:01-07:00' },
    });
    expect(schemaViolations(types, preferences.Preferences, 'Preferences')).toEqual([]);
  });

  it("answers faults in QBO's dialects: lower-case 401, ValidationFault 400, XML 429", async () => {
    h = await startHarness({ rateLimit: { requests: 2, perMs: 60_000, concurrent: 10 } });

    const unauthorised = await call('invoice/1', { token: 'expired-or-forged' });
    const missing = await call('invoice/424242');
    const tooLong = await call(`creditmemo?requestid=${'r'.repeat(51)}`, { method: 'POST', body: '{}' });
    const throttled = await call('invoice/424242');

    expect(unauthorised.status).toBe(401);
    expect(await unauthorised.json()).toMatchObject({ fault: { error: [{ code: '3200' }], type: 'AUTHENTICATION' } });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      Fault: { Error: [{ Message: 'Object Not Found', code: '610' }], type: 'ValidationFault' },
    });
    expect(tooLong.status).toBe(400);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('content-type')).toMatch(/xml/);
    expect(await throttled.text()).toContain('<Error code="3001">');
  });

  it('answers a fault queued by admin.failNext once, in the same dialects, and then serves the request', async () => {
    h = await startHarness();
    const invoice = h.sim.admin.addInvoice(h.realmId, { customerId: h.customerId, lines: [{ unitPrice: 5 }] });
    h.sim.admin.failNext(h.realmId, { kind: 'throttled' });
    h.sim.admin.failNext(
      h.realmId,
      {
        kind: 'validation',
        code: '6070',
        message: 'Amount calculation incorrect in the request.',
        detail: 'Amount is not equal to UnitPrice * Qty. Supplied value:1',
        element: 'Line.Amount',
      },
      { method: 'POST', path: '/creditmemo' },
    );
    const memo = { CustomerRef: { value: h.customerId }, Line: [{ Amount: 1, DetailType: 'SalesItemLineDetail' }] };

    const throttled = await call(`invoice/${invoice.Id}`);
    const read = await call(`invoice/${invoice.Id}`);
    const refused = await call('creditmemo?requestid=r-1', { method: 'POST', body: JSON.stringify(memo) });
    const retried = await call('creditmemo?requestid=r-1', { method: 'POST', body: JSON.stringify(memo) });

    expect(throttled.status).toBe(429);
    expect(await throttled.text()).toContain('<Error code="3001">');
    expect(read.status).toBe(200);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      Fault: { Error: [{ code: '6070', element: 'Line.Amount' }], type: 'ValidationFault' },
    });
    // The refusal wrote nothing and was not stored under its requestid: the retry creates the memo.
    expect(retried.status).toBe(200);
    expect(h.sim.admin.creditMemos(h.realmId)).toHaveLength(1);
    expect(h.sim.admin.requests().map((r) => r.status)).toEqual([429, 200, 400, 200]);
  });
});
