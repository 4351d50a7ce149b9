// The look of every simulator's consent page: Shortfall's own stylesheet inlined (the simulators run on their own
// ports, so nothing is fetched across origins), a banner that says which provider is being played, and the same
// form conventions as the product (labels, fieldsets, visible focus).
import { readFileSync } from 'node:fs';

let css: string | undefined;
function stylesheet(): string {
  // Read once; the simulators are not packaged without src/, but a missing file only costs the styling.
  css ??= (() => {
    try {
      return readFileSync(new URL('../../src/app/http/assets/app.css', import.meta.url), 'utf8');
    } catch {
      return '';
    }
  })();
  return css;
}

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
export const hiddenField = (name: string, value: string) =>
  `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;

/** A whole page; `body` is trusted HTML built with escapeHtml. */
export function consentShell(o: { provider: string; title: string; body: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(o.title)} · ${escapeHtml(o.provider)} (simulated)</title>
<style>${stylesheet()}
.simulated { font-weight: 400; color: var(--muted); }</style>
</head><body>
<a class="skip" href="#main">Skip to main content</a>
<header class="site"><span class="brand">${escapeHtml(o.provider)} <span class="simulated">(simulated)</span></span></header>
<main id="main" tabindex="-1">
<p class="warning">This is Shortfall's <strong>${escapeHtml(o.provider)} simulator</strong>, part of the local sandbox: no real ${escapeHtml(o.provider)} account is involved.</p>
${o.body}
</main>
</body></html>`;
}
