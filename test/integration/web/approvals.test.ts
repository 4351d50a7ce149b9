// The emailed approval link on a real dev server: the link's jti is the Update id of decideDraft, the
// approval_tokens row makes it single use, and stale, used, expired and forged links say so plainly.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalTokens, emailOutbox } from '../../../src/services/db/schema.js';
import { checkApprovalToken } from '../../../src/services/security/approval-links.js';
import { decideDraftUpdate } from '../../../workflows/dispute-case/definitions.js';
import { createDevEnv } from '../../helpers/temporal-env.js';
import { csrfOf, textOf } from './browser.js';
import { createWebHarness, SECRET, type WebHarness } from './harness.js';
import { startCaseWorker, type LiveCase } from './live-case.js';

let env: TestWorkflowEnvironment;
let w: WebHarness;
let cases: Awaited<ReturnType<typeof startCaseWorker>>;
const owner = 'ana@brightside.example';

beforeAll(async () => {
  env = await createDevEnv();
  w = await createWebHarness({ workflows: env.client.workflow });
  cases = await startCaseWorker(env, w, { email: owner });
});
afterAll(async () => {
  await cases?.stop();
  await w?.close();
  await env?.teardown();
});

async function draftWaiting(): Promise<{ c: LiveCase; path: string }> {
  const c = await cases.openCase();
  await c.until((v) => v.status === 'awaiting_approval', 'first draft');
  return { c, path: await cases.approvalPath(c.id, 1) };
}
const jtiOf = (path: string) => {
  const check = checkApprovalToken(SECRET, decodeURIComponent(path.replace('/approvals/', '')), Date.now());
  if (!check.ok) throw new Error(check.reason);
  return check.claims.jti;
};

