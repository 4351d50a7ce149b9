// The owner's home page and the case list behind each of its figures: an owner with cases in two currencies
// signs in, lands on the dashboard, follows a figure to its cases, finds a case by invoice number, customer, email
// or amount, and downloads the list and one case's audit trail as CSV. The cases table is the workflows'
// projection (their standing included), seeded here as a projection would write it.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseStanding } from '../../../src/domain/account.js';
import { money } from '../../../src/domain/money.js';
import { auditEvents, cases, connections, invoices } from '../../../src/services/db/schema.js';
import { disputeCaseWorkflowId } from '../../../workflows/dispute-case/definitions.js';
import type { InjectBrowser } from './browser.js';
import { textOf } from './browser.js';
import { createWebHarness, seedOrganisation, signIn, unconnectedWorkflows, type WebHarness } from './harness.js';

let w: WebHarness;
let b: InjectBrowser;
const ids: Record<string, string> = {};
const day = 86_400_000;

function standing(
  currency: string,
  f: {
    openedOn: string;
    openedFor: number;
    outstanding: number;
    inDispute?: number;
    recovered?: [string, number][];
    conceded?: number;
  },
): CaseStanding {
  const m = (minor: number) => money(minor, currency);
  const recovered = (f.recovered ?? []).reduce((a, [, x]) => a + x, 0);
  return {
    currency,
    openedOn: f.openedOn,
    openedFor: m(f.openedFor),
    outstanding: m(f.outstanding),
    inDispute: m(f.inDispute ?? f.outstanding),
    recovered: m(recovered),
    conceded: m(f.conceded ?? 0),
    writtenOff: m(0),
    recoveries: (f.recovered ?? []).map(([date, x]) => ({ date, amount: m(x) })),
  };
}

async function seed(
  organisationId: string,
  connectionId: string,
  c: {
    key: string;
    customer: string;
    email?: string;
    number?: string;
    status: string;
    currency?: string;
    total: number;
    paid: number;
    owed: number;
    standing?: CaseStanding;
    deadlineInMs?: number;
  },
) {
  const currency = c.currency ?? 'USD';
  if (c.number)
    await w.h.db.insert(invoices).values({
      connectionId,
      externalId: `inv-${c.key}`,
      number: c.number,
      customerId: `cust-${c.key}`,
      customerName: c.customer,
      customerEmail: c.email,
      currency,
      totalMinor: c.total,
      balanceMinor: c.owed,
      issueDate: '2026-09-01',
      status: 'open',
      lines: [],
      providerUpdatedAt: new Date(),
    });
  const [row] = await w.h.db
    .insert(cases)
    .values({
      organisationId,
      caseKey: c.key,
      workflowId: disputeCaseWorkflowId(c.key),
      connectionId,
      invoiceId: `inv-${c.key}`,
      kind: 'short_payment',
      status: c.status,
      customerName: c.customer,
      currency,
      paidMinor: c.paid,
      disputedMinor: c.owed,
      standing: c.standing,
      nextDeadline: c.deadlineInMs === undefined ? null : new Date(Date.now() + c.deadlineInMs),
    })
    .returning();
  ids[c.key] = row!.id;
}

