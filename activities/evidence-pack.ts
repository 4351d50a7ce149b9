// The small-claims evidence pack: one PDF a court clerk can read front to back.
// Uncompressed: packs are small, and plain text streams stay searchable by any tool.
import { formatMoney, type Money } from '../src/domain/money.js';
import { dateTimeFormatter, dayIn } from '../src/domain/time-format.js';
import type { EvidencePackRequest } from '../workflows/dispute-case/activities.js';

/**
 * pdfkit and its fonts load with the first pack a process builds, not at start: a case needs a pack only when the
 * owner asks or the final notice runs out, and a worker carried them idle (issue 18: about 9 MB of its heap).
 */
const loadPdfkit = () => import('pdfkit');
let pdfkit: ReturnType<typeof loadPdfkit> | undefined;

export async function renderEvidencePack(r: EvidencePackRequest, generatedAt: Date): Promise<Buffer> {
  // A load that failed is tried again by the next pack, not remembered as failed until a restart.
  const { default: PDFDocument } = await (pdfkit ??= loadPdfkit().catch((err: unknown) => {
    pdfkit = undefined;
    throw err;
  }));
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    compress: false,
    info: {
      Title: `Evidence pack — invoice ${r.invoice?.number ?? r.caseId}`,
      Author: r.organisation.name,
      CreationDate: generatedAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const money = (m: Money) => formatMoney(m, r.organisation.locale);
  // Times as the owner sees them on the pages: in the organisation's zone, which the chronology names.
  const zone = r.organisation.timeZone;
  const formatAt = dateTimeFormatter(r.organisation.locale, zone);
  // Intl puts narrow no-break spaces in times ("9:00 AM"); the PDF's standard fonts have no glyph for them.
  const at = (iso: string) => formatAt(iso).replace(/[\u202f\u00a0]/g, ' ');
  const day = (iso: string) => dayIn(iso, zone);
  // A letter is named by the date it carried: the day it went out in the zone it was written in. When the owner has
  // changed the zone since, that day may differ from the chronology's, so the heading names the letter's zone and
  // gives the chronology's day too: a reply dated the day before the objection it answers would read as written first.
  const sentDay = (d: { readonly sentAt?: string; readonly sentZone?: string }) => {
    if (!d.sentAt) return '';
    if (!d.sentZone || d.sentZone === zone) return day(d.sentAt);
    const carried = dayIn(d.sentAt, d.sentZone);
    return carried === day(d.sentAt)
      ? `${carried} (${d.sentZone})`
      : `${carried} (${d.sentZone}; ${day(d.sentAt)} in the chronology)`;
  };
  const heading = (t: string) =>
    doc.moveDown().font('Helvetica-Bold').fontSize(13).text(t).moveDown(0.3).font('Helvetica').fontSize(10);
  const { view, invoice } = r;

  doc.font('Helvetica-Bold').fontSize(18).text('Evidence pack');
  doc
    .font('Helvetica')
    .fontSize(10)
    .text(`${r.organisation.name} v. ${invoice?.customerName ?? 'the customer'}`)
    .text(`Invoice ${invoice?.number ?? '—'} · prepared ${day(generatedAt.toISOString())}`);

  heading('1. Ledger statement');
  // Every figure comes from the case's one account, and they add up: total = paid + credited + written off + owed.
  const a = view.account;
  const owed = { minor: Math.max(0, a.stillOwed.minor), currency: a.currency };
  doc.text(
    `Invoice total: ${money(a.total)}${invoice ? `  (issued ${invoice.issueDate}${invoice.dueDate ? `, due ${invoice.dueDate}` : ''})` : ''}`,
  );
  doc.text(`Paid by the customer: ${money(a.paid)}`);
  for (const c of a.credits)
    doc.text(
      `Credited by credit note ${c.number ?? c.ref}: ${money(c.amount)} (a credit on the named items only, not an admission about the rest)`,
    );
  if (a.writtenOff.minor > 0) doc.text(`Written off: ${money(a.writtenOff)}`);
  doc
    .font('Helvetica-Bold')
    .text(`Amount claimed (still owed): ${money(owed)}`)
    .font('Helvetica');

  if (invoice) {
    heading('2. Invoice');
    for (const l of invoice.lines)
      doc.text(`${l.description} — ${l.quantity} × ${money(l.unitPrice)} = ${money(l.amount)}`);
  }

  heading('3. Payments and receipts');
  for (const p of r.payments)
    doc.text(
      `${p.date}: ${money(p.amount)}${p.memo ? ` — memo: "${p.memo}"` : ''} (accepted as partial payment only; receipt sent)`,
    );

  heading('4. Chronology');
  doc.text(`Times are in the ${zone} time zone.`).moveDown(0.3);
  for (const t of view.timeline) doc.text(`${at(t.at)} — ${t.summary}`);

  heading('5. Correspondence sent');
  const sent = view.drafts.filter((d) => d.state === 'sent');
  for (const d of sent) {
    doc
      .font('Helvetica-Bold')
      .text(`${sentDay(d)} — ${d.content.subject}`)
      .font('Helvetica')
      .text(d.content.text)
      .moveDown(0.5);
  }
  const firstResponse = sent.find((d) => d.kind === 'first_response');
  if (firstResponse)
    doc.text(
      `The written response of ${sentDay(firstResponse)} set out the position and asked for specific objections; ${answerAfter(view.timeline, firstResponse.sentAt)}`,
    );

  heading('6. Documents (exhibits)');
  if (r.documents.length === 0) doc.text('No documents were attached to the case.');
  r.documents.forEach((d, i) => doc.text(`Exhibit ${i + 1}: ${d.name} (${d.kind.replace(/_/g, ' ')})`));

  doc.moveDown().fontSize(8).fillColor('#555').text('Prepared by Shortfall from the case record. Not legal advice.');
  doc.end();
  return done;
}

/**
 * What the customer did after the first written response, as the case recorded it (the workflow's timeline: an
 * 'objection' entry's summary starts with Specific or Vague): the pack must not say the
 * customer never answered when the chronology above shows a specific objection.
 */
export function answerAfter(
  timeline: readonly { readonly at: string; readonly kind: string; readonly summary: string }[],
  sentAt: string | undefined,
): string {
  const after = timeline.filter((t) => sentAt === undefined || t.at >= sentAt);
  const specific = after.filter((t) => t.kind === 'objection' && t.summary.startsWith('Specific'));
  if (specific.length === 1)
    return 'the customer then raised a specific objection, shown in the chronology with how it was decided and answered.';
  if (specific.length > 1)
    return `the customer then raised ${specific.length} specific objections, shown in the chronology with how each was decided and answered.`;
  if (after.some((t) => t.kind === 'objection' || t.kind === 'client_reply'))
    return 'the customer replied (see the chronology), but no reply was recorded as a specific objection to an item or deliverable.';
  return 'the customer did not answer it.';
}
