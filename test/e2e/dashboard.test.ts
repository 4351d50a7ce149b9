// The owner's dashboard and case search in headless Chromium, against real dispute-case workflows on a Temporal dev
// server and PGlite: two short-paid invoices open cases, one client pays part of the rest, and the owner reads what
// is owed at a glance, follows a figure to its cases, searches by invoice number, email and amount, and downloads
// the list as CSV. Every page is checked at 360, 768 and 1280 px: no element past the window's edge (a table too wide
// for a phone stacks its rows as cards, it does not scroll sideways), no word or amount broken across lines
// (measured on the rendered text), no button clipping its label, and no serious axe-core violation.
import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import axe from 'axe-core';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { users } from '../../src/services/db/schema.js';
import { ledgerEventSignal } from '../../workflows/dispute-case/definitions.js';
import { shortPaymentInput } from '../helpers/case-fixtures.js';
import { connectSimulatedCompany, revokeAtProvider } from '../helpers/provider-connections.js';
import { createDevEnv } from '../helpers/temporal-env.js';
import { createWebHarness, lastMailTo, magicLinkIn, type WebHarness } from '../integration/web/harness.js';
import { startCaseWorker, type LiveCase } from '../integration/web/live-case.js';
import { launchChromium } from './browser.js';

let env: TestWorkflowEnvironment;
let w: WebHarness;
let cases: Awaited<ReturnType<typeof startCaseWorker>>;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let base: string;
let page: Page;
const owner = 'ana@brightside.example';
const shots = resolve(
  fileURLToPath(new URL('../../', import.meta.url)),
  process.env.SCREENSHOTS_DIR || 'test-results/screenshots',
);
mkdirSync(shots, { recursive: true });

beforeAll(async () => {
  env = await createDevEnv();
  w = await createWebHarness({ workflows: env.client.workflow });
  cases = await startCaseWorker(env, w, { email: owner });
  await w.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(w.app.server.address() as AddressInfo).port}`;
  chromium = await launchChromium();
  page = await chromium.context.newPage();
});
afterAll(async () => {
  await chromium?.close();
  await cases?.stop();
  await w?.close();
  await env?.teardown();
});

/** Serious and critical axe-core violations (WCAG 2.1 A and AA), by rule and the elements they hit. */
async function seriousViolations(p: Page): Promise<string[]> {
  await p.evaluate(axe.source);
  const result = (await p.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })`,
  )) as axe.AxeResults;
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * What is broken in the layout as rendered (raw technical text in <code>, such as a provider's own error, may wrap
 * anywhere): a word whose letters sit on two lines (its text range has fragments at
 * different heights), an amount over two lines, a button narrower than its label, an element past the window's edge.
 */
const layoutFaults = (p: Page): Promise<string[]> =>
  p.evaluate(`(() => {
    const faults = [];
    const lines = (r) =>
      new Set([...r.getClientRects()].filter((x) => x.width > 0 && x.height > 0).map((x) => Math.round(x.top + x.height / 2))).size;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
      acceptNode: (n) =>
        !n.parentElement ||
        !n.parentElement.checkVisibility() ||
        n.parentElement.closest('svg, script, style, .vh, .skip, textarea, .letter-text, code')
          ? NodeFilter.FILTER_REJECT
          : NodeFilter.FILTER_ACCEPT,
    });
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (const m of (n.textContent || '').matchAll(/[^\\s-]+/g)) {
        const r = document.createRange();
        r.setStart(n, m.index);
        r.setEnd(n, m.index + m[0].length);
        if (lines(r) > 1) faults.push('word broken: "' + m[0] + '" in <' + n.parentElement.tagName.toLowerCase() + '>');
      }
    }
    for (const el of document.querySelectorAll('.amount, td.num, .figures strong')) {
      const r = document.createRange();
      r.selectNodeContents(el);
      if (lines(r) > 1) faults.push('amount wrapped: "' + el.textContent.trim() + '"');
    }
    for (const el of document.querySelectorAll('button, .button'))
      if (el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
        faults.push('button clips its label: "' + el.textContent.trim() + '"');
    // Nothing reaches past either edge of the window, not even inside a box that scrolls: a table too wide for a
    // phone becomes cards instead (visually hidden text, clipped to 1px, does not count).
    const hidden = '.vh, .skip, .visually-hidden, table.stack thead';
    const past = [...document.querySelectorAll('body *')].filter((el) => {
      if (el.closest(hidden) || !el.checkVisibility()) return false;
      const r = el.getBoundingClientRect();
      return r.width > 0 && (r.right > window.innerWidth + 1 || r.left < -1);
    });
    const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '');
    if (past.length) faults.push(past.length + ' element(s) past the edge of a ' + window.innerWidth + 'px window: ' + past.slice(0, 6).map(name).join(', '));
    if (document.documentElement.scrollWidth > window.innerWidth)
      faults.push('page is ' + document.documentElement.scrollWidth + 'px wide in a ' + window.innerWidth + 'px window');
    return faults;
  })()`);

