// What identifies an inbound message and who sent it: a redelivery is the same message, a reused Message-ID is not.
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { messageKey, senderOf } from '../../../../../src/app/http/mail/inbound-message.js';

const message = (o: { text: string; date?: string; received?: string; from?: string; messageId?: string }) =>
  simpleParser(
    [
      ...(o.received ? [`Received: ${o.received}`] : []),
      `From: ${o.from ?? 'Sam Harbor <Pay@Harbor.example>'}`,
      'To: case+3f1c8a52-0d7e-4b7a-9a51-1c2d3e4f5a6b@replies.example',
      'Subject: Re: your invoice',
      `Message-ID: ${o.messageId ?? '<m1@harbor.example>'}`,
      `Date: ${o.date ?? 'Mon, 30 Nov 2026 10:00:00 +0000'}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      o.text,
      '',
    ].join('\r\n'),
  );

describe('messageKey', () => {
  it('is the same for the same message redelivered through another route, with another Date', async () => {
    const first = await message({ text: 'Which hours are these?' });
    const again = await message({
      text: 'Which hours are these?',
      date: 'Mon, 30 Nov 2026 10:05:00 +0000',
      received: 'from mx2.example by mx.example; Mon, 30 Nov 2026 10:05:01 +0000',
    });
    expect(messageKey(again)).toBe(messageKey(first));
  });

  it('differs for a different message reusing the Message-ID, and for another Message-ID', async () => {
    const first = await message({ text: 'Which hours are these?' });
    const reused = await message({ text: 'Travel was never agreed.' });
    const other = await message({ text: 'Which hours are these?', messageId: '<m2@harbor.example>' });
    expect(messageKey(reused)).not.toBe(messageKey(first));
    expect(messageKey(other)).not.toBe(messageKey(first));
  });
});

describe('senderOf', () => {
  it('is the From address in lower case, and undefined without one', async () => {
    expect(senderOf(await message({ text: 'x' }))).toBe('pay@harbor.example');
    expect(senderOf(await message({ text: 'x', from: 'undisclosed-recipients:;' }))).toBeUndefined();
  });
});
