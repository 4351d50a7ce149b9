// The client's response page, from the letter's link to the owner's case page, on a real dev server with the real
// case workflow: the client names lines and why (or accepts the balance) without an account, once per letter; the
// objection reaches the case through registerObjection and the owner is told. Forged, expired and vague answers
// are refused plainly, and everything the client typed is escaped.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientResponses, emailOutbox } from '../../../src/services/db/schema.js';
import { createDevEnv } from '../../helpers/temporal-env.js';
import { shortPaymentInput } from '../../helpers/case-fixtures.js';
import { csrfOf, textOf } from './browser.js';
import { createWebHarness, signIn, type WebHarness } from './harness.js';
import { startCaseWorker, type LiveCase } from './live-case.js';

let env: TestWorkflowEnvironment;
let w: WebHarness;
let cases: Awaited<ReturnType<typeof startCaseWorker>>;
const owner = 'ana@brightside.example';

beforeAll(async () => {
  env = await createDevEnv();
  w = await createWebHarness({ workflows: env.client.workflow });
  cases = await startCaseWorker(env, w, { email: owner }, { clientLinks: true });
});
afterAll(async () => {
  await cases?.stop();
  await w?.close();
  await env?.teardown();
});

/** A case whose receipt (with its response link) has gone to the client. */
async function receiptSent(
  over: Parameters<typeof cases.openCase>[0] = {},
): Promise<{ c: LiveCase; path: string; letter: string }> {
  const c = await cases.openCase(over);
  const { path, text } = await cases.responsePath(c.id);
  return { c, path, letter: text };
}

const ownerMails = async (caseId: string) =>
  (await w.h.db.select().from(emailOutbox).where(eq(emailOutbox.caseId, caseId))).filter(
    (m) => m.toAddress === owner && m.idempotencyKey.startsWith('client-response:'),
  );

