// Roles on a live case (real Temporal dev server): a viewer follows the case but cannot approve its letter, from the
// case page or from the owner's approval link opened in their session; the refused Update never reaches the
// workflow. A bookkeeper works the case (the evidence pack, documents) but the letter stays the owner's to approve.
// Each page offers a role only the forms it may submit.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalTokens, users } from '../../../src/services/db/schema.js';
import { checkApprovalToken } from '../../../src/services/security/approval-links.js';
import { createDevEnv } from '../../helpers/temporal-env.js';
import { csrfOf, fieldOf, textOf, type InjectBrowser } from './browser.js';
import { createWebHarness, SECRET, signIn, type WebHarness } from './harness.js';
import { startCaseWorker, type LiveCase } from './live-case.js';

let env: TestWorkflowEnvironment;
let w: WebHarness;
let cases: Awaited<ReturnType<typeof startCaseWorker>>;
let owner: InjectBrowser;
let viewer: InjectBrowser;
let bookkeeper: InjectBrowser;

beforeAll(async () => {
  env = await createDevEnv();
  w = await createWebHarness({ workflows: env.client.workflow });
  cases = await startCaseWorker(env, w, { email: 'ana@brightside.example' });
  const [ana] = await w.h.db.select().from(users).where(eq(users.email, 'ana@brightside.example'));
  await w.h.db.insert(users).values([
    { organisationId: ana!.organisationId, email: 'sam@brightside.example', role: 'viewer' },
    { organisationId: ana!.organisationId, email: 'bo@books.example', role: 'bookkeeper' },
  ]);
  owner = w.browser();
  await signIn(w, owner, 'ana@brightside.example');
  viewer = w.browser();
  await signIn(w, viewer, 'sam@brightside.example');
  bookkeeper = w.browser();
  await signIn(w, bookkeeper, 'bo@books.example');
});
afterAll(async () => {
  await cases?.stop();
  await w?.close();
  await env?.teardown();
});

/** A request the page does not offer (its form is hidden for this role), sent anyway with the session's token. */
async function force(b: InjectBrowser, c: LiveCase, action: string, fields: Record<string, string>) {
  const html = (await b.get(`/cases/${c.id}`)).body;
  return b.post(`/cases/${c.id}${action}`, { _csrf: csrfOf(html, '/sign-out'), _rid: 'forced', ...fields });
}

async function submit(b: InjectBrowser, c: LiveCase, action: string, fields: Record<string, string>) {
  const html = (await b.get(`/cases/${c.id}`)).body;
  const path = `/cases/${c.id}${action}`;
  return b.post(path, { _csrf: csrfOf(html, path), _rid: fieldOf(html, path, '_rid'), ...fields });
}

