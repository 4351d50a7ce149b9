// The simulator's back door: seed companies and documents, act as a QuickBooks user (void, delete, edit), and
// inspect what the app wrote. Everything returned is a copy; the simulator's state changes only through here
// and the HTTP API.
import { randomUUID } from 'node:crypto';
import type { Company, Customer } from './company.js';
import type {
  CompanyInput,
  FaultMatch,
  OAuthEndpoint,
  OAuthRequestRecord,
  RequestRecord,
  SimulatedFault,
  SimulatorCore,
} from './core.js';
import type { CreditMemoJson, InvoiceJson, PaymentJson, Ref } from './entities.js';
import type { TokenResponse } from './oauth-server.js';
import { createPayment, deletePayment, voidPayment } from './payments.js';
import {
  applyCredit,
  createCreditMemo,
  createInvoice,
  deleteSalesDocument,
  updateInvoice,
  voidInvoice,
  type CreditMemoInput,
  type InvoiceInput,
} from './sales.js';
import type { ThrottleStats } from './throttle.js';
import type { DeliveryAttempt } from './webhooks.js';

export interface SeedPayment {
  readonly customerId: string;
  readonly amount: number;
  /** Invoices this payment pays, and how much of each. */
  readonly applications: readonly { readonly invoiceId: string; readonly amount: number }[];
  readonly memo?: string;
  readonly refNum?: string;
  readonly method?: Ref;
  readonly txnDate?: string;
}

/** One invoice of a bulk import, and the amount (in the invoice's currency, as addPayment takes it) a payment applies to it when given. */
export interface ImportedInvoice extends InvoiceInput {
  readonly paid?: number;
}

export interface ImportResult {
  readonly invoiceId: string;
  readonly paymentId?: string;
}

const copy = <T>(value: T): T => structuredClone(value);

