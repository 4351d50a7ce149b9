// The mail a scenario's people received over SMTP, as parsed messages, and how a failing scenario prints it.
import type { AddressObject, ParsedMail } from 'mailparser';

export interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly replyTo?: string;
  readonly attachments: readonly string[];
  readonly raw: ParsedMail;
}

const addresses = (a: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => (v.address ?? '').toLowerCase()));

export function toMail(m: ParsedMail): Mail {
  const replyTo = addresses(m.replyTo)[0];
  return {
    to: addresses(m.to).join(', '),
    subject: m.subject ?? '',
    text: m.text ?? '',
    raw: m,
    attachments: m.attachments.map((a) => a.filename ?? '(unnamed)'),
    ...(replyTo ? { replyTo } : {}),
  };
}

/** Mail to one address, oldest first. */
export const mailTo = (all: readonly ParsedMail[], address: string): Mail[] =>
  all.map(toMail).filter((m) => m.to.split(', ').includes(address.toLowerCase()));

/** A pattern matches the subject or the text; a string must appear in either, case-insensitively. */
export function matches(m: Mail, pattern: RegExp | string): boolean {
  if (typeof pattern === 'string') return `${m.subject}\n${m.text}`.toLowerCase().includes(pattern.toLowerCase());
  return pattern.test(m.subject) || pattern.test(m.text);
}

export function describeMail(m: Mail, index: number): string {
  const body = m.text.replace(/\s+/g, ' ').trim();
  const attached = m.attachments.length > 0 ? ` [attachments: ${m.attachments.join(', ')}]` : '';
  return `  ${index + 1}. to ${m.to}: "${m.subject}"${attached}\n     ${body.length > 240 ? `${body.slice(0, 240)}…` : body}`;
}
