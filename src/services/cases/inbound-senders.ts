// Who may answer a case by email, and what is kept of mail from anyone else.
//
// A message to case+<id>@ counts as the client's reply only when its From address is one of the client's known
// addresses for that case: the invoice's customer email as the ledger holds it now, the card holder's email of a
// chargeback, and every address this case's letters were sent to (letters to the client carry the case's Reply-To;
// the owner's notices do not). Anything else (the owner's own address included: the owner acts on the case page) is
// kept as "from an unknown sender" and changes nothing in the case. The From header is the sender's to write: the
// mail host's SPF/DKIM/DMARC checks are what stop a forged client address (README, "Inbound email").
import { and, count, eq, isNotNull } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { auditEvents, chargeDisputes, emailOutbox, invoices } from '../db/schema.js';

/** At most this many messages from unknown senders are kept per case; later ones are refused and only logged. */
export const UNKNOWN_SENDER_MESSAGES_PER_CASE = 20;
/** Of a message from an unknown sender larger than this, the sender and subject are kept, not the message. */
export const UNKNOWN_SENDER_MAX_KEPT_BYTES = 1024 * 1024;
export const UNKNOWN_SENDER_EVENT = 'unknown_sender_email';

export const normaliseAddress = (a: string): string => a.trim().toLowerCase();

export interface CaseForSenders {
  readonly id: string;
  readonly connectionId: string | null;
  readonly invoiceId: string | null;
  readonly disputeId: string | null;
}

export async function knownClientAddresses(db: Database, c: CaseForSenders): Promise<Set<string>> {
  const [invoice, dispute, letters] = await Promise.all([
    c.connectionId && c.invoiceId
      ? db
          .select({ email: invoices.customerEmail })
          .from(invoices)
          .where(and(eq(invoices.connectionId, c.connectionId), eq(invoices.externalId, c.invoiceId)))
      : [],
    c.connectionId && c.disputeId
      ? db
          .select({ email: chargeDisputes.chargeEmail })
          .from(chargeDisputes)
          .where(and(eq(chargeDisputes.connectionId, c.connectionId), eq(chargeDisputes.externalId, c.disputeId)))
      : [],
    db
      .selectDistinct({ email: emailOutbox.toAddress })
      .from(emailOutbox)
      .where(and(eq(emailOutbox.caseId, c.id), isNotNull(emailOutbox.replyTo))),
  ]);
  return new Set(
    [...invoice, ...dispute, ...letters]
      .map((r) => r.email)
      .filter((e): e is string => Boolean(e))
      .map(normaliseAddress),
  );
}

/** How many messages from unknown senders the case holds. */
export async function unknownSenderMessages(db: Database, caseId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(auditEvents)
    .where(and(eq(auditEvents.caseId, caseId), eq(auditEvents.kind, UNKNOWN_SENDER_EVENT)));
  return row?.n ?? 0;
}

export interface UnknownSenderMessage {
  readonly at: Date;
  readonly from: string;
  readonly subject: string;
  /** The kept message (.eml), absent when it was larger than UNKNOWN_SENDER_MAX_KEPT_BYTES. */
  readonly documentId?: string;
}

/** The case's messages from unknown senders, oldest first. */
export async function unknownSenderList(db: Database, caseId: string): Promise<UnknownSenderMessage[]> {
  const rows = await db
    .select({ at: auditEvents.at, data: auditEvents.data })
    .from(auditEvents)
    .where(and(eq(auditEvents.caseId, caseId), eq(auditEvents.kind, UNKNOWN_SENDER_EVENT)))
    .orderBy(auditEvents.at, auditEvents.id);
  return rows.map((r) => {
    const d = r.data as { from?: string; subject?: string; documentId?: string | null };
    return {
      at: r.at,
      from: d.from ?? 'unknown',
      subject: d.subject ?? '(no subject)',
      ...(d.documentId ? { documentId: d.documentId } : {}),
    };
  });
}
