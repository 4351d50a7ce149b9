// Sign-in and approval links in the outbox, over a real SMTP server: the recipient gets the link, the stored
// copy loses it once sent; a failed send keeps it for the retry; the local mailbox keeps it to be clicked.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseActivities } from '../../../activities/cases.js';
import { createApprovalStore } from '../../../src/services/approvals/store.js';
import { type DatabaseHandle } from '../../../src/services/db/index.js';
import { cases, emailOutbox, organisations } from '../../../src/services/db/schema.js';
import { createDocumentStore, type DocumentStore } from '../../../src/services/documents/storage.js';
import { createOutbox, LINK_REMOVED, type OutboxMessage } from '../../../src/services/mail/outbox.js';
import { createMailTransport } from '../../../src/services/mail/transport.js';
import { checkApprovalToken } from '../../../src/services/security/approval-links.js';
import { shortPaymentInput } from '../../helpers/case-fixtures.js';
import { startSmtpServer } from '../../helpers/smtp.js';
import { csrfOf, textOf } from '../web/browser.js';
import { createWebHarness, lastMailTo, PUBLIC_URL } from '../web/harness.js';
import { openPglite } from '../../helpers/databases.js';

const secret = 's'.repeat(40);
let h: DatabaseHandle;
let docs: DocumentStore;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

beforeAll(async () => {
  [h, smtp] = await Promise.all([openPglite(), startSmtpServer()]);
  docs = createDocumentStore(h.db);
});
afterAll(async () => {
  await smtp?.close();
  await h?.close();
});

const smtpOutbox = (url = smtp.url) =>
  createOutbox(h.db, createMailTransport({ smtpUrl: url, from: 'Shortfall <cases@shortfall.test>' }), docs);
const stored = async (key: string) =>
  (await h.db.select().from(emailOutbox).where(eq(emailOutbox.idempotencyKey, key)))[0]!;
const received = (subject: string) => smtp.messages.filter((m) => m.subject === subject);

function linkMessage(key: string, token: string): OutboxMessage {
  const link = `${PUBLIC_URL}/sign-in/verify?token=${token}&next=%2Fcases`;
  return {
    key,
    to: 'ana@brightside.example',
    subject: key,
    attachments: [],
    secretLinks: [`${PUBLIC_URL}/sign-in/verify?`],
    text: `Sign in:\n\n${link}\n\nOr open ${PUBLIC_URL}/cases.`,
    html: `<p><a href="${link.replace('&', '&amp;')}">Sign in</a></p><p>${PUBLIC_URL}/cases</p>`,
  };
}

describe('secret links in the outbox', () => {
  it('sends the link over SMTP and keeps only a redacted copy, other links untouched', async () => {
    const row = await smtpOutbox().send(linkMessage('redacted', 'tok-A1'));
    const [mail] = received('redacted');
    expect(mail!.text).toContain(`${PUBLIC_URL}/sign-in/verify?token=tok-A1&next=%2Fcases`);
    expect(mail!.html).toContain(`href="${PUBLIC_URL}/sign-in/verify?token=tok-A1&amp;next=%2Fcases"`);
    for (const r of [row, await stored('redacted')]) {
      expect(r.status).toBe('sent');
      expect(`${r.text}${r.html}`).not.toContain('tok-A1');
      expect(r.text).toBe(`Sign in:\n\n${LINK_REMOVED}\n\nOr open ${PUBLIC_URL}/cases.`);
      expect(r.html).toBe(`<p><a href="${LINK_REMOVED}">Sign in</a></p><p>${PUBLIC_URL}/cases</p>`);
    }
  });

  it('keeps the link in the local mailbox, where it is clicked', async () => {
    const local = createOutbox(h.db, createMailTransport({ from: 'x@y.z' }), docs);
    const row = await local.send(linkMessage('local', 'tok-L1'));
    expect(row.status).toBe('sent');
    expect(row.text).toContain('token=tok-L1');
    expect(row.html).toContain('token=tok-L1');
  });

  it('keeps the body of a failed send for the retry, which sends the stored link and then cuts it', async () => {
    await expect(smtpOutbox('smtp://127.0.0.1:1').send(linkMessage('retry', 'tok-R1'))).rejects.toThrow();
    expect(await stored('retry')).toMatchObject({ status: 'pending', attempts: 1 });
    expect((await stored('retry')).text).toContain('token=tok-R1');
    // The retried caller renders the message again with a new token; the stored first one is what goes out.
    await smtpOutbox().send(linkMessage('retry', 'tok-R2'));
    expect(received('retry').map((m) => /token=([\w-]+)/.exec(m.text!)![1])).toEqual(['tok-R1']);
    const row = await stored('retry');
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
    expect(`${row.text}${row.html}`).not.toMatch(/tok-R/);
  });
});

