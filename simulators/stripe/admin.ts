// Test and demo control: seed accounts and scenarios, inject faults, and look at what happened.
import type { StripeObject } from './collection.js';
import type { Faults, FaultRule } from './faults.js';
import { closeDispute, openDispute, type OpenDisputeInput } from './model/disputes.js';
import {
  createCustomer,
  createInvoice,
  deleteDraftInvoice,
  publicInvoice,
  type InvoiceInput,
  type PaymentInput,
} from './model/invoices.js';
import { cardCharge, payInvoice, type CardChargeInput } from './model/payments.js';
import type { RequestLogEntry } from './pipeline.js';
import type { RateLimitConfig, RateLimiter } from './rate-limit.js';
import { deauthorizeAccount, type ConnectPlatform, type OAuthRequestRecord } from './routes/oauth.js';
import type { AccountData, StripeStore } from './store.js';
import type { DeliveryRecord, WebhookDispatcher } from './webhooks.js';

type FaultInput = Omit<FaultRule, 'remaining' | 'kind'> & { times?: number };

/** One invoice of a bulk import, finalized, and paid on Stripe by `paid` minor units when given. */
export interface ImportedInvoice extends Omit<InvoiceInput, 'draft'> {
  readonly paid?: number;
}

export interface ImportResult {
  readonly invoiceId: string;
  readonly invoicePaymentId?: string;
}

export interface PartialPaymentScenario {
  readonly accountId: string;
  readonly customerId: string;
  readonly invoiceId: string;
  readonly invoicePaymentId: string;
}

export interface ChargebackScenario extends PartialPaymentScenario {
  readonly chargeId: string;
  readonly paymentIntentId: string;
  readonly disputeId: string;
  readonly dueBy: number;
}

const day = 24 * 3600;

