// Inbound email: raw MIME from the mail provider, authenticated by the derived secret, routed by the
// case+<id>@ address to that case's workflow as the clientReply signal.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../../../src/services/db/schema.js';
import { INBOUND_SECRET_HEADER } from '../../../src/app/http/mail/inbound-routes.js';
import { inboundEmailSecret } from '../../../src/app/http/security/keys.js';
import { createDevEnv } from '../../helpers/temporal-env.js';
import { createWebHarness, SECRET, type WebHarness } from './harness.js';
import { startCaseWorker, type LiveCase } from './live-case.js';

let env: TestWorkflowEnvironment;
let w: WebHarness;
let cases: Awaited<ReturnType<typeof startCaseWorker>>;
let first: LiveCase;
let second: LiveCase;

beforeAll(async () => {
  env = await createDevEnv();
  w = await createWebHarness({ workflows: env.client.workflow });
  cases = await startCaseWorker(env, w, { email: 'ana@brightside.example' });
  [first, second] = await Promise.all([cases.openCase(), cases.openCase()]);
  await Promise.all([first, second].map((c) => c.until((v) => v.status === 'awaiting_approval', 'first draft')));
});
afterAll(async () => {
  await cases?.stop();
  await w?.close();
  await env?.teardown();
});

function mime(o: { to: string; messageId: string; text: string; cc?: string }): Promise<Buffer> {
  return new MailComposer({
    from: 'Sam Harbor <pay@harbor.example>',
    to: o.to,
    ...(o.cc ? { cc: o.cc } : {}),
    subject: 'Re: Invoice 1001: your payment and the remaining balance',
    messageId: o.messageId,
    date: new Date('2020-01-01T00:00:00Z'),
    text: o.text,
  })
    .compile()
    .build();
}
const post = (raw: Buffer, secret: string | null = inboundEmailSecret(SECRET)) =>
  w.app.inject({
    method: 'POST',
    url: '/inbound/email',
    payload: raw,
    headers: { 'content-type': 'message/rfc822', ...(secret === null ? {} : { [INBOUND_SECRET_HEADER]: secret }) },
  });

describe('inbound email', () => {
  it('refuses a message without the shared secret, or with a wrong one', async () => {
    const raw = await mime({
      to: `case+${second.id}@replies.shortfall.local`,
      messageId: '<nope@harbor.example>',
      text: 'hello',
    });
    for (const secret of [null, '', inboundEmailSecret('another-secret-of-at-least-32-chars!!')]) {
      const res = await post(raw, secret);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthenticated');
    }
    expect((await second.view()).timeline.some((t) => t.kind === 'client_reply')).toBe(false);
  });

  it('signals the reply to the case it is addressed to, keeps the message, and ignores a redelivery', async () => {
    const raw = await mime({
      to: `Brightside <case+${second.id}@replies.shortfall.local>`,
      messageId: '<r1@harbor.example>',
      text: 'The menu design took 6 hours, not 10.',
    });
    const res = await post(raw);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ caseId: second.id, duplicate: false });
    const v = await second.until((x) => x.timeline.some((t) => t.kind === 'client_reply'), 'reply on the timeline');
    const entry = v.timeline.find((t) => t.kind === 'client_reply')!;
    expect(entry.summary).toBe(
      'Reply from pay@harbor.example: Re: Invoice 1001: your payment and the remaining balance',
    );
    expect(Date.parse(entry.at)).toBeGreaterThan(Date.parse('2025-01-01')); // our receipt time, not the sender's Date header
    expect((await first.view()).timeline.some((t) => t.kind === 'client_reply')).toBe(false);

    const emails = async () =>
      (await w.documents.listForCase(second.id)).filter((d) => d.contentType === 'message/rfc822');
    const docs = await emails();
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({
      kind: 'other',
      name: expect.stringMatching(/^Reply from pay@harbor\.example \(\d{4}-\d{2}-\d{2}\)\.eml$/),
    });
    expect((await w.documents.load(docs[0]!.id)).content.equals(raw)).toBe(true);

    const again = await post(raw);
    expect(again.json()).toEqual({ caseId: second.id, duplicate: true });
    await new Promise((r) => setTimeout(r, 300));
    expect((await second.view()).timeline.filter((t) => t.kind === 'client_reply')).toHaveLength(1);
    expect(await emails()).toHaveLength(1);
    const audit = await w.h.db.select().from(auditEvents).where(eq(auditEvents.kind, 'client_reply_received'));
    expect(audit.map((a) => [a.caseId, a.actor])).toEqual([[second.id, 'pay@harbor.example']]);
  });

  it('finds the case address in Cc too, and answers 404 for a message to no known case', async () => {
    const cc = await post(
      await mime({
        to: 'ana@brightside.example',
        cc: `case+${first.id}@replies.shortfall.local`,
        messageId: '<r2@harbor.example>',
        text: 'See below',
      }),
    );
    expect(cc.json()).toEqual({ caseId: first.id, duplicate: false });
    const unknown = await post(
      await mime({
        to: 'case+00000000-0000-4000-8000-000000000000@replies.shortfall.local',
        messageId: '<r3@harbor.example>',
        text: '?',
      }),
    );
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('unknown_case');
    const nobody = await post(await mime({ to: 'someone@else.example', messageId: '<r4@harbor.example>', text: '?' }));
    expect(nobody.statusCode).toBe(404);
  });
});
