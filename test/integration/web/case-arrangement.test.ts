// The case page's "Agreed a payment plan / This was a deposit" form on a real dev server: it records the
// arrangement and closes the case through the workflow's closeCase Update; the page and the list say "Agreed plan".
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cases as caseRows, invoices, paymentPlans } from '../../../src/services/db/schema.js';
import { createDevEnv } from '../../helpers/temporal-env.js';
import { csrfOf, fieldOf, textOf, type InjectBrowser } from './browser.js';
import { createWebHarness, signIn, type WebHarness } from './harness.js';
import { startCaseWorker, type LiveCase } from './live-case.js';

let env: TestWorkflowEnvironment;
let w: WebHarness;
let cases: Awaited<ReturnType<typeof startCaseWorker>>;
let b: InjectBrowser;
const owner = 'ana@brightside.example';
const ymd = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  env = await createDevEnv();
  w = await createWebHarness({ workflows: env.client.workflow });
  cases = await startCaseWorker(env, w, { email: owner });
  b = w.browser();
  await signIn(w, b, owner);
});
afterAll(async () => {
  await cases?.stop();
  await w?.close();
  await env?.teardown();
});

async function submit(c: LiveCase, fields: Record<string, string | string[]>) {
  const html = (await b.get(`/cases/${c.id}`)).body;
  const path = `/cases/${c.id}/arrangement`;
  return b.post(path, { _csrf: csrfOf(html, path), _rid: fieldOf(html, path, '_rid'), ...fields });
}
const owedOn = async (c: LiveCase) => {
  const [row] = await w.h.db
    .select({ balance: invoices.balanceMinor, id: invoices.externalId })
    .from(caseRows)
    .innerJoin(invoices, eq(invoices.externalId, caseRows.invoiceId))
    .where(eq(caseRows.id, c.id));
  return row!;
};

describe('arranging a case', () => {
  it('refuses instalments that do not add up, keeps the case open and records nothing', async () => {
    const c = await cases.openCase();
    await c.until((v) => v.status === 'awaiting_approval', 'first draft');
    const page = textOf((await b.get(`/cases/${c.id}`)).body);
    expect(page).toContain('Agreed a payment plan / This was a deposit');
    const res = await submit(c, { kind: 'plan', dueOn: [ymd(10), ''], amount: ['1.00', ''] });
    expect(res.statusCode).toBe(422);
    expect(textOf(res.body)).toMatch(
      /The instalments add up to \$1\.00, but \$[\d,.]+ is still owed: they must add up exactly/,
    );
    expect(res.body).toContain(`value="${ymd(10)}"`);
    expect((await c.view()).status).toBe('awaiting_approval');
    expect(
      await w.h.db
        .select()
        .from(paymentPlans)
        .where(eq(paymentPlans.invoiceExternalId, (await owedOn(c)).id)),
    ).toEqual([]);
  });

  it('records an agreed plan and closes the case as resolved, which the page and the list call "Agreed plan"', async () => {
    const c = await cases.openCase();
    await c.until((v) => v.status === 'awaiting_approval', 'first draft');
    const { balance, id } = await owedOn(c);
    const first = Math.floor(balance / 2);
    const amounts = [first, balance - first].map((m) => (m / 100).toFixed(2));
    const res = await submit(c, { kind: 'plan', dueOn: [ymd(30), ymd(60)], amount: amounts });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/cases/${c.id}?notice=case_arranged#arrange`);
    const v = await c.until((x) => x.status === 'resolved', 'the case to close');
    expect(v.timeline.map((t) => t.summary).join(' ')).toContain('agreed payment plan: 2 instalments');
    expect(
      await w.h.db
        .select({ kind: paymentPlans.kind, owed: paymentPlans.owedMinor })
        .from(paymentPlans)
        .where(eq(paymentPlans.invoiceExternalId, id)),
    ).toEqual([{ kind: 'plan', owed: balance }]);
    const page = textOf((await b.get(`/cases/${c.id}?notice=case_arranged`)).body);
    expect(page).toContain('Agreed plan');
    expect(page).toContain('The arrangement is recorded and the case is closed.');
    expect(page).not.toContain('Agreed a payment plan / This was a deposit');
    expect(textOf((await b.get('/cases?status=closed')).body)).toContain('Agreed plan');
  });

  it('marks a deposit the same way', async () => {
    const c = await cases.openCase();
    await c.until((v) => v.status === 'awaiting_approval', 'first draft');
    expect((await submit(c, { kind: 'deposit' })).statusCode).toBe(303);
    const v = await c.until((x) => x.status === 'resolved', 'the case to close');
    expect(v.timeline.map((t) => t.summary).join(' ')).toContain('deposit');
    expect(textOf((await b.get(`/cases/${c.id}`)).body)).toContain('Deposit');
  });
});
