// The provider registry the app builds (integrations/providers.ts) loads each provider's code, and its SDK, the first
// time the process uses that provider: a worker-only process (no ready()) whose cases are on QuickBooks reads its
// invoices through the real QuickBooks code against the simulator and never loads the Xero or Stripe SDKs (seen from
// inside a process of its own, since this file imports every provider), and a server that awaited ready()
// answers what must be synchronous (consent URLs, webhook signatures, Xero's connection cap) as each provider does.
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviders, ProviderNotLoadedError } from '../../../integrations/providers.js';
import type { ProviderConfigs } from '../../../integrations/registry.js';
import { createQuickbooksProvider } from '../../../integrations/quickbooks/provider.js';
import { createStripeServices } from '../../../integrations/stripe/provider.js';
import { createXeroProvider } from '../../../integrations/xero/provider.js';
import { startQuickbooksSimulator, type QuickbooksSimulator } from '../../../simulators/quickbooks/index.js';

let qb: QuickbooksSimulator;
let configs: ProviderConfigs;
const redirectUri = 'http://127.0.0.1:9/oauth/callback';

beforeAll(async () => {
  qb = await startQuickbooksSimulator();
  const app = qb.admin.createApp({ redirectUris: [redirectUri] });
  configs = {
    quickbooks: {
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      environment: 'sandbox',
      webhookVerifierToken: 'qb-verifier',
    },
    xero: { clientId: 'xero-app', clientSecret: 'xero-secret', webhookKey: 'xero-key', tier: 'starter' },
    stripe: { secretKey: 'sk_test_platform', connectClientId: 'ca_platform', webhookSecret: 'whsec_test' },
  };
});
afterAll(() => qb.close());

const root = fileURLToPath(new URL('../../../', import.meta.url));
const childScript = fileURLToPath(new URL('./fixtures/worker-only-process.ts', import.meta.url));

