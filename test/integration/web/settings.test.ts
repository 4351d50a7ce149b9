// Settings: the owner changes the business name, signature, time zone, holidays and default windows after
// onboarding. Bad input is explained beside each field, keeps what was typed and saves nothing; the page says the
// changes reach every letter drafted and deadline set from then on, in open cases too (test/scenarios/settings.test.ts
// shows an open case taking them); teammates below owner see the settings but cannot change them.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organisationProfile } from '../../../src/services/cases/input.js';
import { organisations, users } from '../../../src/services/db/schema.js';
import type { InjectBrowser } from './browser.js';
import { csrfOf, textOf } from './browser.js';
import { createWebHarness, seedOrganisation, signIn, type WebHarness } from './harness.js';

let w: WebHarness;
let owner: InjectBrowser;
let viewer: InjectBrowser;
let orgId: string;
beforeAll(async () => {
  w = await createWebHarness();
  orgId = (await seedOrganisation(w.h, { email: 'ana@brightside.example' })).org.id;
  await w.h.db.insert(users).values({ organisationId: orgId, email: 'sam@brightside.example', role: 'viewer' });
  owner = w.browser();
  await signIn(w, owner, 'ana@brightside.example');
  viewer = w.browser();
  await signIn(w, viewer, 'sam@brightside.example');
});
afterAll(async () => {
  await w?.close();
});

const stored = async () => (await w.h.db.select().from(organisations).where(eq(organisations.id, orgId)))[0]!;

describe('settings', () => {
  it('shows what is set now and says new cases start with changes, and open cases take them once reached', async () => {
    const res = await owner.get('/settings');
    expect(res.statusCode).toBe(200);
    const text = textOf(res.body);
    expect(text).toContain(
      'New cases start with your changes at once. Cases already open take them once Shortfall reaches them (the line above says how many have)',
    );
    expect(text).toContain('Letters already sent and deadlines already set do not change.');
    expect(res.body).toContain('value="Brightside Design"');
    expect(res.body).toContain('<option value="America/New_York" selected>');
    expect(res.body).toContain('name="responseBusinessDays" value="3"');
    expect(res.body).toContain('name="balanceDueDays" value="14"');
  });

  it('saves the owner’s changes, and the next case opens with them', async () => {
    const form = await owner.get('/settings');
    const revision = (await stored()).settingsRevision;
    const res = await owner.post('/settings', {
      _csrf: csrfOf(form.body, '/settings'),
      name: '  Brightside Studio LLC ',
      signature: 'Ana Ruiz\nFounder, Brightside Studio',
      timeZone: 'Europe/Lisbon',
      holidays: '2026-12-25\n2026-12-24, 2026-12-25',
      responseBusinessDays: '5',
      balanceDueDays: '30',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/settings?notice=settings_saved');
    const org = await stored();
    expect(org).toMatchObject({
      name: 'Brightside Studio LLC',
      signature: 'Ana Ruiz\nFounder, Brightside Studio',
      timeZone: 'Europe/Lisbon',
      holidays: ['2026-12-24', '2026-12-25'],
      responseBusinessDays: 5,
      balanceDueDays: 30,
      settingsRevision: revision + 1, // what open cases compare, so a signal sent twice changes nothing twice
    });
    const page = await owner.get('/settings?notice=settings_saved');
    expect(textOf(page.body)).toContain(
      'Settings saved. New cases start with them now; open cases take them once they are reached (the line below says how many have).',
    );
    expect(textOf(page.body)).toContain('Brightside Studio LLC'); // the header names the business as it is now
    // What a case opening now is given: the workflow counts its deadlines and signs its letters with this.
    expect(await organisationProfile(w.h.db, orgId)).toMatchObject({
      name: 'Brightside Studio LLC',
      ownerEmail: 'ana@brightside.example',
      timeZone: 'Europe/Lisbon',
      holidays: ['2026-12-24', '2026-12-25'],
      windows: { responseBusinessDays: 5, balanceDueDays: 30 },
    });
  });

  it('explains each mistake beside its field, keeps what was typed, and saves nothing', async () => {
    const before = await stored();
    const form = await owner.get('/settings');
    const res = await owner.post('/settings', {
      _csrf: csrfOf(form.body, '/settings'),
      name: '',
      signature: 'Ana',
      timeZone: 'Mars/Olympus_Mons',
      holidays: '2026-02-30',
      responseBusinessDays: '10',
      balanceDueDays: 'two weeks',
    });
    expect(res.statusCode).toBe(400);
    const text = textOf(res.body);
    expect(text).toContain('There are 5 problems');
    expect(text).toContain('Enter the name of your business.');
    expect(text).toContain('Choose a time zone from the list.');
    expect(text).toContain('"2026-02-30" is not a date written as YYYY-MM-DD.');
    expect(text).toContain('Enter the business days to answer in writing as a whole number from 1 to 5.');
    expect(text).toContain('Enter the days to pay the balance as a whole number from 7 to 60.');
    expect(res.body).toContain('value="two weeks"');
    expect(res.body).toContain('>2026-02-30</textarea>');
    expect(await stored()).toEqual(before);
  });

  it('lists time zones by their current names, and an organisation saved with an older one keeps it', async () => {
    const page = await owner.get('/settings');
    const options = [...page.body.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
    for (const current of ['Asia/Kolkata', 'Europe/Kyiv', 'America/Argentina/Buenos_Aires', 'Asia/Ho_Chi_Minh'])
      expect(options).toContain(current);
    for (const old of ['Asia/Calcutta', 'Europe/Kiev', 'America/Buenos_Aires', 'Asia/Saigon'])
      expect(options).not.toContain(old);
    expect(page.body).toContain(
      '<option value="America/Argentina/Buenos_Aires">America/Argentina/Buenos Aires</option>',
    );
    expect(options).toContain('Europe/Amsterdam'); // a zone that links to another country's stays as it is

    // Saved before the list changed: shown selected, and saving the form as it is keeps it.
    await w.h.db.update(organisations).set({ timeZone: 'Asia/Calcutta' }).where(eq(organisations.id, orgId));
    const legacy = await owner.get('/settings');
    expect(legacy.body).toContain('<option value="Asia/Calcutta" selected>');
    const fields = {
      name: 'Brightside Studio LLC',
      signature: 'Ana',
      holidays: '',
      responseBusinessDays: '5',
      balanceDueDays: '30',
    };
    const kept = await owner.post('/settings', {
      _csrf: csrfOf(legacy.body, '/settings'),
      ...fields,
      timeZone: 'Asia/Calcutta',
    });
    expect(kept.statusCode).toBe(303);
    expect((await stored()).timeZone).toBe('Asia/Calcutta');
    const moved = await owner.post('/settings', {
      _csrf: csrfOf(legacy.body, '/settings'),
      ...fields,
      timeZone: 'Asia/Kolkata',
    });
    expect(moved.statusCode).toBe(303);
    expect((await stored()).timeZone).toBe('Asia/Kolkata');
    expect((await owner.get('/settings')).body).not.toContain('Asia/Calcutta');
  });

  it('shows a viewer the settings read-only and refuses their changes', async () => {
    const page = await viewer.get('/settings');
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).toContain('Only the owner can change these settings.');
    expect(page.body).toContain('<fieldset disabled>');
    const before = await stored();
    const res = await viewer.post('/settings', { _csrf: csrfOf(page.body, '/sign-out'), name: 'Hijacked' });
    expect(res.statusCode).toBe(403);
    expect(textOf(res.body)).toContain('Not allowed for your role');
    expect(await stored()).toEqual(before);
  });
});
