// Reads one Stripe object (or one backfill page) and maps it. The feed and the backfill both go
// through here, so a re-read after an event gives exactly what a backfill would have stored.
import type { ChargeDispute, CreditNote, Invoice, Payment } from '../../src/domain/model.js';
import { IntegrationError } from '../errors.js';
import type { StripeClient, StripeListCall } from './client.js';
import type { BackfillStage } from './cursor.js';
import { toChargeDispute, toCreditNote, toInvoice, toPayment, type MapContext } from './mappers.js';
import {
  StripeCreditNote,
  StripeCreditNoteLine,
  StripeDispute,
  StripeInvoice,
  StripeInvoiceLine,
  StripeInvoicePayment,
} from './schemas.js';

export interface ChangeSet {
  invoices: Invoice[];
  payments: Payment[];
  creditNotes: CreditNote[];
  disputes: ChargeDispute[];
}

export const emptyChangeSet = (): ChangeSet => ({ invoices: [], payments: [], creditNotes: [], disputes: [] });

export interface StagePage {
  readonly changes: ChangeSet;
  readonly lastId?: string;
  readonly exhausted: boolean;
}

const paymentRecordExpansion = 'payment.payment_record';

/**
 * Which invoice a PaymentIntent paid, as paid InvoicePayments say: once an InvoicePayment is paid, its invoice and
 * its PaymentIntent never change, so the answer is kept (per account, while the provider keeps the account: see
 * accounts.ts) and a dispute
 * re-read after its evidence changed needs no second look-up. Unpaid or missing links are not kept: a PaymentIntent
 * may still be attached to an invoice later. Bounded (a thousand an account, about 100 kB): the oldest go first.
 */
export interface InvoiceLinks {
  get(paymentIntent: string): string | undefined;
  remember(payment: StripeInvoicePayment): void;
}

export function createInvoiceLinks(max = 1_000): InvoiceLinks {
  const byIntent = new Map<string, string>();
  return {
    get: (paymentIntent) => byIntent.get(paymentIntent),
    remember(payment) {
      const intent = payment.payment.payment_intent;
      if (payment.status !== 'paid' || payment.payment.type !== 'payment_intent' || !intent) return;
      byIntent.delete(intent);
      byIntent.set(intent, payment.invoice);
      if (byIntent.size > max) byIntent.delete(byIntent.keys().next().value!);
    },
  };
}

async function orNull<T>(read: Promise<T>): Promise<T | null> {
  try {
    return await read;
  } catch (e) {
    if (e instanceof IntegrationError && e.kind === 'not_found') return null;
    throw e;
  }
}

