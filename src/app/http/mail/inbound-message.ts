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
