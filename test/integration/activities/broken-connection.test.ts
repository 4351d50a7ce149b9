// Fail fast on a broken connection: the case activities that need a ledger or Stripe reach it through the real
// vault (PGlite, sealed tokens) and the real provider code against the QuickBooks and Stripe simulators. A
// connection that needs reconnecting, whose refresh token was revoked, or that was disconnected fails at once with a
// non-retryable ApplicationFailure of the type the workflows wait on, and nothing reaches the ledger.
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseActivities } from '../../../activities/cases.js';
import type { CaseActivities } from '../../../workflows/dispute-case/activities.js';
import { authFailureType, disconnectedFailureType, nonRetryableFailureTypes } from '../../../activities/failures.js';
import { createQuickbooksProvider } from '../../../integrations/quickbooks/provider.js';
import { createProviderRegistry } from '../../../integrations/registry.js';
import { restrictedKeyScope } from '../../../integrations/stripe/connection.js';
import { createStripeServices } from '../../../integrations/stripe/provider.js';
import { createApprovalStore } from '../../../src/services/approvals/store.js';
import type { ConnectionBrokenEvent } from '../../../src/services/connections/types.js';
import { createConnectionVault, type ConnectionVault } from '../../../src/services/connections/vault.js';
import { type DatabaseHandle } from '../../../src/services/db/index.js';
import { cases } from '../../../src/services/db/schema.js';
import { connectionPorts } from '../../../src/app/deps.js';
import { createDocumentStore, type DocumentStore } from '../../../src/services/documents/storage.js';
import { createOutbox } from '../../../src/services/mail/outbox.js';
import { createMailTransport } from '../../../src/services/mail/transport.js';
import { startStripeSimulator, type StripeSimulator } from '../../../simulators/stripe/index.js';
import { startHarness, type Harness } from '../quickbooks/harness.js';
import { testKeyRing } from '../../helpers/key-ring.js';
import { seedOrganisation } from '../sync/fixtures.js';
import { openPglite } from '../../helpers/databases.js';

let h: DatabaseHandle;
let qb: Harness;
let stripeSim: StripeSimulator;
let vault: ConnectionVault;
let docs: DocumentStore;
let acts: CaseActivities;
let organisationId: string;
const broken: ConnectionBrokenEvent[] = [];

beforeAll(async () => {
  [h, qb, stripeSim] = await Promise.all([
    openPglite(),
    startHarness(),
    startStripeSimulator({ rateLimit: { opsPerSecond: 1000 } }),
  ]);
  ({ organisationId } = await seedOrganisation(h.db));
  vault = createConnectionVault({ db: h.db, keyRing: testKeyRing(), onBroken: (e) => void broken.push(e) });
  const stripe = createStripeServices({
    secretKey: stripeSim.admin.platform.secretKey,
    connectClientId: stripeSim.admin.platform.clientId,
    baseUrl: stripeSim.url,
  });
  const registry = createProviderRegistry(
    {
      quickbooks: (c) => createQuickbooksProvider({ ...c, baseUrl: qb.sim.url }),
      xero: () => {
        throw new Error('Xero is not configured in this test');
      },
      stripe: () => stripe.services,
    },
    {
      quickbooks: {
        clientId: qb.client.clientId,
        clientSecret: qb.client.clientSecret,
        environment: 'sandbox',
        webhookVerifierToken: undefined,
      },
      stripe: {
        secretKey: stripeSim.admin.platform.secretKey,
        connectClientId: stripeSim.admin.platform.clientId,
        webhookSecret: undefined,
      },
    },
  );
  docs = createDocumentStore(h.db);
  acts = createCaseActivities({
    db: h.db,
    outbox: createOutbox(h.db, createMailTransport({ from: 'Shortfall <cases@shortfall.test>' }), docs),
    approvals: createApprovalStore(h.db, 's'.repeat(40)),
    documents: docs,
    publicUrl: 'https://app.shortfall.test',
    replyDomain: 'replies.shortfall.test',
    // The production wiring (src/app/deps.ts): fresh auth from the vault on every call.
    ...connectionPorts(vault, registry),
  });
});
afterAll(async () => {
  await Promise.all([qb?.close(), stripeSim?.close()]);
  await h?.close();
});

