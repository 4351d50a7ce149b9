// The case list reads the cases table (the workflows' projection): filters, ordering, money and countdowns,
// and only ever the signed-in owner's organisation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { cases, chargeDisputes, connections, invoices } from '../../../src/services/db/schema.js';
import { disputeCaseWorkflowId } from '../../../workflows/dispute-case/definitions.js';
import type { InjectBrowser } from './browser.js';
import { textOf } from './browser.js';
import { createWebHarness, seedOrganisation, signIn, type WebHarness } from './harness.js';

let w: WebHarness;
let b: InjectBrowser;
const day = 86_400_000;

async function seedCase(
  organisationId: string,
  connectionId: string,
  c: {
    key: string;
    customer: string;
    status: string;
    paid: number;
    disputed: number;
    currency?: string;
    deadlineInMs?: number;
    invoiceNumber?: string;
  },
) {
  const invoiceId = `inv-${c.key}`;
  if (c.invoiceNumber) {
    await w.h.db.insert(invoices).values({
      connectionId,
      externalId: invoiceId,
      number: c.invoiceNumber,
      customerId: `cust-${c.key}`,
      customerName: c.customer,
      currency: c.currency ?? 'USD',
      totalMinor: c.paid + c.disputed,
      balanceMinor: c.disputed,
      issueDate: '2026-11-01',
      status: 'open',
      lines: [],
      providerUpdatedAt: new Date(),
    });
  }
  await w.h.db.insert(cases).values({
    organisationId,
    caseKey: c.key,
    workflowId: disputeCaseWorkflowId(c.key),
    connectionId,
    invoiceId,
    kind: 'short_payment',
    status: c.status,
    customerName: c.customer,
    currency: c.currency ?? 'USD',
    paidMinor: c.paid,
    disputedMinor: c.disputed,
    nextDeadline: c.deadlineInMs === undefined ? null : new Date(Date.now() + c.deadlineInMs),
  });
}

beforeAll(async () => {
  w = await createWebHarness();
  const { org } = await seedOrganisation(w.h, { email: 'ana@brightside.example' });
  const other = await seedOrganisation(w.h, { email: 'bob@elsewhere.example', name: 'Elsewhere Ltd' });
  const [qbo] = await w.h.db
    .insert(connections)
    .values({ organisationId: org.id, provider: 'quickbooks', accountId: 'realm-1', name: 'QBO' })
    .returning();
  const [xero] = await w.h.db
    .insert(connections)
    .values({ organisationId: org.id, provider: 'xero', accountId: 'tenant-1', name: 'Xero' })
    .returning();
  const [theirs] = await w.h.db
    .insert(connections)
    .values({ organisationId: other.org.id, provider: 'quickbooks', accountId: 'realm-9', name: 'QBO' })
    .returning();
  await seedCase(org.id, qbo!.id, {
    key: 'a',
    customer: 'Harbor Cafe',
    status: 'awaiting_approval',
    paid: 60_000,
    disputed: 40_000,
    deadlineInMs: 3 * day + 3_600_000,
    invoiceNumber: '1001',
  });
  await seedCase(org.id, qbo!.id, {
    key: 'b',
    customer: 'Harbour Bakery',
    status: 'awaiting_payment',
    paid: 123_456,
    disputed: 1_234_567,
    deadlineInMs: -5 * 3_600_000,
    invoiceNumber: '1002',
  });
  await seedCase(org.id, xero!.id, {
    key: 'c',
    customer: '100% Organic_Co',
    status: 'awaiting_client',
    paid: 10_000,
    disputed: 5_000,
    currency: 'EUR',
    deadlineInMs: 10 * day,
  });
  await seedCase(org.id, xero!.id, { key: 'd', customer: 'Quiet Corp', status: 'resolved', paid: 50_000, disputed: 0 });
  await seedCase(other.org.id, theirs!.id, {
    key: 'z',
    customer: 'Harbor Secret',
    status: 'awaiting_payment',
    paid: 1,
    disputed: 1,
    deadlineInMs: day,
  });
  b = w.browser();
  await signIn(w, b, 'ana@brightside.example');
});
afterAll(async () => {
  await w?.close();
});

