// A cookie-keeping client over app.inject that behaves like a browser: sends Accept: text/html, keeps the
// cookies the app sets, and reads CSRF tokens out of the forms it is shown.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export type FormFields = Record<string, string | readonly string[]>;

export class InjectBrowser {
  readonly cookies = new Map<string, string>();

  constructor(private readonly app: FastifyInstance) {}

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: LightMyRequestResponse) {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const cleared = c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() <= Date.now());
      if (cleared) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }

  async get(url: string, headers: Record<string, string> = {}) {
    return this.keep(
      await this.app.inject({
        method: 'GET',
        url,
        headers: { accept: 'text/html,application/xhtml+xml', cookie: this.cookieHeader(), ...headers },
      }),
    );
  }

  async post(url: string, fields: FormFields, headers: Record<string, string> = {}) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of typeof v === 'string' ? [v] : v) body.append(k, one);
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url,
        payload: body.toString(),
        headers: {
          accept: 'text/html,application/xhtml+xml',
          'content-type': 'application/x-www-form-urlencoded',
          cookie: this.cookieHeader(),
          ...headers,
        },
      }),
    );
  }

  async postBytes(url: string, bytes: Buffer, headers: Record<string, string>) {
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url,
        payload: bytes,
        headers: {
          'content-type': 'application/octet-stream',
          accept: 'application/json',
          cookie: this.cookieHeader(),
          ...headers,
        },
      }),
    );
  }
}

/** The `_csrf` value of the first form whose action matches, or of the first form. */
export function csrfOf(html: string, action?: string): string {
  const forms = html.split('<form').slice(1);
  const form = action ? forms.find((f) => f.includes(`action="${action}"`)) : forms[0];
  const m = form && /name="_csrf" value="([^"]+)"/.exec(form);
  if (!m) throw new Error(`no CSRF field${action ? ` in the form posting to ${action}` : ''}`);
  return m[1]!;
}

/** A hidden field's value in the form posting to `action`. */
export function fieldOf(html: string, action: string, name: string): string {
  const form = html
    .split('<form')
    .slice(1)
    .find((f) => f.includes(`action="${action}"`));
  const m = form && new RegExp(`name="${name}" value="([^"]*)"`).exec(form);
  if (!m) throw new Error(`no field ${name} in the form posting to ${action}`);
  return m[1]!;
}

/** Visible text, roughly: tags dropped, entities decoded, whitespace collapsed. */
export function textOf(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<\/?(strong|em|span|a|time|code)\b[^>]*>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
