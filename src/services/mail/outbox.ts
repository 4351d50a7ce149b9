// Every email is written to the outbox first, keyed by its idempotency key, and delivered from there:
// a retried activity finds the row and never sends twice. Links that sign someone in or decide a draft are cut
// from the stored copy once it went out over SMTP, so reading the database does not hand them out.
import { and, asc, eq, gt, lte, ne } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { emailOutbox } from '../db/schema.js';
import { escapeHtml } from '../letters/index.js';
import type { MailTransport } from './transport.js';

export interface OutboxMessage {
  readonly key: string;
  readonly caseId?: string;
  readonly to: string;
  readonly replyTo?: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly attachments: readonly { readonly documentId: string; readonly name: string }[];
  /**
   * Where the bearer links in this message begin (a sign-in or approval URL up to its token). Prefixes, not the
   * links: a retried activity renders the message again with a new token, while the row it finds, which is what
   * gets sent, holds the first one.
   */
  readonly secretLinks?: readonly string[];
  /**
   * For a message no workflow retries: while unsent, redeliverDue() tries it again until then. Messages a
   * workflow sends are retried by their activity instead, and a sign-in email by the person asking again.
   */
  readonly redeliverUntil?: Date;
}

/** How long attempt n holds a redeliverable message: longer than an SMTP attempt can last, doubling, at most 6 h. */
const leaseMs = (attempt: number) => Math.min(15 * 60_000 * 2 ** Math.max(0, attempt - 1), 6 * 3_600_000);

export const LINK_REMOVED = '[link removed after sending]';
const regexSource = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every link starting with one of the prefixes, as written in the text or HTML-escaped in the html, is replaced. */
export function redactLinks(body: string, prefixes: readonly string[]): string {
  const starts = [...new Set(prefixes.filter((p) => p.length > 0).flatMap((p) => [p, escapeHtml(p)]))].map(regexSource);
  return starts.length === 0 ? body : body.replace(new RegExp(`(?:${starts.join('|')})[^\\s<>"']*`, 'g'), LINK_REMOVED);
}

export type OutboxRow = typeof emailOutbox.$inferSelect;

export interface AttachmentSource {
  load(documentId: string): Promise<{ name: string; contentType: string; content: Buffer }>;
}

export function createOutbox(db: Database, transport: MailTransport, attachments: AttachmentSource) {
  /** The row for the key: inserted and returned in one statement; read back only when a first attempt wrote it. */
  async function enqueue(m: OutboxMessage): Promise<OutboxRow> {
    const [inserted] = await db
      .insert(emailOutbox)
      .values({
        idempotencyKey: m.key,
        caseId: m.caseId ?? null,
        toAddress: m.to,
        replyTo: m.replyTo ?? null,
        subject: m.subject,
        text: m.text,
        html: m.html,
        attachments: m.attachments,
        redeliverUntil: m.redeliverUntil ?? null,
        // The sender's own first attempt holds the lease: no sweep sends it meanwhile.
        nextAttemptAt: m.redeliverUntil ? new Date(Date.now() + leaseMs(1)) : null,
      })
      .onConflictDoNothing({ target: emailOutbox.idempotencyKey })
      .returning();
    if (inserted) return inserted;
    const [row] = await db.select().from(emailOutbox).where(eq(emailOutbox.idempotencyKey, m.key));
    return row!;
  }

  /**
   * The links are cut in the same update that marks the row sent, so only after a successful send: a failed one
   * keeps the whole body for the retry, and a message that never goes out keeps its link until the token in it
   * expires. The local mailbox keeps them: it is how a local owner clicks them.
   */
  async function deliver(row: OutboxRow, secretLinks: readonly string[] = []): Promise<OutboxRow> {
    if (row.status === 'sent') return row;
    const files = await Promise.all(
      (row.attachments as OutboxMessage['attachments']).map((a) => attachments.load(a.documentId)),
    );
    try {
      // The Message-ID derives from the key, so a resend after a crash between SMTP and the update is recognisable.
      const { messageId } = await transport.send({
        messageId: `<${Buffer.from(row.idempotencyKey).toString('base64url').slice(0, 120)}@shortfall>`,
        to: row.toAddress,
        ...(row.replyTo ? { replyTo: row.replyTo } : {}),
        subject: row.subject,
        text: row.text,
        html: row.html,
        attachments: files.map((f) => ({ filename: f.name, contentType: f.contentType, content: f.content })),
      });
      const redacted =
        transport.kind === 'smtp' && secretLinks.length > 0
          ? { text: redactLinks(row.text, secretLinks), html: redactLinks(row.html, secretLinks) }
          : {};
      const [sent] = await db
        .update(emailOutbox)
        .set({
          status: 'sent',
          messageId,
          sentAt: new Date(),
          attempts: row.attempts + 1,
          lastError: null,
          ...redacted,
        })
        .where(and(eq(emailOutbox.id, row.id)))
        .returning();
      return sent!;
    } catch (err) {
      await db
        .update(emailOutbox)
        .set({ attempts: row.attempts + 1, lastError: err instanceof Error ? err.message : String(err) })
        .where(eq(emailOutbox.id, row.id));
      throw err;
    }
  }

  /**
   * Tries again the unsent messages that asked for it, soonest due first. An attempt is claimed by moving
   * `next_attempt_at` past its lease (compare-and-set on the value read), so of two sweeps, in one process or
   * two, one sends; a later sweep finds the row leased until that attempt has surely ended. The lease then
   * doubles, up to six hours, until the message's redelivery window closes.
   */
  async function redeliverDue(nowMs: number = Date.now()): Promise<{ sent: number; failed: number }> {
    const now = new Date(nowMs);
    const due = await db
      .select()
      .from(emailOutbox)
      .where(
        and(ne(emailOutbox.status, 'sent'), gt(emailOutbox.redeliverUntil, now), lte(emailOutbox.nextAttemptAt, now)),
      )
      .orderBy(asc(emailOutbox.nextAttemptAt))
      .limit(50);
    let sent = 0;
    let failed = 0;
    for (const row of due) {
      // Leased from the claim, not the sweep's start: a sweep works through its rows one at a time.
      const claimedAt = Math.max(nowMs, Date.now());
      const claimed = await db
        .update(emailOutbox)
        .set({ attempts: row.attempts + 1, nextAttemptAt: new Date(claimedAt + leaseMs(row.attempts + 1)) })
        .where(
          and(
            eq(emailOutbox.id, row.id),
            eq(emailOutbox.nextAttemptAt, row.nextAttemptAt!),
            ne(emailOutbox.status, 'sent'),
          ),
        )
        .returning({ id: emailOutbox.id });
      if (claimed.length === 0) continue;
      // deliver() counts the attempt from the row as read: the claim's bump is that same attempt.
      await deliver(row).then(
        () => sent++,
        () => failed++,
      );
    }
    return { sent, failed };
  }

  return {
    enqueue,
    deliver,
    redeliverDue,
    /** Enqueue then deliver; safe to call again with the same key. */
    async send(m: OutboxMessage): Promise<OutboxRow> {
      return deliver(await enqueue(m), m.secretLinks);
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