export function createAdmin(d: {
  store: StripeStore;
  dispatcher: WebhookDispatcher;
  limiter: RateLimiter;
  faults: Faults;
  log: RequestLogEntry[];
  oauthLog: readonly OAuthRequestRecord[];
  platform: ConnectPlatform;
}) {
  const { store } = d;
  const data = (accountId: string): AccountData => {
    const found = store.account(accountId);
    if (!found) throw new Error(`No simulated account ${accountId}`);
    return found;
  };
  const clone = <T>(o: T): T => structuredClone(o);

  const admin = {
    platform: {
      accountId: store.platformAccountId,
      secretKey: d.platform.secretKey,
      clientId: d.platform.clientId,
      name: d.platform.name,
    },

    /** `controlledByAnotherPlatform`: Connect OAuth with read_write cannot connect it; Stripe makes a new, empty account instead. */
    createAccount: (input: {
      name: string;
      email?: string;
      country?: string;
      currency?: string;
      controlledByAnotherPlatform?: boolean;
    }) => {
      const { controlledByAnotherPlatform, ...fields } = input;
      const accountId = store.createAccount(fields).account.id;
      if (controlledByAnotherPlatform) store.controlledElsewhere.add(accountId);
      return { accountId };
    },
    /** Connects an account to the platform without the consent page, as if OAuth had completed. */
    connectAccount(accountId: string, scope: 'read_only' | 'read_write' = 'read_write') {
      data(accountId);
      const accessToken = store.issueKey(accountId, 'oauth');
      store.connections.set(accountId, { accessToken, refreshToken: `rt_${accountId}`, scope });
      return { accessToken };
    },
    /**
     * The account's owner disconnects the platform in their Dashboard: the Connect grant and its keys stop working
     * at once and account.application.deauthorized is sent, as when the platform calls /oauth/deauthorize. A key the
     * owner created themselves (a restricted key) is theirs and keeps working.
     */
    disconnectPlatform(accountId: string): void {
      data(accountId);
      if (!deauthorizeAccount(store, d.platform, accountId))
        throw new Error(`The platform is not connected to ${accountId}`);
    },
    /** The account the Connect consent page preselects (the sandbox's demo account). */
    suggestAccount: (accountId: string | undefined): void => {
      store.suggestedAccount = accountId;
    },
    issueRestrictedKey: (accountId: string, opts: { deny?: string[] } = {}) => (
      data(accountId),
      store.issueKey(accountId, 'restricted', opts.deny)
    ),
    /** The owner deletes a key in the Dashboard: from then on Stripe answers it 401 "Invalid API Key provided". */
    revokeKey: (key: string): void => {
      if (!store.keys.delete(key)) throw new Error('No such API key');
    },

    createCustomer: (accountId: string, input: { name: string; email?: string }) =>
      clone(createCustomer(store, data(accountId), input)),
    createInvoice: (accountId: string, input: InvoiceInput) =>
      clone(publicInvoice(createInvoice(store, data(accountId), input))),
    deleteDraftInvoice: (accountId: string, invoiceId: string) => deleteDraftInvoice(store, data(accountId), invoiceId),
    payInvoice: (accountId: string, input: PaymentInput) => clone(payInvoice(store, data(accountId), input)),
    /**
     * Imports many invoices in one pass, each built exactly as createInvoice and payInvoice build it (the same
     * objects on the wire) but as history past Stripe's 30-day event retention: no events, no webhooks, and no
     * copies handed back, only ids. Each record takes the clock as it is read, so a generator that advances a
     * manual clock spreads them out; without that they share one second, as an import does.
     */
    importInvoices(accountId: string, invoices: Iterable<ImportedInvoice>): ImportResult[] {
      const account = data(accountId);
      return store.withoutEvents(() => {
        const results: ImportResult[] = [];
        for (const { paid, ...input } of invoices) {
          const invoice = createInvoice(store, account, input);
          if (paid === undefined) results.push({ invoiceId: invoice.id });
          else
            results.push({
              invoiceId: invoice.id,
              invoicePaymentId: payInvoice(store, account, { invoice: invoice.id, amount: paid }).id,
            });
        }
        return results;
      });
    },
    /**
     * A card payment with no Stripe invoice behind it: an invoice kept in QuickBooks or Xero, paid through a payment
     * link or a card terminal. `amount` in minor units, `daysAgo` dates it.
     */
    chargeCard(accountId: string, input: Omit<CardChargeInput, 'currency'> & { currency?: string; daysAgo?: number }) {
      const { daysAgo, ...rest } = input;
      return cardCharge(store, data(accountId), {
        ...rest,
        currency: input.currency ?? 'usd',
        created: input.created ?? store.now() - (daysAgo ?? 0) * day,
      });
    },
    openDispute: (accountId: string, input: OpenDisputeInput) => clone(openDispute(store, data(accountId), input)),
    closeDispute: (accountId: string, disputeId: string, outcome: 'won' | 'lost' | 'warning_closed') =>
      clone(closeDispute(store, data(accountId), disputeId, outcome)),

    scenarios: {
      /** A 1,180.00 invoice of which 1,000.00 has been paid, leaving a 180.00 shortfall. */
      partialPayment(
        opts: { accountId?: string; currency?: string; paid?: number; offStripe?: PaymentInput['offStripe'] } = {},
      ): PartialPaymentScenario {
        const accountId = opts.accountId ?? admin.createAccount({ name: 'Harbour Design Studio' }).accountId;
        const customer = admin.createCustomer(accountId, { name: 'Northwind Traders', email: 'ap@northwind.example' });
        const invoice = admin.createInvoice(accountId, {
          customer: customer.id,
          currency: opts.currency ?? 'usd',
          dueDate: store.now() + 30 * day,
          lines: [
            { description: 'Website redesign', quantity: 1, unitAmount: 100_000 },
            { description: 'Hosting, 12 months', quantity: 12, unitAmount: 1_500 },
          ],
        });
        const payment = admin.payInvoice(accountId, {
          invoice: invoice.id,
          amount: opts.paid ?? 100_000,
          ...(opts.offStripe && { offStripe: opts.offStripe }),
        });
        return { accountId, customerId: customer.id, invoiceId: invoice.id, invoicePaymentId: payment.id };
      },
      /** A fully paid card invoice whose charge the customer disputes; evidence due in `dueInDays`. */
      chargeback(
        opts: { accountId?: string; dueInDays?: number; reason?: string; currency?: string } = {},
      ): ChargebackScenario {
        const accountId = opts.accountId ?? admin.createAccount({ name: 'Harbour Design Studio' }).accountId;
        const customer = admin.createCustomer(accountId, { name: 'Contoso Ltd', email: 'billing@contoso.example' });
        const invoice = admin.createInvoice(accountId, {
          customer: customer.id,
          currency: opts.currency ?? 'usd',
          lines: [{ description: 'Annual retainer', quantity: 1, unitAmount: 250_000 }],
        });
        const payment = admin.payInvoice(accountId, { invoice: invoice.id, amount: 250_000 });
        const paymentIntentId = (payment.payment as { payment_intent: string }).payment_intent;
        const chargeId = String(data(accountId).paymentIntents.get(paymentIntentId).latest_charge);
        const dueBy = store.now() + (opts.dueInDays ?? 7) * day;
        const dispute = admin.openDispute(accountId, {
          charge: chargeId,
          dueBy,
          ...(opts.reason && { reason: opts.reason }),
        });
        return {
          accountId,
          customerId: customer.id,
          invoiceId: invoice.id,
          invoicePaymentId: payment.id,
          chargeId,
          paymentIntentId,
          disputeId: dispute.id,
          dueBy,
        };
      },
    },

    state(accountId: string) {
      const a = data(accountId);
      return clone({
        invoices: a.invoices.all().map(publicInvoice),
        invoicePayments: a.invoicePayments.all(),
        paymentRecords: a.paymentRecords.all(),
        creditNotes: a.creditNotes.all(),
        disputes: a.disputes.all(),
        files: a.files.all(),
        events: a.events.all(),
      });
    },
    requests: (filter: Partial<Pick<RequestLogEntry, 'method' | 'path' | 'status'>> = {}): RequestLogEntry[] =>
      d.log.filter(
        (r) =>
          (!filter.method || r.method === filter.method) &&
          (!filter.path || r.path === filter.path) &&
          (filter.status === undefined || r.status === filter.status),
      ),
    /** Calls to Connect's /oauth/token and /oauth/deauthorize in arrival order, with the status each was answered. */
    oauthRequests: (): OAuthRequestRecord[] => clone([...d.oauthLog]),
    rateLimited: () => d.limiter.rejected,
    setRateLimit: (config: RateLimitConfig) => void (d.limiter.config = config),

    faults: {
      fail: (rule: FaultInput & { status: number }) => d.faults.add({ ...rule, kind: 'fail' }),
      dropResponse: (rule: FaultInput) => d.faults.add({ ...rule, kind: 'drop' }),
      delayResponse: (rule: FaultInput & { delayMs: number }) => d.faults.add({ ...rule, kind: 'delay' }),
      clear: () => d.faults.clear(),
    },

    webhooks: {
      /** Points the endpoint at another address (Stripe's webhook endpoints are updatable), e.g. once the app listens. */
      updateEndpoint: (update: { url: string }) => d.dispatcher.updateEndpoint(update),
      pause: () => d.dispatcher.pause(),
      resume: (order?: 'created' | 'reverse') => d.dispatcher.resume(order),
      redeliver: (accountId: string, eventId: string) => d.dispatcher.redeliver(data(accountId).events.get(eventId)),
      deliveries: (): readonly DeliveryRecord[] => d.dispatcher.log,
      idle: () => d.dispatcher.idle(),
    },

    event: (accountId: string, eventId: string): StripeObject => clone(data(accountId).events.get(eventId)),
  };
  return admin;
}

export type StripeSimulatorAdmin = ReturnType<typeof createAdmin>;
