// The housekeeping sweep on both engines: exactly the spent rows past their retention go, fresh and recent ones
// stay; and through the real routes, a used link still answers "already used" after a sweep.
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { type DatabaseHandle } from '../../../src/services/db/index.js';
import {
  approvalTokens,
  cases,
  invitations,
  oauthStates,
  pendingGrants,
  sessions,
  signInTokens,
} from '../../../src/services/db/schema.js';
import { createLogger } from '../../../src/services/logger.js';
import { purgeExpiredSecrets, startHousekeeping } from '../../../src/services/security/housekeeping.js';
import { bothEngines, openPglite } from '../../helpers/databases.js';
import { seedOrganisation } from '../sync/fixtures.js';
import { csrfOf, textOf } from '../web/browser.js';
import {
  createWebHarness,
  lastMailTo,
  magicLinkIn,
  seedOrganisation as seedOwner,
  type WebHarness,
} from '../web/harness.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T = Date.parse('2026-12-04T15:00:00Z');
const at = (offsetMs: number) => new Date(T + offsetMs);

const engines = bothEngines();

/** Each table gets fresh rows, rows spent within their retention and rows spent before it; names say which. */
async function seed(h: DatabaseHandle) {
  const { organisationId, userId } = await seedOrganisation(h.db);
  const [c] = await h.db
    .insert(cases)
    .values({
      organisationId,
      caseKey: 'k',
      workflowId: 'case/k',
      kind: 'short_payment',
      status: 'open',
      currency: 'USD',
    })
    .returning();
  await h.db.insert(sessions).values([
    { id: 'live', email: 'a@b.c', expiresAt: at(DAY) },
    { id: 'expired', email: 'a@b.c', expiresAt: at(-MINUTE) },
  ]);
  // Sign-in links and OAuth states share a shape: fresh, used an hour ago, expired two hours ago, long gone.
  const shortLived = [
    { key: 'fresh', expiresAt: at(10 * MINUTE), usedAt: null },
    { key: 'used-recently', expiresAt: at(-45 * MINUTE), usedAt: at(-HOUR) },
    { key: 'expired-recently', expiresAt: at(-2 * HOUR), usedAt: null },
    { key: 'expired-long-ago', expiresAt: at(-2 * DAY), usedAt: null },
    { key: 'used-long-ago', expiresAt: at(-2 * DAY + 10 * MINUTE), usedAt: at(-2 * DAY) },
  ];
  await h.db
    .insert(signInTokens)
    .values(shortLived.map((r) => ({ tokenHash: r.key, email: 'a@b.c', expiresAt: r.expiresAt, usedAt: r.usedAt })));
  await h.db
    .insert(oauthStates)
    .values(
      shortLived.map((r) => ({ state: r.key, userId, provider: 'xero', expiresAt: r.expiresAt, usedAt: r.usedAt })),
    );
  const grant = (id: string, expiresAt: Date, usedAt: Date | null) => ({
    id,
    userId,
    provider: 'xero',
    sealed: usedAt ? '' : `sealed-${id}`,
    keyId: 'k1',
    expiresAt,
    usedAt,
  });
  await h.db
    .insert(pendingGrants)
    .values([
      grant('00000000-0000-4000-8000-000000000001', at(5 * MINUTE), null),
      grant('00000000-0000-4000-8000-000000000002', at(-5 * MINUTE), null),
      grant('00000000-0000-4000-8000-000000000003', at(-50 * MINUTE), at(-HOUR)),
      grant('00000000-0000-4000-8000-000000000004', at(-2 * DAY), null),
      grant('00000000-0000-4000-8000-000000000005', at(-2 * DAY + 10 * MINUTE), at(-2 * DAY)),
    ]);
  const approval = (jti: string, expiresAt: Date, usedAt: Date | null) => ({
    jti,
    caseId: c!.id,
    draftVersion: 1,
    expiresAt,
    usedAt,
  });
  await h.db.insert(approvalTokens).values([
    approval('fresh', at(7 * DAY), null),
    approval('used-recently', at(5 * DAY), at(-10 * DAY)),
    // A long link (a far respondBy) used long ago still verifies: its row must say "used".
    approval('used-long-ago-still-valid', at(DAY), at(-40 * DAY)),
    approval('expired-recently', at(-10 * DAY), null),
    approval('expired-long-ago', at(-31 * DAY), at(-35 * DAY)),
  ]);
  const invitation = (jti: string, expiresAt: Date, usedAt: Date | null) => ({
    jti,
    organisationId,
    email: `${jti}@books.example`,
    role: 'bookkeeper',
    invitedBy: 'a@b.c',
    expiresAt,
    usedAt,
  });
  await h.db
    .insert(invitations)
    .values([
      invitation('fresh', at(7 * DAY), null),
      invitation('used-still-valid', at(DAY), at(-6 * DAY)),
      invitation('expired-recently', at(-10 * DAY), null),
      invitation('expired-long-ago', at(-31 * DAY), null),
    ]);
}