const customers = (html: string) =>
  [...html.matchAll(/<a href="\/cases\/[0-9a-f-]{36}">([^<]+)<\/a>/g)].map((m) => m[1]!.replace(/&#39;/g, "'"));

describe('case list', () => {
  it("lists the organisation's cases, soonest deadline first, with amounts and countdowns", async () => {
    const res = await b.get('/cases');
    expect(res.statusCode).toBe(200);
    expect(customers(res.body)).toEqual(['Harbour Bakery', 'Harbor Cafe', '100% Organic_Co', 'Quiet Corp']);
    const text = textOf(res.body);
    expect(text).toContain(
      'Harbor Cafe Invoice 1001 · QuickBooks Online Waiting for your approval $600.00 $400.00 Due in 3 days',
    );
    expect(text).toContain(
      'Harbour Bakery Invoice 1002 · QuickBooks Online Waiting for payment $1,234.56 $12,345.67 Overdue: 5 hours ago',
    );
    expect(text).toContain('€100.00 €50.00 Due in 10 days');
    expect(text).toMatch(/Quiet Corp Case · Xero Resolved \$500\.00 \$0\.00 None/);
    expect(res.body).toContain('class="overdue"');
    expect(text).not.toContain('Harbor Secret');
  });

  it('filters by status, by open or closed, by provider and by customer (case-insensitive, wildcards literal)', async () => {
    expect(customers((await b.get('/cases?status=awaiting_payment')).body)).toEqual(['Harbour Bakery']);
    expect(customers((await b.get('/cases?status=active')).body)).toEqual([
      'Harbour Bakery',
      'Harbor Cafe',
      '100% Organic_Co',
    ]);
    expect(customers((await b.get('/cases?status=closed')).body)).toEqual(['Quiet Corp']);
    expect(customers((await b.get('/cases?provider=xero')).body)).toEqual(['100% Organic_Co', 'Quiet Corp']);
    expect(customers((await b.get('/cases?customer=HARB')).body)).toEqual(['Harbour Bakery', 'Harbor Cafe']);
    expect(customers((await b.get('/cases?customer=%25')).body)).toEqual(['100% Organic_Co']);
    expect(customers((await b.get('/cases?customer=c_fe')).body)).toEqual([]);
    const filtered = await b.get('/cases?status=&provider=quickbooks&customer=');
    expect(customers(filtered.body)).toEqual(['Harbour Bakery', 'Harbor Cafe']);
    expect(filtered.body).toContain('<option value="quickbooks" selected>');
    expect(textOf((await b.get('/cases?customer=nobody')).body)).toContain('No cases match these filters.');
  });

  it('answers a bad filter with a readable 400 page, and JSON clients with the envelope', async () => {
    const res = await b.get('/cases?status=bogus');
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain('Some of the information sent was not valid.');
    const api = await b.get('/cases?status=bogus', { accept: 'application/json' });
    expect(api.json().error.code).toBe('invalid_request');
  });

  it("never shows another organisation's case", async () => {
    const other = w.browser();
    await signIn(w, other, 'bob@elsewhere.example');
    expect(customers((await other.get('/cases')).body)).toEqual(['Harbor Secret']);
    const ids = [...(await b.get('/cases')).body.matchAll(/href="\/cases\/([0-9a-f-]{36})"/g)].map((m) => m[1]!);
    const peek = await other.get(`/cases/${ids[0]}`);
    expect(peek.statusCode).toBe(404);
    expect(textOf(peek.body)).toContain('There is no such case in your organisation.');
  });
});

// Stripe's deadline for a chargeback's evidence means something only while the card network has not decided it: a
// won chargeback on an invoice with a balance carries on as a short payment, with deadlines of its own.
describe("the case list's Stripe deadline", () => {
  const dueBy = new Date(Math.floor((Date.now() + 5 * day) / 1000) * 1000); // Stripe dates to the second
  let stripeId: string;
  beforeAll(async () => {
    const [org] = await w.h.db
      .select({ id: connections.organisationId })
      .from(connections)
      .where(eq(connections.accountId, 'realm-1'));
    const [stripe] = await w.h.db
      .insert(connections)
      .values({ organisationId: org!.id, provider: 'stripe', accountId: 'acct_1', name: 'Stripe' })
      .returning();
    stripeId = stripe!.id;
    await w.h.db.insert(cases).values({
      organisationId: org!.id,
      caseKey: 'cb-1',
      workflowId: disputeCaseWorkflowId('cb-1'),
      connectionId: stripeId,
      disputeId: 'dp_1',
      kind: 'both',
      status: 'awaiting_approval',
      customerName: 'Chargeback Client',
      currency: 'USD',
      paidMinor: 60_000,
      disputedMinor: 40_000,
      nextDeadline: new Date(Date.now() + 2 * day),
    });
    await w.h.db.insert(chargeDisputes).values({
      connectionId: stripeId,
      externalId: 'dp_1',
      chargeId: 'ch_1',
      currency: 'USD',
      amountMinor: 60_000,
      reason: 'fraudulent',
      status: 'needs_response',
      dueBy,
    });
  });

  const row = async () => {
    const text = textOf((await b.get('/cases?customer=Chargeback')).body);
    expect(text).toContain('Chargeback Client');
    return text;
  };

  it('is shown while the chargeback waits for its evidence, and no longer once Stripe has decided it', async () => {
    expect(await row()).toContain("Stripe's deadline:");
    expect((await b.get('/cases?customer=Chargeback')).body).toContain(`datetime="${dueBy.toISOString()}"`);
    for (const status of ['under_review', 'warning_needs_response'] as const) {
      await w.h.db.update(chargeDisputes).set({ status }).where(eq(chargeDisputes.externalId, 'dp_1'));
      expect(await row()).toContain("Stripe's deadline:");
    }
    for (const status of ['won', 'lost', 'warning_closed'] as const) {
      await w.h.db.update(chargeDisputes).set({ status }).where(eq(chargeDisputes.externalId, 'dp_1'));
      const text = await row();
      expect(text).not.toContain("Stripe's deadline");
      expect(text).not.toContain('Approve the evidence by');
    }
  });
});
