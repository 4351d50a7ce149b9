// Each simulator started again from its saved snapshot (through the JSON codec the sandbox writes to disk) knows
// what it knew: the same companies and documents, and the tokens and keys it issued still work over HTTP.
import { describe, expect, it } from 'vitest';
import { startQuickbooksSimulator } from '../../../simulators/quickbooks/index.js';
import { decodeSnapshot, encodeSnapshot } from '../../../simulators/shared/snapshot.js';
import { startStripeSimulator, type StripeSnapshot } from '../../../simulators/stripe/index.js';
import { simulatorClient, startXeroSimulator, type XeroSnapshot } from '../../../simulators/xero/index.js';
import type { QuickbooksSnapshot } from '../../../simulators/quickbooks/index.js';

const roundTrip = <T>(value: T): T => decodeSnapshot(encodeSnapshot(value)) as T;
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('simulator snapshots', () => {
  it('QuickBooks: companies, documents, the app and its tokens survive; a spent refresh token stays spent', async () => {
    let saves = 0;
    const first = await startQuickbooksSimulator({ onChange: () => void (saves += 1) });
    const app = first.admin.createApp({ redirectUris: ['https://app.example/cb'] });
    const realm = first.admin.createCompany({ name: 'Acme' });
    const customer = first.admin.addCustomer(realm, { name: 'Harbor Cafe' });
    const invoice = first.admin.addInvoice(realm, {
      customerId: customer.Id,
      lines: [{ description: 'Work', unitPrice: 100 }],
    });
    const tokens = first.admin.grantTokens(app.clientId, realm);
    const refreshed = await fetch(`${first.url}/oauth2/v1/tokens/bearer`, {
      method: 'POST',
      headers: {
        authorization: basic(app.clientId, app.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
    }).then((r) => r.json() as Promise<{ access_token: string; refresh_token: string }>);
    expect(saves).toBe(1); // the token request changed the state
    const saved = roundTrip<QuickbooksSnapshot>(first.snapshot());
    await first.close();

    const second = await startQuickbooksSimulator({ state: saved });
    try {
      expect(second.admin.invoice(realm, invoice.Id)).toEqual(invoice);
      const read = await fetch(`${second.url}/v3/company/${realm}/invoice/${invoice.Id}?minorversion=75`, {
        headers: { authorization: `Bearer ${refreshed.access_token}`, accept: 'application/json' },
      });
      expect(read.status).toBe(200);
      const again = (token: string) =>
        fetch(`${second.url}/oauth2/v1/tokens/bearer`, {
          method: 'POST',
          headers: {
            authorization: basic(app.clientId, app.clientSecret),
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }),
        });
      expect((await again(tokens.refresh_token)).status).toBe(400);
      expect((await again(refreshed.refresh_token)).status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('Xero: organisations, connections, access and refresh tokens survive', async () => {
    const first = await startXeroSimulator({ validate: false });
    const tenantId = first.admin.addTenant({ name: 'Kestrel Plumbing', baseCurrency: 'GBP' });
    const seeded = first.admin.seedInvoice(tenantId, {
      contact: { name: 'Ridgeway Homes' },
      currency: 'GBP',
      lines: [{ description: 'Boiler', unitAmount: '100.00' }],
    });
    const tokens = first.admin.grant({ clientId: simulatorClient.clientId, tenantIds: [tenantId] });
    const saved = roundTrip<XeroSnapshot>(first.snapshot());
    await first.close();

    const second = await startXeroSimulator({ validate: false, state: saved });
    try {
      expect(second.admin.tenants().map((t) => t.tenantId)).toContain(tenantId);
      const connections = await fetch(`${second.url}/connections`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      expect(connections.status).toBe(200);
      expect(await connections.json()).toEqual([expect.objectContaining({ tenantId })]);
      const invoice = await fetch(`${second.apiBasePath}/Invoices/${seeded.invoiceId}`, {
        headers: {
          authorization: `Bearer ${tokens.access_token}`,
          'xero-tenant-id': tenantId,
          accept: 'application/json',
        },
      });
      expect(invoice.status).toBe(200);
      const refresh = await fetch(`${second.url}/connect/token`, {
        method: 'POST',
        headers: {
          authorization: basic(simulatorClient.clientId, simulatorClient.clientSecret),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }),
      });
      expect(refresh.status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('Stripe: the platform keys, accounts, objects and keys it issued survive', async () => {
    const first = await startStripeSimulator();
    const scenario = first.admin.scenarios.partialPayment();
    const key = first.admin.issueRestrictedKey(scenario.accountId);
    const platform = first.admin.platform;
    const saved = roundTrip<StripeSnapshot>(first.snapshot());
    await first.close();

    const second = await startStripeSimulator({ state: saved });
    try {
      expect(second.admin.platform).toEqual(platform);
      const invoice = await fetch(`${second.url}/v1/invoices/${scenario.invoiceId}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(invoice.status).toBe(200);
      expect(await invoice.json()).toMatchObject({ id: scenario.invoiceId, amount_paid: 100_000 });
      const account = await fetch(`${second.url}/v1/account`, {
        headers: { authorization: `Bearer ${platform.secretKey}` },
      });
      expect(await account.json()).toMatchObject({ id: platform.accountId });
    } finally {
      await second.close();
    }
  });
});
