// One scenario: an owner with a QuickBooks company (and a Stripe account when asked), the real services of
// src/app/deps.ts on a fresh time-skipping Temporal server, and the verbs a scenario is written in.
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { asc, eq } from 'drizzle-orm';
import { createSyncActivities } from '../../../activities/sync.js';
import { buildApp, type App } from '../../../src/app/app.js';
import { cases, connections, organisations, users } from '../../../src/services/db/schema.js';
import { caseVisibleTo, startingStatus } from '../../../src/services/cases/records.js';
import { currencyExponents } from '../../../src/domain/money.js';
import type { CaseDocumentKind } from '../../../src/domain/case.js';
import type { Services } from '../../../src/app/deps.js';
import { checkApprovalToken, type ApprovalClaims } from '../../../src/services/security/approval-links.js';
import { inboundEmailSecret } from '../../../src/app/http/security/keys.js';
import { webSettings } from '../../../src/app/http/settings.js';
import { arrangeCase, findInvoice, recordArrangement } from '../../../src/app/http/arrangements/arrangements.js';
import { findCase } from '../../../src/app/http/cases/queries.js';
import {
  buildEvidencePackUpdate,
  caseViewQuery,
  closeCaseUpdate,
  documentAddedSignal,
  decideDraftUpdate,
  decideObjectionUpdate,
  extendDeadlineUpdate,
  registerObjectionUpdate,
  type CaseStatus,
  type CaseView,
  type CloseInput,
  type DraftDecision,
  type DraftKind,
  type DraftView,
  type ExtendInput,
} from '../../../workflows/dispute-case/definitions.js';
import { ledgerView, quickbooksBooks, stripeAccount, type QbInvoice } from './books.js';
import { csrfOf, InjectBrowser, textOf } from '../../integration/web/browser.js';
import { describeMail, mailTo, matches, toMail, type Mail } from './mail.js';
import { PUBLIC_URL, REPLY_DOMAIN, secrets, type World } from './world.js';

const DAY = 86_400_000;
/** How long any wait polls for settled state before the scenario fails (real time). */
export const WAIT_MS = 30_000;
const POLL_MS = 40;

