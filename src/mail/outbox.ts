// Every email is written to the outbox first, keyed by its idempotency key, and delivered from there:
// a retried activity finds the row and never sends twice.
import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { emailOutbox } from '../db/schema.js';
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
}

export type OutboxRow = typeof emailOutbox.$inferSelect;

export interface AttachmentSource {
  load(documentId: string): Promise<{ name: string; contentType: string; content: Buffer }>;
}

export function createOutbox(db: Database, transport: MailTransport, attachments: AttachmentSource) {
  async function enqueue(m: OutboxMessage): Promise<OutboxRow> {
    await db.insert(emailOutbox).values({
      idempotencyKey: m.key, caseId: m.caseId ?? null, toAddress: m.to, replyTo: m.replyTo ?? null,
      subject: m.subject, text: m.text, html: m.html, attachments: m.attachments,
    }).onConflictDoNothing({ target: emailOutbox.idempotencyKey });
    const [row] = await db.select().from(emailOutbox).where(eq(emailOutbox.idempotencyKey, m.key));
    return row!;
  }

  async function deliver(row: OutboxRow): Promise<OutboxRow> {
    if (row.status === 'sent') return row;
    const files = await Promise.all((row.attachments as OutboxMessage['attachments']).map((a) => attachments.load(a.documentId)));
    try {
      // The Message-ID derives from the key, so a resend after a crash between SMTP and the update is recognisable.
      const { messageId } = await transport.send({
        messageId: `<${Buffer.from(row.idempotencyKey).toString('base64url').slice(0, 120)}@shortfall>`,
        to: row.toAddress, ...(row.replyTo ? { replyTo: row.replyTo } : {}), subject: row.subject, text: row.text, html: row.html,
        attachments: files.map((f) => ({ filename: f.name, contentType: f.contentType, content: f.content })),
      });
      const [sent] = await db.update(emailOutbox).set({ status: 'sent', messageId, sentAt: new Date(), attempts: row.attempts + 1, lastError: null })
        .where(and(eq(emailOutbox.id, row.id))).returning();
      return sent!;
    } catch (err) {
      await db.update(emailOutbox).set({ attempts: row.attempts + 1, lastError: err instanceof Error ? err.message : String(err) }).where(eq(emailOutbox.id, row.id));
      throw err;
    }
  }

  return {
    enqueue,
    deliver,
    /** Enqueue then deliver; safe to call again with the same key. */
    async send(m: OutboxMessage): Promise<OutboxRow> {
      return deliver(await enqueue(m));
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
