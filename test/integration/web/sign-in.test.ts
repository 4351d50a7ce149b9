// Magic-link sign-in, sessions and onboarding through the real routes on PGlite.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organisations, sessions, signInTokens, users } from '../../../src/services/db/schema.js';
import { csrfOf, textOf } from './browser.js';
import { createWebHarness, lastMailTo, magicLinkIn, seedOrganisation, signIn, type WebHarness } from './harness.js';

let w: WebHarness;
beforeAll(async () => {
  w = await createWebHarness();
});
afterAll(async () => {
  await w?.close();
});

async function requestLink(email: string) {
  const b = w.browser();
  const form = await b.get('/sign-in');
  const sent = await b.post('/sign-in', { email, _csrf: csrfOf(form.body) });
  return { b, sent, path: magicLinkIn((await lastMailTo(w.h, email.trim().toLowerCase())).text) };
}
const tokenOf = (path: string) => new URL(`https://x${path}`).searchParams.get('token')!;

describe('magic-link sign-in', () => {
  it('emails a single-use link, stores only its hash, and starts a secure session on confirmation', async () => {
    const { b, sent, path } = await requestLink('Ana@Brightside.example ');
    expect(sent.statusCode).toBe(200);
    expect(textOf(sent.body)).toContain('We sent a sign-in link to ana@brightside.example');
    const token = tokenOf(path);
    const stored = await w.h.db.select().from(signInTokens).where(eq(signInTokens.email, 'ana@brightside.example'));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.tokenHash).not.toContain(token);
    expect(stored[0]!.expiresAt.getTime() - stored[0]!.createdAt.getTime()).toBeCloseTo(15 * 60_000, -4);

    const confirm = await b.get(path);
    expect(textOf(confirm.body)).toContain('You are signing in as ana@brightside.example');
    expect(b.cookies.has('sf_session')).toBe(false); // looking at the link signs nobody in
    const done = await b.post('/sign-in/verify', { token, _csrf: csrfOf(confirm.body, '/sign-in/verify') });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/onboarding');
    const cookie = (
      done.cookies as {
        name: string;
        value: string;
        httpOnly?: boolean;
        secure?: boolean;
        sameSite?: string;
        path?: string;
      }[]
    ).find((c) => c.name === 'sf_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
    expect(cookie.value).not.toContain(token);
    const [session] = await w.h.db.select().from(sessions).where(eq(sessions.email, 'ana@brightside.example'));
    expect(cookie.value).not.toContain(session!.id); // the table holds the token's hash, the cookie the signed token
  });

  it('refuses a link used twice, and never signs in with it again', async () => {
    const { b, path } = await requestLink('twice@example.com');
    const confirm = await b.get(path);
    const csrf = csrfOf(confirm.body, '/sign-in/verify');
    expect((await b.post('/sign-in/verify', { token: tokenOf(path), _csrf: csrf })).statusCode).toBe(303);

    const other = w.browser();
    const again = await other.get(path);
    expect(again.statusCode).toBe(410);
    expect(textOf(again.body)).toContain('This sign-in link was already used');
    const otherForm = await other.get('/sign-in');
    const replay = await other.post('/sign-in/verify', { token: tokenOf(path), _csrf: csrfOf(otherForm.body) });
    expect(replay.statusCode).toBe(410);
    expect(other.cookies.has('sf_session')).toBe(false);
  });

  it('tells someone signed in who opens a used link that they are signed in, and offers no sign-in', async () => {
    await seedOrganisation(w.h, { email: 'owner@used-link.example' });
    const b = w.browser();
    await signIn(w, b, 'owner@used-link.example');
    const used = await b.get(magicLinkIn((await lastMailTo(w.h, 'owner@used-link.example')).text));
    expect(used.statusCode).toBe(410);
    const text = textOf(used.body);
    expect(text).toContain('This sign-in link was already used');
    expect(text).toContain('You are already signed in as owner@used-link.example, so you need no new link.');
    expect(text).not.toMatch(/sign-in page|Sign in\b/);
    expect(used.body).not.toContain('href="/sign-in"');
    expect(used.body).toContain('href="/">Continue to Shortfall</a>');
  });

  it('refuses a link after 15 minutes', async () => {
    const { b, path } = await requestLink('late@example.com');
    const confirm = await b.get(path);
    w.advance(15 * 60_000 + 1_000);
    try {
      const res = await b.post('/sign-in/verify', {
        token: tokenOf(path),
        _csrf: csrfOf(confirm.body, '/sign-in/verify'),
      });
      expect(res.statusCode).toBe(410);
      expect(textOf(res.body)).toContain('This sign-in link has expired');
      expect((await b.get(path)).statusCode).toBe(410);
    } finally {
      w.advance(-(15 * 60_000 + 1_000));
    }
  });

  it('answers an unknown token and a malformed email plainly', async () => {
    const b = w.browser();
    const res = await b.get('/sign-in/verify?token=not-a-real-token');
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain('This sign-in link is not valid');
    const form = await b.get('/sign-in');
    const bad = await b.post('/sign-in', { email: 'not-an-email', _csrf: csrfOf(form.body) });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('aria-invalid="true"');
    expect(textOf(bad.body)).toContain('Enter an email address like name@example.com.');
  });

  it('limits open links per address so the form cannot flood an inbox', async () => {
    const b = w.browser();
    const form = await b.get('/sign-in');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await b.post('/sign-in', { email: 'flood@example.com', _csrf: csrfOf(form.body) })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});

describe('CSRF', () => {
  it("rejects form posts without a token, with a forged token, or with another browser's token", async () => {
    const a = w.browser();
    const b = w.browser();
    const formA = await a.get('/sign-in');
    await b.get('/sign-in');
    expect((await a.post('/sign-in', { email: 'x@example.com' })).statusCode).toBe(403);
    expect((await a.post('/sign-in', { email: 'x@example.com', _csrf: 'A'.repeat(43) })).statusCode).toBe(403);
    const stolen = await b.post('/sign-in', { email: 'x@example.com', _csrf: csrfOf(formA.body) });
    expect(stolen.statusCode).toBe(403);
    expect(textOf(stolen.body)).toContain('This form has expired');
    const api = await a.post('/sign-in', { email: 'x@example.com' }, { accept: 'application/json' });
    expect(api.json()).toEqual({ error: { code: 'csrf_rejected', message: expect.stringContaining('not accepted') } });
  });

  it('binds tokens to the session: a token from before sign-in does not work after it', async () => {
    const b = w.browser();
    const before = csrfOf((await b.get('/sign-in')).body);
    await signIn(w, b, 'bound@example.com');
    expect(
      (await b.post('/onboarding', { name: 'X', timeZone: 'UTC', signature: 'X', holidays: '', _csrf: before }))
        .statusCode,
    ).toBe(403);
  });
});

describe('onboarding and sessions', () => {
  it('creates the organisation and its owner on the first sign-in, showing mistakes beside the fields', async () => {
    const b = w.browser();
    expect(await signIn(w, b, 'owner@harbor.example')).toBe('/onboarding');
    expect((await b.get('/cases')).headers.location).toBe('/onboarding');
    const form = await b.get('/onboarding');
    expect(form.body).toContain('<option value="America/New_York">America/New York</option>');
    const bad = await b.post('/onboarding', {
      name: ' ',
      timeZone: 'Mars/Olympus',
      signature: 'Ana Ruiz',
      holidays: '2026-12-25\n2026-13-01',
      _csrf: csrfOf(form.body),
    });
    expect(bad.statusCode).toBe(400);
    const text = textOf(bad.body);
    expect(text).toContain('There are 3 problems');
    expect(text).toContain('Enter the name of your business.');
    expect(text).toContain('Choose a time zone from the list.');
    expect(text).toContain('"2026-13-01" is not a date written as YYYY-MM-DD.');
    expect(bad.body).toContain('2026-12-25\n2026-13-01</textarea>'); // what was typed is kept

    const ok = await b.post('/onboarding', {
      name: 'Brightside Design',
      timeZone: 'America/New_York',
      signature: 'Ana Ruiz\nBrightside Design',
      holidays: '2026-12-25, 2026-11-26 2026-12-25',
      _csrf: csrfOf(bad.body),
    });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/connections?notice=welcome');
    const [user] = await w.h.db.select().from(users).where(eq(users.email, 'owner@harbor.example'));
    const [org] = await w.h.db.select().from(organisations).where(eq(organisations.id, user!.organisationId));
    expect(org).toMatchObject({
      name: 'Brightside Design',
      timeZone: 'America/New_York',
      signature: 'Ana Ruiz\nBrightside Design',
      holidays: ['2026-11-26', '2026-12-25'],
    });
    const page = await b.get('/connections?notice=welcome');
    expect(textOf(page.body)).toContain('Your organisation is set up.');
    expect((await b.get('/onboarding')).headers.location).toBe('/');
  });

  it('sends a returning owner straight back to the page they asked for, and signs out for good', async () => {
    const b = w.browser();
    const gate = await b.get('/cases?status=active');
    expect(gate.statusCode).toBe(303);
    expect(gate.headers.location).toBe('/sign-in?next=%2Fcases%3Fstatus%3Dactive');
    const form = await b.get(gate.headers.location as string);
    await b.post('/sign-in', { email: 'owner@harbor.example', next: '/cases?status=active', _csrf: csrfOf(form.body) });
    const link = magicLinkIn((await lastMailTo(w.h, 'owner@harbor.example')).text);
    expect(link).toContain('next=%2Fcases%3Fstatus%3Dactive');
    const confirm = await b.get(link);
    const done = await b.post('/sign-in/verify', {
      token: tokenOf(link),
      next: '/cases?status=active',
      _csrf: csrfOf(confirm.body, '/sign-in/verify'),
    });
    expect(done.headers.location).toBe('/cases?status=active');
    const cases = await b.get('/cases');
    expect(cases.statusCode).toBe(200);
    expect(textOf(cases.body)).toContain('owner@harbor.example · Brightside Design');

    const oldCookie = b.cookies.get('sf_session')!;
    const out = await b.post('/sign-out', { _csrf: csrfOf(cases.body, '/sign-out') });
    expect(out.headers.location).toBe('/sign-in');
    expect(b.cookies.has('sf_session')).toBe(false);
    const replay = await w.app.inject({
      url: '/cases',
      headers: { accept: 'text/html', cookie: `sf_session=${oldCookie}` },
    });
    expect(replay.headers.location).toMatch(/^\/sign-in/);
  });

  it('ignores open redirects in next and tampered session cookies', async () => {
    const b = w.browser();
    expect(await signIn(w, b, 'owner@harbor.example')).toBe('/'); // the dashboard
    const tampered = `${b.cookies.get('sf_session')!.slice(0, -2)}xx`;
    const res = await w.app.inject({
      url: '/cases',
      headers: { accept: 'text/html', cookie: `sf_session=${tampered}` },
    });
    expect(res.statusCode).toBe(303);
    const form = await w.browser().get('/sign-in?next=//evil.example/x');
    expect(form.body).not.toContain('evil.example');
    expect((await w.h.db.select().from(sessions)).length).toBeGreaterThan(0);
  });

  it('marks the cookie Secure only when the public URL is https', async () => {
    const plain = await createWebHarness({ settings: { publicUrl: 'http://localhost:3000' }, db: w.h });
    try {
      const res = await plain.browser().get('/sign-in');
      const csrf = (res.cookies as { name: string; secure?: boolean; httpOnly?: boolean }[]).find(
        (c) => c.name === 'sf_csrf',
      )!;
      expect(csrf.secure).toBeFalsy();
      expect(csrf.httpOnly).toBe(true);
    } finally {
      await plain.close();
    }
  });
});
