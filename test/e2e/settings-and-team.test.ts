// Settings, teammates and Sync now in headless Chromium against the running app (the stack of `npm start`, with
// the QuickBooks simulator and mail over SMTP): the owner corrects the business details after onboarding, gets a
// clear error without losing what was typed, invites a bookkeeper who joins from the emailed link in their own
// browser, sees what a bookkeeper may not do, and is signed out when the owner removes them. The owner syncs a
// connection on demand and reads the result. A viewer joins and follows the case the sync opened: each page shows
// each role only the forms it may use. Screenshots go to test-results/screenshots (or SCREENSHOTS_DIR).
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.js';
import { cases } from '../../src/services/db/schema.js';
import { startStack, waitForMail, type Stack } from './stack.js';

const owner = 'ana@brightside.example';
const bookkeeper = 'bo@books.example';
const viewer = 'sam@brightside.example';
const shots = resolve(
  fileURLToPath(new URL('../../', import.meta.url)),
  process.env.SCREENSHOTS_DIR || 'test-results/screenshots',
);
let stack: Stack;
let ownerBrowser: Awaited<ReturnType<typeof launchChromium>>;
let bookkeeperBrowser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let bo: Page;

beforeAll(async () => {
  [stack, ownerBrowser, bookkeeperBrowser] = await Promise.all([startStack(), launchChromium(), launchChromium()]);
  page = await ownerBrowser.context.newPage();
  bo = await bookkeeperBrowser.context.newPage();
});
afterAll(async () => {
  await ownerBrowser?.close();
  await bookkeeperBrowser?.close();
  await stack?.stop();
});

const shot = (p: Page, name: string) => p.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
const linkIn = (text: string | undefined, path: string) => {
  const m = new RegExp(`(${stack.baseUrl.replace(/[.]/g, '\\.')}${path}\\S+)`).exec(text ?? '');
  if (!m) throw new Error(`no ${path} link in: ${text}`);
  return m[1]!;
};

async function signInAsNewOwner(p: Page) {
  await p.goto(`${stack.baseUrl}/sign-in`);
  await p.getByLabel('Email address').fill(owner);
  await p.getByRole('button', { name: 'Email me a sign-in link' }).click();
  const mail = await waitForMail(stack, (s, to) => s === 'Your Shortfall sign-in link' && to === owner, 'to sign in');
  await p.goto(linkIn(mail.text, '/sign-in/verify'));
  await p.getByRole('button', { name: 'Continue to Shortfall' }).click();
  await p.getByRole('heading', { name: 'Set up your organisation' }).waitFor();
  await p.getByLabel('Business name').fill('Brightside Design');
  await p.getByLabel('Time zone').selectOption('America/New_York');
  await p.getByLabel('Signature for letters').fill('Ana Ruiz\nBrightside Design');
  await p.getByRole('button', { name: 'Create organisation' }).click();
  await p.getByText('Your organisation is set up.').waitFor();
}