export function createAdmin(core: SimulatorCore) {
  const company = (realmId: string): Company => {
    const found = core.companies.get(realmId);
    if (!found) throw new Error(`No simulated company ${realmId}`);
    return found;
  };

  return {
    createApp: (input: {
      clientId?: string;
      clientSecret?: string;
      name?: string;
      redirectUris: readonly string[];
    }) => {
      const app = core.oauth.registerApp(input);
      return { clientId: app.clientId, clientSecret: app.clientSecret };
    },
    createCompany: (input: CompanyInput = {}): string => core.addCompany(input).realmId,
    setAutoApplyCredit: (realmId: string, on: boolean): void => company(realmId).setAutoApplyCredit(on),
    /** Skip the consent page and connect this company (undefined restores the page). */
    setAutoConsent: (realmId: string | undefined): void => {
      core.autoConsentRealm = realmId;
    },
    /** The company the consent page preselects (the sandbox's demo company). */
    suggestCompany: (realmId: string | undefined): void => {
      core.suggestedRealm = realmId;
    },
    /** Tokens for a company without the consent round trip. */
    grantTokens: (clientId: string, realmId: string): TokenResponse => {
      const app = core.oauth.app(clientId);
      if (!app) throw new Error(`No simulated app ${clientId}`);
      company(realmId);
      return core.oauth.grant(app, realmId);
    },

    addCustomer: (realmId: string, input: { id?: string; name: string; email?: string }): Customer =>
      copy(company(realmId).addCustomer(input)),
    addInvoice: (realmId: string, input: InvoiceInput): InvoiceJson =>
      copy(createInvoice(company(realmId), input).json),
    /**
     * Imports many invoices in one pass, each built as addInvoice and addPayment build it (the same JSON on the
     * wire, in queries and the change data feed) but with no webhook notification and no copy handed back, only
     * ids. Each record takes the clock as it is read, so a generator that moves the clock spreads them out;
     * without that they share one LastUpdatedTime, as an import does.
     */
    importInvoices: (realmId: string, invoices: Iterable<ImportedInvoice>): ImportResult[] => {
      const c = company(realmId);
      return c.withoutNotifications(() => {
        const results: ImportResult[] = [];
        for (const { paid, ...input } of invoices) {
          const invoice = createInvoice(c, input).json;
          if (paid === undefined) results.push({ invoiceId: invoice.Id });
          else {
            const payment = createPayment(c, {
              customerId: input.customerId,
              totalAmt: paid,
              lines: [{ amount: paid, txnId: invoice.Id, txnType: 'Invoice' }],
              currency: invoice.CurrencyRef.value,
            });
            results.push({ invoiceId: invoice.Id, paymentId: payment.json.Id });
          }
        }
        return results;
      });
    },
    /** A credit memo entered in QuickBooks by a user (not applied unless AutoApplyCredit is on). */
    addCreditMemo: (realmId: string, input: CreditMemoInput): CreditMemoJson =>
      copy(createCreditMemo(company(realmId), input).json),
    addPayment: (realmId: string, p: SeedPayment): PaymentJson =>
      copy(
        createPayment(company(realmId), {
          customerId: p.customerId,
          totalAmt: p.amount,
          lines: p.applications.map((a) => ({ amount: a.amount, txnId: a.invoiceId, txnType: 'Invoice' as const })),
          ...(p.memo !== undefined && { privateNote: p.memo }),
          ...(p.refNum !== undefined && { refNum: p.refNum }),
          ...(p.method && { method: p.method }),
          ...(p.txnDate && { txnDate: p.txnDate }),
        }).json,
      ),
    /** A user applying a credit on Receive Payment: a $0 Payment linking memo and invoice, as QBO records it. */
    applyCredit: (realmId: string, input: { creditMemoId: string; invoiceId: string; amount: number }): PaymentJson => {
      const c = company(realmId);
      return copy(
        applyCredit(
          c,
          c.find('CreditMemo', input.creditMemoId).json,
          c.find('Invoice', input.invoiceId).json,
          input.amount,
        ).json,
      );
    },
    updateInvoice: (realmId: string, id: string, patch: { dueDate?: string; privateNote?: string }): InvoiceJson =>
      copy(updateInvoice(company(realmId), id, patch).json),
    voidInvoice: (realmId: string, id: string): InvoiceJson => copy(voidInvoice(company(realmId), id).json),
    deleteInvoice: (realmId: string, id: string): void => deleteSalesDocument(company(realmId), 'Invoice', id),
    voidPayment: (realmId: string, id: string): PaymentJson => copy(voidPayment(company(realmId), id).json),
    deletePayment: (realmId: string, id: string): void => deletePayment(company(realmId), id),

    invoice: (realmId: string, id: string): InvoiceJson | undefined =>
      copy(company(realmId).table('Invoice').get(id)?.json),
    creditMemos: (realmId: string): CreditMemoJson[] =>
      [...company(realmId).table('CreditMemo').values()].map((s) => copy(s.json)),
    payments: (realmId: string): PaymentJson[] =>
      [...company(realmId).table('Payment').values()].map((s) => copy(s.json)),
    /**
     * The next API request to this company (or the next matching `match`) gets this answer instead of being served,
     * as Intuit gives it: a throttle is the 429 with the XML body, a validation fault the 400 ValidationFault. Nothing
     * is written, so a retry with the same requestid is served normally. Each call queues one answer.
     */
    failNext: (realmId: string, fault: SimulatedFault, match?: FaultMatch): void => {
      company(realmId);
      core.failNext(realmId, fault, match);
    },
    /**
     * The next `times` requests to Intuit's token endpoint or revocation endpoint are answered with this status (an
     * outage page) instead of being served: no token is issued, spent or revoked.
     */
    failNextOAuth: (endpoint: OAuthEndpoint, status: number, times = 1): void => {
      for (let i = 0; i < times; i++) core.oauthFaults.push({ endpoint, status });
    },
    /** The token endpoint pauses this long before answering, so concurrent refreshes overlap (0 turns it off). */
    setTokenLatency: (ms: number): void => {
      core.tokenLatencyMs = ms;
    },
    /** Requests to the token and revocation endpoints in arrival order, with what each was answered. */
    oauthRequests: (): OAuthRequestRecord[] => copy(core.oauthRequests),
    /** The company's grants (consent or admin.grantTokens) and whether each was revoked. */
    grants: (realmId: string): { revoked: boolean }[] =>
      core.oauth
        .snapshotGrants()
        .filter((g) => g.realmId === realmId)
        .map((g) => ({ revoked: g.revoked })),
    /** API requests in arrival order (after auth and throttling, so 401s and 429s are here too). */
    requests: (): RequestRecord[] => copy(core.requests),
    throttleStats: (realmId: string): ThrottleStats => core.throttle.stats(realmId),
    webhookAttempts: (): DeliveryAttempt[] => copy(core.webhooks?.attempts ?? []),
    webhooksSettled: (): Promise<void> => core.webhooks?.settled() ?? Promise.resolve(),
    /**
     * Sends one signed CloudEvents notification holding exactly these events (id, specversion, source and time are
     * filled in when absent): event types Intuit adds later, or shapes it changes, without a change in a company.
     */
    sendCloudEvents: (events: readonly Record<string, unknown>[]): void => {
      if (!core.webhooks) throw new Error('The simulator was started without webhooks');
      core.webhooks.send(
        events.map((e) => ({
          specversion: '1.0',
          id: randomUUID(),
          source: 'intuit.simulator',
          datacontenttype: 'application/json',
          time: new Date(core.clock()).toISOString(),
          ...e,
        })),
      );
    },
    /** Metered reads counted this month (only with monthlyReadCap set). */
    meteredReads: (): number => core.meteredReads.get(new Date(core.clock()).toISOString().slice(0, 7)) ?? 0,
  };
}

export type QuickbooksSimulatorAdmin = ReturnType<typeof createAdmin>;