beforeAll(async () => {
  w = await createWebHarness({ workflows: unconnectedWorkflows() });
  const { org } = await seedOrganisation(w.h, { email: 'ana@brightside.example' });
  const other = await seedOrganisation(w.h, { email: 'bob@elsewhere.example', name: 'Elsewhere Ltd' });
  const [qbo] = await w.h.db
    .insert(connections)
    .values({ organisationId: org.id, provider: 'quickbooks', accountId: 'realm-1', name: 'Brightside Design' })
    .returning();
  const [theirs] = await w.h.db
    .insert(connections)
    .values({ organisationId: other.org.id, provider: 'quickbooks', accountId: 'realm-9', name: 'Elsewhere' })
    .returning();
  // Harbor Cafe: $1,000 paid $600 in September; $150 more came in November; $250 still owed, $100 of it disputed.
  await seed(org.id, qbo!.id, {
    key: 'harbor',
    customer: 'Harbor Cafe',
    email: 'accounts@harbor-cafe.example',
    number: '1001',
    status: 'awaiting_client',
    total: 100_000,
    paid: 75_000,
    owed: 25_000,
    deadlineInMs: 2 * day,
    standing: standing('USD', {
      openedOn: '2026-09-14',
      openedFor: 40_000,
      outstanding: 25_000,
      inDispute: 10_000,
      recovered: [['2026-11-03', 15_000]],
    }),
  });
  // A closed case: $300.01 recovered in November, $100 conceded.
  await seed(org.id, qbo!.id, {
    key: 'comma',
    customer: '=Smith, "Jones" & Co',
    email: 'ap@smith-jones.example',
    number: 'INV-77',
    status: 'resolved',
    total: 80_001,
    paid: 70_001,
    owed: 0,
    standing: standing('USD', {
      openedOn: '2026-11-02',
      openedFor: 40_001,
      outstanding: 0,
      recovered: [['2026-11-20', 30_001]],
      conceded: 10_000,
    }),
  });
  // Projected before standings existed: what it still owed is all the dashboard knows.
  await seed(org.id, qbo!.id, {
    key: 'older',
    customer: 'Quiet Corp',
    number: '0999',
    status: 'awaiting_payment',
    total: 50_000,
    paid: 10_000,
    owed: 40_000,
    deadlineInMs: -3_600_000,
  });
  await seed(org.id, qbo!.id, {
    key: 'euro',
    customer: 'Kestrel GmbH',
    number: 'K-5',
    currency: 'EUR',
    status: 'awaiting_owner',
    total: 20_000,
    paid: 10_000,
    owed: 10_000,
    deadlineInMs: 30 * day,
    standing: standing('EUR', { openedOn: '2026-12-01', openedFor: 10_000, outstanding: 10_000 }),
  });
  await seed(other.org.id, theirs!.id, {
    key: 'secret',
    customer: 'Harbor Secret',
    number: '1001',
    status: 'awaiting_payment',
    total: 999_999,
    paid: 1,
    owed: 999_998,
  });
  await w.h.db.insert(auditEvents).values([
    {
      caseId: ids.harbor!,
      idempotencyKey: 'a1',
      kind: 'case_opened',
      actor: 'system',
      data: { note: 'Paid $600.00, "full and final",\nsaid the memo' },
      at: new Date('2026-09-14T15:00:00Z'),
    },
    {
      caseId: ids.harbor!,
      idempotencyKey: 'a2',
      kind: 'letter_approved',
      actor: 'ana@brightside.example',
      data: {},
      at: new Date('2026-09-15T02:30:00Z'),
    },
  ]);
  b = w.browser();
  expect(await signIn(w, b, 'ana@brightside.example')).toBe('/');
});
afterAll(async () => {
  await w?.close();
});

const customers = (html: string) =>
  [...html.matchAll(/<a href="\/cases\/[0-9a-f-]{36}">([^<]+)<\/a>/g)].map((m) =>
    m[1]!
      .replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&'),
  );
const hrefOf = (html: string, label: string, currency = 'USD') => {
  const m = new RegExp(`<a href="([^"]+currency=${currency}[^"]*)"><span>${label}</span>`).exec(html);
  if (!m) throw new Error(`no ${label} link`);
  return m[1]!.replace(/&amp;/g, '&');
};

describe('the dashboard', () => {
  it('is where a signed-in owner lands: per currency, still owed and in dispute on open cases, recovered and conceded', async () => {
    const res = await b.get('/');
    expect(res.statusCode).toBe(200);
    const text = textOf(res.body);
    expect(text).toContain(
      'In USD Still owed $650.00 2 open cases In dispute $500.00 2 open cases Recovered $450.01 2 cases Conceded $100.00 1 case',
    );
    expect(text).toContain(
      'In EUR Still owed €100.00 1 open case In dispute €100.00 1 open case Recovered €0.00 0 cases',
    );
    expect(text).not.toContain('Harbor Secret');
    expect(text).not.toContain('9,999');
  });

  it('links each figure to exactly the cases it adds up', async () => {
    const home = (await b.get('/')).body;
    const owed = await b.get(hrefOf(home, 'Still owed'));
    expect(customers(owed.body)).toEqual(['Quiet Corp', 'Harbor Cafe']);
    expect(textOf(owed.body)).toContain('Showing cases still owed, in USD.');
    expect(customers((await b.get(hrefOf(home, 'Recovered'))).body).sort()).toEqual([
      '=Smith, "Jones" & Co',
      'Harbor Cafe',
    ]);
    expect(customers((await b.get(hrefOf(home, 'Conceded'))).body)).toEqual(['=Smith, "Jones" & Co']);
    expect(customers((await b.get(hrefOf(home, 'In dispute'))).body)).toEqual(['Quiet Corp', 'Harbor Cafe']);
  });

  it('counts cases by status and lists the deadlines due this week, the overdue first', async () => {
    const res = await b.get('/');
    const text = textOf(res.body);
    expect(text).toMatch(/Waiting for the client 1/);
    expect(res.body).toContain('href="/cases?status=awaiting_client"');
    expect(text).toMatch(
      /1 past its deadline Quiet Corp, invoice 0999 .*1 due within seven days Harbor Cafe, invoice 1001/,
    );
    expect(text).not.toMatch(/Kestrel GmbH, invoice K-5/);
    expect(customers((await b.get('/cases?due=overdue')).body)).toEqual(['Quiet Corp']);
    expect(customers((await b.get('/cases?due=week')).body)).toEqual(['Harbor Cafe']);
  });

  it('charts disputed and recovered by month as server-drawn SVG, with the figures and their cases in a table', async () => {
    const res = await b.get('/');
    expect(res.body).toMatch(/<div class="chart-svg" role="img"[^>]*><svg [^>]*class="marks"/);
    const text = textOf(res.body);
    expect(text).toContain('Sep 2026 $400.00 $0.00');
    expect(text).toContain('Oct 2026 $0.00 $0.00');
    expect(text).toContain('Dec 2026 $400.00 $0.00'); // Quiet Corp, opened today, known only by what it owes
    const november =
      /<th scope="row"><time datetime="2026-11">Nov 2026<\/time><\/th><td class="num"><a href="([^"]+)">\$400\.01<\/a><\/td><td class="num"><a href="([^"]+)">\$450\.01<\/a>/.exec(
        res.body,
      );
    expect(november).not.toBeNull();
    expect(customers((await b.get(november![1]!.replace(/&amp;/g, '&'))).body)).toEqual(['=Smith, "Jones" & Co']);
    expect(customers((await b.get(november![2]!.replace(/&amp;/g, '&'))).body).sort()).toEqual([
      '=Smith, "Jones" & Co',
      'Harbor Cafe',
    ]);
  });
});

