// The sign-in email. Plain words: what the link does, how long it works, what to do if it was not you.
import { escapeHtml } from '../../../services/letters/index.js';

export function signInEmail(link: string): { subject: string; text: string; html: string } {
  const text = `Use this link to sign in to Shortfall. It works once, within 15 minutes:\n\n${link}\n\nIf you did not ask to sign in, ignore this email: nobody can sign in without the link.`;
  const html = `<p>Use this link to sign in to Shortfall. It works once, within 15 minutes:</p>\n<p><a href="${escapeHtml(link)}">Sign in to Shortfall</a></p>\n<p>If you did not ask to sign in, ignore this email: nobody can sign in without the link.</p>`;
  return { subject: 'Your Shortfall sign-in link', text, html };
}
