// Saving Settings reaches the cases already open (real Temporal dev server): each running case of the organisation
// is signalled the new profile and drafts its next letter with it, a closed case is left alone, and a case whose
// workflow is gone (a start that never happened) is counted, not fatal. Signalling again with the same revision is
// harmless, and the cases are read a page at a time.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redeliverSettings, signalSettingsToOpenCases } from '../../../src/services/cases/settings-signal.js';
import { cases as caseRows, organisations } from '../../../src/services/db/schema.js';
import { closeCaseUpdate } from '../../../workflows/dispute-case/definitions.js';
import { createDevEnv, uniqueId } from '../../helpers/temporal-env.js';
import { csrfOf, type InjectBrowser } from './browser.js';
import { createWebHarness, signIn, unconnectedWorkflows, type WebHarness } from './harness.js';
import { startCaseWorker } from './live-case.js';

let env: TestWorkflowEnvironment;
let w: WebHarness;
let cases: Awaited<ReturnType<typeof startCaseWorker>>;
let owner: InjectBrowser;

beforeAll(async () => {
  env = await createDevEnv();
  w = await createWebHarness({ workflows: env.client.workflow });
  cases = await startCaseWorker(env, w, { email: 'ana@brightside.example' });
  owner = w.browser();
  await signIn(w, owner, 'ana@brightside.example');
});
afterAll(async () => {
  await cases?.stop();
  await w?.close();
  await env?.teardown();
});

