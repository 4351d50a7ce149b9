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

const VERIFY_EVERY_MS = 60_000;

export function createMailTransport(cfg: { smtpUrl?: string | undefined; from: string }): MailTransport {
  if (!cfg.smtpUrl) {
    return { kind: 'local', send: async (m) => ({ messageId: m.messageId }), verify: async () => {}, close: () => {} };
  }
  // Pooled: letters and owner notices reuse a few open connections (each carries up to 100 messages) instead of a
  // connection, a greeting, a login and (in production) a TLS handshake per message, which was a good share of a
  // worker's CPU per case opened (issue 18). A connection the server dropped is replaced on the next message.
  const smtp = nodemailer.createTransport({ url: cfg.smtpUrl, pool: true, maxConnections: 3, maxMessages: 100 });
  // Readiness asks often (every few seconds): one login at a time, at most once a minute, and a stalled server
  // gives up within the probe's own time rather than holding a socket for minutes.
  const probe = nodemailer.createTransport({
    url: cfg.smtpUrl,
    connectionTimeout: 2_500,
    greetingTimeout: 2_500,
    socketTimeout: 2_500,
  });
  let checked: { at: number; result: Promise<void> } | undefined;
  return {
    kind: 'smtp',
    async send(m) {
      const info = await smtp.sendMail({ from: cfg.from, ...m, attachments: [...m.attachments] });
      return { messageId: info.messageId };
    },
    verify() {
      const now = Date.now();
      if (!checked || now - checked.at > VERIFY_EVERY_MS) {
        const result = probe.verify().then(() => undefined);
        // A failure is not cached for long: the next probe after 5 s tries again.
        result.catch(() => {
          if (checked?.result === result) checked = { at: now - VERIFY_EVERY_MS + 5_000, result };
        });
        checked = { at: now, result };
      }
      return checked.result;
    },
    close: () => {
      smtp.close();
      probe.close();
    },
  };
}
