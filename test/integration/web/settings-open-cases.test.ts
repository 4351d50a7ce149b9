// Saving Settings reaches the cases already open (real Temporal dev server, real database): the save answers at once
// and the server signals each running case of the organisation the new profile in the background; each case drafts
// its next letter with it, a closed case is left alone, and each case row records the revision its workflow has, so
// the sweep signals only the cases that miss it. The web app reaches Temporal through a TCP gate, so a test can cut
// it (Temporal down, for the app only) and open it again. Signals are counted in the workflows' own histories.
import { Connection, WorkflowClient } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSettingsDelivery,
  passOnNewerSettings,
  signalSettingsToOpenCases,
  type SettingsDelivery,
} from '../../../src/services/cases/settings-signal.js';
import type { DatabaseHandle } from '../../../src/services/db/index.js';
import { cases as caseRows, organisations, users } from '../../../src/services/db/schema.js';
import { closeCaseUpdate, type OrganisationSettingsChange } from '../../../workflows/dispute-case/definitions.js';
import { markStarted } from '../../../src/services/cases/claim.js';
import { shortPaymentInput } from '../../helpers/case-fixtures.js';
import { openPglite } from '../../helpers/databases.js';
import { eventually } from '../../helpers/eventually.js';
import { startTcpGate, type TcpGate } from '../../helpers/tcp-gate.js';
import { createDevEnv, uniqueId } from '../../helpers/temporal-env.js';
import { csrfOf, type InjectBrowser } from './browser.js';
import { createWebHarness, signIn, type WebHarness } from './harness.js';
import { startCaseWorker, type LiveCase } from './live-case.js';

let env: TestWorkflowEnvironment;
let gate: TcpGate;
let connection: Connection;
let db: DatabaseHandle;
let delivery: SettingsDelivery;
let w: WebHarness;
let cases: Awaited<ReturnType<typeof startCaseWorker>>;
let owner: InjectBrowser;

beforeAll(async () => {
  env = await createDevEnv();
  gate = await startTcpGate(env.address);
  connection = await Connection.connect({ address: gate.address });
  const workflows = new WorkflowClient({ connection });
  db = await openPglite();
  // The server's delivery and sweep (src/app/main.ts wires the same), over the gated client.
  delivery = createSettingsDelivery(db.db, workflows, { callTimeoutMs: 2_000 });
  w = await createWebHarness({ db, workflows, settingsDelivery: delivery });
  cases = await startCaseWorker(env, w, { email: 'ana@brightside.example' });
  owner = w.browser();
  await signIn(w, owner, 'ana@brightside.example');
});
afterAll(async () => {
  gate?.open();
  await cases?.stop();
  await delivery?.close();
  await w?.close();
  await connection?.close();
  await gate?.close();
  await db?.close();
  await env?.teardown();
});

const settings = {
  name: 'Brightside Design',
  timeZone: 'America/New_York',
  holidays: '',
  responseBusinessDays: '3',
  balanceDueDays: '14',
};

async function save(signature: string) {
  const form = await owner.get('/settings');
  const res = await owner.post('/settings', { _csrf: csrfOf(form.body, '/settings'), ...settings, signature });
  expect(res.statusCode).toBe(303);
  expect(res.headers.location).toBe('/settings?notice=settings_saved');
  return res;
}

/** What the Settings page says of the open cases. */
async function openCasesLine(): Promise<string | undefined> {
  const res = await owner.get('/settings');
  return /<p id="open-cases" role="status">([^<]*)<\/p>/.exec(res.body)?.[1]?.replace(/&hellip;/g, '…');
}

/** The Settings signals in the case's history, as recorded by Temporal (read past the app's gate). */
async function settingsSignals(c: LiveCase): Promise<OrganisationSettingsChange[]> {
  const history = await c.handle.fetchHistory();
  return (history.events ?? [])
    .map((e) => e.workflowExecutionSignaledEventAttributes)
    .filter((a) => a?.signalName === 'organisationSettings')
    .map((a) => defaultPayloadConverter.fromPayload<OrganisationSettingsChange>(a!.input!.payloads![0]!));
}

const organisationRevision = async () =>
  (await db.db.select().from(organisations).where(eq(organisations.id, cases.org.id)))[0]!.settingsRevision;