describe('settings saved while cases are open', () => {
  it('signals every open case, leaves a closed one alone, and a repeat changes nothing', async () => {
    const [first, second, closed] = [await cases.openCase(), await cases.openCase(), await cases.openCase()];
    for (const c of [first, second, closed]) await c.until((v) => v.status === 'awaiting_approval', 'first draft');
    await closed.handle.executeUpdate(closeCaseUpdate, { args: [{ kind: 'withdraw', by: 'ana@brightside.example' }] });
    await closed.until((v) => v.status === 'withdrawn', 'the case to close');
    // A case row whose workflow never started (the process died between the two): nothing to signal.
    await w.h.db.insert(caseRows).values({
      organisationId: cases.org.id,
      caseKey: `invoice/quickbooks/realm-1/never-started`,
      workflowId: uniqueId('case'),
      kind: 'short_payment',
      status: 'starting',
      currency: 'USD',
    });

    const form = await owner.get('/settings');
    const saved = await owner.post('/settings', {
      _csrf: csrfOf(form.body, '/settings'),
      name: 'Brightside Studio',
      signature: 'Ana Ruiz\nFounder, Brightside Studio',
      timeZone: 'Europe/Lisbon',
      holidays: '',
      responseBusinessDays: '3',
      balanceDueDays: '14',
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/settings?notice=settings_saved');

    // Each open case drafts its waiting letter again, signed as the owner signs now.
    for (const c of [first, second]) {
      const v = await c.until((x) => x.drafts.length === 2 && x.drafts[1]!.state === 'pending', 'the redraft');
      expect(v.drafts[0]!.state).toBe('withdrawn');
      expect(v.drafts[1]!.content.text).toContain('Founder, Brightside Studio');
      expect(v.timeline.filter((t) => t.kind === 'settings')).toHaveLength(1);
    }
    const untouched = await closed.view();
    expect(untouched.timeline.some((t) => t.kind === 'settings')).toBe(false);
    expect(untouched.drafts).toHaveLength(1);

    // The same revision again, a page of one case and one signal at a time: every open case is reached, the
    // never-started one is counted as finished, and no case changes a second time.
    // Saving the same values again (say, after the "could not be reached" notice) is no new revision.
    const unchanged = await owner.post('/settings', {
      _csrf: csrfOf((await owner.get('/settings')).body, '/settings'),
      name: 'Brightside Studio',
      signature: 'Ana Ruiz\nFounder, Brightside Studio',
      timeZone: 'Europe/Lisbon',
      holidays: '',
      responseBusinessDays: '3',
      balanceDueDays: '14',
    });
    expect(unchanged.headers.location).toBe('/settings?notice=settings_saved');
    const [org] = await w.h.db.select().from(organisations).where(eq(organisations.id, cases.org.id));
    expect(org!.settingsRevision).toBe(1);
    expect(org!.settingsDeliveredRevision).toBe(1); // every open case has it: nothing owed
    const again = await signalSettingsToOpenCases(w.h.db, env.client.workflow, cases.org.id, {
      pageSize: 1,
      batchSize: 1,
    });
    expect(again).toEqual({ signalled: 2, finished: 1, failed: 0 });
    for (const c of [first, second]) {
      // An Update after the signal runs after it: the view then shows what the signal did (nothing).
      await c.handle.executeUpdate(closeCaseUpdate, { args: [{ kind: 'withdraw', by: 'ana@brightside.example' }] });
      const v = await c.until((x) => x.status === 'withdrawn', 'the case to close');
      expect(v.timeline.filter((t) => t.kind === 'settings')).toHaveLength(1);
      expect(v.drafts).toHaveLength(2);
    }
  });

  it('sends saved settings again when the server stopped between saving and signalling, and only once', async () => {
    const open = await cases.openCase();
    await open.until((v) => v.status === 'awaiting_approval', 'first draft');
    // The save's own write, committed; the process stops before any case is signalled.
    await w.h.db
      .update(organisations)
      .set({
        signature: 'Ana Ruiz\nOwner, Brightside Studio',
        settingsRevision: sql`${organisations.settingsRevision} + 1`,
      })
      .where(eq(organisations.id, cases.org.id));
    expect((await open.view()).drafts).toHaveLength(1);

    // What the server does at start and every 5 minutes.
    const sent = await redeliverSettings(w.h.db, env.client.workflow);
    expect(sent).toMatchObject({ organisations: 1, signalled: 1, failed: 0 });
    const v = await open.until((x) => x.drafts.length === 2 && x.drafts[1]!.state === 'pending', 'the redraft');
    expect(v.drafts[1]!.content.text).toContain('Owner, Brightside Studio');
    const [org] = await w.h.db.select().from(organisations).where(eq(organisations.id, cases.org.id));
    expect(org!.settingsDeliveredRevision).toBe(org!.settingsRevision);
    // Nothing owed any more: the next sweep signals no one.
    expect(await redeliverSettings(w.h.db, env.client.workflow)).toEqual({
      organisations: 0,
      signalled: 0,
      finished: 0,
      failed: 0,
    });
  });

  it('stops at the first batch Temporal does not answer, and owes the revision to the next sweep', async () => {
    for (let i = 0; i < 3; i++)
      await w.h.db.insert(caseRows).values({
        organisationId: cases.org.id,
        caseKey: `invoice/quickbooks/realm-1/unreachable-${i}`,
        workflowId: uniqueId('case'),
        kind: 'short_payment',
        status: 'awaiting_approval',
        currency: 'USD',
      });
    await w.h.db
      .update(organisations)
      .set({ settingsRevision: sql`${organisations.settingsRevision} + 1` })
      .where(eq(organisations.id, cases.org.id));
    const down = unconnectedWorkflows();
    const r = await signalSettingsToOpenCases(w.h.db, down, cases.org.id, { batchSize: 1 });
    // Only the first batch was tried: the save answers the owner instead of waiting on every case in turn.
    expect(r).toEqual({ signalled: 0, finished: 0, failed: 1 });
    const [org] = await w.h.db.select().from(organisations).where(eq(organisations.id, cases.org.id));
    expect(org!.settingsDeliveredRevision).toBeLessThan(org!.settingsRevision);
    await w.h.db.delete(caseRows).where(sql`${caseRows.caseKey} like 'invoice/quickbooks/realm-1/unreachable-%'`);
  });
});
