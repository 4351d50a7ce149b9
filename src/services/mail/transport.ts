// SMTP through nodemailer when SMTP_URL is set; otherwise the local mailbox: messages stay in the outbox
// table and the /dev/mailbox page shows them.
import nodemailer from 'nodemailer';

export interface MailEnvelope {
  readonly messageId: string;
  readonly to: string;
  readonly replyTo?: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly attachments: readonly { filename: string; contentType: string; content: Buffer }[];
}

export interface MailTransport {
  readonly kind: 'smtp' | 'local';
  send(m: MailEnvelope): Promise<{ messageId: string }>;
  /** Resolves when mail can go out now: the SMTP server answers and takes our login (readiness, /readyz). */
  verify(): Promise<void>;
  close(): void;
}

export function createMailTransport(cfg: { smtpUrl?: string | undefined; from: string }): MailTransport {
  if (!cfg.smtpUrl) {
    return { kind: 'local', send: async (m) => ({ messageId: m.messageId }), verify: async () => {}, close: () => {} };
  }
  const smtp = nodemailer.createTransport(cfg.smtpUrl);
  return {
    kind: 'smtp',
    async send(m) {
      const info = await smtp.sendMail({ from: cfg.from, ...m, attachments: [...m.attachments] });
      return { messageId: info.messageId };
    },
    async verify() {
      await smtp.verify();
    },
    close: () => smtp.close(),
  };
}
