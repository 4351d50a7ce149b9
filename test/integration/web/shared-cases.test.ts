// Organisations that connect the same ledger account (an agency and its client on one QuickBooks company) share
// ONE case per invoice. The owning organisation (the first to claim it) runs its letters and decisions; every
// other organisation with an active or broken connection to that account sees the case in its list and on its
// page, says so, may add documents, and is refused any decision with a reason. Nobody simply does not see it.
import { eq } from 'drizzle-orm';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, cases, connections, invoices } from '../../../src/services/db/schema.js';
import { disputeCaseWorkflowId } from '../../../workflows/dispute-case/definitions.js';
import { bothEngines } from '../../helpers/databases.js';
import { createDevEnv } from '../../helpers/temporal-env.js';
import { csrfOf, textOf, type InjectBrowser } from './browser.js';
import { createWebHarness, seedOrganisation, signIn, type WebHarness } from './harness.js';
import { startCaseWorker } from './live-case.js';

const owner = 'ana@brightside.example';
const agency = 'kim@northwind.example';
const broken = 'lee@ledgerly.example';
const former = 'max@former.example';
const stranger = 'bob@elsewhere.example';
const agencyName = 'Northwind & Co <Books>';
const refusal =
  'Only Brightside Design can decide on this case: letters to the client go out from Brightside Design, so approvals, replies, concessions, deadlines and closing are theirs. You can follow the case and add documents.';

const caseLinks = (html: string) =>
  [...html.matchAll(/<a href="\/cases\/([0-9a-f-]{36})">([^<]+)<\/a>/g)].map((m) => ({ id: m[1]!, customer: m[2]! }));

