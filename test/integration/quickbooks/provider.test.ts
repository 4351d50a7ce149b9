// The registry entry wired end to end against the simulator: consent, sync, and a signed webhook.
import { afterEach, describe, expect, it } from 'vitest';
import { createQuickbooksProvider } from '../../../integrations/quickbooks/provider.js';
import { startQuickbooksSimulator, type QuickbooksSimulator } from '../../../simulators/quickbooks/index.js';
import { startWebhookReceiver } from './webhook-receiver.js';

const redirectUri = 'http://127.0.0.1:1/oauth/quickbooks/callback';
let sim: QuickbooksSimulator;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
afterEach(async () => {
  await sim.close();
  await receiver.close();
});

describe('createQuickbooksProvider', () => {
  it('connects, syncs and verifies webhooks with nothing but its config slice and a base URL', async () => {
    receiver = await startWebhookReceiver();
    sim = await startQuickbooksSimulator({ webhook: { url: receiver.url, verifierToken: 'wired-token' } });
    const app = sim.admin.createApp({ redirectUris: [redirectUri] });
    const realmId = sim.admin.createCompany({ name: 'Fabrikam Design LLC' });
    sim.admin.setAutoConsent(realmId);
    const customer = sim.admin.addCustomer(realmId, { name: 'Fabrikam' });
    const invoice = sim.admin.addInvoice(realmId, {
      customerId: customer.Id,
      lines: [{ description: 'Audit', unitPrice: 900 }],
    });
    const provider = createQuickbooksProvider({
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      environment: 'sandbox',
      webhookVerifierToken: 'wired-token',
      baseUrl: sim.url,
    });

    const consent = await fetch(provider.oauth.authorizeUrl({ state: 's', redirectUri }), { redirect: 'manual' });
    const grant = await provider.oauth.exchangeCode({
      query: Object.fromEntries(new URL(consent.headers.get('location') ?? '').searchParams),
      redirectUri,
    });
    // Named after the company (CompanyInfo, read with the new token), not its realm id.
    expect(grant.accounts).toEqual([{ accountId: realmId, name: 'Fabrikam Design LLC' }]);
    const batch = await provider.connector({ accountId: realmId, tokens: grant.tokens }).pullChanges({});
    await sim.admin.webhooksSettled();
    const [delivery] = receiver.deliveries;

    expect(batch.invoices.map((i) => i.ref.id)).toEqual([invoice.Id]);
    expect(
      provider.verifier?.verify({
        raw: delivery?.raw ?? Buffer.alloc(0),
        headers: delivery?.headers ?? {},
        nowMs: Date.now(),
      }),
    ).toMatchObject({
      ok: true,
      events: [{ entity: 'Invoice', entityId: invoice.Id, operation: 'create', accountId: realmId }],
    });
  });
});
