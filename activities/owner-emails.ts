// Owner-facing emails: approval requests and notices. They carry "Not legal advice."; client letters do not.
import { formatDeadlineTime } from '../src/services/letters/format.js';
import { escapeHtml } from '../src/services/letters/index.js';
import type { ApprovalRequest, OwnerNotice } from '../workflows/dispute-case/activities.js';

const paragraphs = (text: string) =>
  text
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');

export function approvalEmail(r: ApprovalRequest, link: string): { subject: string; text: string; html: string } {
  const { locale, timeZone } = r.organisation;
  const when = (iso: string) => formatDeadlineTime(iso, locale, timeZone);
  const intro = r.evidence ? evidenceIntro(r, r.evidence, when) : letterIntro(r, when);
  const text = `${intro}\n\nReview, edit or approve it here (the link works once):\n${link}\n\n--- Draft ---\nSubject: ${r.draft.subject}\n\n${r.draft.text}\n\nNot legal advice.`;
  const html = `${paragraphs(intro)}\n<p><a href="${escapeHtml(link)}">Review and approve the draft</a> (the link works once)</p>\n<hr>\n<p><strong>${escapeHtml(r.draft.subject)}</strong></p>\n${r.draft.html}\n<hr>\n<p><small>Not legal advice.</small></p>`;
  return { subject: `Approve: ${r.draft.subject}`, text, html };
}

function letterIntro(r: ApprovalRequest, when: (iso: string) => string): string {
  const due = r.respondBy ? `\nIt should go out by ${when(r.respondBy)}.` : '';
  return `Shortfall drafted a ${r.kind.replace(/_/g, ' ')} (version ${r.version}). Nothing is sent until you approve it.${due}`;
}

/** Chargeback evidence goes to the card processor (and through it to the card network), never to the client. */
function evidenceIntro(
  r: ApprovalRequest,
  e: NonNullable<ApprovalRequest['evidence']>,
  when: (iso: string) => string,
): string {
  const theirs = e.processorDueBy ? `, ${e.lead} ${e.processorName}'s own deadline (${when(e.processorDueBy)})` : '';
  const due = r.respondBy ? `\nApprove it by ${when(r.respondBy)}, Shortfall's date for your approval${theirs}.` : '';
  return `Shortfall drafted the evidence for the chargeback (version ${r.version}). Once you approve it, it is submitted to ${e.processorName}, which passes it to the card network; nothing goes to the client. Nothing is submitted until you approve it.${due}`;
}

export function ownerEmail(n: OwnerNotice, caseLink: string): { subject: string; text: string; html: string } {
  const text = `${n.detail}\n\nOpen the case: ${caseLink}\n\nNot legal advice.`;
  const html = `${paragraphs(n.detail)}\n<p><a href="${escapeHtml(caseLink)}">Open the case</a></p>\n<p><small>Not legal advice.</small></p>`;
  return { subject: n.subject, text, html };
}