describe.each(bothEngines())('a case on a ledger account two organisations share, on %s', (_engine, open) => {
  let w: WebHarness;
  const as: Record<string, InjectBrowser> = {};
  let caseId: string;
  let agencyCaseId: string;

  beforeAll(async () => {
    // No Temporal here: a decision that reached it would fail as 503, so a 403 proves the refusal came first.
    w = await createWebHarness({ db: await open(), settings: { temporalTimeoutsMs: { query: 300, update: 300 } } });
    const orgs = {
      owner: (await seedOrganisation(w.h, { email: owner })).org,
      agency: (await seedOrganisation(w.h, { email: agency, name: agencyName })).org,
      broken: (await seedOrganisation(w.h, { email: broken, name: 'Ledgerly' })).org,
      former: (await seedOrganisation(w.h, { email: former, name: 'Former Partner' })).org,
      stranger: (await seedOrganisation(w.h, { email: stranger, name: 'Elsewhere Ltd' })).org,
    };
    const connect = async (organisationId: string, accountId: string, status = 'active') =>
      (
        await w.h.db
          .insert(connections)
          .values({ organisationId, provider: 'quickbooks', accountId, name: 'QBO', status })
          .returning()
      )[0]!;
    const ownerConnection = await connect(orgs.owner.id, 'realm-1');
    const agencyConnection = await connect(orgs.agency.id, 'realm-1');
    await connect(orgs.broken.id, 'realm-1', 'needs_reconnect'); // broken still reads the account: it will be reconnected
    await connect(orgs.former.id, 'realm-1', 'disconnected'); // left: sees nothing any more
    const strangerConnection = await connect(orgs.stranger.id, 'realm-9');

    const seed = async (
      organisationId: string,
      connectionId: string,
      key: string,
      customer: string,
      number: string,
    ) => {
      await w.h.db.insert(invoices).values({
        connectionId,
        externalId: `inv-${key}`,
        number,
        customerId: 'cust-7',
        customerName: customer,
        currency: 'USD',
        totalMinor: 100_000,
        balanceMinor: 40_000,
        issueDate: '2026-11-01',
        status: 'open',
        lines: [],
        providerUpdatedAt: new Date(),
      });
      const [row] = await w.h.db
        .insert(cases)
        .values({
          organisationId,
          caseKey: key,
          workflowId: disputeCaseWorkflowId(key),
          connectionId,
          invoiceId: `inv-${key}`,
          kind: 'short_payment',
          status: 'awaiting_approval',
          customerName: customer,
          currency: 'USD',
          paidMinor: 60_000,
          disputedMinor: 40_000,
        })
        .returning();
      return row!.id;
    };
    caseId = await seed(
      orgs.owner.id,
      ownerConnection.id,
      'invoice/quickbooks/realm-1/inv-1001',
      'Harbor Cafe',
      '1001',
    );
    agencyCaseId = await seed(
      orgs.agency.id,
      agencyConnection.id,
      'invoice/quickbooks/realm-1/inv-1002',
      'Quay Bakery',
      '1002',
    );
    await seed(orgs.stranger.id, strangerConnection.id, 'invoice/quickbooks/realm-9/inv-7', 'Secret Client', '7');
    for (const email of [owner, agency, broken, former, stranger]) {
      as[email] = w.browser();
      await signIn(w, as[email], email);
    }
  });
  afterAll(async () => {
    await w?.close();
  });

  it('lists the one case for its owner, saying who else sees it', async () => {
    const res = await as[owner]!.get('/cases');
    expect(
      caseLinks(res.body)
        .map((c) => c.customer)
        .sort(),
    ).toEqual(['Harbor Cafe', 'Quay Bakery']);
    const text = textOf(res.body);
    expect(text).toContain(
      `Harbor Cafe Invoice 1001 · QuickBooks Online Also visible to Ledgerly and ${agencyName} Waiting for your approval`,
    );
    // The owner is named first; a shared case waits for its owner, never for "you".
    expect(text).toContain(
      `Quay Bakery Invoice 1002 · QuickBooks Online Shared with ${agencyName} and Ledgerly: letters go out from ${agencyName} Waiting for approval by ${agencyName}`,
    );
    expect(res.body).toContain('Northwind &amp; Co &lt;Books&gt;');
    expect(res.body).not.toContain('<Books>');
  });

  it('lists it for the other organisations reading the account, naming the owner whose letters go out', async () => {
    const text = textOf((await as[agency]!.get('/cases')).body);
    expect(text).toContain(
      'Harbor Cafe Invoice 1001 · QuickBooks Online Shared with Brightside Design and Ledgerly: letters go out from Brightside Design Waiting for approval by Brightside Design',
    );
    expect(text).toContain(
      'Quay Bakery Invoice 1002 · QuickBooks Online Also visible to Brightside Design and Ledgerly',
    );
    const viaBroken = textOf((await as[broken]!.get('/cases')).body);
    expect(viaBroken).toContain(
      `Harbor Cafe Invoice 1001 · QuickBooks Online Shared with Brightside Design and ${agencyName}: letters go out from Brightside Design`,
    );
    // Filters apply to shared cases like to owned ones.
    expect(caseLinks((await as[agency]!.get('/cases?customer=harbor')).body).map((c) => c.customer)).toEqual([
      'Harbor Cafe',
    ]);
    expect(caseLinks((await as[agency]!.get('/cases?provider=xero')).body)).toEqual([]);
  });

  it('shows neither case to an organisation that disconnected the account, nor to one on another account', async () => {
    for (const email of [former, stranger]) {
      const list = await as[email]!.get('/cases');
      expect(caseLinks(list.body).map((c) => c.customer)).toEqual(email === stranger ? ['Secret Client'] : []);
      for (const id of [caseId, agencyCaseId]) {
        const peek = await as[email]!.get(`/cases/${id}`);
        expect(peek.statusCode).toBe(404);
        expect(textOf(peek.body)).toContain('There is no such case in your organisation.');
      }
    }
    expect(textOf((await as[owner]!.get('/cases')).body)).not.toContain('Secret Client');
  });

  it('shows the shared line on the case page, on both sides', async () => {
    const mine = textOf((await as[owner]!.get(`/cases/${caseId}`)).body);
    expect(mine).toContain(
      `Also visible to Ledgerly and ${agencyName}, connected to the same QuickBooks Online account. They can follow this case and add documents; letters, approvals and decisions stay with you.`,
    );
    const shared = await as[agency]!.get(`/cases/${caseId}`);
    expect(shared.statusCode).toBe(200);
    expect(textOf(shared.body)).toContain(
      'Shared with Brightside Design and Ledgerly: letters go out from Brightside Design. One case per invoice, so the client never gets two letters about it. You can follow the case and add documents; approvals and decisions belong to Brightside Design.',
    );
    expect(textOf(shared.body)).toContain('Harbor Cafe · invoice 1001');
    expect(shared.body).toContain(`action="/cases/${caseId}/documents"`);
    expect(shared.body).not.toContain('What you can do');
    const page = await as[owner]!.get(`/cases/${agencyCaseId}`);
    expect(page.body).toContain(
      'Shared with Northwind &amp; Co &lt;Books&gt; and Ledgerly: letters go out from Northwind &amp; Co &lt;Books&gt;.',
    );
    expect(textOf(page.body)).toContain(`Waiting for approval by ${agencyName} · QuickBooks Online · Short payment`);
  });

  it("refuses the other organisation's decisions on the server, with the reason, and reaches no workflow", async () => {
    const b = as[agency]!;
    const csrf = csrfOf((await b.get(`/cases/${caseId}`)).body, '/sign-out');
    const attempts: [string, Record<string, string>][] = [
      ['/drafts/1/decision', { decision: 'approve' }],
      ['/objection', { kind: 'vague', summary: 'The client wrote to us' }],
      ['/objection/decision', { decision: 'concede', 'amount.l1': '100.00' }],
      ['/deadline', { deadline: 'response', days: '2' }],
      ['/close', { kind: 'write_off', confirm: 'yes' }],
    ];
    for (const [action, fields] of attempts) {
      const res = await b.post(`/cases/${caseId}${action}`, { _csrf: csrf, ...fields });
      expect(res.statusCode, action).toBe(403);
      expect(textOf(res.body)).toContain(`That was not done ${refusal}`);
    }
    const audit = await w.h.db.select().from(auditEvents).where(eq(auditEvents.caseId, caseId));
    expect(audit).toEqual([]);
  });

  it('takes documents from the other organisation, recorded as theirs and listed for the owner', async () => {
    const csrf = csrfOf((await as[agency]!.get(`/cases/${caseId}`)).body, `/cases/${caseId}/documents`);
    const res = await as[agency]!.postBytes(
      `/cases/${caseId}/documents?name=Delivery%20note.pdf&kind=delivery_receipt&type=application%2Fpdf`,
      Buffer.from('%PDF-1.4\n'),
      { 'x-csrf-token': csrf },
    );
    expect(res.statusCode).toBe(201);
    const [audit] = await w.h.db.select().from(auditEvents).where(eq(auditEvents.caseId, caseId));
    expect(audit).toMatchObject({ kind: 'document_uploaded', actor: agency });
    const ownerPage = await as[owner]!.get(`/cases/${caseId}`);
    expect(ownerPage.body).toContain('Delivery note.pdf</a>');
    const download = await as[owner]!.get(`/cases/${caseId}/documents/${res.json().id}`);
    expect(download.statusCode).toBe(200);
    expect((await as[stranger]!.get(`/cases/${caseId}/documents/${res.json().id}`)).statusCode).toBe(404);
  });
});

