// The admin API tests and the embedded demo use to seed organisations and look inside the simulator.
// It talks to the state directly, never over HTTP, so seeding counts against no rate limit.
import { toCents } from './amounts.js';
import type { LineAmountType } from './documents.js';
import type { TokenResponse } from './identity.js';
import type { IntentToReceiveResult, WebhookDelivery } from './webhooks.js';
import type { Violation } from './openapi/hooks.js';
import type { DocumentStatus, Organisation } from './organisation.js';
import type { SimRateLimits } from './rate-limit.js';
import { renderCreditNote, renderHistory, renderInvoice, renderPayment } from './render.js';
import type { ConsentMode, Hold, RequestRecord, SimState } from './state.js';

export interface ContactSeed {
  readonly name: string;
  readonly email?: string;
}

export interface InvoiceSeed {
  /** An existing contact's id, or a new contact to create. */
  readonly contact: string | ContactSeed;
  readonly type?: 'ACCREC' | 'ACCPAY';
  readonly number?: string;
  readonly reference?: string;
  readonly currency?: string;
  readonly status?: DocumentStatus;
  readonly date?: string;
  readonly dueDate?: string;
  readonly lineAmountTypes?: LineAmountType;
  readonly lines: readonly {
    description: string;
    quantity?: string | number;
    unitAmount: string | number;
    accountCode?: string;
    taxType?: string;
  }[];
}

export interface SeededInvoice {
  readonly invoiceId: string;
  readonly number: string;
  readonly contactId: string;
}

/** One invoice of a bulk import, and the amount a payment applies to it when given. */
export interface ImportedInvoice extends InvoiceSeed {
  readonly paid?: string | number;
}

export interface ImportResult {
  readonly invoiceId: string;
  readonly paymentId?: string;
}

export type Wire = Record<string, unknown>;

export interface FaultSeed {
  readonly status: number;
  readonly times?: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly pathIncludes?: string;
}

