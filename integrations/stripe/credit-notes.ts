// postCreditNote: preview first (catches a credit larger than what is still owed, or taxes changing the
// total, before anything is written), then create with the caller's key as the Idempotency-Key.
import type Stripe from 'stripe';
import type { CreditNote } from '../../src/domain/model.js';
import { IntegrationError } from '../errors.js';
import type { CreditNoteRequest } from '../types.js';
import type { StripeClient } from './client.js';
import { toStripeAmount } from './currency.js';
import { stripeIdempotencyKey } from './idempotency.js';
import { stripeLimits } from './limits.js';
import type { StripeReader } from './reader.js';
import { StripeCreditNote, StripeCreditNotePreview } from './schemas.js';

export type CreditNoteReason = NonNullable<Stripe.CreditNoteCreateParams['reason']>;

/** Metadata key holding the request key, so a retry after Stripe forgot the Idempotency-Key still finds the note. */
export const requestKeyMetadata = 'shortfall_request_key';

const invalid = (message: string) => new IntegrationError('invalid', message, { provider: 'stripe' });

function checkRequest(req: CreditNoteRequest): void {
  if (req.lines.length === 0) throw invalid('A credit note needs at least one line');
  for (const line of req.lines) {
    if (line.amount.currency !== req.currency)
      throw invalid(`Line "${line.description}" is in ${line.amount.currency}, the credit note in ${req.currency}`);
    if (line.amount.minor <= 0) throw invalid(`Line "${line.description}" must credit a positive amount`);
  }
}

function lineParams(line: CreditNoteRequest['lines'][number]): Stripe.CreditNoteCreateParams.Line {
  const amount = toStripeAmount(line.amount);
  return line.invoiceLineId
    ? { type: 'invoice_line_item', invoice_line_item: line.invoiceLineId, amount }
    : { type: 'custom_line_item', description: line.description, quantity: 1, unit_amount: amount };
}

/** The body of both the preview and the create; exported so the stripe-mock contract test sends the same shape. */
export function creditNoteParams(req: CreditNoteRequest, reason: CreditNoteReason): Stripe.CreditNoteCreateParams {
  const requestKey = stripeIdempotencyKey(req.idempotencyKey);
  return {
    invoice: req.invoiceId,
    lines: req.lines.map(lineParams),
    memo: req.memo,
    reason,
    metadata: { [requestKeyMetadata]: requestKey.slice(0, stripeLimits.metadataValueMaxLength) },
  };
}

const requestedTotal = (req: CreditNoteRequest) => req.lines.reduce((sum, l) => sum + toStripeAmount(l.amount), 0);

function checkPreview(preview: StripeCreditNotePreview, req: CreditNoteRequest): void {
  const requested = requestedTotal(req);
  if (preview.currency !== req.currency.toUpperCase())
    throw invalid(`Invoice ${req.invoiceId} is in ${preview.currency}, not ${req.currency}`);
  if (preview.total !== requested) {
    throw invalid(
      `Stripe would credit ${preview.total} (${preview.currency} minor units) on invoice ${req.invoiceId}, not the ${requested} requested`,
    );
  }
  if (preview.post_payment_amount > 0) {
    throw invalid(
      `Credit of ${requested} exceeds what invoice ${req.invoiceId} still asks for by ${preview.post_payment_amount}; refunds are not automated`,
    );
  }
}

/** A key reused for a different credit is a caller bug; Stripe would answer idempotency_error too. */
function assertSameRequest(earlier: StripeCreditNote, req: CreditNoteRequest): void {
  if (earlier.total !== requestedTotal(req) || earlier.lines.data.length !== req.lines.length) {
    throw new IntegrationError(
      'conflict',
      `Credit note ${earlier.id} was already created with key ${req.idempotencyKey} for a different credit`,
      { provider: 'stripe' },
    );
  }
}

export async function postStripeCreditNote(
  client: StripeClient,
  reader: StripeReader,
  req: CreditNoteRequest,
  reason: CreditNoteReason,
): Promise<CreditNote> {
  checkRequest(req);
  const requestKey = stripeIdempotencyKey(req.idempotencyKey);
  const existing = await client.collect((s, page, o) => s.creditNotes.list({ invoice: req.invoiceId, ...page }, o));
  const earlier = existing.items
    .map((n) => StripeCreditNote.parse(n))
    .find((n) => n.metadata?.[requestKeyMetadata] === requestKey);
  if (earlier) {
    assertSameRequest(earlier, req);
    return reader.mapCreditNote(earlier);
  }

  const params = creditNoteParams(req, reason);
  const preview = StripeCreditNotePreview.parse(await client.call((s, o) => s.creditNotes.preview(params, o)));
  checkPreview(preview, req);
  const created = await client.call((s, o) => s.creditNotes.create(params, o), { idempotencyKey: req.idempotencyKey });
  return reader.mapCreditNote(StripeCreditNote.parse(created));
}