describe('settings and teammates in the browser', () => {
  it(
    'changes the settings, invites a bookkeeper who joins and is limited, removes them, and syncs on demand',
    { timeout: 240_000 },
    async () => {
      await signInAsNewOwner(page);

      // Settings: a mistake is explained beside its field and nothing typed is lost.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
      await expect
        .poll(() => page.locator('#applies').innerText())
        .toContain('Letters already sent and deadlines already set do not change.');
      await page.getByLabel('Business name').fill('Brightside Studio LLC');
      await page.getByLabel('Holidays').fill('2026-12-25\n2026-13-01');
      await page.getByLabel('Business days to answer a short payment in writing').fill('5');
      await page.getByLabel('Days the client has to pay the balance after your written response').fill('30');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.getByText('"2026-13-01" is not a date written as YYYY-MM-DD.').first().waitFor();
      expect(await page.getByLabel('Business name').inputValue()).toBe('Brightside Studio LLC');
      expect(
        await page.getByLabel('Days the client has to pay the balance after your written response').inputValue(),
      ).toBe('30');
      await shot(page, 'settings-error');
      await page.getByLabel('Holidays').fill('2026-12-25\n2027-01-01');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page
        .getByText('Settings saved. New cases start with them now; open cases take them once they are reached')
        .waitFor();
      expect(await page.locator('header.site').innerText()).toContain('Brightside Studio LLC');
      await shot(page, 'settings');

      // Team: invite a bookkeeper.
      await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Team' }).click();
      await page.getByLabel('Email address').fill(bookkeeper);
      await page.getByLabel('Role', { exact: true }).selectOption('bookkeeper');
      await page.getByRole('button', { name: 'Send invitation' }).click();
      await page.getByText('Invitation sent.').waitFor();
      await expect.poll(() => page.locator('#pending ~ table').innerText()).toMatch(/bo@books\.example\s+Bookkeeper/);
      await shot(page, 'team');

      // The bookkeeper joins from the email, in their own browser.
      const invitation = await waitForMail(stack, (_s, to) => to === bookkeeper, 'with the invitation');
      expect(invitation.subject).toBe('You are invited to Brightside Studio LLC on Shortfall');
      await bo.goto(linkIn(invitation.text, '/invitations/'));
      await bo.getByRole('button', { name: 'Join Brightside Studio LLC' }).click();
      await bo.waitForURL(/\/cases$/);
      expect(await bo.locator('header.site').innerText()).toContain('bo@books.example');
      await bo.goto(`${stack.baseUrl}/settings/team`);
      await bo.getByText('Only the owner can invite, change or remove teammates.').waitFor();
      expect(await bo.getByRole('button', { name: 'Send invitation' }).count()).toBe(0);
      await bo.goto(`${stack.baseUrl}/settings`);
      expect(await bo.getByLabel('Business name').isDisabled()).toBe(true);
      expect(await bo.getByRole('button', { name: 'Save settings' }).count()).toBe(0);
      // Owner-only forms are not shown to a bookkeeper; connecting an account is theirs to do.
      await bo.goto(`${stack.baseUrl}/settings/tolerances`);
      await bo.getByText('Only the owner can change the tolerances.').waitFor();
      expect(await bo.getByRole('button', { name: 'Save tolerances' }).count()).toBe(0);
      await bo.goto(`${stack.baseUrl}/settings/payment`);
      expect(await bo.getByRole('button', { name: 'Save' }).count()).toBe(0);
      await bo.goto(`${stack.baseUrl}/connections`);
      expect(await bo.getByRole('link', { name: 'Connect QuickBooks Online' }).count()).toBe(1);
      expect(await bo.getByRole('button', { name: 'Save key' }).count()).toBe(1);

      // The owner sees them on the team, then removes them: their browser is signed out at once.
      await page.reload();
      await expect
        .poll(() => page.locator('#members ~ table').first().innerText())
        .toMatch(/bo@books\.example\s+Bookkeeper/);
      await page.getByRole('button', { name: 'Remove bo@books.example' }).click();
      await page.getByText('Teammate removed.').waitFor();
      await bo.goto(`${stack.baseUrl}/cases`);
      expect(new URL(bo.url()).pathname).toBe('/sign-in');

      // Connect the sandbox QuickBooks, then sync it on demand and read how it went.
      await page.goto(`${stack.baseUrl}/connections`);
      await page.getByRole('link', { name: 'Connect QuickBooks Online' }).click();
      await page.getByRole('button', { name: 'Connect' }).click();
      await page.getByText('Connected. The first sync has started').waitFor();
      const row = page.getByRole('row', { name: /QuickBooks Online/ });
      await expect
        .poll(async () => (await page.reload(), row.innerText()), { timeout: 60_000 })
        .toContain('Result: Finished:');
      await page.getByRole('button', { name: /^Sync now QuickBooks Online / }).click();
      await expect
        .poll(() => page.locator('.notice').innerText())
        .toMatch(/Sync started\.|A sync is already running for that connection; it was not started twice\./);
      await expect
        .poll(async () => (await page.reload(), row.innerText()), { timeout: 60_000 })
        .toMatch(/Last sync: .+\s+Result: Finished: \d+ pages? and \d+ records? read\./);
      await shot(page, 'connections-sync');

      // A viewer joins, in the browser the removed bookkeeper left.
      await page.goto(`${stack.baseUrl}/settings/team`);
      await page.getByLabel('Email address').fill(viewer);
      await page.getByLabel('Role', { exact: true }).selectOption('viewer');
      await page.getByRole('button', { name: 'Send invitation' }).click();
      await page.getByText('Invitation sent.').waitFor();
      const viewerInvitation = await waitForMail(stack, (_s, to) => to === viewer, 'with the viewer’s invitation');
      await bookkeeperBrowser.context.clearCookies();
      const sam = await bookkeeperBrowser.context.newPage();
      await sam.goto(linkIn(viewerInvitation.text, '/invitations/'));
      await sam.getByRole('button', { name: 'Join Brightside Studio LLC' }).click();
      await sam.waitForURL(/\/cases$/);

      // The sync opened a case for the sandbox's short-paid invoice; its first letter waits for the owner.
      let caseId = '';
      await expect
        .poll(async () => (caseId = (await stack.db.select().from(cases))[0]?.id ?? ''), { timeout: 60_000 })
        .not.toBe('');
      await page.goto(`${stack.baseUrl}/cases/${caseId}`);
      await expect
        .poll(async () => (await page.reload(), page.getByRole('button', { name: 'Approve and send' }).count()), {
          timeout: 60_000,
        })
        .toBe(1);
      expect(await page.getByRole('button', { name: 'Upload' }).count()).toBe(1);

      // The viewer reads the same case, its letter and figures, and is offered nothing to submit.
      await sam.goto(`${stack.baseUrl}/cases/${caseId}`);
      await sam.getByText('A bookkeeper or the owner adds documents.').waitFor();
      expect(await sam.locator('main').innerText()).toContain('Current letter');
      expect(await sam.locator('main form[method="post"]').count()).toBe(0);
      for (const name of ['Approve and send', 'Upload', 'Register the reply', 'Close the case', 'Extend'])
        expect({ name, count: await sam.getByRole('button', { name }).count() }).toEqual({ name, count: 0 });
      await shot(sam, 'viewer-case');
      await sam.setViewportSize({ width: 360, height: 800 });
      await shot(sam, 'viewer-case-360');
      await sam.setViewportSize({ width: 1280, height: 900 });
      await sam.goto(`${stack.baseUrl}/connections`);
      await sam.getByText('A bookkeeper or the owner connects, reconnects and syncs accounts').waitFor();
      expect(await sam.locator('main form[method="post"]').count()).toBe(0);
      expect(await sam.getByRole('link', { name: /^(Connect\b|Reconnect)/ }).count()).toBe(0);
      expect(await sam.getByRole('button', { name: /^(Sync now|Disconnect|Save key)/ }).count()).toBe(0);
      await shot(sam, 'viewer-connections');
      for (const path of ['/settings', '/settings/tolerances', '/settings/payment', '/settings/team', '/invoices']) {
        await sam.goto(`${stack.baseUrl}${path}`);
        const buttons = await sam.locator('main button').allInnerTexts();
        expect({ path, buttons }).toEqual({ path, buttons: [] });
      }
    },
  );
});
