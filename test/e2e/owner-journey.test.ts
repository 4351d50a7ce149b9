// The owner's whole journey in headless Chromium against the running app and the QuickBooks simulator: sign in
// by emailed link, set up the organisation, connect QuickBooks through OAuth, watch the synced $1,000 invoice
// paid $600 "full and final payment" open a case, approve the first response from the emailed link, receive
// the client's reply, register a specific objection on one line, concede part of it and approve the
// concession letter, after which the credit memo exists in QuickBooks. Screenshots go to test-results/screenshots
// (ignored), or to SCREENSHOTS_DIR: `npm run screenshots` refreshes docs/screenshots on purpose.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { INBOUND_SECRET_HEADER } from '../../src/app/http/mail/inbound-routes.js';
import { inboundEmailSecret } from '../../src/app/http/security/keys.js';
import { launchChromium } from './browser.js';
import { and, eq } from 'drizzle-orm';
import { auditEvents, cases, creditNotes } from '../../src/services/db/schema.js';
import { secrets, startStack, waitForMail, type Stack } from './stack.js';

const owner = 'ana@brightside.example';
const client = 'accounts@harbor-cafe.example';
const shots = resolve(
  fileURLToPath(new URL('../../', import.meta.url)),
  process.env.SCREENSHOTS_DIR || 'test-results/screenshots',
);
let stack: Stack;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

beforeAll(async () => {
  [stack, chromium] = await Promise.all([startStack(), launchChromium()]);
  page = await chromium.context.newPage();
});
afterAll(async () => {
  await chromium?.close();
  await stack?.stop();
});

const shot = (name: string, fullPage = false) => page.screenshot({ path: join(shots, `${name}.png`), fullPage });
const linkIn = (text: string | undefined, path: string) => {
  const m = new RegExp(`(${stack.baseUrl.replace(/[.]/g, '\\.')}${path}\\S+)`).exec(text ?? '');
  if (!m) throw new Error(`no ${path} link in: ${text}`);
  return m[1]!;
};

