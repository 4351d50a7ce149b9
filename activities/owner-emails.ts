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
  const what = r.kind.replace(/_/g, ' ');
  const { locale, timeZone } = r.organisation;
  const due = r.respondBy ? `\nIt should go out by ${formatDeadlineTime(r.respondBy, locale, timeZone)}.` : '';
  const intro = `Shortfall drafted a ${what} (version ${r.version}). Nothing is sent until you approve it.${due}`;
  const text = `${intro}\n\nReview, edit or approve it here (the link works once):\n${link}\n\n--- Draft ---\nSubject: ${r.draft.subject}\n\n${r.draft.text}\n\nNot legal advice.`;
  const html = `${paragraphs(intro)}\n<p><a href="${escapeHtml(link)}">Review and approve the draft</a> (the link works once)</p>\n<hr>\n<p><strong>${escapeHtml(r.draft.subject)}</strong></p>\n${r.draft.html}\n<hr>\n<p><small>Not legal advice.</small></p>`;
  return { subject: `Approve: ${r.draft.subject}`, text, html };
}

export function ownerEmail(n: OwnerNotice, caseLink: string): { subject: string; text: string; html: string } {
  const text = `${n.detail}\n\nOpen the case: ${caseLink}\n\nNot legal advice.`;
  const html = `${paragraphs(n.detail)}\n<p><a href="${escapeHtml(caseLink)}">Open the case</a></p>\n<p><small>Not legal advice.</small></p>`;
  return { subject: n.subject, text, html };
}
