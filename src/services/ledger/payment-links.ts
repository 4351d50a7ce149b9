// The client's way to pay an invoice online: the provider's own page for it, read through the connector's
// paymentLink capability when the response page is viewed or a letter is drafted. What the provider said is kept
// (invoice_payment_links), so a page view or a letter asks it at most once in a while; a provider that fails or is
// slow never breaks the page or the letter: they fall back to what the owner gave, or to "contact the business".
import { and, eq } from 'drizzle-orm';
import type { LedgerConnector } from '../../../integrations/types.js';
import type { Database } from '../db/index.js';
import { invoicePaymentLinks } from '../db/schema.js';
import type { Logger } from '../logger.js';

/** How long what the provider said is trusted before asking again. */
export const paymentLinkFreshMs = {
  /** A link: the providers' pages live as long as the invoice, but an owner may turn online payment off. */
  link: 6 * 3_600_000,
  /** No link: the owner may turn online payment on, or finalize the invoice. */
  none: 15 * 60_000,
  /** A link kept from before stands in while the provider cannot be reached, for this long after it was read. */
  stale: 7 * 86_400_000,
};

/** A page waits at most this long for the provider. */
export const PAYMENT_LINK_TIMEOUT_MS = 4_000;

export type PaymentLinkAnswer =
  | { readonly kind: 'link'; readonly url: string }
  /** The provider offers no page for this invoice (or the connection's provider has no such capability). */
  | { readonly kind: 'none' }
  /** The provider could not be asked (a broken connection, an outage, too slow) and nothing usable was kept. */
  | { readonly kind: 'unavailable' };

export interface PaymentLinkDeps {
  readonly db: Database;
  /** A connector for the connection, with fresh auth; throws when the connection needs the owner. */
  readonly ledger: (connectionId: string) => Promise<LedgerConnector>;
  readonly logger?: Pick<Logger, 'warn'>;
  readonly now?: () => number;
  readonly timeoutMs?: number;
}

/** Only a web page may reach a client: anything else a provider returned is treated as no link. */
function webUrl(raw: string | null): string | null {
  if (!raw) return null;
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function createPaymentLinks(d: PaymentLinkDeps) {
  const now = d.now ?? Date.now;
  const timeoutMs = d.timeoutMs ?? PAYMENT_LINK_TIMEOUT_MS;

  async function ask(connectionId: string, invoiceId: string): Promise<string | null> {
    const connector = await d.ledger(connectionId);
    if (!connector.paymentLink) return null;
    return webUrl(await connector.paymentLink(invoiceId));
  }

  return {
    /** The page where the client pays this invoice, from what was kept while fresh, else from the provider. */
    async forInvoice(ref: { readonly connectionId: string; readonly invoiceId: string }): Promise<PaymentLinkAnswer> {
      const where = and(
        eq(invoicePaymentLinks.connectionId, ref.connectionId),
        eq(invoicePaymentLinks.invoiceId, ref.invoiceId),
      );
      const [kept] = await d.db.select().from(invoicePaymentLinks).where(where);
      const age = kept ? now() - kept.readAt.getTime() : Infinity;
      if (kept && age >= 0 && age < (kept.url ? paymentLinkFreshMs.link : paymentLinkFreshMs.none))
        return kept.url ? { kind: 'link', url: kept.url } : { kind: 'none' };

      let url: string | null;
      try {
        url = await withTimeout(ask(ref.connectionId, ref.invoiceId), timeoutMs);
      } catch (err) {
        d.logger?.warn({ err, ...ref }, 'could not read the payment link from the provider');
        return kept?.url && age < paymentLinkFreshMs.stale ? { kind: 'link', url: kept.url } : { kind: 'unavailable' };
      }
      const readAt = new Date(now());
      await d.db
        .insert(invoicePaymentLinks)
        .values({ connectionId: ref.connectionId, invoiceId: ref.invoiceId, url, readAt })
        .onConflictDoUpdate({
          target: [invoicePaymentLinks.connectionId, invoicePaymentLinks.invoiceId],
          set: { url, readAt },
        });
      return url ? { kind: 'link', url } : { kind: 'none' };
    },
  };
}

export type PaymentLinks = ReturnType<typeof createPaymentLinks>;
