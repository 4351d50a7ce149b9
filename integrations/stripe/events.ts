// The Stripe event types Shortfall reacts to, for the Events API filter and for webhook normalisation.
import { stripeLimits } from './limits.js';

/** Every type whose object the change feed re-reads; `types[]` takes exact names, at most 20. */
export const syncedEventTypes = [
  'invoice.created',
  'invoice.finalized',
  'invoice.updated',
  'invoice.paid',
  'invoice.payment_succeeded',
  'invoice.overpaid',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'invoice.deleted',
  'invoice_payment.paid',
  'credit_note.created',
  'credit_note.updated',
  'credit_note.voided',
  'charge.dispute.created',
  'charge.dispute.updated',
  'charge.dispute.closed',
  'charge.dispute.funds_withdrawn',
  'charge.dispute.funds_reinstated',
] as const;

if (syncedEventTypes.length > stripeLimits.eventTypesFilterMax)
  throw new Error('Too many event types for one Events API filter');

export interface EventKind {
  readonly entity: 'invoice' | 'invoice_payment' | 'credit_note' | 'dispute' | 'account';
  readonly operation: string;
}

const prefixed: readonly [string, EventKind['entity']][] = [
  ['invoice.', 'invoice'],
  ['credit_note.', 'credit_note'],
  ['charge.dispute.', 'dispute'],
];

/** What a webhook event is about, or null for types Shortfall ignores. */
export function classifyEventType(type: string): EventKind | null {
  if (type === 'invoice_payment.paid') return { entity: 'invoice_payment', operation: 'paid' };
  if (type === 'account.application.deauthorized') return { entity: 'account', operation: 'deauthorized' };
  for (const [prefix, entity] of prefixed) {
    if (type.startsWith(prefix) && type.length > prefix.length) return { entity, operation: type.slice(prefix.length) };
  }
  return null;
}
