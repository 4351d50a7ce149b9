// Raw Accounting API calls for one tenant over xero-node, paced by the tenant's limiter. Returns the JSON
// exactly as Xero sent it (response.data), so schemas.ts, not xero-node's camelCase models, decides its shape.
//
// xero-node also turns every JSON answer into its model classes (ObjectSerializer.deserialize: per-field type
// lookups, an instance per record, line item and contact), which nothing here reads: on a 1,000-invoice page that
// was ~40 MB of garbage, the most a Xero backfill allocated (bench/system/backfill.ts). So its requests ask axios
// for the body as text: the serializer finds none of its fields in a string and builds an empty model, and call()
// parses the text once, as axios did.
import { AccountingApi, CreditNote, CurrencyCode, LineAmountTypes, type Allocation, type LineItem } from 'xero-node';
import { IntegrationError } from '../errors.js';
import { readSdkFailure, toIntegrationError } from './errors.js';
import type { TenantLimiter } from './limiter.js';

export interface XeroApiConfig {
  readonly tenantId: string;
  readonly accessToken: string;
  /** xero-node's accountingApi.basePath: production, or the simulator's apiBasePath. */
  readonly basePath: string;
  readonly limiter: TenantLimiter;
  readonly now: () => number;
}

export interface ListQuery {
  readonly ifModifiedSince?: string;
  readonly where: string;
  readonly statuses?: readonly string[];
  readonly page: number;
  readonly pageSize: number;
}

export interface CreditNoteDraft {
  readonly contactId: string;
  readonly date: string;
  readonly currency: string;
  readonly reference: string;
  readonly lines: readonly {
    readonly description: string;
    readonly amount: number;
    readonly accountCode?: string;
    readonly taxType?: string;
  }[];
}

interface SdkResult {
  readonly response: { readonly data: unknown; readonly headers: unknown };
}

// Newest first: a row modified while sync.ts pages by number moves to the front, behind the reader, so the
// rows after it shift forward (read twice at worst) instead of back past a page boundary (skipped).
const order = 'UpdatedDateUTC DESC';

function headerRecord(headers: unknown): Record<string, unknown> {
  if (headers === null || typeof headers !== 'object') return {};
  const plain = 'toJSON' in headers && typeof headers.toJSON === 'function' ? (headers.toJSON() as unknown) : headers;
  return Object.fromEntries(Object.entries(plain as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), v]));
}

function currencyCode(currency: string): CurrencyCode {
  const code = CurrencyCode[currency as keyof typeof CurrencyCode];
  if (code === undefined)
    throw new IntegrationError('invalid', `Xero does not know the currency ${currency}`, { provider: 'xero' });
  return code;
}

/** The body axios left as text (see above), parsed; anything else (the PDF's bytes, no body) as it came. */
function jsonBody(data: unknown, what: string): unknown {
  if (typeof data !== 'string' || data === '') return data;
  try {
    return JSON.parse(data);
  } catch (e) {
    throw new IntegrationError('invalid', `Xero ${what} answered with a body that is not JSON`, {
      provider: 'xero',
      cause: e,
    });
  }
}

