// Dates and amounts in the reader's locale. Intl only: no clock, so safe in the workflow sandbox.
import type { CaseDocument, CaseDocumentKind } from '../../domain/case.js';
import { dateTimeFormat } from '../../domain/intl.js';
import { formatMoney, sum, type Money } from '../../domain/money.js';
import type { LetterFacts, PaymentSummary } from './types.js';

export const clientLocale = (f: Pick<LetterFacts, 'customer' | 'org'>): string =>
  f.customer.locale ?? f.org.locale ?? 'en-US';

/** A calendar date (YYYY-MM-DD) is not an instant, so it is formatted in UTC to keep its day. */
export function formatDay(ymd: string, locale: string): string {
  const [y, m, d] = ymd.split('-').map(Number);
  if (!y || !m || !d) throw new RangeError(`Expected YYYY-MM-DD, got ${JSON.stringify(ymd)}`);
  return dateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d));
}

/** A deadline instant, as the date it falls on in the organisation's zone. */
export const formatDeadline = (iso: string, locale: string, zone: string): string =>
  dateTimeFormat(locale, { dateStyle: 'full', timeZone: zone }).format(Date.parse(iso));

export const formatDeadlineTime = (iso: string, locale: string, zone: string): string =>
  dateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone: zone }).format(Date.parse(iso)) +
  ` (${zone})`;

/** What each kind of case document is called, in letters and on the case page. */
export const documentKindLabels: Readonly<Record<CaseDocumentKind, string>> = {
  invoice: 'Invoice',
  signed_estimate: 'Signed estimate',
  sow: 'Statement of work',
  scope_confirmation: 'Scope confirmation',
  rate_confirmation: 'Rate confirmation',
  delivery_receipt: 'Delivery receipt',
  photo: 'Completion photo',
  project_record: 'Project record',
  other: 'Supporting document',
};
export const documentLabel = (d: CaseDocument): string => `${d.name} (${documentKindLabels[d.kind]})`;

export const attachmentsOf = (docs: readonly CaseDocument[]) => docs.map((d) => ({ documentId: d.id, name: d.name }));

/** The view every client letter starts from: amounts and dates already formatted for the reader. */
export function baseView(f: LetterFacts) {
  const locale = clientLocale(f);
  const money = (m: Money) => formatMoney(m, locale);
  const paid = sum(
    f.payments.map((p) => p.amount),
    f.invoice.total.currency,
  );
  return {
    locale,
    money,
    deadline: (iso: string) => formatDeadline(iso, locale, f.org.zone),
    /**
     * The date an earlier letter of ours carried: in the zone it went out in, which the owner may have changed since
     * (the current zone for a letter sent before its zone was kept).
     */
    sentOn: (iso: string, zone: string | undefined) => formatDeadline(iso, locale, zone ?? f.org.zone),
    day: (ymd: string) => formatDay(ymd, locale),
    orgName: f.org.name,
    signature: f.org.signature,
    customerName: f.customer.name,
    // Owners often sign with their business name already; saying it twice looks careless.
    signatureNamesOrg: f.org.signature.toLowerCase().includes(f.org.name.toLowerCase()),
    invoiceNumber: f.invoice.number,
    invoiceTotal: money(f.invoice.total),
    invoiceDate: formatDay(f.invoice.issueDate, locale),
    lines: f.invoice.lines.map((l) => ({ description: l.description, amount: money(l.amount) })),
    payments: f.payments.map((p: PaymentSummary) => ({ amount: money(p.amount), date: formatDay(p.date, locale) })),
    paid: money(paid),
    hasPaid: paid.minor > 0,
    balance: money(f.balance),
    settled: f.balance.minor <= 0,
    payOnline: f.balance.minor > 0 ? f.payOnline : undefined,
    credits: (f.credits ?? []).map((c) => ({ number: c.number, amount: money(c.amount) })),
    replies: (f.replies ?? []).map((r) => ({ on: formatDeadline(r.at, locale, f.org.zone), subject: r.subject })),
    documents: f.documents.map(documentLabel),
  };
}
export type BaseView = ReturnType<typeof baseView>;
