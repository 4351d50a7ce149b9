// Reading a parsed inbound email: which case it answers, and the reply as the workflow's ClientReply.
import { createHash } from 'node:crypto';
import type { AddressObject, ParsedMail } from 'mailparser';
import type { ClientReply } from '../../../../workflows/dispute-case/definitions.js';

const caseAddress = /^case\+([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@/i;

const addresses = (a: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => v.address ?? ''));

/** The first case+<uuid>@ recipient, looking at To and Cc and the envelope headers providers add. */
export function caseIdFrom(mail: ParsedMail): string | undefined {
  const envelope = ['delivered-to', 'x-original-to']
    .map((h) => mail.headers.get(h))
    .map((v) => (typeof v === 'string' ? v : ''));
  for (const address of [...addresses(mail.to), ...addresses(mail.cc), ...envelope]) {
    const m = caseAddress.exec(address.trim());
    if (m) return m[1]!.toLowerCase();
  }
  return undefined;
}

/** The message's sender as an address (lower case), or undefined when its From header names none. */
export function senderOf(mail: ParsedMail): string | undefined {
  const a = mail.from?.value[0]?.address?.trim().toLowerCase();
  return a ? a : undefined;
}

/**
 * What identifies one message: its Message-ID together with a hash of what it says (sender, recipients, subject,
 * text, HTML and attachments). The same message delivered again gets the same key; a different message that reuses
 * the Message-ID (a buggy or hostile sender) gets its own. Headers a mail host adds on the way (Received,
 * Delivered-To) and the Date are left out, so a redelivery through another route is still the same message.
 */
export function messageKey(mail: ParsedMail): string {
  const content = createHash('sha256')
    .update(
      JSON.stringify([
        addresses(mail.from).map((a) => a.toLowerCase()),
        addresses(mail.to).map((a) => a.toLowerCase()),
        addresses(mail.cc).map((a) => a.toLowerCase()),
        mail.subject ?? '',
        mail.text ?? '',
        typeof mail.html === 'string' ? mail.html : '',
        mail.attachments.map((a) => [a.filename ?? '', a.contentType, a.checksum, a.size]),
      ]),
    )
    .digest('hex');
  const id = createHash('sha256')
    .update(mail.messageId ?? '')
    .digest('hex');
  return `${id}/${content}`;
}

/**
 * The key a message with a Message-ID was recorded under before keys carried a content hash: a redelivery of a
 * message received before that change must still be recognised (with the same subject, so a different message
 * reusing the Message-ID is not).
 */
export function legacyMessageKey(mail: ParsedMail): string | undefined {
  return mail.messageId ? createHash('sha256').update(mail.messageId).digest('hex') : undefined;
}

const MAX_TEXT = 20_000;

/** The reply as signalled. Its time is when we received it: the Date header is the sender's to set. */
export function replyFacts(mail: ParsedMail, received: Date): ClientReply {
  return {
    receivedAt: received.toISOString(),
    from: mail.from?.value[0]?.address ?? mail.from?.text ?? 'unknown sender',
    subject: mail.subject ?? '(no subject)',
    text: (mail.text ?? '').slice(0, MAX_TEXT),
  };
}

/** A stable UUID-shaped id for a key, so a retried store finds the row it wrote before. */
export function uuidFromKey(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
