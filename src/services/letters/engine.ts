// Two eta engines over the same template: escaped for HTML, raw for plain text. Templates are string constants
// (no filesystem in the workflow sandbox); eta compiles them with `new Function`, once, on first use.
import { Eta, type TemplateFunction } from 'eta/core';

// No automatic trimming: control tags end in `-%>` to drop their own newline, interpolations keep theirs.
const engines = {
  html: new Eta({ autoEscape: true, autoTrim: false }),
  text: new Eta({ autoEscape: false, autoTrim: false }),
};
const compiled = new Map<string, TemplateFunction>();

function render(mode: keyof typeof engines, template: string, data: object): string {
  const cacheKey = `${mode}\u0000${template}`;
  let fn = compiled.get(cacheKey);
  if (!fn) compiled.set(cacheKey, (fn = engines[mode].compile(template)));
  return engines[mode].render(fn, data);
}

export const escapeHtml = (s: string): string => engines.html.config.escapeFunction(s);

/**
 * Blank-line separated blocks become paragraphs; blocks whose lines all start with "- " become lists.
 * Runs on already-escaped output, so it can only add our own tags.
 */
function toHtmlBlocks(escaped: string): string {
  return escaped
    .split(/\n{2,}/)
    .map((b) => b.trim())
    .filter(Boolean)
    .map((block) => {
      const lines = block.split('\n');
      if (lines.every((l) => l.startsWith('- ')))
        return `<ul>\n${lines.map((l) => `  <li>${l.slice(2)}</li>`).join('\n')}\n</ul>`;
      return `<p>${lines.join('<br>\n')}</p>`;
    })
    .join('\n');
}

export interface LetterTemplate {
  readonly subject: string;
  readonly body: string;
}

export function renderLetter(template: LetterTemplate, data: object): { subject: string; text: string; html: string } {
  // One line, whatever the data held: the subject becomes a mail header.
  const subject = render('text', template.subject, data).replace(/\s+/g, ' ').trim();
  const text = `${render('text', template.body, data)
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
  const body = toHtmlBlocks(render('html', template.body, data));
  const html = `<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>\n<body>\n${body}\n</body>\n</html>\n`;
  return { subject, text, html };
}