const usd = (minor: number) => ({ minor, currency: 'USD' });

/** A QuickBooks connection to the simulated company, with a short-paid invoice ($300 of $400) and a case on it. */
async function quickbooksCase(name: string, tokens = qb.tokens) {
  const invoice = qb.sim.admin.addInvoice(qb.realmId, {
    customerId: qb.customerId,
    txnDate: '2026-04-02',
    lines: [
      { description: 'Design', unitPrice: 300 },
      { description: 'Hosting', unitPrice: 100 },
    ],
  });
  qb.sim.admin.addPayment(qb.realmId, {
    customerId: qb.customerId,
    amount: 300,
    applications: [{ invoiceId: invoice.Id, amount: 300 }],
  });
  // One company, one organisation: each test connects it again, which stores that test's tokens on the same row.
  const { connection } = await vault.connect({
    organisationId,
    provider: 'quickbooks',
    accountId: qb.realmId,
    name,
    tokens,
  });
  const caseKey = `invoice/quickbooks/${qb.realmId}/${invoice.Id}`;
  const [c] = await h.db
    .insert(cases)
    .values({
      organisationId,
      caseKey,
      workflowId: `case/${caseKey}`,
      connectionId: connection.id,
      kind: 'short_payment',
      status: 'open',
      currency: 'USD',
    })
    .returning();
  const caseId = c!.id;
  return {
    connectionId: connection.id,
    caseId,
    invoiceId: invoice.Id,
    credit: {
      key: `${caseId}/credit/1`,
      caseId,
      connectionId: connection.id,
      invoiceId: invoice.Id,
      currency: 'USD',
      memo: 'Conceded',
      lines: [{ lineId: '2', description: 'Hosting', amount: usd(10_000) }],
    },
    pdf: {
      key: `${caseId}/invoice-pdf`,
      caseId,
      connectionId: connection.id,
      invoiceId: invoice.Id,
      invoiceNumber: invoice.DocNumber ?? invoice.Id,
    },
  };
}

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ApplicationFailure);
  return e as ApplicationFailure;
}

function expectFinal(f: ApplicationFailure, type: string, code?: string) {
  expect(f).toMatchObject({ type, nonRetryable: true });
  expect(nonRetryableFailureTypes).toContain(type);
  if (code) expect(f.details).toEqual([expect.objectContaining({ code })]);
}

const apiWrites = () => qb.sim.admin.requests().filter((r) => r.method !== 'GET');