export function createStripeReader(
  client: StripeClient,
  context: () => MapContext,
  links: InvoiceLinks = createInvoiceLinks(),
) {
  async function invoiceLines(raw: StripeInvoice): Promise<StripeInvoiceLine[]> {
    if (!raw.lines.has_more) return raw.lines.data;
    const all = await client.collect((s, page, o) => s.invoices.listLineItems(raw.id, page, o));
    return all.items.map((l) => StripeInvoiceLine.parse(l));
  }

  async function mapInvoice(raw: StripeInvoice): Promise<Invoice> {
    return toInvoice(raw, context(), await invoiceLines(raw));
  }

  async function mapCreditNote(raw: StripeCreditNote): Promise<CreditNote> {
    if (!raw.lines.has_more) return toCreditNote(raw, context());
    const all = await client.collect((s, page, o) => s.creditNotes.listLineItems(raw.id, page, o));
    return toCreditNote(
      raw,
      context(),
      all.items.map((l) => StripeCreditNoteLine.parse(l)),
    );
  }

  /** Since API 2025-03-31 only the InvoicePayment links a PaymentIntent back to its invoice. */
  async function invoiceIdForPaymentIntent(paymentIntent: string | null): Promise<string | undefined> {
    if (!paymentIntent) return undefined;
    const known = links.get(paymentIntent);
    if (known) return known;
    const found = await client.collect(
      (s, page, o) =>
        s.invoicePayments.list({ payment: { type: 'payment_intent', payment_intent: paymentIntent }, ...page }, o),
      1,
    );
    const first = found.items[0];
    if (!first) return undefined;
    const payment = StripeInvoicePayment.safeParse(first);
    if (payment.success) links.remember(payment.data);
    return StripeInvoicePayment.shape.invoice.parse(first.invoice);
  }

  /**
   * `knownIntent`: the dispute's PaymentIntent as an event already named it (a dispute never changes its
   * PaymentIntent), so its invoice is looked up while the dispute is read instead of after.
   */
  async function mapDispute(raw: StripeDispute, early?: { intent: string; invoice: Promise<string | undefined> }) {
    const invoiceId =
      early && early.intent === raw.payment_intent
        ? await early.invoice
        : await invoiceIdForPaymentIntent(raw.payment_intent);
    return toChargeDispute(raw, context(), invoiceId);
  }

  async function stagePage<T extends { id?: string }>(
    list: StripeListCall<T>,
    after: string | undefined,
    max: number,
    collectInto: (items: T[], changes: ChangeSet) => Promise<void>,
  ): Promise<StagePage> {
    const page = await client.collect(list, max, after);
    const changes = emptyChangeSet();
    await collectInto(page.items, changes);
    const last = page.items.at(-1) as { id?: string } | undefined;
    return { changes, exhausted: page.exhausted, ...(last?.id && { lastId: last.id }) };
  }

  return {
    invoice: async (id: string): Promise<Invoice | null> => {
      const raw = await orNull(client.call((s, o) => s.invoices.retrieve(id, {}, o)));
      return raw ? mapInvoice(StripeInvoice.parse(raw)) : null;
    },
    /** The last state an event carried for a deleted draft (only drafts can be deleted). */
    mapDeletedInvoice: (raw: StripeInvoice): Invoice => ({ ...toInvoice(raw, context()), status: 'deleted' }),
    invoicePdfUrl: async (id: string): Promise<string | null> => {
      const raw = StripeInvoice.parse(await client.call((s, o) => s.invoices.retrieve(id, {}, o)));
      return raw.invoice_pdf ?? null;
    },
    /** The hosted invoice page, while there is something to pay on it: none for a draft, a void or a missing invoice. */
    invoicePaymentUrl: async (id: string): Promise<string | null> => {
      const raw = await orNull(client.call((s, o) => s.invoices.retrieve(id, {}, o)));
      if (!raw) return null;
      const invoice = StripeInvoice.parse(raw);
      return invoice.status === 'open' || invoice.status === 'uncollectible'
        ? (invoice.hosted_invoice_url ?? null)
        : null;
    },
    payment: async (id: string): Promise<Payment | null> => {
      const raw = await orNull(
        client.call((s, o) => s.invoicePayments.retrieve(id, { expand: [paymentRecordExpansion] }, o)),
      );
      return raw ? toPayment(StripeInvoicePayment.parse(raw), context()) : null;
    },
    creditNote: async (id: string): Promise<CreditNote | null> => {
      const raw = await orNull(client.call((s, o) => s.creditNotes.retrieve(id, {}, o)));
      return raw ? mapCreditNote(StripeCreditNote.parse(raw)) : null;
    },
    mapCreditNote,
    /** `knownIntent`: the PaymentIntent an event said the dispute is about, to look its invoice up meanwhile. */
    dispute: async (id: string, knownIntent?: string): Promise<ChargeDispute | null> => {
      const early = knownIntent ? { intent: knownIntent, invoice: invoiceIdForPaymentIntent(knownIntent) } : undefined;
      early?.invoice.catch(() => undefined); // awaited below when it is the dispute's; a dispute gone leaves it unread
      const raw = await orNull(client.call((s, o) => s.disputes.retrieve(id, { expand: ['charge'] }, o)));
      return raw ? mapDispute(StripeDispute.parse(raw), early) : null;
    },
    mapDispute: (raw: StripeDispute) => mapDispute(raw),
    invoiceIdForPaymentIntent,
    /** What a paid InvoicePayment (an event's snapshot, a backfill page) says about its PaymentIntent's invoice. */
    rememberInvoiceLink: (payment: StripeInvoicePayment) => links.remember(payment),
    page(stage: BackfillStage, after: string | undefined, max: number): Promise<StagePage> {
      switch (stage) {
        case 'invoices':
          return stagePage(
            (s, page, o) => s.invoices.list(page, o),
            after,
            max,
            async (items, c) => {
              c.invoices = await Promise.all(items.map((i) => mapInvoice(StripeInvoice.parse(i))));
            },
          );
        case 'invoice_payments':
          return stagePage(
            (s, page, o) => s.invoicePayments.list({ ...page, expand: [`data.${paymentRecordExpansion}`] }, o),
            after,
            max,
            async (items, c) => {
              c.payments = items.flatMap((p) => {
                const payment = StripeInvoicePayment.parse(p);
                links.remember(payment);
                return toPayment(payment, context()) ?? [];
              });
            },
          );
        case 'credit_notes':
          return stagePage(
            (s, page, o) => s.creditNotes.list(page, o),
            after,
            max,
            async (items, c) => {
              c.creditNotes = await Promise.all(items.map((n) => mapCreditNote(StripeCreditNote.parse(n))));
            },
          );
        case 'disputes':
          return stagePage(
            (s, page, o) => s.disputes.list({ ...page, expand: ['data.charge'] }, o),
            after,
            max,
            async (items, c) => {
              c.disputes = await Promise.all(items.map((d) => mapDispute(StripeDispute.parse(d))));
            },
          );
      }
    },
  };
}

export type StripeReader = ReturnType<typeof createStripeReader>;