describe.each(engines)('purging expired secrets on %s', (_engine, open) => {
  it('deletes exactly the rows past their retention, and wipes the tokens of expired grants at once', async () => {
    const h = await open();
    await seed(h);
    expect(await purgeExpiredSecrets(h.db, T)).toEqual({
      sessions: 1,
      signInTokens: 2,
      oauthStates: 2,
      pendingGrants: 2,
      approvalTokens: 1,
      invitations: 1,
      grantsWiped: 1,
    });

    const recent = ['expired-recently', 'fresh', 'used-recently'];
    expect((await h.db.select().from(sessions)).map((r) => r.id)).toEqual(['live']);
    expect((await h.db.select().from(signInTokens)).map((r) => r.tokenHash).sort()).toEqual(recent);
    expect((await h.db.select().from(oauthStates)).map((r) => r.state).sort()).toEqual(recent);
    const grants = await h.db.select().from(pendingGrants);
    expect(grants.map((g) => [g.id.slice(-1), g.sealed]).sort()).toEqual([
      ['1', 'sealed-00000000-0000-4000-8000-000000000001'],
      ['2', ''],
      ['3', ''],
    ]);
    expect((await h.db.select().from(approvalTokens)).map((r) => r.jti).sort()).toEqual([
      'expired-recently',
      'fresh',
      'used-long-ago-still-valid',
      'used-recently',
    ]);
    expect((await h.db.select().from(invitations)).map((r) => r.jti).sort()).toEqual([
      'expired-recently',
      'fresh',
      'used-still-valid',
    ]);

    expect(await purgeExpiredSecrets(h.db, T)).toEqual({
      sessions: 0,
      signInTokens: 0,
      oauthStates: 0,
      pendingGrants: 0,
      approvalTokens: 0,
      invitations: 0,
      grantsWiped: 0,
    });
    // A day on, the recently spent rows go too; the fresh ones, expired for under a day, stay.
    expect(await purgeExpiredSecrets(h.db, T + DAY)).toMatchObject({
      signInTokens: 2,
      oauthStates: 2,
      pendingGrants: 2,
    });
    expect((await h.db.select().from(signInTokens)).map((r) => r.tokenHash)).toEqual(['fresh']);
    expect((await h.db.select().from(oauthStates)).map((r) => r.state)).toEqual(['fresh']);
  });
});