export interface CaseRef {
  readonly id: string;
  readonly workflowId: string;
  readonly invoiceId: string | null;
  readonly handle: WorkflowHandle;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function createScenario(
  w: World,
  env: TestWorkflowEnvironment,
  makeServices: (now: () => number) => Services,
  tag: string,
) {
  let offset = (await env.currentTimeMs()) - Date.now();
  /** Workflow time: the test server's clock, which runs ahead of real time after every skip. */
  const now = () => Date.now() + offset;
  const services = makeServices(now);
  await services.registry.ready(); // as a server does before it listens (integrations/providers.ts)
  const db = w.db.db;

  const [org] = await db
    .insert(organisations)
    .values({ name: `Brightside Design ${tag}`, timeZone: 'America/New_York', signature: 'Ana Ruiz' })
    .returning();
  const ownerEmail = `owner.${tag}@brightside.example`;
  await db.insert(users).values({ organisationId: org!.id, email: ownerEmail, role: 'owner' });
  const realmId = w.qb.admin.createCompany({ name: `Brightside Design ${tag}` });
  const qbTokens = w.qb.admin.grantTokens(w.qbApp.clientId, realmId);
  // Connected through the vault, as the OAuth callback would, but without starting the connection-sync workflow:
  // its 15-minute polling would run hundreds of passes while days are skipped. sync() runs one pass instead.
  const connectionIds: string[] = [];
  const byProvider: Partial<Record<'quickbooks' | 'stripe', string>> = {};
  const connect = async (
    provider: 'quickbooks' | 'stripe',
    accountId: string,
    tokens: { accessToken: string; refreshToken?: string; expiresAt?: string },
  ) => {
    const { connection } = await services.vault.connect({
      organisationId: org!.id,
      provider,
      accountId,
      name: `${provider} ${tag}`,
      sandbox: true,
      tokens,
    });
    connectionIds.push(connection.id);
    byProvider[provider] = connection.id;
    return connection.id;
  };
  const qbConnectionId = await connect('quickbooks', realmId, {
    accessToken: qbTokens.access_token,
    refreshToken: qbTokens.refresh_token,
    expiresAt: new Date(Date.now() + qbTokens.expires_in * 1000).toISOString(),
  });
  const syncActivities = createSyncActivities({
    connections: services.vault,
    providers: services.registry,
    sync: services.sync,
    cases: services.starter,
    heartbeat: () => {},
  });
  const qb = quickbooksBooks(w.qb, realmId, tag, now);
  const stripe = stripeAccount(
    w.stripe,
    async (accountId, accessToken) => void (await connect('stripe', accountId, { accessToken })),
  );

  let app: App | undefined;
  let browser: InjectBrowser | undefined;
  const usedApprovals = new Set<string>();

  // ---- waiting ----------------------------------------------------------------------------------------------
  async function poll<T>(what: string, read: () => Promise<T | undefined> | T | undefined, ms = WAIT_MS): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await read();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
      await pause(POLL_MS);
    }
  }

  // ---- cases --------------------------------------------------------------------------------------------------
  const caseRows = () => db.select().from(cases).where(eq(cases.organisationId, org!.id)).orderBy(asc(cases.createdAt));
  const toRef = (row: typeof cases.$inferSelect): CaseRef => ({
    id: row.id,
    workflowId: row.workflowId,
    invoiceId: row.invoiceId,
    handle: env.client.workflow.getHandle(row.workflowId),
  });
  /** The scenario's case (of `inv` when given), waiting for the sync to open it. */
  const caseOf = (inv?: QbInvoice) =>
    poll(inv ? `a case for invoice ${inv.number}` : 'a case to open', async () => {
      const row = (await caseRows()).find((r) => r.status !== startingStatus && (!inv || r.invoiceId === inv.id));
      return row ? toRef(row) : undefined;
    });
  const view = async (inv?: QbInvoice): Promise<CaseView> => (await caseOf(inv)).handle.query(caseViewQuery);
  async function until(what: string, pred: (v: CaseView) => boolean, inv?: QbInvoice): Promise<CaseView> {
    let last: CaseView | undefined;
    try {
      return await poll(what, async () => {
        last = await view(inv);
        return pred(last) ? last : undefined;
      });
    } catch (err) {
      throw new Error(`${(err as Error).message}; case status ${last?.status ?? 'none'}`, { cause: err });
    }
  }
  const latestDraft = (v: CaseView): DraftView | undefined => v.drafts[v.drafts.length - 1];

  // ---- mail -----------------------------------------------------------------------------------------------------
  const mailsTo = (address: string, pattern?: RegExp | string) =>
    mailTo(w.smtp.messages, address).filter((m) => !pattern || matches(m, pattern));
  const clientEmail = (customer?: string) => qb.customer(customer ?? 'Harbor Cafe').email;
  const received = (who: string, address: string, pattern: RegExp | string) =>
    poll(`${who} to receive a mail matching ${String(pattern)}`, () => mailsTo(address, pattern).at(-1));

  /** The approval link's claims in the newest approval mail for this draft version. */
  function approvalFor(workflowId: string, version: number): { token: string; claims: ApprovalClaims } | undefined {
    for (const m of mailsTo(ownerEmail, /^Approve:/).reverse()) {
      const link = new RegExp(`${PUBLIC_URL}/approvals/(\\S+)`).exec(m.text);
      if (!link) continue;
      const token = decodeURIComponent(link[1]!);
      const check = checkApprovalToken(secrets.appSecret, token, Date.now());
      if (check.ok && check.claims.workflowId === workflowId && check.claims.version === version)
        return { token, claims: check.claims };
    }
    return undefined;
  }

  /** Acts as the owner on the approval link of the pending draft: the same Update, with the link's id. */
  async function decideLatest(
    kind: DraftKind | undefined,
    decision: (version: number) => DraftDecision,
    inv?: QbInvoice,
  ) {
    const c = await caseOf(inv);
    const v = await until(
      `a pending ${kind ?? 'draft'}`,
      (x) => latestDraft(x)?.state === 'pending' && (!kind || latestDraft(x)?.kind === kind),
      inv,
    );
    const draft = latestDraft(v)!;
    const link = await poll(`the approval email for draft v${draft.version}`, () =>
      approvalFor(c.workflowId, draft.version),
    );
    if (usedApprovals.has(link.claims.jti))
      throw new Error(`The approval link for draft v${draft.version} was already used`);
    usedApprovals.add(link.claims.jti);
    await c.handle.executeUpdate(decideDraftUpdate, { args: [decision(draft.version)], updateId: link.claims.jti });
    return draft;
  }

  // ---- the owner's case page -------------------------------------------------------------------------------------
  const lineId = (v: CaseView, description: string) => {
    const line = v.lines.find((l) => l.description === description);
    if (!line)
      throw new Error(`No invoice line "${description}"; lines: ${v.lines.map((l) => l.description).join(', ')}`);
    return line.id;
  };
  const update = async <R>(inv: QbInvoice | undefined, run: (h: WorkflowHandle) => Promise<R>) =>
    run((await caseOf(inv)).handle);
  const ymd = (days: number) => new Date(now() + days * DAY).toISOString().slice(0, 10);
  const arrangementForm = (plan: readonly (readonly [number, number])[] | 'deposit') =>
    plan === 'deposit'
      ? { kind: 'deposit', dueOn: [], amount: [] }
      : { kind: 'plan', dueOn: plan.map(([days]) => ymd(days)), amount: plan.map(([, amount]) => amount.toFixed(2)) };
  const arranger = () => ({
    organisationId: org!.id,
    email: ownerEmail,
    timeZone: 'UTC',
    locale: 'en-US',
    nowMs: now(),
  });

  /** The owner's browser, signed in once through the emailed magic link. */
  async function ownerBrowser(): Promise<InjectBrowser> {
    if (browser) return browser;
    const b = new InjectBrowser(await webApp());
    const form = await b.get('/sign-in');
    await b.post('/sign-in', { email: ownerEmail, _csrf: csrfOf(form.body) });
    const mail = await poll('the owner to receive the sign-in link', () => mailsTo(ownerEmail, /sign-in link/i).at(-1));
    const link = new URL(/(https?:\/\/\S+\/sign-in\/verify\?\S+)/.exec(mail.text)![1]!);
    const confirm = await b.get(`${link.pathname}${link.search}`);
    const done = await b.post('/sign-in/verify', {
      token: link.searchParams.get('token')!,
      _csrf: csrfOf(confirm.body, '/sign-in/verify'),
    });
    if (done.statusCode !== 303) throw new Error(`signing in answered ${done.statusCode}: ${done.body}`);
    browser = b;
    return b;
  }

  async function webApp(): Promise<App> {
    app ??= await buildApp({
      logger: w.logger,
      readiness: [],
      web: {
        settings: webSettings(w.config, secrets.appSecret),
        db,
        workflows: env.client.workflow,
        outbox: services.outbox,
        documents: services.documents,
        approvals: services.approvals,
        connections: services.connections,
        paymentLinks: services.paymentLinks,
        now,
      },
    });
    return app;
  }

  /** The emailed approval link of the case's pending draft, opened as a browser would, with its form to post. */
  async function openApproval(kind?: DraftKind, inv?: QbInvoice) {
    const c = await caseOf(inv);
    const v = await until(
      `a pending ${kind ?? 'draft'}`,
      (x) => latestDraft(x)?.state === 'pending' && (!kind || latestDraft(x)?.kind === kind),
      inv,
    );
    const version = latestDraft(v)!.version;
    const link = await poll(`the approval email for draft v${version}`, () => approvalFor(c.workflowId, version));
    usedApprovals.add(link.claims.jti);
    const b = new InjectBrowser(await webApp());
    const path = `/approvals/${encodeURIComponent(link.token)}`;
    const shown = await b.get(path);
    if (shown.statusCode !== 200) throw new Error(`GET ${path} answered ${shown.statusCode}`);
    const csrf = csrfOf(shown.body);
    return {
      path,
      html: shown.body,
      text: textOf(shown.body),
      async post(form: Record<string, string>): Promise<{ status: number; html: string; text: string }> {
        const res = await b.post(path, { ...form, _csrf: csrf });
        return { status: res.statusCode, html: res.body, text: textOf(res.body) };
      },
    };
  }

  const scenario = {
    tag,
    ownerEmail,
    env,
    services,
    qb,
    stripe,
    /** The scenario's database (PGlite): for reading what a page stored. */
    db,
    ledger: ledgerView(w.qb, realmId),
    connectionId: qbConnectionId,
    /** Workflow time in epoch milliseconds. */
    now,

    /** One sync pass over every connection, as a webhook triggers it: each page of the change feed, and its cases. */
    async sync(): Promise<void> {
      for (const connectionId of connectionIds) {
        let pageCursor: string | undefined;
        do {
          const page = await syncActivities.syncAndApplyPage({
            connectionId,
            ...(pageCursor !== undefined && { pageCursor }),
          });
          pageCursor = page.nextPageCursor;
        } while (pageCursor !== undefined);
      }
    },

    /** Moves the test server's clock (timers fire on the way) and the clock of starts and detection with it. */
    async skip(ms: number): Promise<void> {
      await env.sleep(ms);
      offset = (await env.currentTimeMs()) - Date.now();
    },
    skipDays: (days: number) => scenario.skip(days * DAY),

    case: caseOf,
    cases: async () => (await caseRows()).map(toRef),
    view,
    until,
    /** A deadline of the case by name (response, response_limit, payment, final_notice, stripe_submit). */
    async deadline(name: string, inv?: QbInvoice): Promise<string | undefined> {
      return (await view(inv)).deadlines.find((d) => d.name === name)?.at;
    },
    /** Waits until the newest letter of this kind has gone out to the client. */
    letterSent: (kind: DraftKind, inv?: QbInvoice) =>
      until(
        `the ${kind.replace(/_/g, ' ')} to be sent`,
        (v) => v.drafts.some((d) => d.kind === kind && d.state === 'sent'),
        inv,
      ),
    async caseEnds(status: CaseStatus, inv?: QbInvoice): Promise<CaseView> {
      return until(`the case to end ${status}`, (v) => v.status === status, inv);
    },

    /**
     * The case page as the owner sees it, signed in through the emailed magic link; returns its HTML and its
     * visible text.
     */
    async casePage(inv?: QbInvoice): Promise<{ html: string; text: string }> {
      const c = await caseOf(inv);
      const res = await (await ownerBrowser()).get(`/cases/${c.id}`);
      if (res.statusCode !== 200) throw new Error(`GET /cases/${c.id} answered ${res.statusCode}`);
      return { html: res.body, text: textOf(res.body) };
    },

    /** Any page as the signed-in owner sees it (`/cases`, `/invoices`…); returns its HTML and its visible text. */
    async ownerPage(path: string): Promise<{ html: string; text: string }> {
      const res = await (await ownerBrowser()).get(path);
      if (res.statusCode !== 200) throw new Error(`GET ${path} answered ${res.statusCode}`);
      return { html: res.body, text: textOf(res.body) };
    },

    /**
     * The owner posts one of the case page's forms (`action`: `/objection`, `/close`, …) as a browser would, with the
     * page's CSRF token, even one the page no longer offers (an old tab): the status and the page answered.
     */
    async postOnCasePage(
      action: string,
      form: Record<string, string>,
      inv?: QbInvoice,
    ): Promise<{ status: number; html: string; text: string }> {
      const c = await caseOf(inv);
      const b = await ownerBrowser();
      const page = await b.get(`/cases/${c.id}`);
      const res = await b.post(`/cases/${c.id}${action}`, {
        ...form,
        _csrf: csrfOf(page.body, `/cases/${c.id}/close`),
      });
      return { status: res.statusCode, html: res.body, text: textOf(res.body) };
    },

    /**
     * The owner opens the emailed approval link of the pending draft and approves it on the page, as a browser would;
     * returns the approval page and the page the approval answered with.
     */
    async approveOnPage(
      kind?: DraftKind,
      inv?: QbInvoice,
    ): Promise<{ shown: { html: string; text: string }; done: { html: string; text: string } }> {
      const page = await openApproval(kind, inv);
      const done = await page.post({ decision: 'approve' });
      if (done.status !== 200) throw new Error(`approving on ${page.path} answered ${done.status}: ${done.html}`);
      return { shown: { html: page.html, text: page.text }, done: { html: done.html, text: done.text } };
    },

    /**
     * The owner opens the emailed approval link of the pending draft: what the page shows, and its form posted as a
     * browser would (the link stays usable after a refused edit), answering with the status and the visible text.
     */
    approvalPage: (kind?: DraftKind, inv?: QbInvoice) => openApproval(kind, inv),

    /** The Settings page as the owner sees it; returns its HTML and its visible text. */
    async settingsPage(): Promise<{ html: string; text: string }> {
      const res = await (await ownerBrowser()).get('/settings');
      if (res.statusCode !== 200) throw new Error(`GET /settings answered ${res.statusCode}`);
      return { html: res.body, text: textOf(res.body) };
    },

    /**
     * The owner changes Settings on the page (what is not named stays as it is) and saves: the real route, which
     * stores them and has the server signal the open cases in the background. Returns where the save redirected to
     * (its notice).
     */
    async saveSettings(changes: {
      name?: string;
      signature?: string;
      timeZone?: string;
      holidays?: readonly string[];
      responseBusinessDays?: number;
      balanceDueDays?: number;
    }): Promise<string> {
      const [row] = await db.select().from(organisations).where(eq(organisations.id, org!.id));
      const b = await ownerBrowser();
      const form = await b.get('/settings');
      const done = await b.post('/settings', {
        _csrf: csrfOf(form.body, '/settings'),
        name: changes.name ?? row!.name,
        signature: changes.signature ?? row!.signature,
        timeZone: changes.timeZone ?? row!.timeZone,
        holidays: (changes.holidays ?? row!.holidays).join('\n'),
        responseBusinessDays: String(changes.responseBusinessDays ?? row!.responseBusinessDays),
        balanceDueDays: String(changes.balanceDueDays ?? row!.balanceDueDays),
      });
      if (done.statusCode !== 303) throw new Error(`saving Settings answered ${done.statusCode}: ${done.body}`);
      return String(done.headers.location);
    },

    clientEmail,
    clientMails: (pattern?: RegExp | string, customer?: string): Mail[] => mailsTo(clientEmail(customer), pattern),
    ownerMails: (pattern?: RegExp | string): Mail[] => mailsTo(ownerEmail, pattern),
    /** Every mail sent from the case to anyone (its Reply-To is the case's reply address): a Stripe customer's too. */
    async caseMails(pattern?: RegExp | string, inv?: QbInvoice): Promise<Mail[]> {
      const replyTo = `case+${(await caseOf(inv)).id}@${REPLY_DOMAIN}`;
      return w.smtp.messages.map(toMail).filter((m) => m.replyTo === replyTo && (!pattern || matches(m, pattern)));
    },
    /** Waits for a mail to the client (Harbor Cafe unless named) whose subject or text matches. */
    clientReceived: (pattern: RegExp | string, customer?: string) =>
      received('the client', clientEmail(customer), pattern),
    ownerReceived: (pattern: RegExp | string) => received('the owner', ownerEmail, pattern),

    approveLatest: (kind?: DraftKind, inv?: QbInvoice) =>
      decideLatest(kind, (version) => ({ kind: 'approve', version, by: ownerEmail }), inv),
    /** The owner clicks the emailed link of an older draft version (say, one the case withdrew). */
    async approveDraft(version: number, inv?: QbInvoice): Promise<void> {
      const c = await caseOf(inv);
      const link = await poll(`the approval email for draft v${version}`, () => approvalFor(c.workflowId, version));
      await c.handle.executeUpdate(decideDraftUpdate, {
        args: [{ kind: 'approve', version, by: ownerEmail }],
        updateId: link.claims.jti,
      });
    },
    /** The owner's Settings → Tolerances for one currency (major units and a percentage), stored as the page stores it. */
    async setTolerance(currency: string, amount: number, percent: number): Promise<void> {
      const [row] = await db
        .select({ tolerances: organisations.tolerances })
        .from(organisations)
        .where(eq(organisations.id, org!.id));
      const minor = Math.round(amount * 10 ** (currencyExponents.get(currency) ?? 2));
      await db
        .update(organisations)
        .set({ tolerances: { ...row!.tolerances, [currency]: { absoluteMinor: minor, percent } } })
        .where(eq(organisations.id, org!.id));
    },
    /** The owner adds a document to the case, as the case page's upload does: stored, then signalled to the case. */
    async addDocument(name: string, kind: CaseDocumentKind, inv?: QbInvoice): Promise<void> {
      const c = await caseOf(inv);
      const doc = await services.documents.save({
        id: randomUUID(),
        caseId: c.id,
        kind,
        name,
        contentType: 'application/pdf',
        content: Buffer.from(`%PDF-1.4\n% ${name}\n`),
      });
      await c.handle.signal(documentAddedSignal, { id: doc.id, kind, name: doc.name });
    },
    /**
     * The owner marks the invoice on Invoices (README, "Arrangements"): a payment plan of [days from now, amount]
     * instalments (they must add up to what is still owed), or a deposit. The invoice must have been synced.
     */
    async agreeArrangement(inv: QbInvoice, plan: readonly (readonly [number, number])[] | 'deposit'): Promise<void> {
      const found = await findInvoice(db, org!.id, qbConnectionId, inv.id);
      if (!found) throw new Error(`Invoice ${inv.number} is not synced yet: call s.sync() first`);
      const recorded = await recordArrangement(db, found, arrangementForm(plan), arranger());
      if (!recorded.ok) throw new Error(recorded.errors.join(' '));
    },
    /** The same from the case page: records the arrangement and closes the case as resolved, saying what was agreed. */
    async arrangeOnCasePage(plan: readonly (readonly [number, number])[] | 'deposit', inv?: QbInvoice): Promise<void> {
      const record = await findCase(db, org!.id, (await caseOf(inv)).id);
      const result = await arrangeCase(
        { db, workflows: env.client.workflow, settings: webSettings(w.config, secrets.appSecret) },
        record!,
        arrangementForm(plan),
        arranger(),
      );
      if (!result.ok) throw new Error(result.message);
    },
    /**
     * An agency (a second organisation, its own owner) connects the same QuickBooks company; its connection is synced
     * with the scenario's own from then on. Returns what the agency sees.
     */
    async agencyConnectsSameCompany(name = `Ledgerly Bookkeeping ${tag}`) {
      const [agency] = await db
        .insert(organisations)
        .values({ name, timeZone: 'America/New_York', signature: 'Lee Park' })
        .returning();
      const agencyOwner = `owner.${tag}@ledgerly.example`;
      await db.insert(users).values({ organisationId: agency!.id, email: agencyOwner, role: 'owner' });
      const t = w.qb.admin.grantTokens(w.qbApp.clientId, realmId);
      const { connection } = await services.vault.connect({
        organisationId: agency!.id,
        provider: 'quickbooks',
        accountId: realmId,
        name: `quickbooks ${name}`,
        sandbox: true,
        tokens: {
          accessToken: t.access_token,
          refreshToken: t.refresh_token,
          expiresAt: new Date(Date.now() + t.expires_in * 1000).toISOString(),
        },
      });
      connectionIds.push(connection.id);
      return {
        organisationId: agency!.id,
        ownerEmail: agencyOwner,
        connectionId: connection.id,
        /** The cases the agency's case list shows. */
        visibleCases: () =>
          db
            .select({ id: cases.id, organisationId: cases.organisationId })
            .from(cases)
            .where(caseVisibleTo(db, agency!.id)),
        mails: (pattern?: RegExp | string): Mail[] => mailsTo(agencyOwner, pattern),
      };
    },
    /** The owner asks for the small-claims evidence pack from the case page. */
    buildEvidencePack: (inv?: QbInvoice) =>
      update(inv, (h) => h.executeUpdate(buildEvidencePackUpdate, { args: [{ by: ownerEmail }] })),
    rejectLatest: (note?: string, kind?: DraftKind, inv?: QbInvoice) =>
      decideLatest(kind, (version) => ({ kind: 'reject', version, by: ownerEmail, ...(note ? { note } : {}) }), inv),
    editLatest: (edit: { subject: string; text: string }, kind?: DraftKind, inv?: QbInvoice) =>
      decideLatest(kind, (version) => ({ kind: 'edit_and_approve', version, by: ownerEmail, ...edit }), inv),

    /**
     * The client follows the private link at the foot of a letter and accepts the balance on the response page, as
     * a browser would (cookies, the form's CSRF token). Returns the page they then see, and its text.
     */
    async clientAcceptsBalance(letter: Mail): Promise<{ html: string; text: string }> {
      const path = new RegExp(`${PUBLIC_URL}(/respond/\\S+)`).exec(letter.text)?.[1];
      if (!path) throw new Error(`No response link in the letter "${letter.subject}"`);
      const client = new InjectBrowser(await webApp());
      const page = await client.get(path);
      if (page.statusCode !== 200) throw new Error(`GET ${path} answered ${page.statusCode}: ${page.body}`);
      const done = await client.post(path, { _csrf: csrfOf(page.body, path), answer: 'accept' });
      if (done.statusCode !== 200) throw new Error(`POST ${path} answered ${done.statusCode}: ${done.body}`);
      return { html: done.body, text: textOf(done.body) };
    },

    /** The client answers a letter by email: the raw message goes through POST /inbound/email, as the mail host posts it. */
    async clientReplies(
      text: string,
      o: { subject?: string; customer?: string; messageId?: string; inv?: QbInvoice; from?: string } = {},
    ) {
      const c = await caseOf(o.inv);
      const messageId = o.messageId ?? `<${randomUUID()}@clients.example>`;
      const raw = [
        `From: ${o.from ?? `${o.customer ?? 'Harbor Cafe'} <${clientEmail(o.customer)}>`}`,
        `To: case+${c.id}@${REPLY_DOMAIN}`,
        `Subject: ${o.subject ?? 'Re: your invoice'}`,
        `Message-ID: ${messageId}`,
        `Date: ${new Date(now()).toUTCString()}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        text,
        '',
      ].join('\r\n');
      const res = await (
        await webApp()
      ).inject({
        method: 'POST',
        url: '/inbound/email',
        payload: raw,
        headers: {
          'content-type': 'message/rfc822',
          'x-shortfall-inbound-secret': inboundEmailSecret(secrets.appSecret),
        },
      });
      if (res.statusCode >= 300) throw new Error(`POST /inbound/email answered ${res.statusCode}: ${res.body}`);
      return {
        status: res.statusCode,
        body: res.json<{ caseId: string; duplicate: boolean; sender?: 'unknown'; kept?: boolean }>(),
        messageId,
      };
    },

    objection: {
      /** The owner registers the client's reply as a vague objection ("not happy"). */
      vague: (summary: string, inv?: QbInvoice) =>
        update(inv, (h) =>
          h.executeUpdate(registerObjectionUpdate, { args: [{ kind: 'vague', by: ownerEmail, summary }] }),
        ),
      /** The owner registers a specific objection naming invoice lines by description. */
      specific: async (summary: string, lines: readonly string[], inv?: QbInvoice) => {
        const v = await view(inv);
        return update(inv, (h) =>
          h.executeUpdate(registerObjectionUpdate, {
            args: [{ kind: 'specific', by: ownerEmail, summary, lineIds: lines.map((l) => lineId(v, l)) }],
          }),
        );
      },
    },
    /** The owner concedes amounts (major units) per line description, e.g. { Travel: 400 }. */
    async concede(amounts: Readonly<Record<string, number>>, inv?: QbInvoice) {
      const v = await view(inv);
      const lines = Object.entries(amounts).map(([d, amount]) => ({
        lineId: lineId(v, d),
        amount: { minor: Math.round(amount * 100), currency: v.disputed.currency },
      }));
      return update(inv, (h) =>
        h.executeUpdate(decideObjectionUpdate, { args: [{ kind: 'concede', by: ownerEmail, lines }] }),
      );
    },
    uphold: (inv?: QbInvoice) =>
      update(inv, (h) => h.executeUpdate(decideObjectionUpdate, { args: [{ kind: 'uphold', by: ownerEmail }] })),
    extend: (deadline: ExtendInput['deadline'], days: number, inv?: QbInvoice) =>
      update(inv, (h) => h.executeUpdate(extendDeadlineUpdate, { args: [{ deadline, days, by: ownerEmail }] })),
    closeCase: (kind: CloseInput['kind'], note?: string, inv?: QbInvoice) =>
      update(inv, (h) =>
        h.executeUpdate(closeCaseUpdate, { args: [{ kind, by: ownerEmail, ...(note ? { note } : {}) }] }),
      ),

    /** The ledger stops answering (say, the refresh token was revoked): what the sync does when it finds out. */
    async breakConnection(
      reason = 'refresh token revoked',
      provider: 'quickbooks' | 'stripe' = 'quickbooks',
    ): Promise<void> {
      const id = byProvider[provider];
      if (!id) throw new Error(`No ${provider} connection to break`);
      await services.vault.markNeedsReconnect(id, reason);
    },
    /** The owner reconnected: what the sync does once the connection works again. */
    async restoreConnection(provider: 'quickbooks' | 'stripe' = 'quickbooks'): Promise<void> {
      const id = byProvider[provider];
      if (!id) throw new Error(`No ${provider} connection to restore`);
      await services.vault.markRestored(id);
      await services.starter.signalConnectionRestored(id);
    },
    connectionStatus: async () =>
      (await db.select({ status: connections.status }).from(connections).where(eq(connections.id, qbConnectionId)))[0]
        ?.status,

    /** What a failing scenario prints: each case's state and timeline, and every mail the people received. */
    async report(): Promise<string> {
      const parts: string[] = [];
      for (const c of (await caseRows()).map(toRef)) {
        try {
          const v = await c.handle.query(caseViewQuery);
          parts.push(
            `Case ${c.id} (${c.workflowId}): ${v.status}; paid ${v.paid.minor / 100}, disputed ${v.disputed.minor / 100}, conceded ${v.conceded.minor / 100}`,
          );
          parts.push(`  deadlines: ${v.deadlines.map((d) => `${d.name} ${d.at}`).join('; ') || 'none'}`);
          parts.push(`  drafts: ${v.drafts.map((d) => `v${d.version} ${d.kind} ${d.state}`).join('; ') || 'none'}`);
          parts.push(...v.timeline.map((t) => `  ${t.at} ${t.kind}: ${t.summary}`));
        } catch (err) {
          parts.push(`Case ${c.id}: no view (${(err as Error).message})`);
        }
      }
      // The owner, the QuickBooks customers, and whoever else got a letter of these cases (a Stripe customer).
      const replyTos = new Set((await caseRows()).map((r) => `case+${r.id}@${REPLY_DOMAIN}`));
      const lettered = w.smtp.messages
        .map(toMail)
        .filter((m) => m.replyTo && replyTos.has(m.replyTo))
        .map((m) => m.to);
      const people = [...new Set([ownerEmail, ...qb.customers().map((c) => c.email), ...lettered])];
      for (const address of people) {
        const mails = mailsTo(address);
        parts.push(`Mail to ${address} (${mails.length}):`, ...mails.map(describeMail));
      }
      return parts.join('\n');
    },
    close: async () => {
      await app?.close();
      services.transport.close();
    },
  };
  return scenario;
}

export type Scenario = Awaited<ReturnType<typeof createScenario>>;