describe('the senders mark their links', () => {
  it('sign-in: the emailed link works, and the outbox does not hold it', async () => {
    const w = await createWebHarness({ db: h, smtpUrl: smtp.url });
    try {
      const b = w.browser();
      const sent = await b.post('/sign-in', {
        email: 'smtp@brightside.example',
        next: '/cases',
        _csrf: csrfOf((await b.get('/sign-in')).body),
      });
      expect(sent.statusCode).toBe(200);
      const mail = smtp.messages.find((m) => m.to && !Array.isArray(m.to) && m.to.text === 'smtp@brightside.example')!;
      const link = /https:\/\/app\.shortfall\.test(\/sign-in\/verify\?\S+)/.exec(mail.text!)![1]!;
      const token = new URL(`https://x${link}`).searchParams.get('token')!;
      const row = await lastMailTo(h, 'smtp@brightside.example');
      expect(`${row.text}${row.html}`).not.toContain(token);
      expect(row.text).toContain(LINK_REMOVED);
      const confirm = await b.get(link);
      expect(textOf(confirm.body)).toContain('You are signing in as smtp@brightside.example');
    } finally {
      await w.close();
    }
  });

  it("approval: the owner gets a working link, the case's stored email does not, even after a failed first send", async () => {
    const input = shortPaymentInput();
    const [org] = await h.db.insert(organisations).values({ name: 'Brightside Design' }).returning();
    const [c] = await h.db
      .insert(cases)
      .values({
        organisationId: org!.id,
        caseKey: input.caseKey,
        workflowId: `case/${input.caseKey}`,
        kind: 'short_payment',
        status: 'open',
        currency: 'USD',
      })
      .returning();
    const activities = (outbox: ReturnType<typeof createOutbox>) =>
      createCaseActivities({
        db: h.db,
        outbox,
        approvals: createApprovalStore(h.db, secret),
        documents: docs,
        publicUrl: PUBLIC_URL,
        replyDomain: 'replies.shortfall.test',
        ledger: async () => {
          throw new Error('no ledger in this test');
        },
        evidence: async () => {
          throw new Error('no Stripe in this test');
        },
      });
    const draft = {
      subject: 'Invoice 1001: payment received',
      text: 'Dear Harbor Cafe',
      html: '<p>Dear Harbor Cafe</p>',
      attachments: [],
    };
    const req = {
      key: `${c!.id}/approval/1`,
      caseId: c!.id,
      workflowId: c!.workflowId,
      version: 1,
      kind: 'first_response' as const,
      draft,
      organisation: input.organisation,
    };

    await expect(activities(smtpOutbox('smtp://127.0.0.1:1')).requestApproval(req)).rejects.toThrow();
    const first = /approvals\/(\S+)/.exec((await stored(req.key)).text)![1]!;
    await activities(smtpOutbox()).requestApproval(req);

    const [mail] = received('Approve: Invoice 1001: payment received');
    const emailed = /approvals\/(\S+)/.exec(mail!.text!)![1]!;
    expect(emailed).toBe(first);
    expect(checkApprovalToken(secret, decodeURIComponent(emailed), Date.now())).toMatchObject({
      ok: true,
      claims: { caseId: c!.id, version: 1 },
    });
    const row = await stored(req.key);
    expect(row.status).toBe('sent');
    expect(`${row.text}${row.html}`).not.toContain('/approvals/');
    expect(row.text).toContain(`Review, edit or approve it here (the link works once):\n${LINK_REMOVED}`);
    expect(row.text).toContain('Dear Harbor Cafe');
  });
});

describe('mail readiness (/readyz "mail")', () => {
  it('is ready while the SMTP server answers, and says why not when it refuses connections', async () => {
    const smtp = await startSmtpServer();
    const up = createMailTransport({ smtpUrl: smtp.url, from: 'Shortfall <cases@shortfall.test>' });
    await expect(up.verify()).resolves.toBeUndefined();
    up.close();
    await smtp.close();
    const down = createMailTransport({ smtpUrl: smtp.url, from: 'Shortfall <cases@shortfall.test>' });
    await expect(down.verify()).rejects.toThrow(/ECONNREFUSED|connect/i);
    down.close();
    // With no SMTP_URL mail stays in the local mailbox: nothing to be unready about.
    await expect(createMailTransport({ from: 'x@y.test' }).verify()).resolves.toBeUndefined();
  });
});
