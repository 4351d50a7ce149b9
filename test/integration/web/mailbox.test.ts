// The local mailbox page: only while mail is not sent over SMTP, never in production.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfOf, textOf } from './browser.js';
import { createWebHarness, type WebHarness } from './harness.js';

let w: WebHarness;
beforeAll(async () => {
  w = await createWebHarness();
});
afterAll(async () => {
  await w?.close();
});

describe('local mailbox', () => {
  it('lists outbox messages and shows each one with its links, so a local owner can sign in', async () => {
    const b = w.browser();
    await b.post('/sign-in', { email: 'ana@brightside.example', _csrf: csrfOf((await b.get('/sign-in')).body) });
    const list = await b.get('/dev/mailbox');
    expect(list.statusCode).toBe(200);
    expect(textOf(list.body)).toContain('Your Shortfall sign-in link ana@brightside.example');
    const href = /href="(\/dev\/mailbox\/[0-9a-f-]{36})"/.exec(list.body)![1]!;
    const message = await b.get(href);
    expect(textOf(message.body)).toContain('To ana@brightside.example');
    const link = /<a href="(https:\/\/app\.shortfall\.test\/sign-in\/verify\?token=[^"]+)"/.exec(message.body)![1]!;
    const confirm = await b.get(link.replace('https://app.shortfall.test', ''));
    expect(textOf(confirm.body)).toContain('You are signing in as ana@brightside.example');
    expect((await b.get('/dev/mailbox/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });

  it('is linked from the header and from the "check your email" page, so a first-time owner finds the sign-in link', async () => {
    const b = w.browser();
    const signInPage = await b.get('/sign-in');
    expect(signInPage.body).toMatch(/<nav aria-label="Main">[\s\S]*<a href="\/dev\/mailbox">Mailbox<\/a>/);
    const sent = await b.post('/sign-in', { email: 'new@brightside.example', _csrf: csrfOf(signInPage.body) });
    expect(textOf(sent.body)).toContain(
      'This Shortfall sends no real email: mail stays in the local mailbox. Open it to find the sign-in link.',
    );
    expect(sent.body).toContain('<a href="/dev/mailbox">local mailbox</a>');
    const mailbox = await b.get('/dev/mailbox');
    expect(mailbox.body).toContain('<a href="/dev/mailbox" aria-current="page">Mailbox</a>');
  });

  it('is not linked when mail goes over SMTP', async () => {
    const other = await createWebHarness({ settings: { mailbox: false }, db: w.h });
    try {
      const b = other.browser();
      const signInPage = await b.get('/sign-in');
      expect(signInPage.body).not.toContain('/dev/mailbox');
      const sent = await b.post('/sign-in', { email: 'smtp@brightside.example', _csrf: csrfOf(signInPage.body) });
      expect(sent.body).not.toContain('/dev/mailbox');
      expect(textOf(sent.body)).toContain('Check your spam folder');
    } finally {
      await other.close();
    }
  });

  it('does not exist in production or when SMTP is configured', async () => {
    for (const settings of [
      { production: true, mailbox: false },
      { production: false, mailbox: false },
      { production: true, mailbox: true },
    ]) {
      const other = await createWebHarness({ settings, db: w.h });
      try {
        const res = await other.browser().get('/dev/mailbox');
        expect(res.statusCode, JSON.stringify(settings)).toBe(404);
        expect((await other.browser().get('/dev/mailbox/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
      } finally {
        await other.close();
      }
    }
  });
});