describe('roles on a live case', () => {
  it('refuses a viewer’s approval of the letter, from the case page and from the approval link, and the workflow never hears of it', async () => {
    const c = await cases.openCase();
    await c.until((v) => v.status === 'awaiting_approval', 'first draft');
    const page = await viewer.get(`/cases/${c.id}`);
    expect(page.statusCode).toBe(200); // a viewer follows the case, and is offered nothing to submit
    expect(textOf(page.body)).toContain('Subject: Invoice 1001');
    expect(page.body).not.toContain(`action="/cases/${c.id}/drafts/1/decision"`);
    expect(page.body).not.toContain(`action="/cases/${c.id}/close"`);
    expect(page.body).not.toContain(`action="/cases/${c.id}/documents"`); // no upload form either
    expect(page.body).not.toContain(`action="/cases/${c.id}/evidence-pack"`);
    expect(textOf(page.body)).toContain('A bookkeeper or the owner adds documents.');
    // The letter waits for the owner, not for the viewer reading the page.
    expect(textOf(page.body)).toContain('Waiting for approval by the owner');
    expect(textOf(page.body)).toContain('version 1: waiting for approval by the owner');
    expect((await owner.get(`/cases/${c.id}`)).body).toContain(`action="/cases/${c.id}/drafts/1/decision"`);

    const refused = await force(viewer, c, '/drafts/1/decision', { decision: 'approve' });
    expect(refused.statusCode).toBe(403);
    expect(textOf(refused.body)).toContain('Not allowed for your role');

    const path = await cases.approvalPath(c.id, 1);
    const shown = await viewer.get(path);
    expect(shown.statusCode).toBe(200);
    const byLink = await viewer.post(path, { decision: 'approve', _csrf: csrfOf(shown.body, path) });
    expect(byLink.statusCode).toBe(403);
    expect(textOf(byLink.body)).toContain('only the owner approves or rejects them. Nothing was sent.');

    const v = await c.view();
    expect(v.status).toBe('awaiting_approval');
    expect(v.drafts[0]).toMatchObject({ version: 1, state: 'pending' });
    const jti = checkApprovalToken(SECRET, decodeURIComponent(path.replace('/approvals/', '')), Date.now());
    if (!jti.ok) throw new Error(jti.reason);
    const [token] = await w.h.db.select().from(approvalTokens).where(eq(approvalTokens.jti, jti.claims.jti));
    expect(token!.usedAt).toBeNull(); // the owner's link still works

    const approved = await submit(owner, c, '/drafts/1/decision', { decision: 'approve' });
    expect(approved.statusCode).toBe(303);
    const after = await c.until((x) => x.drafts[0]!.state === 'sent', 'letter sent');
    expect(after.drafts[0]!.decidedBy).toBe('ana@brightside.example');
  });

  it('lets a bookkeeper build the evidence pack but not approve the letter', async () => {
    const c = await cases.openCase();
    await c.until((v) => v.status === 'awaiting_approval', 'first draft');
    const page = (await bookkeeper.get(`/cases/${c.id}`)).body;
    expect(page).toContain(`action="/cases/${c.id}/evidence-pack"`);
    expect(page).not.toContain(`action="/cases/${c.id}/drafts/1/decision"`);
    expect(page).toContain(`action="/cases/${c.id}/documents"`);
    expect(page).not.toContain(`action="/cases/${c.id}/close"`);
    const denied = await force(bookkeeper, c, '/drafts/1/decision', { decision: 'approve' });
    expect(denied.statusCode).toBe(403);
    const pack = await submit(bookkeeper, c, '/evidence-pack', {});
    expect(pack.statusCode).toBe(303);
    const v = await c.until((x) => x.timeline.some((t) => /pack/i.test(t.kind)), 'pack requested');
    expect(v.drafts[0]).toMatchObject({ version: 1, state: 'pending' });
  });

  it('refuses the emailed link of an owner demoted since: the link alone no longer decides', async () => {
    const c = await cases.openCase();
    await c.until((v) => v.status === 'awaiting_approval', 'first draft');
    const path = await cases.approvalPath(c.id, 1);
    const claims = checkApprovalToken(SECRET, decodeURIComponent(path.replace('/approvals/', '')), Date.now());
    if (!claims.ok) throw new Error(claims.reason);
    expect(claims.claims.to).toBe('ana@brightside.example');
    // Another owner joins and Ana steps down to bookkeeper; the link she kept must not decide anything now.
    const [ana] = await w.h.db.select().from(users).where(eq(users.email, 'ana@brightside.example'));
    await w.h.db
      .insert(users)
      .values({ organisationId: ana!.organisationId, email: 'lee@brightside.example', role: 'owner' });
    await w.h.db.update(users).set({ role: 'bookkeeper' }).where(eq(users.id, ana!.id));
    try {
      const stranger = w.browser(); // signed out: the link alone
      const shown = await stranger.get(path);
      expect(shown.statusCode).toBe(403);
      expect(textOf(shown.body)).toContain('ana@brightside.example, who is no longer an owner');
      const v = await c.view();
      expect(v.drafts[0]).toMatchObject({ version: 1, state: 'pending' });
    } finally {
      await w.h.db.update(users).set({ role: 'owner' }).where(eq(users.id, ana!.id));
      await w.h.db.delete(users).where(eq(users.email, 'lee@brightside.example'));
    }
  });

  it('offers each role only the forms it may submit, on every page', async () => {
    /** The forms a page lets this member submit: those with a submit button (a read-only form shows values only). */
    const forms = async (b: InjectBrowser, path: string) => {
      const res = await b.get(path);
      expect(res.statusCode).toBe(200);
      return [...res.body.matchAll(/<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)]
        .filter((m) => m[1] !== '/sign-out' && m[2]!.includes('type="submit"'))
        .map((m) => m[1]);
    };
    expect(await forms(viewer, '/settings')).toEqual([]);
    expect(await forms(viewer, '/settings/tolerances')).toEqual([]);
    expect(await forms(viewer, '/settings/payment')).toEqual([]);
    expect(await forms(viewer, '/settings/team')).toEqual([]);
    expect(await forms(viewer, '/connections')).toEqual([]);
    expect(textOf((await viewer.get('/connections')).body)).toContain('A bookkeeper or the owner connects');
    // The live case's QuickBooks connection: a bookkeeper may sync it, not disconnect it.
    expect(await forms(bookkeeper, '/connections')).toEqual([
      expect.stringMatching(/^\/connections\/[0-9a-f-]{36}\/sync$/),
      '/connections/stripe-key',
    ]);
    expect(await forms(bookkeeper, '/settings/tolerances')).toEqual([]);
    expect(await forms(bookkeeper, '/settings/payment')).toEqual([]);
    expect(await forms(bookkeeper, '/settings/team')).toEqual([]);
    expect(await forms(owner, '/settings/tolerances')).toEqual(['/settings/tolerances']);
    expect(await forms(owner, '/settings/payment')).toEqual(['/settings/payment']);
    expect(await forms(owner, '/settings')).toEqual(['/settings']);
    expect(await forms(owner, '/settings/team')).toContain('/settings/team/invitations');
  });
});