describe('approval link', () => {
  it('shows the draft and approves it once, as the decideDraft Update with the link as its id', async () => {
    const { c, path } = await draftWaiting();
    const b = w.browser(); // the owner is not signed in: the link is enough
    const shown = await b.get(path);
    expect(shown.statusCode).toBe(200);
    const text = textOf(shown.body);
    expect(text).toContain(
      'First written response to Harbor Cafe about invoice 1001, version 1. Nothing is sent until you approve it.',
    );
    expect(text).toContain('Subject: Invoice 1001: your payment and the remaining balance of $400.00');
    expect(text).toContain('We have accepted this payment as partial payment only');
    // The seed's evidence checklist: each item attached, on the case, or missing with an upload for it.
    expect(text).toContain('Evidence for this letter');
    expect(text).toContain('Missing: Signed estimate or statement of work');
    expect(text).toContain('Missing: Proof of delivery or completion');
    expect(shown.body).toContain(`href="/cases/${c.id}?kind=signed_estimate#upload"`);
    // Each attachment opens from the page, on the link's own authority (the owner is not signed in).
    const attachment = /<li><a href="(\/approvals\/[^"]+\/attachments\/[0-9a-f-]{36})">([^<]+)<\/a><\/li>/.exec(
      shown.body,
    );
    expect(attachment?.[2]).toMatch(/\.pdf$/);
    const file = await b.get(attachment![1]!.replace(/&amp;/g, '&'));
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-disposition']).toContain('attachment; filename=');
    expect(file.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const other = attachment![1]!.replace(/[0-9a-f-]{36}$/, '00000000-0000-4000-8000-000000000000');
    expect((await b.get(other)).statusCode).toBe(404);

    const done = await b.post(path, { decision: 'approve', _csrf: csrfOf(shown.body) });
    expect(done.statusCode).toBe(200);
    expect(textOf(done.body)).toContain('Approved: version 1 Shortfall is sending the letter to the client now.');
    const [row] = await w.h.db
      .select()
      .from(approvalTokens)
      .where(eq(approvalTokens.jti, jtiOf(path)));
    expect(row!.usedAt).not.toBeNull();
    const v = await c.until((x) => x.drafts[0]!.state === 'sent', 'letter sent');
    expect(v.drafts[0]!.decidedBy).toBe(owner);
    const sent = await w.h.db
      .select()
      .from(emailOutbox)
      .where(eq(emailOutbox.caseId, c.id))
      .orderBy(emailOutbox.createdAt);
    expect(sent.filter((m) => m.toAddress === 'pay@harbor.example').map((m) => m.subject)).toEqual([
      'Payment received for invoice 1001: $600.00',
      'Invoice 1001: your payment and the remaining balance of $400.00',
    ]);

    const again = await b.post(path, { decision: 'approve', _csrf: csrfOf(shown.body) });
    expect(again.statusCode).toBe(410);
    expect(textOf(again.body)).toContain('This approval link was already used');
    expect((await w.browser().get(path)).statusCode).toBe(410);
    expect((await c.view()).timeline.filter((t) => t.kind === 'decision')).toHaveLength(1);
  });

  it('edits and approves, keeping the link usable after a rejected edit', async () => {
    const { c, path } = await draftWaiting();
    const b = w.browser();
    const shown = await b.get(path);
    const csrf = csrfOf(shown.body);
    const empty = await b.post(path, {
      decision: 'edit_and_approve',
      subject: 'Invoice 1001',
      text: '   ',
      _csrf: csrf,
    });
    expect(empty.statusCode).toBe(422);
    expect(textOf(empty.body)).toContain('That was not done An edited draft needs a subject and a text.');
    expect(empty.body).toContain('<details open>');
    const ok = await b.post(path, {
      decision: 'edit_and_approve',
      subject: 'Invoice 1001: the balance',
      text: 'Dear Harbor Cafe,\r\n\r\nPlease pay the $400.00 balance.',
      _csrf: csrf,
    });
    expect(ok.statusCode).toBe(200);
    const v = await c.until((x) => x.drafts[0]!.state === 'sent', 'edited letter sent');
    expect(v.drafts[0]!.content).toMatchObject({
      subject: 'Invoice 1001: the balance',
      text: 'Dear Harbor Cafe,\n\nPlease pay the $400.00 balance.',
    });
  });

  it('rejects a draft; the next version gets a fresh link and the old one is stale', async () => {
    const { c, path } = await draftWaiting();
    const b = w.browser();
    const shown = await b.get(path);
    const res = await b.post(path, { decision: 'reject', note: 'Too formal', _csrf: csrfOf(shown.body) });
    expect(textOf(res.body)).toContain('Rejected: version 1 Nothing was sent.');
    await c.until((x) => x.drafts.length === 2, 'second draft');
    const next = await cases.approvalPath(c.id, 2);
    expect(next).not.toBe(path);
    expect((await w.browser().get(next)).statusCode).toBe(200);
    expect((await w.browser().get(path)).statusCode).toBe(410);
  });

  it('says 409 when the draft was superseded or decided elsewhere, and does nothing', async () => {
    const { c, path } = await draftWaiting();
    await c.handle.executeUpdate(decideDraftUpdate, { args: [{ kind: 'reject', version: 1, by: owner }] });
    await c.until((x) => x.drafts.length === 2, 'second draft');
    const superseded = await w.browser().get(path);
    expect(superseded.statusCode).toBe(409);
    expect(textOf(superseded.body)).toContain(
      'A newer draft (version 2) replaced this one; use the link in the newest email. Nothing was done with this link.',
    );

    const second = await cases.approvalPath(c.id, 2);
    const b = w.browser();
    const shown = await b.get(second);
    await c.handle.executeUpdate(decideDraftUpdate, {
      args: [{ kind: 'approve', version: 2, by: 'bookkeeper@brightside.example' }],
    });
    const late = await b.post(second, { decision: 'reject', _csrf: csrfOf(shown.body) });
    expect(late.statusCode).toBe(409);
    expect(textOf(late.body)).toMatch(/This draft was already (approved|sent) by bookkeeper@brightside\.example\./);
    const api = await w.app.inject({ url: second, headers: { accept: 'application/json' } });
    expect(api.json().error.code).toBe('approval_link_stale');
  });

  it('says 410 for an expired link and 400 for a forged or malformed one', async () => {
    const { c } = await draftWaiting();
    const issued = await w.approvals.issue(
      { caseId: c.id, workflowId: c.workflowId, version: 1 },
      { nowMs: Date.now() - 10 * 86_400_000, ttlMs: 86_400_000 },
    );
    const expired = await w.browser().get(`/approvals/${encodeURIComponent(issued)}`);
    expect(expired.statusCode).toBe(410);
    expect(textOf(expired.body)).toContain('This approval link has expired Nothing was approved or sent.');

    const path = await cases.approvalPath(c.id, 1);
    const token = decodeURIComponent(path.replace('/approvals/', ''));
    const [body, sig] = token.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString());
    const otherCase = Buffer.from(JSON.stringify({ ...claims, version: 2 })).toString('base64url');
    for (const forged of [`${otherCase}.${sig}`, `${body}.${'A'.repeat(43)}`, 'not-a-token', `${body}.${sig}.extra`]) {
      const res = await w.browser().get(`/approvals/${encodeURIComponent(forged)}`);
      expect(res.statusCode, forged).toBe(400);
      expect(textOf(res.body)).toContain('This approval link is not valid');
    }
    expect((await c.view()).drafts[0]!.state).toBe('pending');
  });

  it('needs the CSRF token bound to this link and this browser', async () => {
    const { c, path } = await draftWaiting();
    const other = await draftWaiting();
    const b = w.browser();
    await b.get(path);
    const foreignToken = csrfOf((await b.get(other.path)).body);
    expect((await b.post(path, { decision: 'approve' })).statusCode).toBe(403);
    expect((await b.post(path, { decision: 'approve', _csrf: foreignToken })).statusCode).toBe(403);
    const stranger = w.browser();
    const mine = csrfOf((await b.get(path)).body);
    expect((await stranger.post(path, { decision: 'approve', _csrf: mine })).statusCode).toBe(403);
    expect((await c.view()).drafts[0]!.state).toBe('pending');
    const [row] = await w.h.db
      .select()
      .from(approvalTokens)
      .where(eq(approvalTokens.jti, jtiOf(path)));
    expect(row!.usedAt).toBeNull();
  });
});
