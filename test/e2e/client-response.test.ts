// The client's response page in Chromium, over real HTTP, from the letter's link to the owner's case page: on a
// phone (390 px) the client names the disputed line and why, with no sideways scrolling and no axe-core violations
// on any page they see; on a desktop the owner signs in and finds the objection on the case. Another client, on a
// phone, accepts the balance and follows the link to the ledger's own payment page (the QuickBooks simulator's).
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import axe from 'axe-core';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevEnv } from '../helpers/temporal-env.js';
import { createWebHarness, lastMailTo, magicLinkIn, type WebHarness } from '../integration/web/harness.js';
import { startCaseWorker } from '../integration/web/live-case.js';
import { launchChromium } from './browser.js';
import { createQuickbooksConnector, createRealmLimiter } from '../../integrations/quickbooks/index.js';
import { createPaymentLinks } from '../../src/services/ledger/payment-links.js';
import { startQuickbooksSimulator, type QuickbooksSimulator } from '../../simulators/quickbooks/index.js';
import { openPglite } from '../helpers/databases.js';

let env: TestWorkflowEnvironment;
let w: WebHarness;
let cases: Awaited<ReturnType<typeof startCaseWorker>>;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let base: string;
let qb: QuickbooksSimulator;
let books: { realmId: string; customerId: string };
const owner = 'ana@brightside.example';
// Screenshots go to test-results/screenshots (ignored), or to SCREENSHOTS_DIR (`npm run screenshots`).
const shots = resolve(
  fileURLToPath(new URL('../../', import.meta.url)),
  process.env.SCREENSHOTS_DIR || 'test-results/screenshots',
);
mkdirSync(shots, { recursive: true });

beforeAll(async () => {
  env = await createDevEnv();
  // The cases' invoices live in a simulated QuickBooks company whose client can pay online (an InvoiceLink).
  qb = await startQuickbooksSimulator();
  const app = qb.admin.createApp({ redirectUris: ['http://127.0.0.1:1/cb'] });
  const realmId = qb.admin.createCompany({ name: 'Brightside Design' });
  books = {
    realmId,
    customerId: qb.admin.addCustomer(realmId, { name: 'Harbor Cafe', email: 'ap@harbor.example' }).Id,
  };
  const accessToken = qb.admin.grantTokens(app.clientId, realmId).access_token;
  const limiter = createRealmLimiter();
  const db = await openPglite();
  const paymentLinks = createPaymentLinks({
    db: db.db,
    ledger: async () =>
      createQuickbooksConnector({
        auth: { accountId: realmId, tokens: { accessToken } },
        apiUrl: qb.urls.api,
        limiter,
      }),
  });
  w = await createWebHarness({ workflows: env.client.workflow, db, paymentLinks });
  cases = await startCaseWorker(
    env,
    w,
    { email: owner },
    { clientLinks: true, paymentLinks, books: { sim: qb, ...books, accessToken } },
  );
  await w.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(w.app.server.address() as AddressInfo).port}`;
  chromium = await launchChromium();
});
afterAll(async () => {
  await chromium?.close();
  await cases?.stop();
  await w?.close();
  await qb?.close();
  await env?.teardown();
});

/** axe-core's violations on the page as it stands (WCAG 2.1 A and AA), by rule and the elements they hit. */
async function violations(page: Page): Promise<string[]> {
  await page.evaluate(axe.source);
  const result = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })`,
  )) as axe.AxeResults;
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const fitsWidth = (page: Page) => page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');