describe('finding cases', () => {
  const find = async (q: string) => customers((await b.get(`/cases?q=${encodeURIComponent(q)}`)).body);
  it('by invoice number, customer name, email or amount, never in another organisation', async () => {
    expect(await find('1001')).toEqual(['Harbor Cafe']);
    expect(await find('inv-77')).toEqual(['=Smith, "Jones" & Co']);
    expect(await find('kestrel')).toEqual(['Kestrel GmbH']);
    expect(await find('harbor-cafe.example')).toEqual(['Harbor Cafe']);
    expect(await find('$1,000.00')).toEqual(['Harbor Cafe']); // the invoice total
    expect(await find('250')).toEqual(['Harbor Cafe']); // still owed
    // Quiet Corp paid $100.00, Harbor Cafe has $100.00 in dispute, Kestrel GmbH owes €100.00.
    expect(await find('100')).toEqual(['Quiet Corp', 'Harbor Cafe', 'Kestrel GmbH']);
    expect(await find('100.001')).toEqual([]);
    expect(await find('%')).toEqual([]);
  });

  it('keeps the search and the filters in the form, and says when nothing matches', async () => {
    const res = await b.get('/cases?q=nothing-like-it&currency=USD');
    expect(textOf(res.body)).toContain('No cases match these filters.');
    expect(res.body).toContain('value="nothing-like-it"');
    expect(res.body).toContain('<input type="hidden" name="currency" value="USD">');
    expect((await b.get('/cases?currency=usd')).statusCode).toBe(400);
  });
});

describe('CSV exports', () => {
  it('exports the filtered list with exact amounts, quoting commas, quotes and formulas', async () => {
    const res = await b.get('/cases.csv?currency=USD&status=');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="shortfall-cases-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const rows: string[][] = parse(res.body, { bom: true });
    expect(rows[0]).toEqual([
      'Invoice',
      'Customer',
      'Customer email',
      'Provider',
      'Status',
      'Currency',
      'Invoice total',
      'Paid',
      'Still owed',
      'In dispute',
      'Recovered',
      'Conceded',
      'Next deadline (UTC)',
      'Opened (UTC)',
      'Link',
    ]);
    const byInvoice = new Map(rows.slice(1).map((r) => [r[0], r]));
    expect([...byInvoice.keys()].sort()).toEqual(['0999', '1001', 'INV-77']);
    expect(byInvoice.get('INV-77')!.slice(1, 12)).toEqual([
      `'=Smith, "Jones" & Co`,
      'ap@smith-jones.example',
      'quickbooks',
      'resolved',
      'USD',
      '800.01',
      '700.01',
      '0.00',
      '0.00',
      '300.01',
      '100.00',
    ]);
    expect(byInvoice.get('1001')![14]).toBe(`https://app.shortfall.test/cases/${ids.harbor}`);
    expect(res.body).toContain('"\'=Smith, ""Jones"" & Co"');
  });

  it("exports one case's audit trail in UTC and the organisation's time zone, with details quoted", async () => {
    const res = await b.get(`/cases/${ids.harbor}/audit.csv`);
    expect(res.headers['content-disposition']).toBe('attachment; filename="shortfall-audit-invoice-1001.csv"');
    const rows: string[][] = parse(res.body, { bom: true });
    expect(rows).toEqual([
      ['At (UTC)', 'At (America/New_York)', 'Event', 'By', 'Details'],
      [
        '2026-09-14T15:00:00.000Z',
        'Mon, Sep 14, 2026, 11:00 AM EDT',
        'case_opened',
        'system',
        '{"note":"Paid $600.00, \\"full and final\\",\\nsaid the memo"}',
      ],
      [
        '2026-09-15T02:30:00.000Z',
        'Mon, Sep 14, 2026, 10:30 PM EDT',
        'letter_approved',
        'ana@brightside.example',
        '{}',
      ],
    ]);
    const other = w.browser();
    await signIn(w, other, 'bob@elsewhere.example');
    expect((await other.get(`/cases/${ids.harbor}/audit.csv`)).statusCode).toBe(404);
  });
});
