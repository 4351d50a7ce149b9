// The simulators' consent pages, as the sandbox shows them: Shortfall's look (its stylesheet, a labelled form, a
// note that the provider is simulated) and the company holding the demo invoice already chosen.
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../../src/app/sandbox.js';
import { createLogger } from '../../../src/services/logger.js';
import { startQuickbooksSimulator } from '../../../simulators/quickbooks/index.js';
import { startStripeSimulator } from '../../../simulators/stripe/index.js';
import { simulatorClient, startXeroSimulator } from '../../../simulators/xero/index.js';

const redirect = 'https://app.shortfall.test/oauth/cb';
const looksLikeShortfall = (html: string) => {
  expect(html).toContain('<html lang="en">');
  expect(html).toContain('--accent: #0a4fa6'); // src/app/http/assets/app.css, inlined
  expect(html).toMatch(/simulator<\/strong>, part of the local sandbox/);
};

describe('sandbox consent pages', () => {
  it('QuickBooks selects the suggested company', async () => {
    const qb = await startQuickbooksSimulator();
    try {
      const app = qb.admin.createApp({ redirectUris: [redirect] });
      qb.admin.createCompany({ name: 'Other Co' });
      const demo = qb.admin.createCompany({ name: 'Demo Co' });
      qb.admin.suggestCompany(demo);
      const html = await (
        await fetch(
          `${qb.url}/connect/oauth2?${new URLSearchParams({ client_id: app.clientId, redirect_uri: redirect, response_type: 'code', scope: 'com.intuit.quickbooks.accounting', state: 's' })}`,
        )
      ).text();
      looksLikeShortfall(html);
      expect(html).toContain('<label for="realm">Company</label>');
      expect(html).toContain(`<option value="${demo}" selected>Demo Co</option>`);
      expect(html.match(/ selected>/g)).toHaveLength(1);
      // The app is named as Intuit's page names a developer's app, not by its random client id.
      expect(html).toContain("<strong>Shortfall</strong> asks to read and write your company's accounting data");
      expect(html).not.toContain(`<strong>${app.clientId}</strong>`);
    } finally {
      await qb.close();
    }
  });

  it('Xero ticks only the suggested organisation', async () => {
    const xero = await startXeroSimulator({ validate: false, consent: { mode: 'page' } });
    try {
      const demo = xero.admin.addTenant({ name: 'Kestrel Plumbing (simulated)' });
      xero.admin.suggestTenants([demo]);
      const html = await (
        await fetch(
          `${xero.url}/connect/authorize?${new URLSearchParams({ client_id: simulatorClient.clientId, redirect_uri: redirect, response_type: 'code', scope: 'offline_access accounting.invoices', state: 's' })}`,
        )
      ).text();
      looksLikeShortfall(html);
      expect(html).toContain(`value="${demo}" checked> Kestrel Plumbing (simulated)`);
      expect(html.match(/ checked>/g)).toHaveLength(1);
      expect(html).toContain('<legend>Organisations</legend>');
    } finally {
      await xero.close();
    }
  });

  it('Stripe selects the suggested account instead of "Create a new account"', async () => {
    const stripe = await startStripeSimulator();
    try {
      const { accountId } = stripe.admin.scenarios.partialPayment();
      stripe.admin.suggestAccount(accountId);
      const html = await (
        await fetch(
          `${stripe.url}/oauth/authorize?${new URLSearchParams({ client_id: stripe.admin.platform.clientId, response_type: 'code', scope: 'read_write', redirect_uri: redirect, state: 's' })}`,
        )
      ).text();
      looksLikeShortfall(html);
      expect(html).toContain(`<option value="${accountId}" selected>Harbour Design Studio</option>`);
      expect(html).toContain('<option value="">Create a new account</option>');
    } finally {
      await stripe.close();
    }
  });

  it('the sandbox names every demo company "(simulated)", on each provider\'s consent page', async () => {
    const sandbox = await startSandbox({
      appUrl: 'http://127.0.0.1:9',
      publicUrl: 'https://app.shortfall.test',
      logger: createLogger({ level: 'silent' }),
    });
    try {
      const page = async (url: string, query: Record<string, string>) =>
        (await fetch(`${url}?${new URLSearchParams({ response_type: 'code', state: 's', ...query })}`)).text();
      const qb = await page(`${sandbox.quickbooks.baseUrl}/connect/oauth2`, {
        client_id: sandbox.quickbooks.clientId,
        redirect_uri: 'https://app.shortfall.test/oauth/quickbooks/callback',
        scope: 'com.intuit.quickbooks.accounting',
      });
      expect(qb).toMatch(/ selected>Sandbox Design Co\. \(simulated\)<\/option>/);
      expect(qb).toContain('<strong>Shortfall</strong> asks');
      const stripe = await page(`${sandbox.stripe.baseUrl}/oauth/authorize`, {
        client_id: sandbox.stripe.connectClientId,
        scope: 'read_write',
        redirect_uri: 'https://app.shortfall.test/oauth/stripe/callback',
      });
      expect(stripe).toMatch(/ selected>Harbour Design Studio \(simulated\)<\/option>/);
    } finally {
      await sandbox.close();
    }
  });
});