describe('providers loaded on first use', () => {
  // This file imports every provider itself (to compare with the real ones), so what a process loads is seen in a
  // process of its own: a worker-only one, which never calls ready().
  it('a worker-only process reads a QuickBooks invoice without ever loading the Xero or Stripe SDKs', async () => {
    const realmId = qb.admin.createCompany({ name: 'Tidewater Joinery' });
    const tokens = qb.admin.grantTokens(configs.quickbooks!.clientId, realmId);
    const customer = qb.admin.addCustomer(realmId, { name: 'Quayside Deli', email: 'ap@quayside.example' });
    const invoice = qb.admin.addInvoice(realmId, {
      customerId: customer.Id,
      txnDate: '2026-11-02',
      dueDate: '2026-12-02',
      lines: [{ description: 'Shelving', unitPrice: 480.5 }],
    });
    // Asynchronous: the simulator answering the child runs in this process.
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', childScript], {
      cwd: root,
      env: {
        ...process.env,
        SHORTFALL_CHILD_INPUT: JSON.stringify({
          quickbooksUrl: qb.url,
          clientId: configs.quickbooks!.clientId,
          clientSecret: configs.quickbooks!.clientSecret,
          realmId,
          accessToken: tokens.access_token,
          refreshToken: tokens.refresh_token,
          invoiceId: invoice.Id,
        }),
      },
      timeout: 120_000,
    });
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      atStart: string[];
      afterQuickbooks: string[];
      invoice: { number: string; total: { minor: number; currency: string } } | null;
    };
    expect(report.invoice).toEqual({ number: invoice.DocNumber, total: { minor: 48_050, currency: 'USD' } });
    // At start (the wiring imported, the providers built from settings) no provider SDK is loaded.
    expect(report.atStart).toEqual([]);
    // The QuickBooks read loaded QuickBooks' SDK (so the hook sees SDK packages), and only it.
    expect(report.afterQuickbooks).toContain('node-quickbooks');
    expect(report.afterQuickbooks).not.toContain('xero-node');
    expect(report.afterQuickbooks).not.toContain('openid-client');
    expect(report.afterQuickbooks).not.toContain('stripe');
  }, 150_000);

  it('reads a QuickBooks invoice through the real connector before anything is loaded, and loads QuickBooks alone', async () => {
    const { registry } = createProviders({ configs, baseUrls: { quickbooks: qb.url } });
    // Nothing loaded yet: what must answer at once says so instead of answering wrong.
    expect(() => registry.get('quickbooks').oauth.authorizeUrl({ state: 's', redirectUri })).toThrow(
      ProviderNotLoadedError,
    );

    const realmId = qb.admin.createCompany({ name: 'Brightside Design' });
    const tokens = qb.admin.grantTokens(configs.quickbooks!.clientId, realmId);
    const customer = qb.admin.addCustomer(realmId, { name: 'Harbour Cafe', email: 'accounts@harbour.example' });
    const invoice = qb.admin.addInvoice(realmId, {
      customerId: customer.Id,
      txnDate: '2026-11-01',
      dueDate: '2026-12-01',
      lines: [{ description: 'Menu design', unitPrice: 250 }],
    });
    const connector = registry.get('quickbooks').connector({
      accountId: realmId,
      tokens: { accessToken: tokens.access_token, refreshToken: tokens.refresh_token },
    });
    const read = await connector.getInvoice(invoice.Id);
    expect(read).toMatchObject({ number: invoice.DocNumber, total: { minor: 25_000, currency: 'USD' } });
    await expect(connector.getInvoice('404')).resolves.toBeNull();
    const pdf = await connector.getInvoicePdf(invoice.Id);
    expect(Buffer.from(pdf).subarray(0, 5).toString()).toBe('%PDF-');

    // QuickBooks is loaded now and answers at once; Xero's and Stripe's entries were never asked for, so say they are
    // not loaded (whether their SDKs are in the process is the worker-only test's to say).
    expect(registry.get('quickbooks').oauth.authorizeUrl({ state: 's', redirectUri })).toMatch(/state=s/);
    expect(() => registry.get('xero').oauth.authorizeUrl({ state: 's', redirectUri })).toThrow(ProviderNotLoadedError);
    expect(() => registry.get('stripe').oauth.authorizeUrl({ state: 's', redirectUri })).toThrow(
      ProviderNotLoadedError,
    );
  });

  it('offers before loading exactly what each provider offers once loaded (verifiers, evidence, payment links)', async () => {
    const { registry } = createProviders({ configs });
    const real = {
      quickbooks: createQuickbooksProvider(configs.quickbooks!),
      xero: createXeroProvider(configs.xero!),
      stripe: createStripeServices(configs.stripe!).services,
    };
    const auth = { accountId: 'acct-1', tokens: { accessToken: 'at' } };
    expect(Object.keys(registry.verifiers()).sort()).toEqual(['quickbooks', 'stripe', 'xero']);
    for (const key of ['quickbooks', 'xero', 'stripe'] as const) {
      const lazy = registry.get(key);
      expect(Boolean(lazy.verifier), key).toBe(Boolean(real[key].verifier));
      expect(Boolean(lazy.disputeEvidence), key).toBe(Boolean(real[key].disputeEvidence));
      expect(Boolean(lazy.connector(auth).paymentLink), key).toBe(Boolean(real[key].connector(auth).paymentLink));
      expect(lazy.connector(auth).provider).toBe(key);
    }
    // Without webhook secrets, no verifier is offered for any of them.
    const bare = createProviders({
      configs: {
        quickbooks: { ...configs.quickbooks!, webhookVerifierToken: undefined },
        xero: { ...configs.xero!, webhookKey: undefined },
        stripe: { ...configs.stripe!, webhookSecret: undefined },
      },
    });
    expect(bare.registry.verifiers()).toEqual({});
  });

  it('answers as each provider does once ready(): consent URLs, webhook signatures, the connection cap', async () => {
    const { registry } = createProviders({ configs });
    await registry.ready();
    const real = {
      quickbooks: createQuickbooksProvider(configs.quickbooks!),
      xero: createXeroProvider(configs.xero!),
    };
    for (const key of ['quickbooks', 'xero'] as const)
      expect(registry.get(key).oauth.authorizeUrl({ state: 'st-1', redirectUri })).toBe(
        real[key].oauth.authorizeUrl({ state: 'st-1', redirectUri }),
      );
    expect(registry.get('xero').oauth.connectionLimit).toBe(real.xero.oauth.connectionLimit);
    expect(registry.get('xero').oauth.connectionLimitSetting).toBe(real.xero.oauth.connectionLimitSetting);
    expect(Boolean(registry.get('xero').oauth.disconnectAccount)).toBe(true);
    expect(registry.get('quickbooks').oauth.disconnectAccount).toBeUndefined();

    // A Xero delivery signed with the webhook key passes; one signed with another key is refused, as Xero's own does.
    const raw = Buffer.from(JSON.stringify({ events: [], firstEventSequence: 0, lastEventSequence: 0, entropy: 'x' }));
    const signed = (key: string) => ({
      raw,
      headers: { 'x-xero-signature': createHmac('sha256', key).update(raw).digest('base64') },
      nowMs: Date.now(),
    });
    const xero = registry.verifiers().xero!;
    expect(xero.verify(signed('xero-key'))).toEqual(real.xero.verifier!.verify(signed('xero-key')));
    expect(xero.verify(signed('xero-key')).ok).toBe(true);
    expect(xero.verify(signed('another-key')).ok).toBe(false);
  });
});
