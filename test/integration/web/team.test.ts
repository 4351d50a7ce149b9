// Teammates: the owner invites a bookkeeper by email; the emailed link is signed, works once and expires; the
// bookkeeper joins with one click and works the cases but cannot manage the team; removing them ends their sessions.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invitations, sessions, users } from '../../../src/services/db/schema.js';
import type { InjectBrowser } from './browser.js';
import { csrfOf, textOf } from './browser.js';
import { createWebHarness, lastMailTo, seedOrganisation, signIn, type WebHarness } from './harness.js';

let w: WebHarness;
let owner: InjectBrowser;
let orgId: string;
beforeAll(async () => {
  w = await createWebHarness();
  orgId = (await seedOrganisation(w.h, { email: 'ana@brightside.example' })).org.id;
  owner = w.browser();
  await signIn(w, owner, 'ana@brightside.example');
});
afterAll(async () => {
  await w?.close();
});

const invitePath = (text: string) => {
  const m = /https:\/\/app\.shortfall\.test(\/invitations\/[\w.-]+)/.exec(text);
  if (!m) throw new Error('no invitation link in the email');
  return m[1]!;
};

async function invite(email: string, role: string) {
  const page = await owner.get('/settings/team');
  return owner.post('/settings/team/invitations', {
    _csrf: csrfOf(page.body, '/settings/team/invitations'),
    email,
    role,
  });
}

async function accept(b: InjectBrowser, path: string) {
  const page = await b.get(path);
  if (page.statusCode !== 200) return page;
  return b.post(path, { _csrf: csrfOf(page.body, path) });
}

const member = async (email: string) => (await w.h.db.select().from(users).where(eq(users.email, email)))[0];