const widths = [360, 768, 1280] as const;

/** The page at each width: nothing broken, nothing serious for axe; a screenshot of each. */
async function checkEverywhere(path: string, name: string) {
  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${base}${path}`);
    expect({ page: path, width, faults: await layoutFaults(page) }).toEqual({ page: path, width, faults: [] });
    expect({ page: path, width, axe: await seriousViolations(page) }).toEqual({ page: path, width, axe: [] });
    await page.screenshot({ path: join(shots, `${name}-${width}.png`), fullPage: true });
    await page.screenshot({ path: join(shots, `${name}-${width}-top.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function signIn() {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Email address').fill(owner);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await expect.poll(async () => (await lastMailTo(w.h, owner)).subject).toMatch(/sign-in link/i);
  await page.goto(`${base}${magicLinkIn((await lastMailTo(w.h, owner)).text)}`);
  await page.getByRole('button', { name: 'Continue to Shortfall' }).click();
}

describe('the dashboard and search in Chromium', () => {
  let harbor: LiveCase;
  let kestrel: LiveCase;

  it(
    'lands on what is owed, follows a figure to its cases and the chart to its months',
    { timeout: 180_000 },
    async () => {
      // Harbor Cafe paid $600 of $1,000; Kestrel Plumbing paid $1,234.56 of $2,000.00, then $300.00 more.
      harbor = await cases.openCase();
      const fixture = shortPaymentInput();
      kestrel = await cases.openCase({
        invoice: {
          ...fixture.invoice!,
          number: 'INV-2044',
          customerName: 'Kestrel Plumbing',
          customerEmail: 'accounts@kestrel-plumbing.example',
          total: { minor: 200_000, currency: 'USD' },
          balance: { minor: 76_544, currency: 'USD' },
        },
        payments: [{ ...fixture.payments[0]!, amount: { minor: 123_456, currency: 'USD' } }],
      });
      await kestrel.until((v) => v.status === 'awaiting_approval', 'the first draft');
      await kestrel.handle.signal(ledgerEventSignal, {
        kind: 'payment_applied',
        payment: {
          ref: { provider: 'quickbooks', accountId: 'realm-1', id: 'pay-later' },
          amount: { minor: 30_000, currency: 'USD' },
          date: new Date().toISOString().slice(0, 10),
        },
        balance: { minor: 46_544, currency: 'USD' },
      });
      await kestrel.until((v) => v.account.paid.minor === 153_456, 'the later payment');

      await signIn();
      await page.waitForURL(`${base}/`);
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      // The figures are the workflows' own accounts, added up: $400.00 + $465.44 still owed; $300.00 recovered.
      await expect
        .poll(
          async () => {
            await page.reload();
            return page.locator('main').innerText();
          },
          { timeout: 30_000 },
        )
        .toMatch(/Still owed\s+\$865\.44\s+2 open cases\s+In dispute\s+\$865\.44[\s\S]*Recovered\s+\$300\.00\s+1 case/);
      expect(await page.locator('.chart-svg svg').count()).toBe(1);
      await checkEverywhere('/', 'dashboard');

      await page.getByRole('link', { name: /Recovered/ }).click();
      await page.getByText('Showing cases with money recovered, in USD.').waitFor();
      expect(await page.locator('table tbody tr').allInnerTexts()).toEqual([
        expect.stringContaining('Kestrel Plumbing'),
      ]);
      await page.goBack();
      // The month's row under the chart opens the cases that recovered money in it.
      await page.locator('table').last().locator('tbody tr').last().getByRole('link', { name: '$300.00' }).click();
      expect(await page.locator('table tbody tr').allInnerTexts()).toEqual([
        expect.stringContaining('Kestrel Plumbing'),
      ]);
    },
  );

  it(
    'finds a case by invoice number, email or amount and downloads the list as CSV',
    { timeout: 120_000 },
    async () => {
      const search = async (q: string) => {
        await page.goto(`${base}/cases`);
        await page.getByRole('searchbox', { name: 'Search' }).fill(q);
        await page.getByRole('button', { name: 'Search' }).click();
        await page.waitForURL((u) => u.searchParams.get('q') === q);
        return page.locator('table tbody tr td:first-child a').allInnerTexts();
      };
      expect(await search('INV-2044')).toEqual(['Kestrel Plumbing']);
      expect(await search('pay@harbor')).toEqual(['Harbor Cafe']);
      expect(await search('$2,000.00')).toEqual(['Kestrel Plumbing']);
      expect(await search('400')).toEqual(['Harbor Cafe']);
      expect(await search('nobody like this')).toEqual([]);
      await page.getByText('No cases match these filters.').waitFor();
      await checkEverywhere('/cases?q=400', 'cases-search');
      await checkEverywhere('/cases', 'cases');
      await checkEverywhere(`/cases/${kestrel.id}`, 'case');
      // Connections with their actions and a provider's raw refusal, explained in plain words: two companies
      // connected through the real port and the simulators' consent pages, then access to one revoked at QuickBooks.
      const [ana] = await w.h.db.select().from(users).where(eq(users.email, owner));
      const qbo = await connectSimulatedCompany(w.providers, ana!.id, 'quickbooks', 'Brightside Design LLC');
      await revokeAtProvider(w.providers, qbo.id);
      await connectSimulatedCompany(w.providers, ana!.id, 'xero', 'Brightside Design Ltd');
      await checkEverywhere('/connections', 'connections');
      // On a phone each connection is a card, its Reconnect button on screen (it was off to the right before).
      await page.setViewportSize({ width: 360, height: 900 });
      await page.goto(`${base}/connections`);
      const reconnect = (await page.getByRole('link', { name: /^Reconnect/ }).boundingBox())!;
      expect(reconnect.x + reconnect.width).toBeLessThanOrEqual(360);
      await page.setViewportSize({ width: 1280, height: 900 });
      for (const [path, name] of [
        ['/settings/team', 'team'],
        ['/settings', 'settings'],
        ['/settings/tolerances', 'tolerances'],
        ['/invoices', 'invoices'],
      ] as const)
        await checkEverywhere(path, name);
      await page.goto(`${base}/connections`);
      const row = await page.getByRole('row', { name: /Brightside Design LLC/ }).innerText();
      expect(row).toContain("QuickBooks Online no longer accepts Shortfall's access");
      expect(row).toContain('Reconnect QuickBooks Online on this page');
      expect(row).not.toContain('invalid_grant'); // the provider's own words only under Details, closed
      // The two just connected and the case worker's own QuickBooks connection (startCaseWorker), listed from the vault.
      expect(await page.getByRole('button', { name: /^Disconnect/ }).count()).toBe(3);

      await page.goto(`${base}/cases?q=${encodeURIComponent('plumbing')}`);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download these cases as CSV' }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^shortfall-cases-\d{4}-\d{2}-\d{2}\.csv$/);
      const rows: string[][] = parse(readFileSync((await download.path())!), { bom: true });
      expect(rows.map((r) => r.slice(0, 3).concat(r.slice(5, 11)))).toEqual([
        [
          'Invoice',
          'Customer',
          'Customer email',
          'Currency',
          'Invoice total',
          'Paid',
          'Still owed',
          'In dispute',
          'Recovered',
        ],
        [
          'INV-2044',
          'Kestrel Plumbing',
          'accounts@kestrel-plumbing.example',
          'USD',
          '2000.00',
          '1534.56',
          '465.44',
          '465.44',
          '300.00',
        ],
      ]);
      void harbor;
    },
  );
});
