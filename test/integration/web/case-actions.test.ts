// The case page on a real dev server: the live view from the workflow Query, and each form as an Update,
// with the workflow validator's reasons shown back on the page.
import type { WorkflowClient } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientReplySignal,
  decideDraftUpdate,
  registerObjectionUpdate,
  type CaseView,
} from '../../../workflows/dispute-case/definitions.js';
import { createDevEnv } from '../../helpers/temporal-env.js';
import { csrfOf, fieldOf, textOf, type InjectBrowser } from './browser.js';
import { createWebHarness, signIn, type WebHarness } from './harness.js';
import { startCaseWorker, type LiveCase } from './live-case.js';

let env: TestWorkflowEnvironment;
let w: WebHarness;
let cases: Awaited<ReturnType<typeof startCaseWorker>>;
let b: InjectBrowser;
const owner = 'ana@brightside.example';

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

const page = async (c: LiveCase) => (await b.get(`/cases/${c.id}`)).body;
/** Posts a form of the case page with the page's own CSRF token and Update id. */
async function submit(c: LiveCase, action: string, fields: Record<string, string | string[]>) {
  const html = await page(c);
  const path = `/cases/${c.id}${action}`;
  return b.post(path, { _csrf: csrfOf(html, path), _rid: fieldOf(html, path, '_rid'), ...fields });
}
/** A case whose first response went out and whose payment clock runs: the client's reply is what comes next. */
async function awaitingClient(): Promise<LiveCase> {
  const c = await cases.openCase();
  await c.until((v) => v.status === 'awaiting_approval', 'first draft');
  await c.handle.executeUpdate(decideDraftUpdate, { args: [{ kind: 'approve', version: 1, by: owner }] });
  await c.until((v) => v.status === 'awaiting_payment', 'response sent and payment deadline set');
  return c;
}

/** The same client, but every case view's timeline comes back worded differently, as a later release might word it. */
function rewordingTimeline(client: WorkflowClient): WorkflowClient {
  const reword = (v: CaseView): CaseView => ({
    ...v,
    timeline: v.timeline.map((t) => ({
      ...t,
      kind: `reworded_${t.kind}`,
      summary: `Noted: ${t.summary.toLowerCase()}`,
    })),
  });
  return new Proxy(client, {
    get: (target, prop, receiver) =>
      prop !== 'getHandle'
        ? Reflect.get(target, prop, receiver)
        : (...args: Parameters<WorkflowClient['getHandle']>) =>
            new Proxy(target.getHandle(...args), {
              get: (handle, name, r) =>
                name !== 'query'
                  ? Reflect.get(handle, name, r)
                  : async (...q: Parameters<typeof handle.query>) => reword((await handle.query(...q)) as CaseView),
            }),
  });
}