describe('a live shared case on the dev server', () => {
  let env: TestWorkflowEnvironment;
  let w: WebHarness;
  let live: Awaited<ReturnType<typeof startCaseWorker>>;
  const b: Record<string, InjectBrowser> = {};

  beforeAll(async () => {
    env = await createDevEnv();
    w = await createWebHarness({ workflows: env.client.workflow });
    live = await startCaseWorker(env, w, { email: owner }); // Brightside Design's QuickBooks company
    const { org } = await seedOrganisation(w.h, { email: agency, name: agencyName });
    await w.h.db
      .insert(connections)
      .values({ organisationId: org.id, provider: 'quickbooks', accountId: live.books.realmId, name: 'Client QBO' });
    for (const email of [owner, agency]) {
      b[email] = w.browser();
      await signIn(w, b[email], email);
    }
  });
  afterAll(async () => {
    await live?.stop();
    await w?.close();
    await env?.teardown();
  });

  it('shows the other organisation the draft waiting for the owner, refuses its approval, and the owner approves', async () => {
    const c = await live.openCase();
    await c.until((v) => v.status === 'awaiting_approval', 'first draft');
    const html = (await b[agency]!.get(`/cases/${c.id}`)).body;
    const text = textOf(html);
    expect(text).toContain('Shared with Brightside Design: letters go out from Brightside Design.');
    expect(text).toContain('First written response, version 1: waiting for approval by Brightside Design');
    expect(html).not.toContain(`action="/cases/${c.id}/drafts/1/decision"`);

    const refused = await b[agency]!.post(`/cases/${c.id}/drafts/1/decision`, {
      _csrf: csrfOf(html, '/sign-out'),
      decision: 'approve',
    });
    expect(refused.statusCode).toBe(403);
    expect(textOf(refused.body)).toContain(refusal);
    expect((await c.view()).drafts[0]!.state).toBe('pending');

    const mine = (await b[owner]!.get(`/cases/${c.id}`)).body;
    expect(textOf(mine)).toContain(`Also visible to ${agencyName}`);
    const path = `/cases/${c.id}/drafts/1/decision`;
    const approved = await b[owner]!.post(path, { _csrf: csrfOf(mine, path), decision: 'approve' });
    expect(approved.statusCode).toBe(303);
    const v = await c.until((x) => x.drafts[0]!.state === 'sent', 'letter sent');
    expect(v.drafts[0]!.decidedBy).toBe(owner);
  }, 60_000); // a dev server on a busy machine
});
