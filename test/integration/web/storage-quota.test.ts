// An organisation near its storage allowance (STORAGE_QUOTA_MB): the owner's upload and the client's files on the
// response page that would not fit are refused whole with HTTP 413 and a message a person can act on, and nothing of
// them is kept (no document, no answer, nothing on the case); what fits still goes in.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientResponses } from '../../../src/services/db/schema.js';
import { createDevEnv } from '../../helpers/temporal-env.js';
import { csrfOf, textOf, type InjectBrowser } from './browser.js';
import { createWebHarness, signIn, type WebHarness } from './harness.js';
import { startCaseWorker } from './live-case.js';

const QUOTA = 1024 * 1024; // 1 MB, as STORAGE_QUOTA_MB=1 gives
const owner = 'ana@brightside.example';

let env: TestWorkflowEnvironment;
let w: WebHarness;
let cases: Awaited<ReturnType<typeof startCaseWorker>>;
let ownerBrowser: InjectBrowser;

beforeAll(async () => {
  env = await createDevEnv();
  w = await createWebHarness({ workflows: env.client.workflow, storageQuotaBytes: QUOTA });
  cases = await startCaseWorker(env, w, { email: owner }, { clientLinks: true });
  ownerBrowser = w.browser();
  await signIn(w, ownerBrowser, owner);
});
afterAll(async () => {
  await cases?.stop();
  await w?.close();
  await env?.teardown();
});

const fillers: string[] = [];
/** Earlier documents (an archive the owner kept) leave exactly `left` bytes of the allowance. */
async function leaveRoom(caseId: string, left: number) {
  await w.documents.remove(fillers.splice(0)); // the previous test's archive
  const { usedBytes } = await w.documents.usage(cases.org.id);
  const filler = await w.documents.save({
    caseId,
    kind: 'other',
    name: 'Earlier correspondence.zip',
    contentType: 'application/octet-stream',
    content: Buffer.alloc(QUOTA - usedBytes - left, 1),
  });
  fillers.push(filler.id);
  expect((await w.documents.usage(cases.org.id)).usedBytes).toBe(QUOTA - left);
}

async function multipart(fields: Record<string, string | string[]>, files: { name: string; bytes: number }[]) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) fd.append(k, one);
  for (const f of files)
    fd.append(f.name.startsWith('photo') ? 'files' : 'file', new Blob([Buffer.alloc(f.bytes, 7)]), f.name);
  const encoded = new Request('https://x/', { method: 'POST', body: fd });
  return {
    body: Buffer.from(await encoded.arrayBuffer()),
    headers: { 'content-type': encoded.headers.get('content-type')!, accept: 'text/html' },
  };
}

describe('the storage allowance', () => {
  it("refuses the owner's upload that would not fit, whole and in words, and takes one that does", async () => {
    const c = await cases.openCase();
    await cases.responsePath(c.id); // the receipt is out: the case has stored its invoice PDF
    await leaveRoom(c.id, 4 * 1024);
    const before = (await w.documents.listForCase(c.id)).length;
    const casePage = await ownerBrowser.get(`/cases/${c.id}`);
    const csrf = csrfOf(casePage.body, '/sign-out');
    expect(textOf(casePage.body)).toContain("Your organisation's documents use 1020 KB of 1 MB.");

    // The page's script posts the bytes and shows the message from the JSON error.
    const bytes = await ownerBrowser.postBytes(
      `/cases/${c.id}/documents?name=Site%20photos.pdf&kind=photo&type=application%2Fpdf`,
      Buffer.alloc(10 * 1024, 3),
      { 'x-csrf-token': csrf },
    );
    expect(bytes.statusCode).toBe(413);
    expect(bytes.json().error.message).toBe(
      "This file (10 KB) does not fit in your organisation's document storage: 1020 KB of 1 MB is in use, 4 KB is " +
        'left. Nothing was saved. Upload a smaller file, or ask whoever runs Shortfall for your organisation to ' +
        'raise the storage allowance (STORAGE_QUOTA_MB).',
    );

    // Without JavaScript the form posts multipart and gets a page saying the same.
    const form = await multipart({ _csrf: csrf, kind: 'photo' }, [{ name: 'Site photos.pdf', bytes: 10 * 1024 }]);
    const page = await ownerBrowser.postBytes(`/cases/${c.id}/documents`, form.body, form.headers);
    expect(page.statusCode).toBe(413);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(textOf(page.body)).toContain('Not enough storage left');
    expect(textOf(page.body)).toContain('4 KB is left. Nothing was saved.');
    expect(await w.documents.listForCase(c.id)).toHaveLength(before);

    // A file that fits is stored as usual.
    const fits = await ownerBrowser.postBytes(
      `/cases/${c.id}/documents?name=Signed%20SOW.pdf&kind=sow&type=application%2Fpdf`,
      Buffer.alloc(3 * 1024, 5),
      { 'x-csrf-token': csrf },
    );
    expect(fits.statusCode).toBe(201);
    expect((await w.documents.listForCase(c.id)).find((d) => d.id === fits.json().id)).toMatchObject({
      name: 'Signed SOW.pdf',
      sizeBytes: 3 * 1024,
    });
  });

  it('tells a client whose photos would not fit, keeps what they typed, records nothing, and takes the answer without them', async () => {
    const c = await cases.openCase();
    const { path } = await cases.responsePath(c.id);
    const client = w.browser();
    const shown = await client.get(path);
    await leaveRoom(c.id, 2 * 1024);
    const documentsBefore = (await w.documents.listForCase(c.id)).map((d) => d.id);
    const answer = {
      _csrf: csrfOf(shown.body),
      answer: 'dispute',
      lines: '2',
      reason: 'not_delivered',
      received: 'Nothing arrived at the shop',
    };

    const form = await multipart(answer, [
      { name: 'photo-front.jpg', bytes: 1024 },
      { name: 'photo-back.jpg', bytes: 2 * 1024 },
    ]);
    const refused = await client.postBytes(path, form.body, form.headers);
    expect(refused.statusCode).toBe(413);
    const text = textOf(refused.body);
    expect(text).toContain('Your files (3 KB) are more than');
    expect(text).toContain('2 KB of storage is left. Nothing was sent.');
    expect(refused.body).toContain('Nothing arrived at the shop'); // what they typed is still in the form
    // Neither file (not even the first, which alone would fit), no answer, nothing on the case.
    expect((await w.documents.listForCase(c.id)).map((d) => d.id)).toEqual(documentsBefore);
    expect(await w.h.db.select().from(clientResponses).where(eq(clientResponses.caseId, c.id))).toEqual([]);
    expect((await c.view()).objection).toBeUndefined();

    // Sent again without the photos, the answer reaches the case.
    const plain = await multipart({ ...answer, _csrf: csrfOf(refused.body) }, []);
    const done = await client.postBytes(path, plain.body, plain.headers);
    expect(done.statusCode).toBe(200);
    expect(textOf(done.body)).toContain('You dispute Menu design: This was not delivered.');
    const v = await c.until((x) => x.objection !== undefined, 'the objection on the case');
    expect(v.objection).toMatchObject({ kind: 'specific', lineIds: ['2'] });
  });
});