/** organisations.settings_delivered_revision: what the previous release's sweep reads. */
const deliveredRevision = async () =>
  (await db.db.select().from(organisations).where(eq(organisations.id, cases.org.id)))[0]!.settingsDeliveredRevision;

const redraftSignedBy = (c: LiveCase, words: string) =>
  c.until(
    (v) => v.drafts.at(-1)?.state === 'pending' && v.drafts.at(-1)!.content.text.includes(words),
    `a redraft signed "${words}"`,
  );

async function awaitingApproval(n: number): Promise<LiveCase[]> {
  const opened: LiveCase[] = [];
  for (let i = 0; i < n; i++) opened.push(await cases.openCase());
  for (const c of opened) await c.until((v) => v.status === 'awaiting_approval', 'first draft');
  return opened;
}

/** Withdraws the case and waits for its row to say so (a closed case is no longer sent Settings). */
async function close(c: LiveCase) {
  await c.handle.executeUpdate(closeCaseUpdate, { args: [{ kind: 'withdraw', by: 'ana@brightside.example' }] });
  await eventually(
    () => cases.caseRow(c.id),
    (r) => r.status === 'withdrawn',
    'the case row to close',
  );
}

describe('settings saved while cases are open', () => {
  it('answers at once; every open case is signalled in the background, a closed one is left alone, a repeat changes nothing', async () => {
    const [first, second, closed] = await awaitingApproval(3);
    await close(closed!);
    // A case row whose workflow never started (the process died between the two): Temporal does not find it, so
    // nothing is recorded for it; it stays owed (the starter signals a case it starts, the sweep one it missed).
    const [neverStarted] = await db.db
      .insert(caseRows)
      .values({
        organisationId: cases.org.id,
        caseKey: `invoice/quickbooks/realm-1/never-started`,
        workflowId: uniqueId('case'),
        kind: 'short_payment',
        status: 'starting',
        currency: 'USD',
      })
      .returning();

    await save('Ana Ruiz\nFounder, Brightside Studio');
    // Each open case drafts its waiting letter again, signed as the owner signs now.
    for (const c of [first!, second!]) {
      const v = await redraftSignedBy(c, 'Founder, Brightside Studio');
      expect(v.drafts.filter((d) => d.state === 'withdrawn')).toHaveLength(1);
      expect(v.timeline.filter((t) => t.kind === 'settings')).toHaveLength(1);
    }
    await eventually(
      openCasesLine,
      (t) =>
        t ===
        '1 open case will be sent these settings within 5 minutes, when Shortfall next passes them on. It keeps the earlier settings until then, and nothing is lost.',
      'the page to say the case that has not started is not reached yet',
    );
    const revision = await organisationRevision();
    for (const c of [first!, second!]) expect((await cases.caseRow(c.id)).settingsRevision).toBe(revision);
    expect((await cases.caseRow(neverStarted!.id)).settingsRevision).toBeLessThan(revision);
    const untouched = await closed!.view();
    expect(untouched.timeline.some((t) => t.kind === 'settings')).toBe(false);
    expect(untouched.drafts).toHaveLength(1);
    expect(await settingsSignals(closed!)).toEqual([]);
    expect((await cases.caseRow(closed!.id)).settingsRevision).toBeLessThan(revision);

    // Saving the same values again (say, to check) is no new revision, and finds no case owed anything.
    await save('Ana Ruiz\nFounder, Brightside Studio');
    expect(await organisationRevision()).toBe(revision);
    expect(await delivery.deliver(cases.org.id)).toMatchObject({ revision, signalled: 0, finished: 1, failed: 0 });
    for (const c of [first!, second!]) expect(await settingsSignals(c)).toHaveLength(1);

    for (const c of [first!, second!]) await close(c);
    await db.db.delete(caseRows).where(eq(caseRows.id, neverStarted!.id));
  });

  it('a save while Temporal is down answers before any case is signalled, and the cases get it when Temporal is back', async () => {
    const open = await awaitingApproval(2);
    gate.cut();
    await save('Ana Ruiz\nDirector, Brightside Studio');
    // The owner has the page back, and no case has been signalled: the save did not wait for Temporal.
    const revision = await organisationRevision();
    for (const c of open) {
      expect(await settingsSignals(c)).toEqual([]);
      expect((await cases.caseRow(c.id)).settingsRevision).toBeLessThan(revision);
    }
    expect(await deliveredRevision()).toBeLessThan(revision);
    // The delivery gives up quickly (no endless retrying) and the page says what is owed.
    await eventually(
      openCasesLine,
      (t) => t?.startsWith('2 open cases get these settings when Temporal is reachable again') ?? false,
      'the page to say the cases wait for Temporal',
    );
    // A sweep while Temporal is still down stops at the first organisation and signals no one.
    expect(await delivery.sweep()).toMatchObject({ organisations: 1, signalled: 0, failed: 2, unreachable: true });
    for (const c of open) expect(await settingsSignals(c)).toEqual([]);

    // Temporal is back: the next sweep (the server runs one every 5 minutes) passes the settings on.
    gate.open();
    const sent = await eventually(
      () => delivery.sweep(),
      (r) => !r.unreachable && r.failed === 0,
      'a sweep Temporal answers',
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(sent).toMatchObject({ organisations: 1, signalled: 2 });
    for (const c of open) {
      await redraftSignedBy(c, 'Director, Brightside Studio');
      expect((await settingsSignals(c)).map((s) => s.revision)).toEqual([revision]);
      expect((await cases.caseRow(c.id)).settingsRevision).toBe(revision);
    }
    expect(await openCasesLine()).toBe('All 2 open cases have these settings.');
    // A process of the previous release, during a rolling upgrade, reads this and does not signal them all again.
    expect(await deliveredRevision()).toBe(revision);
    for (const c of open) await close(c);
  });

  it('after a server stopped mid-way, the sweep signals only the cases that missed the save, and only once', async () => {
    const open = await awaitingApproval(3);
    // The save's own write, committed; the server reaches one case and stops before the next batch.
    await db.db
      .update(organisations)
      .set({
        signature: 'Ana Ruiz\nOwner, Brightside Studio',
        settingsRevision: sql`${organisations.settingsRevision} + 1`,
      })
      .where(eq(organisations.id, cases.org.id));
    let batches = 0;
    const stopped = await signalSettingsToOpenCases(
      db.db,
      connectionWorkflows(),
      cases.org.id,
      { pageSize: 1, batchSize: 1 },
      () => batches++ > 0,
    );
    expect(stopped).toMatchObject({ signalled: 1, superseded: true });
    const revision = await organisationRevision();
    const reached = [];
    for (const c of open) if ((await settingsSignals(c)).length > 0) reached.push(c.id);
    expect(reached).toHaveLength(1);
    expect(await openCasesLine()).toBe('Reaching your 3 open cases… 1 has these settings so far.');

    // What the server does at start and every 5 minutes: only the two cases still owed it are signalled.
    expect(await delivery.sweep()).toMatchObject({ organisations: 1, signalled: 2, failed: 0, unreachable: false });
    for (const c of open) {
      await redraftSignedBy(c, 'Owner, Brightside Studio');
      expect((await settingsSignals(c)).map((s) => s.revision)).toEqual([revision]);
    }
    // Nothing owed any more: the next sweep signals no one.
    expect(await delivery.sweep()).toEqual({
      organisations: 0,
      signalled: 0,
      finished: 0,
      failed: 0,
      unreachable: false,
    });
    for (const c of open) expect(await settingsSignals(c)).toHaveLength(1);
    for (const c of open) await close(c);
  });

  it('two saves in a row: every open case ends with the newer one, and a closed case is untouched', async () => {
    const [a, b, closed] = await awaitingApproval(3);
    await close(closed!);
    const closedRevision = (await cases.caseRow(closed!.id)).settingsRevision;
    await save('Ana Ruiz\nPartner, Brightside Studio');
    await save('Ana Ruiz\nManaging partner, Brightside Studio');
    const revision = await organisationRevision();
    await eventually(openCasesLine, (t) => t === 'All 2 open cases have these settings.', 'the page to say so');
    for (const c of [a!, b!]) {
      expect((await cases.caseRow(c.id)).settingsRevision).toBe(revision);
      await redraftSignedBy(c, 'Managing partner, Brightside Studio');
      // The older save may or may not have reached a case before the newer one superseded it; the newer one did.
      const received = (await settingsSignals(c)).map((s) => s.revision);
      expect(received.at(-1)).toBe(revision);
      expect(received.length).toBeLessThanOrEqual(2);
    }
    expect(await settingsSignals(closed!)).toEqual([]);
    expect((await cases.caseRow(closed!.id)).settingsRevision).toBe(closedRevision);
    expect((await closed!.view()).drafts).toHaveLength(1);
    for (const c of [a!, b!]) await close(c);
  });

  it('a case starting while a save is delivered ends with the newest settings, and its row says so only once it has them', async () => {
    const before = await organisationRevision();
    let saved = 0;
    // The starter claimed the row and built the workflow's input with the settings as they are now (before).
    const c = await cases.openCase(
      { organisation: { ...shortPaymentInput().organisation, settingsRevision: before } },
      undefined,
      async (caseId) => {
        // Meanwhile the owner saves: the delivery finds no workflow for the case and records nothing for it.
        await save('Ana Ruiz\nTreasurer, Brightside Studio');
        saved = await organisationRevision();
        expect(await delivery.deliver(cases.org.id)).toMatchObject({ revision: saved, signalled: 0, finished: 1 });
        expect((await cases.caseRow(caseId)).settingsRevision).toBeLessThan(saved);
      },
    );
    expect(saved).toBe(before + 1);
    // The starter records what the input carried: the row does not claim the newer settings.
    await markStarted(db.db, c.id, [], new Date(), before);
    expect((await cases.caseRow(c.id)).settingsRevision).toBe(before);
    expect(await openCasesLine()).not.toMatch(/have these settings/);
    expect(await settingsSignals(c)).toEqual([]);
    // Then it passes on the newer save (starter.ts does this after every start) and records it once accepted.
    await passOnNewerSettings(db.db, connectionWorkflows(), c, cases.org.id, before);
    expect((await cases.caseRow(c.id)).settingsRevision).toBe(saved);
    await redraftSignedBy(c, 'Treasurer, Brightside Studio');
    expect((await settingsSignals(c)).map((s) => s.revision)).toEqual([saved]);
    expect(await openCasesLine()).toBe('Your open case has these settings.');
    // Passing it on again changes nothing: the case has it.
    await passOnNewerSettings(db.db, connectionWorkflows(), c, cases.org.id, saved);
    expect(await settingsSignals(c)).toHaveLength(1);
    await close(c);
  });

  it('a newer save takes over a delivery in flight: the held batch finishes, and every case ends with the newer one', async () => {
    const [a, b] = await awaitingApproval(2);
    const held = holdFirstBatch();
    const racing = createSettingsDelivery(db.db, held.workflows, { batchSize: 1, callTimeoutMs: 2_000 });
    const older = await saveDirectly('Ana Ruiz\nBookkeeper, Brightside Studio');
    const delivered = racing.deliver(cases.org.id);
    await held.reached;
    // While the batch is held the delivery is running, and the page says so.
    expect(await openCasesLine()).toBe('Reaching your 2 open cases…');
    const newer = await saveDirectly('Ana Ruiz\nHead bookkeeper, Brightside Studio');
    expect(racing.deliver(cases.org.id)).toBe(delivered); // joins the delivery in flight
    held.release();
    expect(await delivered).toMatchObject({ revision: newer, signalled: 2, failed: 0, superseded: false });
    for (const c of [a!, b!]) {
      expect((await cases.caseRow(c.id)).settingsRevision).toBe(newer);
      await redraftSignedBy(c, 'Head bookkeeper, Brightside Studio');
    }
    // The held batch reached the first case with the older save; the newer one then reached both.
    const received = await Promise.all([a!, b!].map(async (c) => (await settingsSignals(c)).map((s) => s.revision)));
    expect(received.map((r) => r.at(-1))).toEqual([newer, newer]);
    expect(received.flat().filter((r) => r === older)).toHaveLength(1);
    expect(await openCasesLine()).toBe('All 2 open cases have these settings.');
    await racing.close();
    for (const c of [a!, b!]) await close(c);
  });

  it('a server closing mid-delivery leaves the cases it did not reach owed, and the page does not say they are being reached', async () => {
    const open = await awaitingApproval(2);
    const held = holdFirstBatch();
    const stopping = createSettingsDelivery(db.db, held.workflows, { batchSize: 1, callTimeoutMs: 2_000 });
    const revision = await saveDirectly('Ana Ruiz\nAccounts, Brightside Studio');
    const delivered = stopping.deliver(cases.org.id);
    await held.reached;
    const closed = stopping.close();
    held.release();
    await closed;
    expect(await delivered).toMatchObject({ revision, signalled: 1, superseded: true });
    const owed = [];
    for (const c of open) if ((await cases.caseRow(c.id)).settingsRevision < revision) owed.push(c);
    expect(owed).toHaveLength(1);
    expect(await settingsSignals(owed[0]!)).toEqual([]);
    expect(await openCasesLine()).toBe(
      '1 open case will be sent these settings within 5 minutes, when Shortfall next passes them on. It keeps the earlier settings until then, and nothing is lost.',
    );
    // The next sweep (at start and every 5 minutes) reaches it.
    expect(await delivery.sweep()).toMatchObject({ organisations: 1, signalled: 1, failed: 0 });
    await redraftSignedBy(owed[0]!, 'Accounts, Brightside Studio');
    expect(await openCasesLine()).toBe('All 2 open cases have these settings.');
    for (const c of open) await close(c);
  });

  it('a sweep goes on past an organisation whose cases Temporal refuses, to the next one', async () => {
    const [c] = await awaitingApproval(1);
    // Another organisation, first in the sweep's order, owed Settings by a case whose signal Temporal refuses (its
    // signature is past Temporal's 2 MB limit on a signal): Temporal answers, so the sweep does not stop there.
    const [refusing] = await db.db
      .insert(organisations)
      .values({
        id: '00000000-0000-4000-8000-000000000001',
        name: 'Refused Ltd',
        signature: 'R'.repeat(2_500_000),
        settingsRevision: 1,
      })
      .returning();
    await db.db.insert(users).values({ organisationId: refusing!.id, email: 'owner@refused.example', role: 'owner' });
    const [refused] = await db.db
      .insert(caseRows)
      .values({
        organisationId: refusing!.id,
        caseKey: 'invoice/quickbooks/realm-9/refused',
        workflowId: c!.workflowId,
        kind: 'short_payment',
        status: 'open',
        currency: 'USD',
      })
      .returning();
    const revision = await saveDirectly('Ana Ruiz\nClerk, Brightside Studio');
    expect(await delivery.sweep()).toMatchObject({ organisations: 2, signalled: 1, failed: 1, unreachable: true });
    await redraftSignedBy(c!, 'Clerk, Brightside Studio');
    expect((await cases.caseRow(c!.id)).settingsRevision).toBe(revision);
    expect((await cases.caseRow(refused!.id)).settingsRevision).toBe(0);
    await db.db.delete(caseRows).where(eq(caseRows.id, refused!.id));
    await close(c!);
  });
});

/** A save's own write (the Settings page's), committed; returns the new revision. */
async function saveDirectly(signature: string): Promise<number> {
  await db.db
    .update(organisations)
    .set({ signature, settingsRevision: sql`${organisations.settingsRevision} + 1`, settingsDeliveringAt: new Date() })
    .where(eq(organisations.id, cases.org.id));
  return organisationRevision();
}

/**
 * The app's Temporal client, with the first batch of signals held until the test releases it: the signals then go to
 * the real Temporal server as they would, within their own deadline.
 */
function holdFirstBatch() {
  const client = connectionWorkflows();
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const reached = new Promise<void>((r) => (entered = r));
  let batches = 0;
  const workflows: Pick<WorkflowClient, 'getHandle' | 'withDeadline'> = {
    getHandle: (id) => client.getHandle(id),
    withDeadline: async (deadline, fn) => {
      if (batches++ === 0) {
        entered();
        await released;
        return client.withDeadline(Date.now() + 2_000, fn);
      }
      return client.withDeadline(deadline, fn);
    },
  };
  return { workflows, reached, release };
}

/** The app's Temporal client, past the gate. */
const connectionWorkflows = () => new WorkflowClient({ connection });
