// The openings most scenarios share, written once: a short payment documented, and the written response sent.
import type { Scenario } from './index.js';

export interface ShortPaidOptions {
  readonly customer?: string;
  readonly memo?: string;
  /** Invoice lines in major units; $1,000 as Design $600 and Travel $400 unless given. */
  readonly lines?: readonly (readonly [string, number])[];
  /** The client can pay the invoice online through QuickBooks Payments. */
  readonly onlinePayment?: boolean;
}

/** The invoice is paid $600, the sync runs, the client's receipt arrives and the first response waits for approval. */
export async function shortPaid(s: Scenario, o: ShortPaidOptions = {}) {
  const inv = s.qb.invoice({
    customer: o.customer ?? 'Harbor Cafe',
    lines: o.lines ?? [
      ['Design', 600],
      ['Travel', 400],
    ],
    ...(o.onlinePayment !== undefined && { onlinePayment: o.onlinePayment }),
  });
  const payment = s.qb.pay(inv, 600, o.memo === undefined ? {} : { memo: o.memo });
  await s.sync();
  await s.clientReceived(/partial payment/i, o.customer);
  await s.until('the first response draft', (v) => v.drafts.some((d) => d.kind === 'first_response'), inv);
  return { inv, payment };
}

/** As shortPaid, then the owner approves the first response, it goes out, and the payment clock runs. */
export async function responded(s: Scenario, o: ShortPaidOptions = {}) {
  const r = await shortPaid(s, o);
  await s.approveLatest('first_response', r.inv);
  await s.letterSent('first_response', r.inv);
  await s.until('the payment clock to run', (v) => v.status === 'awaiting_payment', r.inv);
  return r;
}