describe('QuickBooks case activities on a broken connection', () => {
  it('fail at once as integration.auth while the connection needs reconnecting, and write nothing', async () => {
    const k = await quickbooksCase('Needs reconnect');
    await vault.markNeedsReconnect(k.connectionId, 'QuickBooks answered 401');
    const requestsBefore = qb.sim.admin.requests().length;

    expectFinal(await failureOf(acts.postCreditNote(k.credit)), authFailureType, 'needs_reconnect');
    expectFinal(await failureOf(acts.attachInvoicePdf(k.pdf)), authFailureType, 'needs_reconnect');

    // Nothing reached the company: no request at all, no credit memo, the invoice still owes $100; no PDF stored.
    expect(qb.sim.admin.requests()).toHaveLength(requestsBefore);
    expect(qb.sim.admin.creditMemos(qb.realmId)).toEqual([]);
    expect(qb.sim.admin.invoice(qb.realmId, k.invoiceId)?.Balance).toBe(100);
    expect(await docs.listForCase(k.caseId)).toEqual([]);
  });

  it('fail at once as integration.auth when the refresh token was revoked at QuickBooks, and mark the connection broken', async () => {
    // The grant is revoked at the provider; our access token is about to expire, so the vault must refresh first.
    const expiring = { ...qb.tokens, expiresAt: new Date(Date.now() + 60_000).toISOString() };
    const k = await quickbooksCase('Revoked', expiring);
    await qb.oauth().revoke(qb.tokens);
    broken.length = 0;

    const first = await failureOf(acts.postCreditNote(k.credit));
    expectFinal(first, authFailureType, 'invalid_grant');
    // The vault recorded it once, for the owner's Reconnect button and the email; every later call fails the same way.
    expect((await vault.get(k.connectionId)).status).toBe('needs_reconnect');
    expect(broken).toMatchObject([{ connectionId: k.connectionId, reason: expect.stringContaining('invalid_grant') }]);
    expectFinal(await failureOf(acts.attachInvoicePdf(k.pdf)), authFailureType, 'needs_reconnect');
    expectFinal(await failureOf(acts.postCreditNote(k.credit)), authFailureType, 'needs_reconnect');

    expect(apiWrites()).toEqual([]);
    expect(qb.sim.admin.creditMemos(qb.realmId)).toEqual([]);
    expect(qb.sim.admin.invoice(qb.realmId, k.invoiceId)?.Balance).toBe(100);
    expect(await docs.listForCase(k.caseId)).toEqual([]);
  });

  it('fail at once as connection.disconnected once the owner disconnected', async () => {
    const granted = qb.sim.admin.grantTokens(qb.client.clientId, qb.realmId);
    const k = await quickbooksCase('Disconnected', {
      accessToken: granted.access_token,
      refreshToken: granted.refresh_token,
    });
    await vault.disconnect(k.connectionId, qb.oauth());

    expectFinal(await failureOf(acts.postCreditNote(k.credit)), disconnectedFailureType);
    expectFinal(await failureOf(acts.attachInvoicePdf(k.pdf)), disconnectedFailureType);
    expect(apiWrites()).toEqual([]);
    expect(qb.sim.admin.creditMemos(qb.realmId)).toEqual([]);
  });

  it('post the credit note exactly once after the owner reconnects', async () => {
    const k = await quickbooksCase('Reconnected');
    await vault.markNeedsReconnect(k.connectionId, 'QuickBooks answered 401');
    expectFinal(await failureOf(acts.postCreditNote(k.credit)), authFailureType);

    const granted = qb.sim.admin.grantTokens(qb.client.clientId, qb.realmId);
    await vault.connect({
      organisationId,
      provider: 'quickbooks',
      accountId: qb.realmId,
      name: 'Reconnected',
      tokens: { accessToken: granted.access_token, refreshToken: granted.refresh_token },
    });
    const posted = await acts.postCreditNote(k.credit);
    expect(await acts.postCreditNote(k.credit)).toEqual(posted); // a retried activity finds the same note

    expect(posted.total).toEqual(usd(10_000));
    expect(qb.sim.admin.creditMemos(qb.realmId).map((m) => m.Id)).toEqual([posted.ref]);
    expect(qb.sim.admin.invoice(qb.realmId, k.invoiceId)?.Balance).toBe(0);
  });
});

describe('Stripe evidence on a broken connection', () => {
  it('stages and submits nothing, failing at once as integration.auth', async () => {
    const s = stripeSim.admin.scenarios.chargeback();
    const { connection } = await vault.connect({
      organisationId,
      provider: 'stripe',
      accountId: s.accountId,
      name: 'Harbour Stripe',
      credential: 'api_key',
      tokens: { accessToken: stripeSim.admin.issueRestrictedKey(s.accountId), scope: restrictedKeyScope },
    });
    await vault.markNeedsReconnect(connection.id, 'Stripe refused the key');
    const before = stripeSim.admin.requests().length;
    const evidence = { key: `case/${s.disputeId}/stripe/stage/1`, connectionId: connection.id, disputeId: s.disputeId };

    expectFinal(
      await failureOf(
        acts.stageStripeEvidence({ ...evidence, fields: { product_description: 'Annual retainer' }, documentIds: [] }),
      ),
      authFailureType,
      'needs_reconnect',
    );
    expectFinal(await failureOf(acts.submitStripeEvidence(evidence)), authFailureType, 'needs_reconnect');

    expect(stripeSim.admin.requests()).toHaveLength(before);
    expect(stripeSim.admin.state(s.accountId).disputes).toMatchObject([{ id: s.disputeId, status: 'needs_response' }]);
  });
});
