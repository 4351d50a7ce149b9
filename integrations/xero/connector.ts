// LedgerConnector for one Xero organisation (tenant), over xero-node's AccountingApi.
import type { Invoice } from '../../src/domain/model.js';
import { isIntegrationError } from '../errors.js';
import type { ConnectionAuth, LedgerConnector } from '../types.js';
import { createXeroApi } from './client.js';
import { postCreditNote } from './credit-note.js';
import { toIntegrationError } from './errors.js';
import type { TenantLimiter } from './limiter.js';
import { xeroLimits } from './limits.js';
import { toInvoice } from './mappers.js';
import { XeroInvoicesPage, XeroOnlineInvoices } from './schemas.js';
import { pullChanges } from './sync.js';
import { xeroUrls } from './urls.js';

export interface XeroConnectorConfig {
  /** accountId is the tenantId. Refreshing an expired access token is the caller's job (it holds the lock). */
  readonly auth: ConnectionAuth;
  /** Defaults to production; the simulator hands out its own (apiBasePath). */
  readonly apiBasePath?: string;
  /** Share one per tenant across the process (XeroTenantLimiters.forTenant): Xero's limits are per tenant. */
  readonly limiter: TenantLimiter;
  readonly now?: () => number;
  /** Rows per page; the largest Xero accepts unless a test wants small pages. */
  readonly pageSize?: number;
  /** How often an incremental run also re-reads every open invoice (default daily). */
  readonly openInvoiceSweepEveryMs?: number;
}

async function mapped<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw toIntegrationError(e, what);
  }
}

export function createXeroConnector(config: XeroConnectorConfig): LedgerConnector {
  const tenantId = config.auth.accountId;
  const now = config.now ?? Date.now;
  const api = createXeroApi({
    tenantId,
    accessToken: config.auth.tokens.accessToken,
    basePath: config.apiBasePath ?? xeroUrls.accountingApi,
    limiter: config.limiter,
    now,
  });
  const pageSize = config.pageSize ?? xeroLimits.maxPageSize;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > xeroLimits.maxPageSize)
    throw new RangeError(`pageSize must be 1–${xeroLimits.maxPageSize}, got ${pageSize}`);
  const sync = { api, tenantId, now, pageSize, sweepEveryMs: config.openInvoiceSweepEveryMs ?? 24 * 3600_000 };

  async function getInvoice(invoiceId: string): Promise<Invoice | null> {
    try {
      const raw = XeroInvoicesPage.parse(await api.getInvoice(invoiceId)).Invoices[0];
      // Bills (ACCPAY) share the endpoint; they are not receivables.
      return raw && raw.Type === 'ACCREC' ? toInvoice(raw, tenantId) : null;
    } catch (e) {
      if (isIntegrationError(e) && e.kind === 'not_found') return null;
      throw e;
    }
  }

  return {
    provider: 'xero',
    pullChanges: (input) => mapped('sync', () => pullChanges(sync, input)),
    getInvoice: (invoiceId) => mapped('invoice read', () => getInvoice(invoiceId)),
    getInvoicePdf: (invoiceId) => api.getInvoicePdf(invoiceId),
    postCreditNote: (req) => mapped('credit note', () => postCreditNote({ api, tenantId, now }, req)),
    // Xero has an online invoice for an approved sales invoice; it refuses a draft (400) and knows no missing one.
    paymentLink: (invoiceId) =>
      mapped('online invoice', async () => {
        try {
          return (
            XeroOnlineInvoices.parse(await api.getOnlineInvoice(invoiceId)).OnlineInvoices[0]?.OnlineInvoiceUrl ?? null
          );
        } catch (e) {
          if (isIntegrationError(e) && (e.kind === 'not_found' || e.kind === 'invalid')) return null;
          throw e;
        }
      }),
  };
}
