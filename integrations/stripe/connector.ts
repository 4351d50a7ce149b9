// LedgerConnector for one Stripe account.
import type { LedgerConnector } from '../types.js';
import { IntegrationError } from '../errors.js';
import type { StripeClient } from './client.js';
import { postStripeCreditNote, type CreditNoteReason } from './credit-notes.js';
import { InvalidCursorError } from './cursor.js';
import { withStripeErrors } from './errors.js';
import { createStripeReader, type InvoiceLinks, type StripeReader } from './reader.js';
import { pullStripeChanges } from './sync.js';

export interface StripeConnectorOptions {
  readonly client: StripeClient;
  /** The `acct_…` id whose data this is; canonical ExternalRefs carry it. */
  readonly accountId: string;
  readonly now?: () => number;
  /** Most objects one backfill batch reads; default 500. */
  readonly batchSize?: number;
  /** Stripe requires one of its reasons on a credit note; short-payment settlements are order changes. */
  readonly creditNoteReason?: CreditNoteReason;
  readonly fetch?: typeof fetch;
  /** What paid InvoicePayments said about the account's PaymentIntents, kept across connectors; default a new one. */
  readonly invoiceLinks?: InvoiceLinks;
}

export interface StripeConnector extends LedgerConnector {
  readonly accountId: string;
  readonly client: StripeClient;
  readonly reader: StripeReader;
}

// Stripe serves invoice PDFs from its own hosts; anything else in invoice_pdf is not fetched.
function assertPdfUrl(url: string, client: StripeClient): void {
  const u = new URL(url);
  const fromStripe = u.protocol === 'https:' && (u.hostname === 'stripe.com' || u.hostname.endsWith('.stripe.com'));
  const fromConfiguredBase = client.baseUrl !== undefined && u.origin === new URL(client.baseUrl).origin;
  if (!fromStripe && !fromConfiguredBase)
    throw new IntegrationError('invalid', `Refusing to fetch invoice PDF from ${u.origin}`, { provider: 'stripe' });
}

async function fetchPdf(doFetch: typeof fetch, url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await doFetch(url, { redirect: 'follow', signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    throw new IntegrationError(
      'transient',
      `Invoice PDF download failed: ${e instanceof Error ? e.message : String(e)}`,
      { provider: 'stripe', cause: e },
    );
  }
  if (res.status === 404)
    throw new IntegrationError('not_found', 'Stripe has no PDF for this invoice', { provider: 'stripe', status: 404 });
  if (!res.ok)
    throw new IntegrationError(
      res.status >= 500 ? 'transient' : 'invalid',
      `Invoice PDF download failed with ${res.status}`,
      { provider: 'stripe', status: res.status },
    );
  return new Uint8Array(await res.arrayBuffer());
}

export function createStripeConnector(o: StripeConnectorOptions): StripeConnector {
  const now = o.now ?? Date.now;
  const reader = createStripeReader(
    o.client,
    () => ({ accountId: o.accountId, observedAt: new Date(now()).toISOString() }),
    o.invoiceLinks,
  );
  const deps = { client: o.client, reader, now, batchSize: o.batchSize ?? 500 };
  return {
    provider: 'stripe',
    accountId: o.accountId,
    client: o.client,
    reader,
    pullChanges: (input) =>
      withStripeErrors(async () => {
        try {
          return await pullStripeChanges(deps, input);
        } catch (e) {
          if (e instanceof InvalidCursorError)
            throw new IntegrationError('invalid', e.message, { provider: 'stripe', cause: e });
          throw e;
        }
      }),
    getInvoice: (id) => withStripeErrors(() => reader.invoice(id)),
    getInvoicePdf: (id) =>
      withStripeErrors(async () => {
        const url = await reader.invoicePdfUrl(id);
        if (!url)
          throw new IntegrationError('not_found', `Invoice ${id} has no PDF yet (drafts have none)`, {
            provider: 'stripe',
          });
        assertPdfUrl(url, o.client);
        return fetchPdf(o.fetch ?? fetch, url);
      }),
    postCreditNote: (req) =>
      withStripeErrors(() => postStripeCreditNote(o.client, reader, req, o.creditNoteReason ?? 'order_change')),
    paymentLink: (id) => withStripeErrors(() => reader.invoicePaymentUrl(id)),
  };
}
