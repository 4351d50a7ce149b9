// Mail to a case's reply address: only the client's known addresses answer the case. Anyone else's message (one
// merely claiming to come from the owner included) is kept and shown on the case page as from an unknown sender, and
// the case does not move; Message-ID de-duplication never drops a different message that reuses an id.
import { expect } from 'vitest';
import { scenario } from './harness/index.js';
import { responded, shortPaid } from './harness/stories.js';

scenario(
  'a message claiming to come from the owner is kept as from an unknown sender and leaves the draft waiting',
  async (s) => {
    await shortPaid(s);
    const before = await s.view();
    expect(before.drafts.at(-1)).toMatchObject({ kind: 'first_response', state: 'pending' });

    const forged = await s.clientReplies('Please withdraw the letter, we have settled this.', {
      from: `Owner <${s.ownerEmail}>`,
      subject: 'Withdraw the letter',
    });
    expect(forged.status).toBe(202);
    expect(forged.body).toMatchObject({ sender: 'unknown', kept: true, duplicate: false });
    const stranger = await s.clientReplies('We dispute everything.', {
      from: 'Mallory <mallory@elsewhere.example>',
      subject: 'About invoice',
    });
    expect(stranger.body).toMatchObject({ sender: 'unknown', kept: true });

    // The client's own reply after them reaches the case: by then the workflow has seen every signal sent before.
    // That genuine reply, and only it, makes the waiting draft out of date: it is withdrawn and drafted again.
    await s.clientReplies('We will look at the Travel line.', { subject: 'Re: your invoice' });
    const v = await s.until(
      'the client reply on the timeline, the stale draft withdrawn and a new one waiting',
      (x) =>
        x.timeline.some((t) => t.kind === 'client_reply') &&
        x.timeline.some((t) => t.kind === 'draft_withdrawn') &&
        x.drafts.at(-1)?.state === 'pending',
    );
    expect(v.timeline.filter((t) => t.kind === 'client_reply').map((t) => t.summary)).toEqual([
      `Reply from ${s.clientEmail()}: Re: your invoice`,
    ]);
    const kinds = v.timeline.map((t) => t.kind);
    const withdrawn = v.timeline.filter((t) => t.kind === 'draft_withdrawn');
    expect(withdrawn.map((t) => t.summary)).toEqual([expect.stringMatching(/the client replied/)]);
    expect(kinds.indexOf('draft_withdrawn')).toBeGreaterThan(kinds.indexOf('client_reply'));
    expect(v.drafts).toHaveLength(before.drafts.length + 1);
    expect(v.drafts.at(-1)).toMatchObject({ kind: 'first_response', state: 'pending' });

    const page = await s.casePage();
    expect(page.text).toContain('Mail from unknown senders');
    expect(page.text).toContain(`From an unknown sender: ${s.ownerEmail}`);
    expect(page.text).toContain('Withdraw the letter');
    expect(page.text).toContain('From an unknown sender: mallory@elsewhere.example');
    expect(page.text).toContain('About invoice');
    expect(page.text).not.toContain(`From an unknown sender: ${s.clientEmail()}`);

    // The draft the forged message asked to withdraw still goes out when the owner approves it.
    await s.approveLatest('first_response');
    await s.letterSent('first_response');
  },
);

scenario(
  'a different message reusing a Message-ID is recorded; the same message delivered twice is kept once',
  async (s) => {
    await responded(s);
    const messageId = '<reused-1@clients.example>';
    const first = await s.clientReplies('Which hours are these?', { messageId, subject: 'Hours' });
    const other = await s.clientReplies('Travel was never agreed.', { messageId, subject: 'Travel' });
    const again = await s.clientReplies('Which hours are these?', { messageId, subject: 'Hours' });
    expect(first.body.duplicate).toBe(false);
    expect(other.body.duplicate).toBe(false);
    expect(again.body.duplicate).toBe(true);

    const v = await s.until(
      'both replies on the timeline',
      (x) => x.timeline.filter((t) => t.kind === 'client_reply').length === 2,
    );
    expect(
      v.timeline
        .filter((t) => t.kind === 'client_reply')
        .map((t) => t.summary)
        .sort(),
    ).toEqual([`Reply from ${s.clientEmail()}: Hours`, `Reply from ${s.clientEmail()}: Travel`]);
    const kept = (await s.services.documents.listForCase((await s.case()).id)).filter(
      (d) => d.contentType === 'message/rfc822',
    );
    expect(kept).toHaveLength(2);
    // A last, distinct reply settles the workflow's signals: the redelivery added nothing in between.
    await s.clientReplies('Any news?', { subject: 'News' });
    const after = await s.until(
      'the last reply on the timeline',
      (x) => x.timeline.filter((t) => t.kind === 'client_reply').length >= 3,
    );
    expect(after.timeline.filter((t) => t.kind === 'client_reply')).toHaveLength(3);
  },
);

scenario('mail from unknown senders is kept up to the cap per case, and nothing past it', async (s) => {
  await responded(s);
  const statusBefore = (await s.view()).status;
  const answers = [];
  for (let i = 1; i <= 21; i++)
    answers.push(await s.clientReplies(`Spam number ${i}`, { from: `bulk${i}@spam.example`, subject: `Offer ${i}` }));
  expect(answers.slice(0, 20).every((a) => a.body.kept === true && a.status === 202)).toBe(true);
  expect(answers[20]!.body).toMatchObject({ sender: 'unknown', kept: false });
  expect(answers[20]!.status).toBe(200);

  const page = await s.casePage();
  expect(page.text).toContain('At most 20 are kept per case');
  expect(page.text).toContain('From an unknown sender: bulk20@spam.example');
  expect(page.text).not.toContain('bulk21@spam.example');
  const kept = (await s.services.documents.listForCase((await s.case()).id)).filter((d) =>
    d.name.startsWith('From an unknown sender'),
  );
  expect(kept).toHaveLength(20);
  const v = await s.view();
  expect(v.status).toBe(statusBefore);
  expect(v.timeline.some((t) => t.kind === 'client_reply')).toBe(false);
});
