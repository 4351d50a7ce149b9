// Settings → Tolerances: the owner sets, per currency, what counts as a bank or conversion charge; bad input is
// explained row by row and saves nothing.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organisations } from '../../../src/services/db/schema.js';
import type { InjectBrowser } from './browser.js';
import { csrfOf, textOf } from './browser.js';
import { createWebHarness, seedOrganisation, signIn, type WebHarness } from './harness.js';

let w: WebHarness;
let b: InjectBrowser;
let orgId: string;
beforeAll(async () => {
  w = await createWebHarness();
  orgId = (await seedOrganisation(w.h, { email: 'ana@brightside.example' })).org.id;
  b = w.browser();
  await signIn(w, b, 'ana@brightside.example');
});
afterAll(async () => {
  await w?.close();
});

const stored = async () =>
  (await w.h.db.select({ t: organisations.tolerances }).from(organisations).where(eq(organisations.id, orgId)))[0]!.t;

describe('tolerance settings', () => {
  it("explains the defaults and saves the owner's own, per currency, in minor units", async () => {
    const page = await b.get('/settings/tolerances');
    expect(page.statusCode).toBe(200);
    const text = textOf(page.body);
    expect(text).toContain('Shortfall allows 1% of the invoice, or at least $50.00');
    expect(text).toContain('SEPA transfers arrive in full');
    const res = await b.post('/settings/tolerances', {
      _csrf: csrfOf(page.body),
      currency: ['eur', 'JPY', ''],
      amount: ['25.50', '3000', ''],
      percent: ['0.5', '0', ''],
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/settings/tolerances?notice=tolerances_saved');
    expect(await stored()).toEqual({
      EUR: { absoluteMinor: 2_550, percent: 0.5 },
      JPY: { absoluteMinor: 3_000, percent: 0 },
    });
    const again = textOf((await b.get('/settings/tolerances?notice=tolerances_saved')).body);
    expect(again).toContain('Tolerances saved. The next sync uses them.');
  });

  it('refuses an unknown currency, too many decimals or a silly percentage, row by row, and keeps what was saved', async () => {
    const before = await stored();
    const page = await b.get('/settings/tolerances');
    const res = await b.post('/settings/tolerances', {
      _csrf: csrfOf(page.body),
      currency: ['EURO', 'USD', 'GBP', 'USD'],
      amount: ['1', '1.234', '5', '2'],
      percent: ['1', '1', '50', '1'],
    });
    expect(res.statusCode).toBe(400);
    const text = textOf(res.body);
    expect(text).toContain('The tolerances were not saved');
    expect(text).toContain('Row 1 (EURO): enter a three-letter ISO currency code');
    expect(text).toContain('Row 2 (USD): the amount must be a number with at most 2 decimals');
    expect(text).toContain('Row 3 (GBP): the percentage must be between 0 and 10');
    expect(res.body).toContain('value="EURO"'); // what the owner typed stays in the form
    expect(await stored()).toEqual(before);
  });

  it("needs the form's CSRF token", async () => {
    const res = await b.post('/settings/tolerances', { currency: 'USD', amount: '0', percent: '0' });
    expect(res.statusCode).toBe(403);
  });
});

describe('the settings pages look alike', () => {
  it('every settings page carries the same tabs, How clients pay you among them, and marks its own', async () => {
    const tabs = ['Business and letters', 'Tolerances', 'How clients pay you', 'Team'];
    for (const [url, current] of [
      ['/settings', 'Business and letters'],
      ['/settings/tolerances', 'Tolerances'],
      ['/settings/payment', 'How clients pay you'],
      ['/settings/team', 'Team'],
    ] as const) {
      const body = (await b.get(url)).body;
      const nav = /<nav aria-label="Settings"[\s\S]*?<\/nav>/.exec(body)?.[0];
      expect(nav, url).toBeDefined();
      expect(textOf(nav!), url).toBe(tabs.join(' '));
      expect(nav, url).toMatch(new RegExp(`aria-current="page">${current}</a>`));
    }
  });

  it('keeps the % beside its field and puts the payment page’s Save button below the text, as the other forms do', async () => {
    const tolerances = (await b.get('/settings/tolerances')).body;
    expect(tolerances).toMatch(
      /<span class="nowrap"><input type="text" class="percent" id="percent-0"[^>]*> %<\/span>/,
    );
    const payment = (await b.get('/settings/payment')).body;
    expect(payment).toMatch(/<\/textarea>\s*<div><button type="submit">Save payment details<\/button><\/div>/);
  });
});