describe('owner journey', () => {
  it(
    'signs in, connects QuickBooks, approves letters and concedes a line that becomes a credit memo, all in the browser',
    { timeout: 180_000 },
    async () => {
      // Sign in by magic link.
      await page.goto(`${stack.baseUrl}/cases`);
      expect(new URL(page.url()).pathname).toBe('/sign-in');
      await page.keyboard.press('Tab');
      expect(await page.locator(':focus').innerText()).toBe('Skip to main content');
      await page.getByLabel('Email address').fill(owner);
      await shot('sign-in');
      await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
      await page.getByRole('heading', { name: 'Check your email' }).waitFor();
      const signInMail = await waitForMail(
        stack,
        (s, to) => s === 'Your Shortfall sign-in link' && to === owner,
        'with the sign-in link',
      );
      await page.goto(linkIn(signInMail.text, '/sign-in/verify'));
      await page.getByRole('button', { name: 'Continue to Shortfall' }).click();

      // First sign-in: onboarding.
      await page.getByRole('heading', { name: 'Set up your organisation' }).waitFor();
      await page.getByLabel('Business name').fill('Brightside Design');
      await page.getByLabel('Time zone').selectOption('America/New_York');
      await page.getByLabel('Signature for letters').fill('Ana Ruiz\nBrightside Design\nana@brightside.example');
      await page.getByLabel('Holidays').fill('2026-12-25\n2027-01-01');
      await shot('onboarding');
      await page.getByRole('button', { name: 'Create organisation' }).click();
      await page.getByText('Your organisation is set up.').waitFor();

      // Connect QuickBooks: our OAuth start → the simulator's consent page → our callback.
      await page.getByRole('link', { name: 'Connect QuickBooks Online' }).click();
      await page.getByRole('button', { name: 'Connect' }).click();
      await page.getByText('Connected. The first sync has started').waitFor();
      await expect
        .poll(() => page.getByRole('row', { name: /QuickBooks Online/ }).innerText())
        .toMatch(/Sandbox \(simulated\)\s+Working/);
      await shot('connections', true);

      // The sync finds the short payment and opens a case; it shows in the list once the workflow projects it.
      await expect
        .poll(
          async () => {
            await page.goto(`${stack.baseUrl}/cases`);
            return page.locator('main').innerText();
          },
          { timeout: 60_000 },
        )
        .toMatch(/Harbor Cafe[\s\S]*Waiting for your approval\s+\$600\.00\s+\$400\.00/);
      await shot('cases');
      const [opened] = await stack.db.select().from(cases);
      const caseId = opened!.id;

      const receipt = await waitForMail(
        stack,
        (s, to) => s.startsWith('Payment received for invoice') && to === client,
        'with the receipt',
      );
      const invoiceNumber = /invoice (\S+):/.exec(receipt.subject!)![1]!;
      await waitForMail(
        stack,
        (s, to) => s.startsWith('Urgent: "full and final') && to === owner,
        'alerting the owner',
      );
      const approval = await waitForMail(
        stack,
        (s, to) => s.startsWith('Approve: ') && to === owner,
        'asking for approval',
      );

      // Approve the first response from the emailed link, as the owner would from their inbox.
      await page.goto(linkIn(approval.text, '/approvals/'));
      await page.getByRole('heading', { name: 'Approve a letter' }).waitFor();
      await shot('approval', true);
      await page.getByRole('button', { name: 'Approve and send' }).click();
      await page.getByRole('heading', { name: 'Approved: version 1' }).waitFor();
      const letter = await waitForMail(
        stack,
        (s, to) => s.startsWith(`Invoice ${invoiceNumber}: your payment`) && to === client,
        'with the first response',
      );
      expect(letter.text).toContain(
        `We do not accept this payment in full and final settlement of invoice ${invoiceNumber}`,
      );

      // The client answers the letter; their mail provider posts the raw message to Shortfall.
      const replyTo = letter.replyTo!.value[0]!.address!;
      const raw = await new MailComposer({
        from: `Sam Harbor <${client}>`,
        to: replyTo,
        subject: `Re: ${letter.subject}`,
        text: 'The menu design took 6 hours, not the 10 you billed.',
      })
        .compile()
        .build();
      const inbound = await fetch(`${stack.baseUrl}/inbound/email`, {
        method: 'POST',
        body: raw,
        headers: { 'content-type': 'message/rfc822', [INBOUND_SECRET_HEADER]: inboundEmailSecret(secrets.appSecret) },
      });
      expect(inbound.status).toBe(202);

      // Register the specific objection on one line, then concede part of it.
      await page.goto(`${stack.baseUrl}/cases/${caseId}`);
      await page.locator('ol.timeline').getByText(`Reply from ${client}`).waitFor();
      // The reply is triaged: the form comes pre-filled with the suggestion, for the owner to confirm or correct.
      await page.locator('#reply-suggestion').getByText('a specific objection to Menu design').waitFor();
      expect(await page.getByLabel('Yes, they named specific lines or deliverables').isChecked()).toBe(true);
      expect(await page.getByLabel('Menu design ($250.00)').isChecked()).toBe(true);
      await page.getByLabel('Yes, they named specific lines or deliverables').check();
      await page.getByLabel('What the client said').fill('Menu design took 6 hours, not the 10 billed.');
      await page.getByLabel('Menu design ($250.00)').check();
      await page.getByRole('button', { name: 'Register the reply' }).click();
      await page.getByText("The client's reply is registered on the case.").waitFor();
      await page.getByRole('heading', { name: 'Decide the objection' }).waitFor();
      await shot('case-objection', true);
      await page.getByRole('textbox', { name: 'Menu design' }).fill('$100');
      await page.getByRole('button', { name: 'Concede these amounts' }).click();
      await page.getByRole('alert').getByText('"$100" for Menu design is not an amount.').waitFor();
      await page.getByRole('textbox', { name: 'Menu design' }).fill('100.00');
      await page.getByRole('button', { name: 'Concede these amounts' }).click();
      await page.getByText('Your decision is recorded.').waitFor();

      // The signed SOW, uploaded from the case page (the script sends it as application/octet-stream).
      await page.getByLabel('Add a document').setInputFiles({
        name: 'Signed SOW - Harbor Cafe.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.4\n% signed SOW\n'),
      });
      await page.getByLabel('What it is').selectOption('sow');
      await page.getByRole('button', { name: 'Upload' }).click();
      await page.getByText('The document is added to the case.').waitFor();
      await page.getByRole('link', { name: 'Signed SOW - Harbor Cafe.pdf' }).waitFor();

      // The concession letter drafted before the upload is withdrawn; the new draft attaches the SOW. Approved from its
      // emailed link, it posts the credit note.
      const concession = await waitForMail(
        stack,
        (s, to, text) =>
          s.startsWith('Approve: ') && to === owner && s !== approval.subject && text.includes('Signed SOW'),
        'asking to approve the concession with the SOW',
      );
      await page.goto(linkIn(concession.text, '/approvals/'));
      await page.getByText('Concession with credit note').first().waitFor();
      await page.getByRole('button', { name: 'Approve and send' }).click();
      await page.getByRole('heading', { name: /Approved: version \d/ }).waitFor();
      // The credit memo is posted to QuickBooks, and comes back to us through the simulator's webhook and the sync.
      await expect
        .poll(
          async () =>
            (
              await stack.db
                .select()
                .from(auditEvents)
                .where(and(eq(auditEvents.caseId, caseId), eq(auditEvents.kind, 'credit_note_posted')))
            )[0]?.data,
          { timeout: 30_000 },
        )
        .toMatchObject({ total: { minor: 10_000, currency: 'USD' } });
      await expect
        .poll(async () => (await stack.db.select().from(creditNotes)).map((n) => [n.totalMinor, n.currency]), {
          timeout: 60_000,
        })
        .toEqual([[10_000, 'USD']]);

      await expect
        .poll(
          async () => {
            await page.goto(`${stack.baseUrl}/cases/${caseId}`);
            return page.locator('main').innerText();
          },
          { timeout: 20_000 },
        )
        .toMatch(
          /Credited\s*\$100\.00[\s\S]*Still owed\s*\$300\.00[\s\S]*Concession with credit note, version \d: sent/,
        );
      await shot('case', true);
    },
  );

  it(
    'connects only the Xero organisation the owner ticks when the consent covers several',
    { timeout: 120_000 },
    async () => {
      // The owner from the first test is still signed in. Xero's consent screen ticks the sandbox organisation holding
      // the demo invoice; this owner ticks every organisation, then allows.
      await page.goto(`${stack.baseUrl}/connections`);
      await page.getByRole('link', { name: 'Connect Xero' }).click();
      expect(await page.getByRole('checkbox', { name: 'Kestrel Plumbing (simulated)' }).isChecked()).toBe(true);
      expect(await page.getByRole('checkbox', { name: 'Harbour Plumbing Ltd' }).isChecked()).toBe(false);
      for (const box of await page.getByRole('checkbox').all()) await box.check();
      await page.getByRole('button', { name: 'Allow access' }).click();

      // Back at Shortfall: which of them to connect. Only the plumbing business is this owner's to watch.
      await page.getByRole('heading', { name: 'Choose what to connect' }).waitFor();
      const boxes = page.getByRole('checkbox');
      expect(await boxes.count()).toBe(4);
      await shot('choose-organisations', true);
      for (const name of [
        'Harbour Plumbing Ltd',
        'Kestrel Design Studio',
        'Demo Company (AU)',
        'Kestrel Plumbing (simulated)',
      ])
        await page.getByRole('checkbox', { name }).uncheck();
      await page.getByRole('button', { name: 'Connect the ticked organisations' }).click();
      await page.getByRole('alert').getByText('Choose at least one organisation to connect.').waitFor();
      await page.getByRole('checkbox', { name: /Kestrel Plumbing \(simulated\)/ }).check();
      await page.getByRole('button', { name: 'Connect the ticked organisations' }).click();

      await page.getByText('Connected. The first sync has started').waitFor();
      await expect
        .poll(() => page.getByRole('row', { name: /Xero/ }).innerText())
        .toMatch(/Kestrel Plumbing \(simulated\)[\s\S]*Working/);
      expect(await page.getByRole('row', { name: /Harbour Plumbing Ltd/ }).count()).toBe(0);
    },
  );
});
