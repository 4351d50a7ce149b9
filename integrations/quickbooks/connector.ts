// LedgerConnector for one QuickBooks Online company (realm), over node-quickbooks.
import type { Invoice } from '../../src/domain/model.js';
import { isIntegrationError } from '../errors.js';
import type { ConnectionAuth, LedgerConnector, RequestScheduler } from '../types.js';
import { createQboClient } from './client.js';
import type { MeteredReads } from './metered.js';
import { companyTaxSetup, postCreditNote } from './credit-note.js';
import { withQuickbooksErrors } from './errors.js';
import { toInvoice } from './mappers.js';
import { QboInvoice } from './schemas.js';
import { pullChanges } from './sync.js';
import { intuitUrls } from './urls.js';

export interface QuickbooksConnectorConfig {
  /** accountId is the realmId. Refreshing an expired access token is the caller's job (it holds the lock). */
  readonly auth: ConnectionAuth;
  /** Defaults to production; see urls.ts for the sandbox and for a simulator. */
  readonly apiUrl?: string;
  /** Share one per realm across the process (RealmLimiters.forRealm): Intuit's limits are per realm. */
  readonly limiter: RequestScheduler;
  /** Share one per app across the process: Intuit meters reads per app (workspace) and month. */
  readonly meteredReads?: MeteredReads | undefined;
  readonly now?: () => number;
}

export function createQuickbooksConnector(config: QuickbooksConnectorConfig): LedgerConnector {
  const realmId = config.auth.accountId;
  const client = createQboClient({
    realmId,
    accessToken: config.auth.tokens.accessToken,
    apiUrl: config.apiUrl ?? intuitUrls.api,
    limiter: config.limiter,
    meteredReads: config.meteredReads,
  });
  const taxSetup = companyTaxSetup(client);
  const now = config.now ?? Date.now;

  async function getInvoice(invoiceId: string): Promise<Invoice | null> {
    try {
      return toInvoice(QboInvoice.parse(await client.getInvoice(invoiceId)), realmId);
    } catch (e) {
      if (isIntegrationError(e) && e.kind === 'not_found') return null;
      throw e;
    }
  }

  return {
    provider: 'quickbooks',
    pullChanges: (input) => withQuickbooksErrors(() => pullChanges({ client, realmId, now }, input)),
    getInvoice: (invoiceId) => withQuickbooksErrors(() => getInvoice(invoiceId)),
    getInvoicePdf: (invoiceId) => client.getInvoicePdf(invoiceId),
    postCreditNote: (req) => withQuickbooksErrors(() => postCreditNote({ client, realmId, taxSetup }, req)),
    // QuickBooks gives an InvoiceLink only for an invoice the client can pay online that has an email on it.
    paymentLink: (invoiceId) =>
      withQuickbooksErrors(async () => {
        try {
          return QboInvoice.parse(await client.getInvoiceWithLink(invoiceId)).InvoiceLink || null;
        } catch (e) {
          if (isIntegrationError(e) && e.kind === 'not_found') return null;
          throw e;
        }
      }),
  };
}