describe('the client response page', () => {
  it('every letter to the client carries its private response link', async () => {
    const { letter } = await receiptSent();
    expect(letter).toMatch(
      /To tell us exactly which item you dispute and why, or to settle the balance, use your private response page:\nhttps:\/\/app\.shortfall\.test\/respond\//,
    );
  });

  it('shows the invoice lines and what is paid and owed, then registers a specific objection once and tells the owner', async () => {
    const { c, path } = await receiptSent();
    const client = w.browser(); // no account, no session
    const shown = await client.get(path);
    expect(shown.statusCode).toBe(200);
    const text = textOf(shown.body);
    expect(text).toContain('Invoice 1001 from');
    expect(text).toContain('Brand identity $600.00');
    expect(text).toContain('Signage $150.00');
    expect(text).toMatch(/Invoice total \$1,000\.00 Paid \$600\.00 Still owed \$400\.00/);
    expect(shown.headers['cache-control']).toBe('no-store');

    const done = await client.post(path, {
      _csrf: csrfOf(shown.body),
      answer: 'dispute',
      lines: ['3'],
      reason: 'quantity',
      expected: 'Two signs, as quoted',
      received: 'One sign',
      accepts: '75.00',
      message: 'Happy to pay for the one we got.',
    });
    expect(done.statusCode).toBe(200);
    expect(textOf(done.body)).toContain('Thank you: your answer reached');
    expect(textOf(done.body)).toContain('You dispute Signage: The hours or quantity are wrong.');

    const v = await c.until((x) => x.objection !== undefined, 'the objection on the case');
    expect(v.objection).toMatchObject({ kind: 'specific', lineIds: ['3'] });
    expect(v.objection!.summary).toContain('Expected: Two signs, as quoted. Received: One sign. Accepts paying $75.00');
    const told = await ownerMails(c.id);
    expect(told).toHaveLength(1);
    expect(told[0]!.subject).toBe('Harbor Cafe disputes Signage on invoice 1001');

    // The owner's case page shows it.
    const ownerBrowser = w.browser();
    await signIn(w, ownerBrowser, owner);
    const casePage = textOf((await ownerBrowser.get(`/cases/${c.id}`)).body);
    expect(casePage).toContain('The hours or quantity are wrong (Signage)');

    // One answer per letter: a second submit (another tab, a replay) changes nothing.
    const again = await client.post(path, {
      _csrf: csrfOf(shown.body),
      answer: 'dispute',
      whole: 'yes',
      reason: 'quality',
    });
    expect(textOf(again.body)).toContain('You dispute Signage');
    expect(await w.h.db.select().from(clientResponses).where(eq(clientResponses.caseId, c.id))).toHaveLength(1);
    expect(await ownerMails(c.id)).toHaveLength(1);
    expect((await c.view()).objection!.lineIds).toEqual(['3']);
  });

  it("is the client's page whoever opens it: the owner signed in sees it as the client does, without their menu", async () => {
    const { path } = await receiptSent();
    const ana = w.browser();
    await signIn(w, ana, owner);
    expect(textOf((await ana.get('/cases')).body)).toContain('Sign out'); // signed in
    const asOwner = await ana.get(path);
    expect(asOwner.statusCode).toBe(200);
    expect(asOwner.body).not.toContain('aria-label="Main"');
    expect(asOwner.body).not.toContain('action="/sign-out"');
    expect(textOf(asOwner.body)).not.toContain(owner);
    expect(textOf(asOwner.body)).toBe(textOf((await w.browser().get(path)).body));
  });

  it('asks a client who names nothing to name a line or the whole invoice, and keeps what they typed', async () => {
    const { c, path } = await receiptSent();
    const client = w.browser();
    const shown = await client.get(path);
    const vague = await client.post(path, {
      _csrf: csrfOf(shown.body),
      answer: 'dispute',
      message: 'Not happy with the work',
    });
    expect(vague.statusCode).toBe(422);
    expect(textOf(vague.body)).toContain('Tell us which line you dispute (or the whole invoice) and why');
    expect(vague.body).toContain('>Not happy with the work</textarea>');
    const badAmount = await client.post(path, {
      _csrf: csrfOf(vague.body),
      answer: 'dispute',
      whole: 'yes',
      reason: 'rate',
      accepts: 'lots',
    });
    expect(badAmount.statusCode).toBe(422);
    expect(textOf(badAmount.body)).toContain('"lots" is not an amount');
    expect((await c.view()).objection).toBeUndefined();
    expect(await w.h.db.select().from(clientResponses).where(eq(clientResponses.caseId, c.id))).toHaveLength(0);
  });

  it('a client who accepts the balance is told how much and how to pay; the owner is told, and no objection is registered', async () => {
    const { c, path } = await receiptSent();
    const client = w.browser();
    const shown = await client.get(path);
    const done = await client.post(path, { _csrf: csrfOf(shown.body), answer: 'accept' });
    expect(textOf(done.body)).toContain('You accept the balance of $400.00');
    // No payment link is known here (this harness reads no ledger): the client is told whom to contact.
    expect(textOf(done.body)).toContain(
      'For anything about paying, contact Brightside Design by replying to their email.',
    );
    const told = await ownerMails(c.id);
    expect(told.map((m) => m.subject)).toEqual(['Harbor Cafe accepts the balance of invoice 1001']);
    expect((await c.view()).objection).toBeUndefined();
  });

  it('shows the payment details the owner gave when the invoice has no payment page of its own', async () => {
    const ownerBrowser = w.browser();
    await signIn(w, ownerBrowser, owner);
    const settings = await ownerBrowser.get('/settings/payment');
    expect(settings.statusCode).toBe(200);
    const tooLong = await ownerBrowser.post('/settings/payment', {
      _csrf: csrfOf(settings.body, '/settings/payment'),
      instructions: 'x'.repeat(1_001),
    });
    expect(tooLong.statusCode).toBe(400);
    expect(textOf(tooLong.body)).toContain('Use at most 1,000 characters.');
    const saved = await ownerBrowser.post('/settings/payment', {
      _csrf: csrfOf(settings.body, '/settings/payment'),
      instructions: 'Bank transfer to Brightside Design <Ltd>\r\nIBAN GB33 BUKB 2020 1555 5555 55',
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/settings/payment?notice=payment_saved');

    const { path } = await receiptSent();
    const client = w.browser();
    const shown = await client.get(path);
    const done = await client.post(path, { _csrf: csrfOf(shown.body), answer: 'accept' });
    expect(textOf(done.body)).toContain('How to pay Brightside Design, quoting invoice 1001:');
    expect(done.body).toContain('Bank transfer to Brightside Design &lt;Ltd&gt;\nIBAN GB33 BUKB 2020 1555 5555 55');
    expect(textOf(done.body)).toContain('contact Brightside Design by replying to their email');

    await ownerBrowser.post('/settings/payment', {
      _csrf: csrfOf((await ownerBrowser.get('/settings/payment')).body, '/settings/payment'),
      instructions: '',
    });
  });

  it('refuses a forged or altered link, a missing CSRF token, and an expired link', async () => {
    const { path } = await receiptSent();
    const client = w.browser();
    const token = decodeURIComponent(path.replace('/respond/', ''));
    const [body, sig] = token.split('.');
    const forged = await client.get(`/respond/${encodeURIComponent(`${body}x.${sig}`)}`);
    expect(forged.statusCode).toBe(400);
    expect(textOf(forged.body)).toContain('This link is not valid');
    const shown = await client.get(path);
    expect((await client.post(path, { answer: 'accept' })).statusCode).toBe(403);
    expect(shown.statusCode).toBe(200);
    w.advance(61 * 24 * 3_600_000);
    try {
      const late = await client.get(path);
      expect(late.statusCode).toBe(410);
      expect(textOf(late.body)).toContain('This link has expired');
    } finally {
      w.advance(-61 * 24 * 3_600_000);
    }
  });

  it("takes the client's photos and documents with the answer (multipart, as the page posts it) as case documents", async () => {
    const { c, path } = await receiptSent();
    const client = w.browser();
    const shown = await client.get(path);
    const fd = new FormData();
    for (const [k, v] of Object.entries({
      _csrf: csrfOf(shown.body),
      answer: 'dispute',
      reason: 'not_delivered',
      received: 'Nothing arrived',
    }))
      fd.append(k, v);
    fd.append('lines', '2');
    // A right-to-left override would make the name read as something it is not: it is dropped.
    fd.append(
      'files',
      new Blob([Buffer.from('%PDF-1.4\n%%EOF\n')], { type: 'application/pdf' }),
      'delivery\u202Efdp.note.pdf',
    );
    const encoded = new Request('https://x/', { method: 'POST', body: fd });
    const done = await client.postBytes(path, Buffer.from(await encoded.arrayBuffer()), {
      'content-type': encoded.headers.get('content-type')!,
      accept: 'text/html',
    });
    expect(done.statusCode).toBe(200);
    expect(textOf(done.body)).toContain('You dispute Menu design: This was not delivered.');
    const docs = await w.documents.listForCase(c.id);
    expect(docs.map((d) => d.name)).toContain('From Harbor Cafe: deliveryfdp.note.pdf');
    const v = await c.until((x) => x.objection !== undefined, 'the objection on the case');
    expect(v.objection!.summary).toContain('Sent with: deliveryfdp.note.pdf');
  });

  it('two submissions at once (a dispute in one tab, an acceptance in another): one answer wins everywhere', async () => {
    const { c, path } = await receiptSent();
    const client = w.browser();
    const shown = await client.get(path);
    const csrf = csrfOf(shown.body);
    await Promise.all([
      client.post(path, { _csrf: csrf, answer: 'dispute', lines: ['2'], reason: 'quality' }),
      client.post(path, { _csrf: csrf, answer: 'accept' }),
    ]);
    const stored = await w.h.db.select().from(clientResponses).where(eq(clientResponses.caseId, c.id));
    expect(stored).toHaveLength(1);
    const told = await ownerMails(c.id);
    expect(told).toHaveLength(1);
    if (stored[0]!.kind === 'objection') {
      expect(told[0]!.subject).toContain('disputes Menu design');
      await c.until((v) => v.objection?.lineIds.includes('2') === true, 'the objection on the case');
    } else {
      expect(told[0]!.subject).toContain('accepts the balance');
      expect((await c.view()).objection).toBeUndefined();
    }
  });

  it('refuses a forged link before reading what was uploaded', async () => {
    const { path } = await receiptSent();
    const token = decodeURIComponent(path.replace('/respond/', ''));
    const forged = `/respond/${encodeURIComponent(`${token}x`)}`;
    const res = await w.browser().postBytes(forged, Buffer.alloc(5 * 1024 * 1024, 1), {
      'content-type': 'multipart/form-data; boundary=x',
      accept: 'text/html',
    });
    expect(res.statusCode).toBe(400);
  });

  it('escapes everything from the ledger and the client', async () => {
    const base = shortPaymentInput();
    const hostile = '<img src=x onerror=alert(1)>';
    const { path } = await receiptSent({
      invoice: {
        ...base.invoice!,
        lines: [{ ...base.invoice!.lines[0]!, description: hostile }, ...base.invoice!.lines.slice(1)],
      },
    });
    const client = w.browser();
    const shown = await client.get(path);
    expect(shown.body).not.toContain(hostile);
    expect(shown.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const back = await client.post(path, {
      _csrf: csrfOf(shown.body),
      answer: 'dispute',
      message: '</textarea><script>alert(1)</script>',
    });
    expect(back.body).not.toContain('<script>alert(1)</script>');
  });
});
