// The registry entry wired end to end against the simulator with nothing but its config slice and a base URL.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProviderFactory } from '../../../integrations/registry.js';
import { createXeroProvider } from '../../../integrations/xero/provider.js';
import { simulatorClient, startXeroSimulator, type XeroSimulator } from '../../../simulators/xero/index.js';
import { harbour, kestrel, redirectUri } from './harness.js';

const webhookKey = 'provider-test-webhook-key';
const deliveries: { raw: Buffer; headers: Record<string, string | string[] | undefined> }[] = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req
    .on('data', (c: Buffer) => chunks.push(c))
    .on('end', () => {
      deliveries.push({ raw: Buffer.concat(chunks), headers: req.headers });
      res.end();
    });
});
let sim: XeroSimulator | undefined;
afterAll(async () => {
  await sim?.close();
  await new Promise((resolve) => receiver.close(resolve));
  expect(sim?.admin.violations()).toEqual([]);
});

describe('createXeroProvider', () => {
  it('connects, syncs and verifies webhooks from the config slice the registry hands it', async () => {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/xero`;
    sim = await startXeroSimulator({
      consent: { mode: 'auto', tenantIds: [harbour, kestrel] },
      webhook: { url, key: webhookKey },
    });
    const invoice = sim.admin.seedInvoice(kestrel, {
      contact: { name: 'Fabrikam' },
      lines: [{ description: 'Audit', unitAmount: '900.00' }],
    });
    const factory: ProviderFactory<'xero'> = (slice) => createXeroProvider({ ...slice, baseUrl: sim?.url });
    const provider = factory({ ...simulatorClient, webhookKey, scopes: undefined });

    const consent = await fetch(provider.oauth.authorizeUrl({ state: 's', redirectUri }), { redirect: 'manual' });
    const grant = await provider.oauth.exchangeCode({
      query: Object.fromEntries(new URL(consent.headers.get('location') ?? '').searchParams),
      redirectUri,
    });
    expect(grant.accounts.map((a) => a.accountId)).toEqual([harbour, kestrel]);
    const batch = await provider.connector({ accountId: kestrel, tokens: grant.tokens }).pullChanges({});
    await sim.admin.deliverWebhooks();
    const [delivery] = deliveries;

    expect(batch.invoices.map((i) => i.ref.id)).toEqual([invoice.invoiceId]);
    expect(
      provider.verifier?.verify({
        raw: delivery?.raw ?? Buffer.alloc(0),
        headers: delivery?.headers ?? {},
        nowMs: Date.now(),
      }),
    ).toMatchObject({
      ok: true,
      events: [{ entity: 'Invoice', entityId: invoice.invoiceId, operation: 'create', accountId: kestrel }],
    });
  });
});