describe('the client response page in Chromium', () => {
  it("from the letter on a phone to the objection on the owner's case page", { timeout: 120_000 }, async () => {
    const c = await cases.openCase();
    const { path } = await cases.responsePath(c.id);
    const page = await chromium.context.newPage();

    // The client, on a phone, follows the link in the letter.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}${path}`);
    await expect.poll(() => page.locator('h1').textContent()).toContain('Invoice 1001');
    expect(await page.locator('main').textContent()).toContain('Still owed');
    expect(await fitsWidth(page)).toBe(true);
    expect(await violations(page)).toEqual([]);
    await page.screenshot({ path: join(shots, 'client-response-phone.png'), fullPage: true });

    // Sending without naming anything asks for a line and a reason, keeping what was typed.
    await page.fill('#message', 'Not happy with the work');
    await page.click('form:has(input[value="dispute"]) button[type="submit"]');
    await expect.poll(() => page.locator('[role="alert"]').textContent()).toContain('Tell us which line you dispute');
    expect(await page.inputValue('#message')).toBe('Not happy with the work');
    expect(await violations(page)).toEqual([]);

    // Then the client names the line, the reason and the figures.
    await page.check('label:has-text("Signage")');
    await page.check('label:has-text("The hours or quantity are wrong")');
    await page.fill('#expected', 'Two signs, as quoted');
    await page.fill('#received', 'One sign');
    await page.fill('#accepts', '75.00');
    await page.click('form:has(input[value="dispute"]) button[type="submit"]');
    await expect.poll(() => page.locator('[role="status"]').textContent()).toContain('your answer reached');
    await page.screenshot({ path: join(shots, 'client-response-answered.png') });
    expect(await fitsWidth(page)).toBe(true);
    expect(await violations(page)).toEqual([]);
    await c.until((v) => v.objection?.lineIds.includes('3') === true, 'the objection on the case');

    // The owner, at a desk, signs in and finds it on the case page.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.context().clearCookies();
    await page.goto(`${base}/sign-in`);
    await page.fill('input[name="email"]', owner);
    await page.click('form[action="/sign-in"] button[type="submit"]');
    await expect.poll(async () => (await lastMailTo(w.h, owner)).subject).toMatch(/sign-in link/i);
    await page.goto(`${base}${magicLinkIn((await lastMailTo(w.h, owner)).text)}`);
    await page.click('form[action="/sign-in/verify"] button[type="submit"]');
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    await page.goto(`${base}/cases/${c.id}`);
    await expect.poll(() => page.locator('main').textContent()).toContain('The hours or quantity are wrong (Signage)');
    await page.close();
  });

  it(
    "on a phone, accepting the balance leads to the ledger's own payment page for the invoice",
    { timeout: 120_000 },
    async () => {
      // The invoice in QuickBooks: $1,000, paid $600, payable online.
      const invoice = qb.admin.addInvoice(books.realmId, {
        customerId: books.customerId,
        onlinePayment: true,
        lines: [
          { description: 'Brand identity', unitPrice: 600 },
          { description: 'Menu design', unitPrice: 250 },
          { description: 'Signage', unitPrice: 150 },
        ],
      });
      qb.admin.addPayment(books.realmId, {
        customerId: books.customerId,
        amount: 600,
        applications: [{ invoiceId: invoice.Id, amount: 600 }],
      });
      const c = await cases.openCase({}, invoice.Id);
      const { path } = await cases.responsePath(c.id);
      const page = await chromium.context.newPage();
      // The client's own phone: no owner signed in (the previous test left the owner's session in this browser).
      await page.context().clearCookies();
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${base}${path}`);
      await expect.poll(() => page.locator('h1').textContent()).toContain('Invoice 1001');
      await expect
        .poll(() => page.locator('#accept ~ p a').getAttribute('href'))
        .toMatch(/\/portal\/app\/CommerceNetwork\//);

      await page.click('form:has(input[value="accept"]) button[type="submit"]');
      await expect
        .poll(() => page.locator('[role="status"]').textContent())
        .toContain('You accept the balance of $400.00');
      const pay = page.getByRole('link', { name: 'Pay $400.00 online' });
      expect(await pay.isVisible()).toBe(true);
      expect(await fitsWidth(page)).toBe(true);
      expect(await violations(page)).toEqual([]);
      await page.screenshot({ path: join(shots, 'client-response-pay-online.png'), fullPage: true });

      await pay.click();
      await page.waitForURL((u) => u.pathname.startsWith('/portal/app/CommerceNetwork/view/'));
      await expect.poll(() => page.locator('main').textContent()).toContain('Balance due 400.00 USD');
      await page.close();
    },
  );
});
