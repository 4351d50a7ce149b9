// The owner's books in the simulators, seeded through their admin APIs the way a client's actions would land
// there: invoices, payments (with memos), voids, and a Stripe chargeback.
import type { QuickbooksSimulator } from '../../../simulators/quickbooks/index.js';
import type { ChargebackScenario, StripeSimulator } from '../../../simulators/stripe/index.js';

export interface Customer {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

export interface QbInvoice {
  readonly id: string;
  readonly number: string;
  readonly customer: Customer;
  readonly total: number;
  readonly lines: readonly (readonly [string, number])[];
}

export interface InvoiceSeed {
  readonly customer?: string;
  readonly lines: readonly (readonly [description: string, amount: number])[];
  readonly issuedDaysAgo?: number;
  readonly dueDaysAgo?: number;
  /** QuickBooks Payments is on for the invoice: the client can pay it online (QuickBooks gives an InvoiceLink). */
  readonly onlinePayment?: boolean;
}

const DAY = 86_400_000;
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** One simulated QuickBooks company; dates follow the scenario's clock (workflow time). */
export function quickbooksBooks(sim: QuickbooksSimulator, realmId: string, tag: string, now: () => number) {
  const customers = new Map<string, Customer>();
  const customer = (name: string): Customer => {
    const known = customers.get(name);
    if (known) return known;
    const email = `${slug(name)}.${tag}@clients.example`;
    const made = { id: sim.admin.addCustomer(realmId, { name, email }).Id, name, email };
    customers.set(name, made);
    return made;
  };
  return {
    realmId,
    customer,
    customers: () => [...customers.values()],
    /** An invoice issued `issuedDaysAgo` (20) days ago and due `dueDaysAgo` (5) days ago. */
    invoice(seed: InvoiceSeed): QbInvoice {
      const c = customer(seed.customer ?? 'Harbor Cafe');
      const json = sim.admin.addInvoice(realmId, {
        customerId: c.id,
        txnDate: ymd(now() - (seed.issuedDaysAgo ?? 20) * DAY),
        dueDate: ymd(now() - (seed.dueDaysAgo ?? 5) * DAY),
        lines: seed.lines.map(([description, unitPrice]) => ({ description, unitPrice })),
        ...(seed.onlinePayment !== undefined && { onlinePayment: seed.onlinePayment }),
      });
      return { id: json.Id, number: json.DocNumber, customer: c, total: json.TotalAmt, lines: seed.lines };
    },
    /** The client pays `amount` towards the invoice today (scenario time), optionally with a memo. */
    pay(inv: QbInvoice, amount: number, o: { memo?: string; daysAgo?: number } = {}) {
      return sim.admin.addPayment(realmId, {
        customerId: inv.customer.id,
        amount,
        applications: [{ invoiceId: inv.id, amount }],
        txnDate: ymd(now() - (o.daysAgo ?? 0) * DAY),
        ...(o.memo !== undefined && { memo: o.memo }),
      });
    },
    voidPayment: (paymentId: string) => sim.admin.voidPayment(realmId, paymentId),
    voidInvoice: (inv: QbInvoice) => sim.admin.voidInvoice(realmId, inv.id),
  };
}

export type QuickbooksBooks = ReturnType<typeof quickbooksBooks>;

/** What the QuickBooks company holds now: the credit memos Shortfall posted, the invoice, its payments. */
export function ledgerView(sim: QuickbooksSimulator, realmId: string) {
  return {
    creditMemos: () => sim.admin.creditMemos(realmId),
    invoice: (inv: QbInvoice) => sim.admin.invoice(realmId, inv.id),
    payments: () => sim.admin.payments(realmId),
  };
}

/** One simulated Stripe account, connected through Connect when the scenario first touches it. */
export function stripeAccount(
  sim: StripeSimulator,
  connect: (accountId: string, accessToken: string) => Promise<void>,
) {
  let accountId: string | undefined;
  const account = async () => {
    if (accountId) return accountId;
    const id = sim.admin.createAccount({ name: 'Scenario Studio' }).accountId;
    await connect(id, sim.admin.connectAccount(id).accessToken);
    accountId = id;
    return id;
  };
  return {
    account,
    /** A card invoice paid in full whose charge the customer disputes; evidence due in `dueInDays` (7). */
    async chargeback(o: { dueInDays?: number; reason?: string } = {}): Promise<ChargebackScenario> {
      return sim.admin.scenarios.chargeback({ accountId: await account(), ...o });
    },
    /** A Stripe invoice of 1,180.00 of which `paid` (1,000.00) was paid. */
    async partialPayment(o: { paid?: number } = {}) {
      return sim.admin.scenarios.partialPayment({
        accountId: await account(),
        ...(o.paid !== undefined && { paid: o.paid * 100 }),
      });
    },
    /**
     * The client pays a QuickBooks invoice by card through Stripe (a payment link): Stripe holds a charge and no
     * invoice. `at` (ms) dates the charge; the card's billing details name the payer.
     */
    async cardPayment(o: { amount: number; at: number; email?: string; name?: string }): Promise<{ chargeId: string }> {
      const { charge } = sim.admin.chargeCard(await account(), {
        amount: Math.round(o.amount * 100),
        created: Math.floor(o.at / 1000),
        email: o.email ?? null,
        name: o.name ?? null,
      });
      return { chargeId: charge };
    },
    /** The cardholder disputes a charge; evidence due in `dueInDays` (7). */
    async disputeCharge(
      chargeId: string,
      o: { dueInDays?: number; reason?: string } = {},
    ): Promise<{ disputeId: string; dueBy: number }> {
      const dueBy = Math.floor(Date.now() / 1000) + (o.dueInDays ?? 7) * 86_400;
      const d = sim.admin.openDispute(await account(), {
        charge: chargeId,
        dueBy,
        ...(o.reason && { reason: o.reason }),
      });
      return { disputeId: String(d.id), dueBy };
    },
    closeDispute: async (disputeId: string, outcome: 'won' | 'lost') =>
      sim.admin.closeDispute(await account(), disputeId, outcome),
    state: async () => sim.admin.state(await account()),
  };
}

export type StripeAccount = ReturnType<typeof stripeAccount>;
