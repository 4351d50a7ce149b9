// The node-quickbooks calls Shortfall makes, as promises, paced per realm and with errors translated.
import QuickBooksModule from 'node-quickbooks';
import { quickbooksRequestId } from './request-id.js';
import { QboQueryResponse } from './schemas.js';
import { IntegrationError } from '../errors.js';
import { toIntegrationError } from './errors.js';
import type { MeteredReads } from './metered.js';
import type { RequestScheduler } from '../types.js';

// node-quickbooks is CommonJS (`module.exports = QuickBooks`) while its typings declare ES exports.
const QuickBooks = QuickBooksModule as unknown as typeof QuickBooksModule.QuickBooks;
type Sdk = InstanceType<typeof QuickBooks>;
type Callback = (err: unknown, data?: unknown) => void;

export type QboEntityName = 'Invoice' | 'Payment' | 'CreditMemo';

export interface QueryPage {
  readonly startPosition: number;
  readonly maxResults: number;
}

export interface QboClientConfig {
  readonly realmId: string;
  readonly accessToken: string;
  /** Base that node-quickbooks appends `<realmId>/<resource>` to. */
  readonly apiUrl: string;
  /** The realm's pacing: shared by every process (SharedRateLimiter), or this process's Bottleneck. */
  readonly limiter: RequestScheduler;
  /** The app's monthly allowance of metered reads, shared by every connector of the process. */
  readonly meteredReads?: MeteredReads | undefined;
}

export interface QboClient {
  /** One page of `select * from <entity> orderby Id`, 1-based like STARTPOSITION, and the server's time. */
  query(entity: QboEntityName, page: QueryPage): Promise<{ rows: unknown[]; time: string }>;
  changeDataCapture(entities: readonly QboEntityName[], since: string): Promise<unknown>;
  getInvoice(id: string): Promise<unknown>;
  /** The invoice read with `?include=invoiceLink`, so it carries InvoiceLink where QuickBooks has one. */
  getInvoiceWithLink(id: string): Promise<unknown>;
  getInvoicePdf(id: string): Promise<Uint8Array>;
  getCreditMemo(id: string): Promise<unknown>;
  getPayment(id: string): Promise<unknown>;
  getPreferences(): Promise<unknown>;
  getCompanyInfo(): Promise<unknown>;
  createCreditMemo(body: object, idempotencyKey: string): Promise<unknown>;
  createPayment(body: object, idempotencyKey: string): Promise<unknown>;
}

// node-quickbooks renders this as "orderby Id asc startposition <offset> maxresults <limit>". A stable order
// keeps pages from overlapping while the company changes under the backfill.
const pageCriteria = (page: QueryPage) => ({ asc: 'Id', offset: page.startPosition, limit: page.maxResults });

function find(sdk: Sdk, entity: QboEntityName, page: QueryPage, cb: Callback): void {
  switch (entity) {
    case 'Invoice':
      return sdk.findInvoices(pageCriteria(page), cb);
    case 'Payment':
      return sdk.findPayments(pageCriteria(page), cb);
    case 'CreditMemo':
      return sdk.findCreditMemos(pageCriteria(page), cb);
  }
}

// The query response names its list after the entity; an empty page has no list at all.
function pageOf(entity: QboEntityName, data: unknown): { rows: unknown[]; time: string } {
  const { QueryResponse, time } = QboQueryResponse.parse(data);
  const rows = QueryResponse[entity];
  return { rows: Array.isArray(rows) ? rows : [], time };
}

export function createQboClient(config: QboClientConfig): QboClient {
  // OAuth 2 needs neither consumer key nor secret here: refresh goes through intuit-oauth.
  const sdk = new QuickBooks('', '', config.accessToken, false, config.realmId, false, false, null, '2.0', null);
  sdk.endpoint = config.apiUrl;

  const call = (start: (cb: Callback) => void): Promise<unknown> =>
    config.limiter
      .schedule(
        () => new Promise<unknown>((resolve, reject) => start((err, data) => (err ? reject(err) : resolve(data)))),
      )
      .catch((e: unknown) => {
        throw toIntegrationError(e);
      });

  // Reads are CorePlus calls, metered per app and month; writes (Core) are not (FACTS.md).
  const guard = config.meteredReads;
  const read = async (start: (cb: Callback) => void): Promise<unknown> => {
    if (!guard) return call(start);
    guard.beforeRead();
    try {
      const data = await call(start);
      guard.readSucceeded();
      return data;
    } catch (e) {
      if (e instanceof IntegrationError && e.kind === 'rate_limited') throw guard.readRefused(e);
      throw e;
    }
  };

  // node-quickbooks turns an entity's `requestId` into the `?requestid=` query parameter (and deletes it).
  const withRequestId = (body: object, key: string) => ({ ...body, requestId: quickbooksRequestId(key) });

  return {
    query: async (entity, page) => pageOf(entity, await read((cb) => find(sdk, entity, page, cb))),
    changeDataCapture: (entities, since) => read((cb) => sdk.changeDataCapture([...entities], since, cb)),
    getInvoice: (id) => read((cb) => sdk.getInvoice(id, cb)),
    // node-quickbooks reads take no query parameters; axios appends its own (minorversion, format) with "&".
    getInvoiceWithLink: (id) => read((cb) => sdk.getInvoice(`${encodeURIComponent(id)}?include=invoiceLink`, cb)),
    getInvoicePdf: async (id) => new Uint8Array((await read((cb) => sdk.getInvoicePdf(id, cb))) as Buffer),
    getCreditMemo: (id) => read((cb) => sdk.getCreditMemo(id, cb)),
    getPayment: (id) => read((cb) => sdk.getPayment(id, cb)),
    getPreferences: () => read((cb) => sdk.getPreferences(cb)),
    getCompanyInfo: () => read((cb) => sdk.getCompanyInfo(config.realmId, cb)),
    createCreditMemo: (body, key) => call((cb) => sdk.createCreditMemo(withRequestId(body, key), cb)),
    createPayment: (body, key) => call((cb) => sdk.createPayment(withRequestId(body, key), cb)),
  };
}