export function createAdmin(
  state: SimState,
  violations: readonly Violation[],
  addTenant: (t: { tenantId?: string; name: string; baseCurrency?: string }) => string,
) {
  const org = (tenantId: string): Organisation => {
    const found = state.orgs.get(tenantId.toLowerCase());
    if (!found) throw new Error(`No simulated tenant ${tenantId}`);
    return found;
  };
  const webhooks = () => {
    if (!state.webhooks) throw new Error('Start the simulator with `webhook: {url, key}` to send webhooks');
    return state.webhooks;
  };

  const admin = {
    tenants: () =>
      [...state.orgs.values()].map((o) => ({ tenantId: o.tenantId, name: o.name, baseCurrency: o.baseCurrency })),
    addTenant,
    /** The organisations the consent page ticks at first (every one when undefined). */
    suggestTenants: (tenantIds: readonly string[] | undefined): void => {
      state.suggestedTenants = tenantIds?.map((t) => t.toLowerCase());
    },
    addContact: (tenantId: string, contact: ContactSeed) => org(tenantId).addContact(contact).id,

    seedInvoice(tenantId: string, seed: InvoiceSeed): SeededInvoice {
      const o = org(tenantId);
      const contactId = typeof seed.contact === 'string' ? seed.contact : o.addContact(seed.contact).id;
      const inv = o.createInvoice({
        contactId,
        lines: seed.lines.map((l) => ({ ...l, accountCode: l.accountCode ?? '200' })),
        ...(seed.type && { type: seed.type }),
        ...(seed.number && { number: seed.number }),
        ...(seed.reference && { reference: seed.reference }),
        ...(seed.currency && { currency: seed.currency }),
        ...(seed.status && { status: seed.status }),
        ...(seed.date && { date: seed.date }),
        ...(seed.dueDate && { dueDate: seed.dueDate }),
        ...(seed.lineAmountTypes && { lineAmountTypes: seed.lineAmountTypes }),
      });
      return { invoiceId: inv.id, number: inv.number, contactId };
    },
    /**
     * Imports many invoices in one pass, each built as seedInvoice and seedPayment build it (the same records on
     * the wire) but with no webhook event, only ids handed back. Each record takes the clock as it is read, so a
     * generator that advances a manual clock spreads them out; without that they share one UpdatedDateUTC, as an
     * import does.
     */
    importInvoices(tenantId: string, invoices: Iterable<ImportedInvoice>): ImportResult[] {
      const o = org(tenantId);
      return o.withoutWebhooks(() => {
        const results: ImportResult[] = [];
        for (const { paid, ...seed } of invoices) {
          const { invoiceId } = admin.seedInvoice(tenantId, seed);
          if (paid === undefined) results.push({ invoiceId });
          else results.push({ invoiceId, paymentId: admin.seedPayment(tenantId, { invoiceId, amount: paid }) });
        }
        return results;
      });
    },
    seedPayment: (
      tenantId: string,
      p: { invoiceId: string; amount: string | number; reference?: string; date?: string },
    ) =>
      org(tenantId).addPayment({
        invoiceId: p.invoiceId,
        amount: toCents(p.amount, 'amount'),
        ...(p.reference && { reference: p.reference }),
        ...(p.date && { date: p.date }),
      }).id,
    deletePayment: (tenantId: string, paymentId: string) => void org(tenantId).deletePayment(paymentId),
    /** Due-date edits on a part-paid invoice leave UpdatedDateUTC alone, as in Xero. */
    editInvoice: (tenantId: string, invoiceId: string, patch: { dueDate?: string; sentToContact?: boolean }) =>
      void org(tenantId).editInvoice(invoiceId, patch),
    voidInvoice: (tenantId: string, invoiceId: string) => void org(tenantId).voidInvoice(invoiceId),

    invoice: (tenantId: string, invoiceId: string): Wire =>
      renderInvoice(org(tenantId), org(tenantId).invoice(invoiceId), { lines: true }),
    payments: (tenantId: string): Wire[] =>
      [...org(tenantId).payments.values()].map((p) => renderPayment(org(tenantId), p)),
    creditNotes: (tenantId: string): Wire[] =>
      [...org(tenantId).creditNotes.values()].map((c) => renderCreditNote(org(tenantId), c)),
    history: (tenantId: string, invoiceId: string): Wire[] =>
      (org(tenantId).history.get(org(tenantId).invoice(invoiceId).id) ?? []).map(renderHistory),

    /** Tokens for an app without the consent screen. */
    grant: (input: { clientId: string; tenantIds?: readonly string[]; scope?: string }): TokenResponse =>
      state.identity.grant(
        input.clientId,
        input.tenantIds ?? [...state.orgs.keys()],
        input.scope ??
          'offline_access accounting.invoices accounting.payments.read accounting.contacts.read accounting.settings.read',
      ),
    setConsent: (mode: ConsentMode) => {
      state.consent = mode;
    },
    setRateLimits: (limits: Partial<SimRateLimits>) => {
      state.rateLimiter.limits = { ...state.rateLimiter.limits, ...limits };
    },
    failNext: (f: FaultSeed) => {
      state.faults.push({
        status: f.status,
        remaining: f.times ?? 1,
        ...(f.body !== undefined && { body: f.body }),
        ...(f.headers && { headers: f.headers }),
        ...(f.pathIncludes && { pathIncludes: f.pathIncludes }),
      });
    },
    setLatency: (ms: number) => {
      state.latencyMs = ms;
    },
    /** The token endpoint pauses this long before answering, so concurrent refreshes overlap (0 turns it off). */
    setTokenLatency: (ms: number) => {
      state.tokenLatencyMs = ms;
    },
    /**
     * Holds the next admitted API requests until `arrivals` requests have arrived, admitted or refused, so a test
     * of concurrency sees them overlap however busy the machine is. Opens by itself after `timeoutMs` at most.
     */
    holdUntilArrivals: (arrivals: number, timeoutMs = 15_000) => {
      let release!: () => void;
      const open = new Promise<void>((resolve) => (release = resolve));
      const timer = setTimeout(release, timeoutMs);
      void open.then(() => {
        clearTimeout(timer);
        if (state.gate?.open === open) state.gate = undefined;
      });
      state.gate = { until: arrivals, arrived: 0, open, release };
    },
    /**
     * Holds every admitted API request whose path contains `pathIncludes` and whose query has these values (e.g. the
     * second page of invoices) until release() is called, or `timeoutMs` has passed: a sync caught half way, however
     * busy the machine. held() counts the requests that have been held.
     */
    hold: (match: { pathIncludes?: string; query?: Readonly<Record<string, string>> }, timeoutMs = 60_000) => {
      let release!: () => void;
      const open = new Promise<void>((resolve) => (release = resolve));
      const timer = setTimeout(release, timeoutMs);
      const hold: Hold = { pathIncludes: match.pathIncludes, query: match.query, held: 0, open, release };
      state.holds.push(hold);
      void open.then(() => {
        clearTimeout(timer);
        state.holds.splice(state.holds.indexOf(hold), 1);
      });
      return { release, held: () => hold.held };
    },

    requests: (): readonly RequestRecord[] => [...state.requests],
    clearRequests: () => {
      state.requests.length = 0;
    },
    tokenRequests: () => [...state.identity.tokenRequests],
    maxInFlight: (tenantId: string) => state.rateLimiter.maxInFlight(tenantId.toLowerCase()),
    idempotentReplays: () => state.idempotency.replays,
    /** Every request and answer that broke Xero's OpenAPI contract; empty in a healthy test. */
    violations: (): readonly Violation[] => [...violations],

    deliverWebhooks: (): Promise<WebhookDelivery | undefined> => webhooks().deliver(),
    sendIntentToReceive: (): Promise<IntentToReceiveResult> => webhooks().intentToReceive(),
    redeliverWebhook: (d: WebhookDelivery): Promise<WebhookDelivery> => webhooks().redeliver(d),
    webhookDeliveries: (): readonly WebhookDelivery[] => [...webhooks().deliveries],
  };
  return admin;
}

export type XeroSimulatorAdmin = ReturnType<typeof createAdmin>;
