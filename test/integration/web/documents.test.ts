// Case documents: upload as application/octet-stream with the CSRF token in a header, download as an
// attachment, both only within the owner's organisation.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, cases, connections } from '../../../src/services/db/schema.js';
import { MAX_UPLOAD_BYTES } from '../../../src/app/http/cases/document-routes.js';
import { csrfOf, textOf, type InjectBrowser } from './browser.js';
import { createWebHarness, seedOrganisation, signIn, type WebHarness } from './harness.js';

let w: WebHarness;
let b: InjectBrowser;
let csrf: string;
let caseId: string;
const pdf = Buffer.from('%PDF-1.4\n% Signed statement of work\n');

beforeAll(async () => {
  w = await createWebHarness();
  const { org } = await seedOrganisation(w.h, { email: 'ana@brightside.example' });
  await seedOrganisation(w.h, { email: 'bob@elsewhere.example', name: 'Elsewhere Ltd' });
  const [conn] = await w.h.db
    .insert(connections)
    .values({ organisationId: org.id, provider: 'quickbooks', accountId: 'realm-1', name: 'QBO' })
    .returning();
  const [row] = await w.h.db
    .insert(cases)
    .values({
      organisationId: org.id,
      caseKey: 'k1',
      workflowId: 'case/k1',
      connectionId: conn!.id,
      kind: 'short_payment',
      status: 'awaiting_client',
      customerName: 'Harbor Cafe',
      currency: 'USD',
    })
    .returning();
  caseId = row!.id;
  b = w.browser();
  await signIn(w, b, 'ana@brightside.example');
  csrf = csrfOf((await b.get('/cases')).body, '/sign-out');
});
afterAll(async () => {
  await w?.close();
});

const upload = (browser: InjectBrowser, query: string, bytes: Buffer, token = csrf) =>
  browser.postBytes(`/cases/${caseId}/documents?${query}`, bytes, { 'x-csrf-token': token });

/** What a browser without JavaScript sends for the upload form. */
function multipartForm(fields: Record<string, string>, file: { name: string; type: string; content: Buffer }) {
  const boundary = '----shortfall-test-boundary';
  const parts = Object.entries(fields).map(
    ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
  );
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`;
  return {
    body: Buffer.concat([Buffer.from(parts.join('') + head), file.content, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

describe('case documents', () => {
  it('stores an upload, records who added it, and serves it back as a download', async () => {
    const res = await upload(b, 'name=Signed%20SOW%20%E2%80%93%20Harbor.pdf&kind=sow&type=application%2Fpdf', pdf);
    expect(res.statusCode).toBe(201);
    const doc = res.json();
    expect(doc).toMatchObject({
      name: 'Signed SOW – Harbor.pdf',
      kind: 'sow',
      sizeBytes: pdf.length,
      location: `/cases/${caseId}?notice=document_uploaded#documents`,
    });
    const [audit] = await w.h.db.select().from(auditEvents).where(eq(auditEvents.caseId, caseId));
    expect(audit).toMatchObject({
      kind: 'document_uploaded',
      actor: 'ana@brightside.example',
      data: { documentId: doc.id, sha256: doc.sha256 },
    });

    const file = await b.get(`/cases/${caseId}/documents/${doc.id}`);
    expect(file.rawPayload.equals(pdf)).toBe(true);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toBe(
      `attachment; filename="Signed SOW _ Harbor.pdf"; filename*=UTF-8''Signed%20SOW%20%E2%80%93%20Harbor.pdf`,
    );
    expect(file.headers['x-content-type-options']).toBe('nosniff');
  });

  it('never serves an upload as HTML, and strips paths from its name', async () => {
    const res = await upload(
      b,
      'name=..%2F..%2Fevil.html&kind=other&type=text%2Fhtml',
      Buffer.from('<script>alert(1)</script>'),
    );
    const doc = res.json();
    expect(doc.name).toBe('.._.._evil.html');
    const file = await b.get(`/cases/${caseId}/documents/${doc.id}`);
    expect(file.headers['content-type']).toBe('application/octet-stream');
    expect(file.headers['content-disposition']).toMatch(/^attachment;/);
  });

  it('refuses uploads without the CSRF token, from another organisation, too large, or posted without the script', async () => {
    expect((await upload(b, 'name=a.pdf&kind=sow', pdf, 'forged')).statusCode).toBe(403);
    const bob = w.browser();
    await signIn(w, bob, 'bob@elsewhere.example');
    const bobCsrf = csrfOf((await bob.get('/cases')).body, '/sign-out');
    const foreign = await bob.postBytes(`/cases/${caseId}/documents?name=a.pdf&kind=sow`, pdf, {
      'x-csrf-token': bobCsrf,
    });
    expect(foreign.statusCode).toBe(404);
    expect((await upload(b, 'name=big.bin&kind=other', Buffer.alloc(MAX_UPLOAD_BYTES + 1))).statusCode).toBe(413);
    const bad = await upload(b, 'name=a.pdf&kind=contract', pdf);
    expect(bad.json().error.message).toBe('Name the file and choose what kind of document it is.');
    const urlEncoded = await b.post(`/cases/${caseId}/documents`, { _csrf: csrf, kind: 'sow' });
    expect(urlEncoded.statusCode).toBe(415);
    expect(textOf(urlEncoded.body)).toContain('Send the file with the upload form.');
    const docs = await w.documents.listForCase(caseId);
    expect((await bob.get(`/cases/${caseId}/documents/${docs[0]!.id}`)).statusCode).toBe(404);
    expect((await b.get(`/cases/${caseId}/documents/00000000-0000-4000-8000-000000000000`)).statusCode).toBe(404);
  });

  it('accepts the plain form upload of a browser without JavaScript, CSRF-checked', async () => {
    const signed = multipartForm(
      { _csrf: csrf, kind: 'delivery_receipt' },
      { name: 'Delivery note.pdf', type: 'application/pdf', content: pdf },
    );
    const res = await b.postBytes(`/cases/${caseId}/documents`, signed.body, {
      'content-type': signed.contentType,
      accept: 'text/html',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/cases/${caseId}?notice=document_uploaded#documents`);
    const stored = (await w.documents.listForCase(caseId)).find((d) => d.name === 'Delivery note.pdf');
    expect(stored).toMatchObject({ kind: 'delivery_receipt', contentType: 'application/pdf', sizeBytes: pdf.length });
    const forged = multipartForm(
      { _csrf: 'forged', kind: 'sow' },
      { name: 'x.pdf', type: 'application/pdf', content: pdf },
    );
    expect(
      (await b.postBytes(`/cases/${caseId}/documents`, forged.body, { 'content-type': forged.contentType })).statusCode,
    ).toBe(403);
  });
});
