// Reading the client's payment link (src/services/ledger/payment-links.ts) against the QuickBooks simulator and a
// real PGlite: what the provider said is kept and reused while fresh, asked again once stale, and a provider that
// refuses us or is too slow gives "unavailable" (or the link kept from before) instead of failing the caller.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuickbooksConnector, createRealmLimiter } from '../../../integrations/quickbooks/index.js';
import type { DatabaseHandle } from '../../../src/services/db/index.js';
import { connections, organisations } from '../../../src/services/db/schema.js';
import { createPaymentLinks, paymentLinkFreshMs } from '../../../src/services/ledger/payment-links.js';
import { startQuickbooksSimulator, type QuickbooksSimulator } from '../../../simulators/quickbooks/index.js';
import { openPglite } from '../../helpers/databases.js';

let db: DatabaseHandle;
let sim: QuickbooksSimulator;
let slow: QuickbooksSimulator;
beforeAll(async () => {
  [db, sim, slow] = await Promise.all([
    openPglite(),
    startQuickbooksSimulator(),
    startQuickbooksSimulator({ latencyMs: 1_500 }),
  ]);
});
afterAll(async () => {
  await Promise.allSettled([sim?.close(), slow?.close()]);
  await db?.close();
});

/** A company with a customer who has an email, connected as one connection; `tokens` false revokes our access. */
async function company(s: QuickbooksSimulator) {
  const app = s.admin.createApp({ redirectUris: ['http://127.0.0.1:1/cb'] });
  const realmId = s.admin.createCompany({ name: 'Brightside Design' });
  const customerId = s.admin.addCustomer(realmId, { name: 'Harbor Cafe', email: 'ap@harbor.example' }).Id;
  const granted = s.admin.grantTokens(app.clientId, realmId);
  const [org] = await db.db.insert(organisations).values({ name: 'Brightside Design' }).returning();
  const [conn] = await db.db
    .insert(connections)
    .values({ organisationId: org!.id, provider: 'quickbooks', accountId: realmId, name: 'Brightside QBO' })
    .returning();
  let accessToken = granted.access_token;
  const invoice = (onlinePayment: boolean) =>
    s.admin.addInvoice(realmId, { customerId, onlinePayment, lines: [{ description: 'Signage', unitPrice: 400 }] }).Id;
  return {
    connectionId: conn!.id,
    invoice,
    revoke: () => void (accessToken = 'revoked-by-the-owner'),
    reads: (invoiceId: string) => s.admin.requests().filter((r) => r.path.endsWith(`/invoice/${invoiceId}`)).length,
    ledger: async () =>
      createQuickbooksConnector({
        auth: { accountId: realmId, tokens: { accessToken } },
        apiUrl: s.urls.api,
        limiter: createRealmLimiter(),
      }),
  };
}

describe('payment links', () => {
  it('keeps what QuickBooks said and asks again only once it is stale', async () => {
    const c = await company(sim);
    let t = Date.parse('2026-06-01T12:00:00Z');
    const links = createPaymentLinks({ db: db.db, ledger: c.ledger, now: () => t });
    const online = c.invoice(true);
    const offline = c.invoice(false);

    const first = await links.forInvoice({ connectionId: c.connectionId, invoiceId: online });
    expect(first).toEqual({ kind: 'link', url: expect.stringContaining('/portal/app/CommerceNetwork/view/') });
    expect(await links.forInvoice({ connectionId: c.connectionId, invoiceId: offline })).toEqual({ kind: 'none' });
    t += paymentLinkFreshMs.none - 1;
    expect(await links.forInvoice({ connectionId: c.connectionId, invoiceId: online })).toEqual(first);
    expect(await links.forInvoice({ connectionId: c.connectionId, invoiceId: offline })).toEqual({ kind: 'none' });
    expect([c.reads(online), c.reads(offline)]).toEqual([1, 1]);

    // "No link" is asked again sooner than a link: the owner may have turned online payment on meanwhile.
    t += 2;
    await links.forInvoice({ connectionId: c.connectionId, invoiceId: offline });
    await links.forInvoice({ connectionId: c.connectionId, invoiceId: online });
    expect([c.reads(online), c.reads(offline)]).toEqual([1, 2]);
    t += paymentLinkFreshMs.link;
    expect(await links.forInvoice({ connectionId: c.connectionId, invoiceId: online })).toEqual(first);
    expect(c.reads(online)).toBe(2);
  });

  it('a provider that refuses us gives the link kept from before, or "unavailable" when none was kept', async () => {
    const c = await company(sim);
    let t = Date.parse('2026-06-01T12:00:00Z');
    const links = createPaymentLinks({ db: db.db, ledger: c.ledger, now: () => t });
    const known = c.invoice(true);
    const unknown = c.invoice(true);
    const first = await links.forInvoice({ connectionId: c.connectionId, invoiceId: known });
    expect(first.kind).toBe('link');

    c.revoke();
    t += paymentLinkFreshMs.link + 1;
    expect(await links.forInvoice({ connectionId: c.connectionId, invoiceId: known })).toEqual(first);
    expect(await links.forInvoice({ connectionId: c.connectionId, invoiceId: unknown })).toEqual({
      kind: 'unavailable',
    });
    t += paymentLinkFreshMs.stale;
    expect(await links.forInvoice({ connectionId: c.connectionId, invoiceId: known })).toEqual({
      kind: 'unavailable',
    });
  });

  it('does not wait for a provider slower than its timeout', async () => {
    const c = await company(slow);
    const links = createPaymentLinks({ db: db.db, ledger: c.ledger, timeoutMs: 100 });
    expect(await links.forInvoice({ connectionId: c.connectionId, invoiceId: c.invoice(true) })).toEqual({
      kind: 'unavailable',
    });
  });
});
