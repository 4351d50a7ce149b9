// The embedded demo's "Sandbox (simulated)" companies: our provider simulators, seeded with one short-paid
// invoice each so a newcomer can walk the whole flow. Loaded only when config.simulators is on, never in production.
import { randomBytes } from 'node:crypto';
import type { Logger } from '../services/logger.js';

export interface Sandbox {
  readonly quickbooks: { baseUrl: string; clientId: string; clientSecret: string; webhookVerifierToken: string };
  readonly xero: { baseUrl: string; clientId: string; clientSecret: string; webhookKey: string };
  readonly stripe: { baseUrl: string; secretKey: string; connectClientId: string; webhookSecret: string; platformAccountId: string };
  close(): Promise<void>;
}

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

export async function startSandbox(o: { appUrl: string; publicUrl: string; logger: Logger }): Promise<Sandbox> {
  // Dynamic imports keep simulator code out of production processes entirely.
  const [{ startQuickbooksSimulator }, { startXeroSimulator, simulatorClient }, { startStripeSimulator }] = await Promise.all([
    import('../../simulators/quickbooks/index.js'), import('../../simulators/xero/index.js'), import('../../simulators/stripe/index.js'),
  ]);
  const secret = () => randomBytes(24).toString('hex');
  const qbToken = secret();
  const xeroKey = secret();
  const stripeSecret = `whsec_${secret()}`;

  const qb = await startQuickbooksSimulator({ webhook: { url: `${o.appUrl}/webhooks/quickbooks`, verifierToken: qbToken, format: 'cloudevents' } });
  const app = qb.admin.createApp({ redirectUris: [`${o.publicUrl}/oauth/quickbooks/callback`] });
  const realmId = qb.admin.createCompany({ name: 'Sandbox Design Co. (simulated)' });
  const customer = qb.admin.addCustomer(realmId, { name: 'Harbor Cafe', email: 'accounts@harbor-cafe.example' });
  const invoice = qb.admin.addInvoice(realmId, { customerId: customer.Id, txnDate: daysAgo(20), dueDate: daysAgo(5), lines: [{ description: 'Brand identity', unitPrice: 600 }, { description: 'Menu design', unitPrice: 250 }, { description: 'Signage', unitPrice: 150 }] });
  qb.admin.addPayment(realmId, { customerId: customer.Id, amount: 600, applications: [{ invoiceId: invoice.Id, amount: 600 }], memo: 'full and final payment', txnDate: daysAgo(1) });

  const xero = await startXeroSimulator({ webhook: { url: `${o.appUrl}/webhooks/xero`, key: xeroKey, autoDeliver: true }, consent: { mode: 'page' }, validate: false });
  const tenantId = xero.admin.addTenant({ name: 'Kestrel Plumbing (simulated)', baseCurrency: 'GBP' });
  const xi = xero.admin.seedInvoice(tenantId, { contact: { name: 'Ridgeway Homes', email: 'ap@ridgeway.example' }, currency: 'GBP', date: daysAgo(30), dueDate: daysAgo(2), lines: [{ description: 'Boiler installation', unitAmount: '1800.00' }, { description: 'Call-out', unitAmount: '120.00' }] });
  xero.admin.seedPayment(tenantId, { invoiceId: xi.invoiceId, amount: '1500.00', reference: 'part payment', date: daysAgo(1) });

  const stripe = await startStripeSimulator({ webhook: { url: `${o.appUrl}/webhooks/stripe`, secret: stripeSecret } });
  stripe.admin.scenarios.partialPayment();

  o.logger.info({ quickbooks: qb.url, xero: xero.url, stripe: stripe.url }, 'sandbox provider simulators started');
  return {
    quickbooks: { baseUrl: qb.url, clientId: app.clientId, clientSecret: app.clientSecret, webhookVerifierToken: qbToken },
    xero: { baseUrl: xero.url, clientId: simulatorClient.clientId, clientSecret: simulatorClient.clientSecret, webhookKey: xeroKey },
    stripe: { baseUrl: stripe.url, secretKey: stripe.admin.platform.secretKey, connectClientId: stripe.admin.platform.clientId, webhookSecret: stripeSecret, platformAccountId: stripe.admin.platform.accountId },
    async close() {
      await Promise.all([qb.close(), xero.close(), stripe.close()]);
    },
  };
}