describe('teammates', () => {
  it('invites a bookkeeper by email; the link works once and signs them in as a bookkeeper', async () => {
    const res = await invite(' Bo@Books.example ', 'bookkeeper');
    expect(res.statusCode).toBe(303);
    const mail = await lastMailTo(w.h, 'bo@books.example');
    expect(mail.subject).toBe('You are invited to Brightside Design on Shortfall');
    expect(mail.text).toContain('ana@brightside.example invited you to Brightside Design on Shortfall as a bookkeeper');
    expect(mail.text).toContain('It works once, within 7 days');
    const path = invitePath(mail.text);
    const listed = textOf((await owner.get('/settings/team?notice=invitation_sent')).body);
    expect(listed).toContain('Invitation sent.');
    expect(listed).toMatch(/Invitations not yet accepted .*bo@books\.example Bookkeeper/);

    const bo = w.browser();
    const look = await bo.get(path);
    expect(look.statusCode).toBe(200);
    expect(textOf(look.body)).toContain('Join Brightside Design');
    expect(await member('bo@books.example')).toBeUndefined(); // looking (a mail scanner) uses nothing
    const joined = await bo.post(path, { _csrf: csrfOf(look.body, path) });
    expect(joined.statusCode).toBe(303);
    expect(joined.headers.location).toBe('/cases');
    expect(await member('bo@books.example')).toMatchObject({ organisationId: orgId, role: 'bookkeeper' });
    expect((await bo.get('/cases')).statusCode).toBe(200);

    const again = await accept(w.browser(), path);
    expect(again.statusCode).toBe(410);
    expect(textOf(again.body)).toContain('this one was used');
  });

  it('lets a bookkeeper see the team but not invite, change roles or remove anyone', async () => {
    const bo = w.browser();
    await signIn(w, bo, 'bo@books.example');
    const page = await bo.get('/settings/team');
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).toContain('Only the owner can invite, change or remove teammates.');
    const csrf = csrfOf(page.body, '/sign-out');
    const ana = (await member('ana@brightside.example'))!;
    for (const [url, body] of [
      ['/settings/team/invitations', { email: 'friend@books.example', role: 'owner' }],
      [`/settings/team/${ana.id}/role`, { role: 'viewer' }],
      [`/settings/team/${ana.id}/remove`, {}],
    ] as const) {
      const res = await bo.post(url, { _csrf: csrf, ...body });
      expect(res.statusCode, url).toBe(403);
    }
    expect(await member('ana@brightside.example')).toMatchObject({ role: 'owner' });
    expect(await w.h.db.select().from(invitations).where(eq(invitations.email, 'friend@books.example'))).toEqual([]);
  });

  it('refuses a bad address, a member already on the team, and keeps what was typed', async () => {
    const bad = await invite('not-an-address', 'viewer');
    expect(bad.statusCode).toBe(400);
    expect(textOf(bad.body)).toContain('Enter an email address like name@example.com.');
    expect(bad.body).toContain('value="not-an-address"');
    const dup = await invite('bo@books.example', 'viewer');
    expect(dup.statusCode).toBe(400);
    expect(textOf(dup.body)).toContain('bo@books.example is already on your team.');
    const role = await invite('x@books.example', 'admin');
    expect(role.statusCode).toBe(400);
    expect(textOf(role.body)).toContain('Choose a role.');
  });

  it('refuses a forged, an expired or a withdrawn invitation', async () => {
    await invite('late@books.example', 'viewer');
    const path = invitePath((await lastMailTo(w.h, 'late@books.example')).text);
    // The second-to-last character: the last one of a base64url signature carries unused bits, and changing only
    // those (B for A) leaves the signature valid, which made this "forgery" pass one run in a few.
    const forged = await w.browser().get(path.replace(/.(?=.$)/, (c) => (c === 'A' ? 'B' : 'A')));
    expect(forged.statusCode).toBe(400);
    w.advance(8 * 86_400_000);
    try {
      const expired = await accept(w.browser(), path);
      expect(expired.statusCode).toBe(410);
      expect(textOf(expired.body)).toContain('Invitations work for 7 days.');
    } finally {
      w.advance(-8 * 86_400_000);
    }

    await invite('gone@books.example', 'viewer');
    const withdrawn = invitePath((await lastMailTo(w.h, 'gone@books.example')).text);
    const [row] = await w.h.db.select().from(invitations).where(eq(invitations.email, 'gone@books.example'));
    const team = await owner.get('/settings/team');
    const action = `/settings/team/invitations/${row!.jti}/revoke`;
    expect((await owner.post(action, { _csrf: csrfOf(team.body, action) })).statusCode).toBe(303);
    const res = await accept(w.browser(), withdrawn);
    expect(res.statusCode).toBe(410);
    expect(await member('gone@books.example')).toBeUndefined();
  });

  it('removing a teammate ends every session of theirs at once', async () => {
    const bo = (await member('bo@books.example'))!;
    const laptop = w.browser();
    await signIn(w, laptop, 'bo@books.example');
    expect((await laptop.get('/cases')).statusCode).toBe(200);
    expect((await w.h.db.select().from(sessions).where(eq(sessions.userId, bo.id))).length).toBeGreaterThan(0);

    const team = await owner.get('/settings/team');
    const action = `/settings/team/${bo.id}/remove`;
    const res = await owner.post(action, { _csrf: csrfOf(team.body, action) });
    expect(res.statusCode).toBe(303);
    expect(await w.h.db.select().from(sessions).where(eq(sessions.userId, bo.id))).toEqual([]);
    expect(await member('bo@books.example')).toBeUndefined();
    const after = await laptop.get('/cases');
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toMatch(/^\/sign-in/);
  });

  it('keeps an owner: the only one cannot be removed or demoted', async () => {
    const ana = (await member('ana@brightside.example'))!;
    const team = await owner.get('/settings/team');
    // The page offers the only owner neither Remove nor Change role: it says why instead.
    expect(team.body).not.toContain(`action="/settings/team/${ana.id}/remove"`);
    expect(team.body).not.toContain(`action="/settings/team/${ana.id}/role"`);
    expect(textOf(team.body)).toMatch(
      /ana@brightside\.example \(you\) Owner .* The only owner: make someone else owner to change this role\./,
    );
    const remove = `/settings/team/${ana.id}/remove`;
    // The server still refuses it when posted anyway.
    const res = await owner.post(remove, { _csrf: csrfOf(team.body, '/sign-out') });
    expect(res.statusCode).toBe(409);
    expect(textOf(res.body)).toContain('The only owner cannot be removed');
    const demote = `/settings/team/${ana.id}/role`;
    const res2 = await owner.post(demote, { _csrf: csrfOf(team.body, '/sign-out'), role: 'viewer' });
    expect(res2.statusCode).toBe(409);
    expect(
      await w.h.db
        .select()
        .from(users)
        .where(and(eq(users.organisationId, orgId), eq(users.role, 'owner'))),
    ).toHaveLength(1);
  });
});
