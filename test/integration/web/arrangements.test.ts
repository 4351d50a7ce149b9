// Invoices → arrangement: over real HTTP on PGlite, the owner marks an invoice as on an agreed payment plan or as
// a deposit before any case opens; mistakes are explained instalment by instalment and nothing is saved.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connections, invoices, paymentPlans } from '../../../src/services/db/schema.js';
import { invoiceRow } from '../../../src/services/ledger/rows.js';
import { csrfOf, textOf, type InjectBrowser } from './browser.js';
import { createWebHarness, seedOrganisation, signIn, type WebHarness } from './harness.js';

let w: WebHarness;
let b: InjectBrowser;
let connectionId: string;
const path = () => `/invoices/${connectionId}/inv-77/arrangement`;
const inTwoWeeks = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
const inSixWeeks = new Date(Date.now() + 42 * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  w = await createWebHarness();
  const { org } = await seedOrganisation(w.h, { email: 'ana@brightside.example' });
  const other = await seedOrganisation(w.h, { email: 'bo@elsewhere.example', name: 'Elsewhere' });
  const [c] = await w.h.db
    .insert(connections)
    .values({ organisationId: org.id, provider: 'quickbooks', accountId: 'realm-9', name: 'Brightside Books' })
    .returning();
  const [theirs] = await w.h.db
    .insert(connections)
    .values({ organisationId: other.org.id, provider: 'xero', accountId: 'org-2', name: 'Their Books' })
    .returning();
  connectionId = c!.id;
  const inv = (id: string, number: string, totalMinor: number, balanceMinor: number, status = 'open') => ({
    ref: { provider: 'quickbooks' as const, accountId: 'realm-9', id },
    number,
    currency: 'USD',
    lines: [],
    status: status as 'open',
    customer: { ref: { provider: 'quickbooks' as const, accountId: 'realm-9', id: 'cust-1' }, name: 'Harbor Cafe' },
    total: { minor: totalMinor, currency: 'USD' },
    balance: { minor: balanceMinor, currency: 'USD' },
    issueDate: '2026-01-05',
    dueDate: '2026-02-04',
    updatedAt: '2026-02-01T00:00:00Z',
  });
  await w.h.db
    .insert(invoices)
    .values([
      invoiceRow(c!.id, inv('inv-77', '1077', 100_000, 60_000), new Date()),
      invoiceRow(c!.id, inv('inv-78', '1078', 50_000, 0, 'paid'), new Date()),
      invoiceRow(
        theirs!.id,
        { ...inv('inv-99', '9099', 80_000, 80_000), ref: { provider: 'xero', accountId: 'org-2', id: 'inv-99' } },
        new Date(),
      ),
    ]);
  b = w.browser();
  await signIn(w, b, 'ana@brightside.example');
});
afterAll(async () => {
  await w?.close();
});

const stored = () => w.h.db.select().from(paymentPlans);

describe('the invoices page', () => {
  it("lists only the organisation's invoices with something still owed", async () => {
    const res = await b.get('/invoices');
    expect(res.statusCode).toBe(200);
    const text = textOf(res.body);
    expect(text).toContain('1077');
    expect(text).toContain('$600.00');
    expect(text).not.toContain('1078');
    expect(text).not.toContain('9099');
    expect(res.body).toContain(`href="${path()}"`);
    // The due date reads as the case pages' dates do, on one line, not as a raw ISO date.
    expect(text).toMatch(/Harbor Cafe Wed, Feb 4, 2026 \$1,000\.00/);
    expect(text).not.toContain('2026-02-04');
    expect(res.body).toContain(
      '<td data-label="Due" class="nowrap"><time datetime="2026-02-04">Wed, Feb 4, 2026</time></td>',
    );
  });

  it('explains instalments that do not add up, keeps what was typed, and saves nothing', async () => {
    const form = await b.get(path());
    expect(form.statusCode).toBe(200);
    // The date fields show the browser's own date format: the header names no other one, and they look like the
    // other fields (the stylesheet's rule for inputs covers them).
    expect(textOf(form.body)).toContain('Due on Amount (USD)');
    expect(form.body).not.toContain('YYYY-MM-DD');
    const css = (await b.get('/assets/app.css')).body;
    expect(css).toMatch(/input\[type="text"\][^{]*input\[type="date"\][^{]*\{[^}]*border:/);
    const res = await b.post(path(), {
      _csrf: csrfOf(form.body, path()),
      kind: 'plan',
      dueOn: [inTwoWeeks, inSixWeeks, ''],
      amount: ['300', '250', ''],
    });
    expect(res.statusCode).toBe(400);
    const text = textOf(res.body);
    expect(text).toContain('The arrangement was not recorded');
    expect(text).toContain(
      'The instalments add up to $550.00, but $600.00 is still owed: they must add up exactly ($50.00 short).',
    );
    expect(res.body).toContain(`value="${inSixWeeks}"`);
    expect(await stored()).toEqual([]);
  });

  it('records an agreed plan in minor units, shows it on the list, and removes it', async () => {
    const form = await b.get(path());
    const res = await b.post(path(), {
      _csrf: csrfOf(form.body, path()),
      kind: 'plan',
      dueOn: [inSixWeeks, inTwoWeeks],
      amount: ['300', '300.00'],
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/invoices?notice=arrangement_recorded');
    expect(await stored()).toEqual([
      expect.objectContaining({
        connectionId,
        provider: 'quickbooks',
        accountId: 'realm-9',
        invoiceExternalId: 'inv-77',
        kind: 'plan',
        currency: 'USD',
        owedMinor: 60_000,
        instalments: [
          { dueOn: inTwoWeeks, amountMinor: 30_000 },
          { dueOn: inSixWeeks, amountMinor: 30_000 },
        ],
        createdBy: 'ana@brightside.example',
      }),
    ]);
    const list = textOf((await b.get('/invoices?notice=arrangement_recorded')).body);
    expect(list).toContain('Shortfall opens no case while the client keeps to it');
    const [y, m, d] = inSixWeeks.split('-').map(Number);
    const lastDay = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(
      Date.UTC(y!, m! - 1, d!),
    );
    expect(list).toMatch(new RegExp(`Agreed plan: 2 instalments, last on \\w{3}, ${lastDay}`));
    const again = await b.get(path());
    expect(again.body).toContain(`value="${inTwoWeeks}"`); // the form starts from the plan on record
    const removed = await b.post(`${path()}/remove`, { _csrf: csrfOf(again.body, `${path()}/remove`) });
    expect(removed.statusCode).toBe(303);
    expect(await stored()).toEqual([]);
    expect(
      (
        await w.h.db
          .select({ pending: invoices.detectionPending })
          .from(invoices)
          .where(eq(invoices.externalId, 'inv-77'))
      )[0]!.pending,
    ).toBe(true);
  });

  it('records a deposit', async () => {
    const form = await b.get(path());
    expect((await b.post(path(), { _csrf: csrfOf(form.body, path()), kind: 'deposit' })).statusCode).toBe(303);
    expect(await stored()).toEqual([expect.objectContaining({ kind: 'deposit', instalments: [] })]);
    expect(textOf((await b.get('/invoices')).body)).toContain('Deposit');
  });

  it('finds no invoice of another organisation, and needs the CSRF token', async () => {
    const mine = await b.get(path());
    expect((await b.get(`/invoices/${connectionId}/inv-99/arrangement`)).statusCode).toBe(404);
    expect((await b.post(path(), { kind: 'deposit' })).statusCode).toBe(403);
    expect(mine.statusCode).toBe(200);
  });
});