describe('case page', () => {
  it('shows the live case: amounts, deadlines, the draft waiting for approval, timeline, audit trail and lines', async () => {
    const c = await cases.openCase();
    await c.until((v) => v.status === 'awaiting_approval', 'first draft');
    const html = await page(c);
    const text = textOf(html);
    expect(text).toContain('Harbor Cafe · invoice 1001 · $1,000.00'); // the invoice total in the header
    expect(text).toContain('Waiting for your approval · QuickBooks Online · Short payment');
    expect(text).toMatch(/Invoice total\s*\$1,000\.00 Paid\s*\$600\.00 Still owed\s*\$400\.00/);
    expect(text).toContain('Small-claims evidence pack');
    expect(html).toContain('action="/cases/' + c.id + '/evidence-pack"');
    expect(text).toMatch(/Written response due \w{3}, \w{3} \d+, \d{4}, \d+:\d{2} [AP]M E[SD]T in \d+ (days|hours)/);
    expect(text).toContain('First written response, version 1: waiting for your approval');
    expect(text).toContain('Partial-payment receipt sent');
    expect(text).toMatch(/Audit trail .*case opened shortfall .*receipt sent shortfall/); // written before the draft
    expect(text).toContain('Menu design ($250.00)');
    expect(html).toContain('action="/cases/' + c.id + '/drafts/1/decision"');
    // The upload form names each kind of document as the letters do ("sow" read as a typo).
    expect(html).toContain('<option value="sow">Statement of work</option>');
  });

  it('approves the draft from the page as the decideDraft Update', async () => {
    const c = await cases.openCase();
    await c.until((v) => v.status === 'awaiting_approval', 'first draft');
    const res = await submit(c, '/drafts/1/decision', { decision: 'approve' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/cases/${c.id}?notice=draft_decided#draft`);
    const v = await c.until((x) => x.drafts[0]!.state === 'sent', 'letter sent');
    expect(v.drafts[0]!.decidedBy).toBe(owner);
    expect(textOf((await b.get(res.headers.location as string)).body)).toContain(
      'Your decision on the draft is recorded.',
    );
  });

  it('builds the small-claims pack on demand from the case page, at any stage', async () => {
    const c = await cases.openCase();
    await c.until((v) => v.status === 'awaiting_approval', 'first draft');
    const res = await submit(c, '/evidence-pack', {});
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/cases/${c.id}?notice=pack_requested#pack`);
    const v = await c.until((x) => Boolean(x.evidencePack.builtAt), 'pack built');
    expect(v.evidencePack.name).toMatch(/^Evidence pack/);
    expect(v.status).toBe('awaiting_approval'); // the case carries on
    const text = textOf((await b.get(`/cases/${c.id}`)).body);
    expect(text).toMatch(/Last built .* \(Evidence pack - invoice 1001\.pdf, under Documents\)/);
  });

  it("registers a specific objection, showing the validator's reason when no line is ticked", async () => {
    const c = await awaitingClient();
    const missing = await submit(c, '/objection', { kind: 'specific', summary: 'Menu design took 6 hours, not 10' });
    expect(missing.statusCode).toBe(422);
    expect(textOf(missing.body)).toContain('That was not done Name at least one disputed line.');
    expect(missing.body).toContain('Menu design took 6 hours, not 10</textarea>'); // kept for the next try
    expect(missing.body).toContain('<input type="radio" name="kind" value="specific" checked>');

    const ok = await submit(c, '/objection', {
      kind: 'specific',
      summary: 'Menu design took 6 hours, not 10',
      lines: ['2'],
    });
    expect(ok.statusCode).toBe(303);
    const v = await c.view();
    expect(v.status).toBe('awaiting_owner');
    expect(v.timeline.at(-1)!.summary).toBe(
      `Specific objection registered by ${owner}: Menu design took 6 hours, not 10`,
    );
    const text = textOf(await page(c));
    expect(text).toContain('Needs your decision');
    expect(text).toContain('Decide the objection');
  });

  it("reads the client's emailed reply and pre-fills the objection form with its suggestion and reasons; the owner registers it in one click", async () => {
    const c = await awaitingClient();
    await c.handle.signal(clientReplySignal, {
      receivedAt: new Date().toISOString(),
      from: 'marta@harbor.example',
      subject: 'Re: Invoice 1001',
      text: 'Hola Ana,\n\nthe menu desing was quoted at $150, you billed $250.\n\nOn Mon, Dec 7, 2026 at 9:00 AM Brightside <ana@brightside.example> wrote:\n> Brand identity, Menu design and Signage are itemised below.',
    });
    await c.until((v) => v.latestReply?.from === 'marta@harbor.example', 'reply recorded');
    const html = await page(c);
    const text = textOf(html);
    expect(text).toMatch(
      /How the reply from marta@harbor\.example \(.+, “Re: Invoice 1001”\) reads: a specific objection to Menu design\./,
    );
    expect(text).toContain("The client's figure is $150.00 against $250.00 billed.");
    expect(text).toContain('Nothing is registered until you do.');
    expect(text).toContain('"desing" (read as "design")'); // the reasons, under "Why it reads this way"
    expect(text).toContain('left out the quoted earlier message');
    expect(html).toContain('<input type="radio" name="kind" value="specific" checked>');
    expect(html).toContain('<input type="checkbox" name="lines" value="2" checked>');
    expect(html).not.toMatch(/value="l[13]" checked/);
    expect(html).toContain('the menu desing was quoted at $150, you billed $250.</textarea>'); // the client's own words, not the quoted thread

    const ok = await submit(c, '/objection', {
      kind: 'specific',
      summary: 'the menu desing was quoted at $150, you billed $250.',
      lines: ['2'],
    });
    expect(ok.statusCode).toBe(303);
    const v = await c.view();
    expect(v.objection).toMatchObject({ kind: 'specific', lineIds: ['2'], by: owner });
    expect(v.latestReply).toBeUndefined(); // registered: nothing left to suggest
    expect(textOf(await page(c))).not.toContain('How the reply from');
  });

  it('suggests a vague objection for a reply that names nothing, escaping what the client wrote', async () => {
    const c = await awaitingClient();
    await c.handle.signal(clientReplySignal, {
      receivedAt: new Date().toISOString(),
      from: 'marta@harbor.example',
      subject: '<b>invoice</b>',
      text: 'Bonjour, <script>alert(1)</script> not happy with the work at all.',
    });
    await c.until((v) => Boolean(v.latestReply), 'reply recorded');
    const html = await page(c);
    expect(textOf(html)).toContain('reads: a vague objection: it names no line, quantity, rate or amount.');
    expect(html).toContain('<input type="radio" name="kind" value="vague" checked>');
    expect(html).not.toMatch(/name="lines" value="l\d" checked/);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<b>invoice</b>');
    expect(html).toContain('&lt;b&gt;invoice&lt;/b&gt;');
  });

  it("offers the decision from the view's objection field, however the timeline words it", async () => {
    const c = await awaitingClient();
    await c.handle.executeUpdate(registerObjectionUpdate, {
      args: [{ kind: 'specific', by: owner, summary: 'Signage was late', lineIds: ['3'] }],
    });
    const reworded = await createWebHarness({ db: w.h, workflows: rewordingTimeline(env.client.workflow) });
    try {
      const other = reworded.browser();
      await signIn(reworded, other, owner);
      const text = textOf((await other.get(`/cases/${c.id}`)).body);
      expect(text).toContain(`Noted: specific objection registered by ${owner}: signage was late`); // no timeline entry reads as before
      expect(text).toContain('Decide the objection');
      expect(text).not.toContain("Register the client's reply");
      expect(text).toContain('Signage $150.00'); // the decision form's lines come from the view too
    } finally {
      await reworded.close();
    }
  });

  it('concedes a line with an exact amount, refusing malformed and excessive amounts', async () => {
    const c = await awaitingClient();
    await c.handle.executeUpdate(registerObjectionUpdate, {
      args: [{ kind: 'specific', by: owner, summary: 'Menu design overbilled', lineIds: ['2'] }],
    });
    const malformed = await submit(c, '/objection/decision', { decision: 'concede', 'amount.2': '$150' });
    expect(malformed.statusCode).toBe(422);
    expect(textOf(malformed.body)).toContain(
      '"$150" for Menu design is not an amount. Write it like 150.00, without a currency sign or thousands separators.',
    );
    const tooMuch = await submit(c, '/objection/decision', { decision: 'concede', 'amount.2': '300.00' });
    expect(tooMuch.statusCode).toBe(422);
    expect(textOf(tooMuch.body)).toContain('Menu design is only $250.00: concede at most that.');
    expect(tooMuch.body).toContain('value="300.00"');
    const none = await submit(c, '/objection/decision', { decision: 'concede', 'amount.1': '', 'amount.2': ' ' });
    expect(textOf(none.body)).toContain('Concede at least one line.');

    const ok = await submit(c, '/objection/decision', { decision: 'concede', 'amount.2': '150.00' });
    expect(ok.statusCode).toBe(303);
    const v = await c.until((x) => x.drafts.at(-1)!.kind === 'concession', 'concession draft');
    expect(v.timeline.some((t) => t.summary === `1 line(s) conceded by ${owner}`)).toBe(true);
    await c.handle.executeUpdate(decideDraftUpdate, {
      args: [{ kind: 'approve', version: v.drafts.at(-1)!.version, by: owner }],
    });
    await c.until((x) => x.conceded.minor === 15_000, 'credit note posted');
    // QuickBooks holds the credit memo, applied to the case's invoice: $400.00 owed less $150.00 conceded.
    const { sim, realmId } = cases.books;
    const memos = sim.admin.creditMemos(realmId).filter((m) => m.PrivateNote?.includes(c.id));
    expect(memos).toMatchObject([{ TotalAmt: 150, RemainingCredit: 0 }]);
    expect(sim.admin.invoice(realmId, c.invoiceId)?.Balance).toBe(250);
  });

  it('upholds the invoice', async () => {
    const c = await awaitingClient();
    await c.handle.executeUpdate(registerObjectionUpdate, {
      args: [{ kind: 'specific', by: owner, summary: 'Signage was late', lineIds: ['3'] }],
    });
    expect((await submit(c, '/objection/decision', { decision: 'uphold' })).statusCode).toBe(303);
    const v = await c.until((x) => x.drafts.at(-1)!.kind === 'uphold', 'uphold draft');
    expect(v.timeline.some((t) => t.summary === `Invoice upheld by ${owner}`)).toBe(true);
  });

  it('extends a deadline once per submitted form, refusing a non-number and an out-of-range value', async () => {
    const c = await cases.openCase();
    const before = await c.until((v) => v.deadlines.some((d) => d.name === 'response'), 'response deadline');
    const at = Date.parse(before.deadlines.find((d) => d.name === 'response')!.at);
    expect(textOf((await submit(c, '/deadline', { deadline: 'response', days: 'two' })).body)).toContain(
      'Enter the extension as a whole number of days.',
    );
    expect(textOf((await submit(c, '/deadline', { deadline: 'response', days: '120' })).body)).toContain(
      'Extend by 1 to 90 days.',
    );

    const html = await page(c);
    const form = {
      _csrf: csrfOf(html, `/cases/${c.id}/deadline`),
      _rid: fieldOf(html, `/cases/${c.id}/deadline`, '_rid'),
      deadline: 'response',
      days: '2',
    };
    expect((await b.post(`/cases/${c.id}/deadline`, form)).statusCode).toBe(303);
    expect((await b.post(`/cases/${c.id}/deadline`, form)).statusCode).toBe(303); // a double click: the same Update id
    const after = await c.view();
    expect(Date.parse(after.deadlines.find((d) => d.name === 'response')!.at) - at).toBe(2 * 86_400_000);
    expect(after.timeline.filter((t) => t.kind === 'deadline_extended')).toHaveLength(1);
  });

  it('closes the case only when confirmed, and then offers no more actions', async () => {
    const c = await cases.openCase();
    await c.until((v) => v.status === 'awaiting_approval', 'first draft');
    const unconfirmed = await submit(c, '/close', { kind: 'write_off', note: 'Not worth chasing' });
    expect(textOf(unconfirmed.body)).toContain('Tick the box to confirm that the case should be closed.');
    expect(
      (await submit(c, '/close', { kind: 'write_off', note: 'Not worth chasing', confirm: 'yes' })).statusCode,
    ).toBe(303);
    await c.until((v) => v.status === 'written_off', 'closed');
    const html = await page(c);
    expect(textOf(html)).toContain(`Case written off by ${owner}: Not worth chasing`);
    expect(html).not.toContain('What you can do');
    const late = await b.post(`/cases/${c.id}/close`, {
      _csrf: csrfOf(html, '/sign-out'),
      kind: 'resolved',
      confirm: 'yes',
    });
    expect(late.statusCode).toBe(422);
    expect(textOf(late.body)).toMatch(/closed|finished/);
  });

  it('shows the database figures with a warning when Temporal cannot be reached, and changes nothing', async () => {
    const c = await cases.openCase();
    await c.until((v) => v.status === 'awaiting_approval', 'first draft');
    const down = await createWebHarness({ db: w.h, settings: { temporalTimeoutsMs: { query: 1_000, update: 1_000 } } });
    try {
      const other = down.browser();
      await signIn(down, other, owner);
      const html = (await other.get(`/cases/${c.id}`)).body;
      expect(textOf(html)).toContain('The live case details are unavailable right now.');
      const res = await other.post(`/cases/${c.id}/close`, {
        _csrf: csrfOf(html, '/sign-out'),
        kind: 'resolved',
        confirm: 'yes',
      });
      expect(res.statusCode).toBe(503);
      expect(textOf(res.body)).toContain('The case could not be reached just now, so nothing was changed.');
    } finally {
      await down.close();
    }
    expect((await c.view()).status).toBe('awaiting_approval');
  });
});