export function createXeroApi(config: XeroApiConfig) {
  const { tenantId, limiter } = config;
  const api = new AccountingApi(config.basePath);
  api.accessToken = config.accessToken;
  // Applied to every request after xero-node set its options; binary answers (the invoice PDF) stay as they are.
  api.setDefaultAuthentication({
    applyToRequest(options) {
      if (options.responseType === 'json') options.responseType = 'text';
    },
  });

  async function call(what: string, send: (a: AccountingApi) => Promise<SdkResult>): Promise<unknown> {
    let data: unknown;
    try {
      const { response } = await limiter.schedule(() => send(api));
      limiter.observe(headerRecord(response.headers));
      data = response.data;
    } catch (e) {
      const failure = readSdkFailure(e);
      if (failure) limiter.observe(failure.headers);
      const error = toIntegrationError(e, what, config.now());
      if (
        error instanceof IntegrationError &&
        error.kind === 'rate_limited' &&
        error.details.code !== 'client_limit' &&
        error.details.code !== 'daily_limit'
      ) {
        limiter.pause(error.retryAfterMs ?? 0);
      }
      throw error;
    }
    return jsonBody(data, what);
  }

  const since = (q: ListQuery) => (q.ifModifiedSince === undefined ? undefined : new Date(q.ifModifiedSince));

  return {
    listInvoices: (q: ListQuery) =>
      call('invoice list', (a) =>
        a.getInvoices(
          tenantId,
          since(q),
          q.where,
          order,
          undefined,
          undefined,
          undefined,
          q.statuses && [...q.statuses],
          q.page,
          undefined,
          undefined,
          undefined,
          undefined,
          q.pageSize,
        ),
      ),
    listPayments: (q: ListQuery) =>
      call('payment list', (a) => a.getPayments(tenantId, since(q), q.where, order, q.page, q.pageSize)),
    listCreditNotes: (q: ListQuery) =>
      call('credit note list', (a) =>
        a.getCreditNotes(tenantId, since(q), q.where, order, q.page, undefined, q.pageSize),
      ),
    getInvoice: (invoiceId: string) => call('invoice read', (a) => a.getInvoice(tenantId, invoiceId)),
    getOnlineInvoice: (invoiceId: string) => call('online invoice', (a) => a.getOnlineInvoice(tenantId, invoiceId)),
    getCreditNote: (creditNoteId: string) => call('credit note read', (a) => a.getCreditNote(tenantId, creditNoteId)),

    async getInvoicePdf(invoiceId: string): Promise<Uint8Array> {
      const data = await call('invoice PDF', (a) => a.getInvoiceAsPdf(tenantId, invoiceId));
      if (data instanceof Uint8Array) return new Uint8Array(data);
      if (data instanceof ArrayBuffer) return new Uint8Array(data);
      throw new IntegrationError('invalid', 'Xero invoice PDF came back without a body', { provider: 'xero' });
    },

    createCreditNote(draft: CreditNoteDraft, idempotencyKey: string) {
      const lineItems: LineItem[] = draft.lines.map((l) => ({
        description: l.description,
        quantity: 1,
        unitAmount: l.amount,
        ...(l.accountCode && { accountCode: l.accountCode }),
        ...(l.taxType && { taxType: l.taxType }),
      }));
      const creditNote: CreditNote = {
        type: CreditNote.TypeEnum.ACCRECCREDIT,
        status: CreditNote.StatusEnum.AUTHORISED,
        contact: { contactID: draft.contactId },
        date: draft.date,
        currencyCode: currencyCode(draft.currency),
        // Inclusive: each line's amount already contains its tax, so the note's Total is exactly the credit.
        lineAmountTypes: LineAmountTypes.Inclusive,
        reference: draft.reference,
        lineItems,
      };
      return call('credit note create', (a) =>
        a.createCreditNotes(tenantId, { creditNotes: [creditNote] }, true, undefined, idempotencyKey),
      );
    },

    allocateCreditNote(
      creditNoteId: string,
      allocation: { invoiceId: string; amount: number; date: string },
      idempotencyKey: string,
    ) {
      const body: Allocation = {
        invoice: { invoiceID: allocation.invoiceId },
        amount: allocation.amount,
        date: allocation.date,
      };
      return call('credit note allocation', (a) =>
        a.createCreditNoteAllocation(tenantId, creditNoteId, { allocations: [body] }, true, idempotencyKey),
      );
    },

    voidCreditNote(creditNoteId: string, idempotencyKey: string) {
      const body: CreditNote = { status: CreditNote.StatusEnum.VOIDED };
      return call('credit note void', (a) =>
        a.updateCreditNote(tenantId, creditNoteId, { creditNotes: [body] }, undefined, idempotencyKey),
      );
    },

    addInvoiceNote(invoiceId: string, details: string, idempotencyKey: string) {
      return call('invoice history note', (a) =>
        a.createInvoiceHistory(tenantId, invoiceId, { historyRecords: [{ details }] }, idempotencyKey),
      );
    },
  };
}

export type XeroApi = ReturnType<typeof createXeroApi>;