describe('the housekeeping timer', () => {
  it('sweeps once at start and on every interval, logs the counts, and stops cleanly', async () => {
    const h = await openPglite();
    onTestFinished(() => h.close());
    await h.db.insert(sessions).values({ id: 'old', email: 'a@b.c', expiresAt: new Date(Date.now() - MINUTE) });
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: 'info',
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    // The step before the purge still sees what the purge removes; its failure does not stop the purge.
    const sessionsSeenBefore: number[] = [];
    const before = async () => {
      sessionsSeenBefore.push((await h.db.select().from(sessions)).length);
      if (sessionsSeenBefore.length === 2) throw new Error('provider unreachable');
    };
    const housekeeping = startHousekeeping({ db: h.db, logger, intervalMs: 20, before });
    await expect
      .poll(() => lines.filter((l) => l.msg === 'expired secrets purged').length, { timeout: 5_000 })
      .toBeGreaterThanOrEqual(3);
    await housekeeping.stop();
    expect(sessionsSeenBefore.slice(0, 2)).toEqual([1, 0]);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 50, msg: 'housekeeping step before the purge failed' }),
    );
    lines.splice(0, lines.length, ...lines.filter((l) => l.msg === 'expired secrets purged'));
    expect(lines[0]).toMatchObject({
      level: 30,
      module: 'security.housekeeping',
      msg: 'expired secrets purged',
      sessions: 1,
      signInTokens: 0,
      approvalTokens: 0,
    });
    expect(lines[1]).toMatchObject({ sessions: 0 });
    const seen = lines.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lines).toHaveLength(seen);
  });
});

describe('links after a sweep, through the routes', () => {
  let w: WebHarness;
  afterAll(async () => {
    await w?.close();
  });
  /** The harness clock runs `offset` ahead; the sweep runs on the same clock. */
  let offset = 0;
  const later = async (ms: number) => {
    w.advance(ms);
    offset += ms;
    await purgeExpiredSecrets(w.h.db, Date.now() + offset);
  };

  it('tells a second click on a used or expired sign-in link what happened, until the day is out', async () => {
    w = await createWebHarness();
    const request = async (email: string) => {
      const b = w.browser();
      await b.post('/sign-in', { email, _csrf: csrfOf((await b.get('/sign-in')).body) });
      return { b, link: magicLinkIn((await lastMailTo(w.h, email)).text) };
    };
    const { b, link: used } = await request('twice@example.com');
    const confirm = await b.get(used);
    const token = new URL(`https://x${used}`).searchParams.get('token')!;
    expect(
      (await b.post('/sign-in/verify', { token, _csrf: csrfOf(confirm.body, '/sign-in/verify') })).statusCode,
    ).toBe(303);
    const { link: unused } = await request('late@example.com');

    await later(2 * HOUR);
    const again = await w.browser().get(used);
    expect(again.statusCode).toBe(410);
    expect(textOf(again.body)).toContain('This sign-in link was already used');
    const late = await w.browser().get(unused);
    expect(late.statusCode).toBe(410);
    expect(textOf(late.body)).toContain('This sign-in link has expired');

    await later(DAY);
    expect((await w.browser().get(used)).statusCode).toBe(400);
  });

  it('keeps answering "already used" for an approval link while it still verifies, and "expired" after', async () => {
    const { org } = await seedOwner(w.h, { email: 'owner@brightside.example' });
    const [c] = await w.h.db
      .insert(cases)
      .values({
        organisationId: org.id,
        caseKey: 'approval-sweep',
        workflowId: 'case/approval-sweep',
        kind: 'short_payment',
        status: 'open',
        currency: 'USD',
      })
      .returning();
    const token = await w.approvals.issue(
      { caseId: c!.id, workflowId: c!.workflowId, version: 1 },
      { nowMs: Date.now() + offset, ttlMs: 7 * DAY },
    );
    const jti = (await w.h.db.select().from(approvalTokens)).find((r) => r.caseId === c!.id)!.jti;
    expect(await w.approvals.consume(jti, new Date(Date.now() + offset))).toBe(true);
    const path = `/approvals/${encodeURIComponent(token)}`;

    await later(6 * DAY);
    const used = await w.browser().get(path);
    expect(used.statusCode).toBe(410);
    expect(textOf(used.body)).toContain('This approval link was already used');

    await later(32 * DAY);
    expect(await w.approvals.find(jti)).toBeUndefined();
    const expired = await w.browser().get(path);
    expect(expired.statusCode).toBe(410);
    expect(textOf(expired.body)).toContain('This approval link has expired');
  });
});
