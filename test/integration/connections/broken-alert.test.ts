// A connection that stops working emails its organisation's owners once, over real SMTP, with the way back;
// a mail outage never turns the break into a failed call. The refresh is refused by the Xero simulator, through the
// real Xero OAuth code, after someone revoked Shortfall's access there.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrokenConnectionAlert } from '../../../src/services/connections/broken-alert.js';
import { createConnectionVault } from '../../../src/services/connections/vault.js';
import { type DatabaseHandle } from '../../../src/services/db/index.js';
import { emailOutbox, users } from '../../../src/services/db/schema.js';
import { createDocumentStore } from '../../../src/services/documents/storage.js';
import { createOutbox } from '../../../src/services/mail/outbox.js';
import { createMailTransport } from '../../../src/services/mail/transport.js';
import { startSmtpServer } from '../../helpers/smtp.js';
import { testKeyRing } from '../../helpers/key-ring.js';
import { harbour, startHarness, type Harness } from '../xero/harness.js';
import { seedOrganisation } from '../sync/fixtures.js';
import { openPglite } from '../../helpers/databases.js';

let h: DatabaseHandle;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let xero: Harness;
beforeAll(async () => {
  [h, smtp, xero] = await Promise.all([openPglite(), startSmtpServer(), startHarness()]);
});
afterAll(async () => {
  await smtp.close();
  await xero.close();
  await h.close();
});

/** Tokens Xero granted for one organisation, whose access token expires in a minute (so the next use refreshes). */
const expiringSoon = (tenantId: string) => ({
  ...xero.tokens([tenantId]),
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
});

const outboxAt = (smtpUrl: string) =>
  createOutbox(
    h.db,
    createMailTransport({ smtpUrl, from: 'Shortfall <alerts@shortfall.test>' }),
    createDocumentStore(h.db),
  );

function vaultWith(smtpUrl: string) {
  const outbox = outboxAt(smtpUrl);
  const onBroken = createBrokenConnectionAlert({ db: h.db, outbox, publicUrl: 'https://app.shortfall.test' });
  return createConnectionVault({ db: h.db, keyRing: testKeyRing(), onBroken });
}

describe('broken connection alert', () => {
  it('emails the owner and bookkeepers (not viewers) once when a refresh is refused, with the reconnect link', async () => {
    const { organisationId, userId } = await seedOrganisation(h.db);
    await h.db.insert(users).values([
      { organisationId, email: 'bookkeeper@brightside.example', role: 'bookkeeper' },
      { organisationId, email: 'viewer@brightside.example', role: 'viewer' },
    ]);
    const vault = vaultWith(smtp.url);
    const provider = xero.oauth();
    const tokens = expiringSoon(harbour);
    const { connection } = await vault.connect({
      organisationId,
      provider: 'xero',
      accountId: harbour,
      name: 'Harbour Plumbing Ltd',
      tokens,
    });
    await provider.revoke(tokens); // someone removes Shortfall's access in Xero
    await expect(vault.getFreshAuth(connection.id, provider)).rejects.toMatchObject({
      details: { code: 'invalid_grant' },
    });
    await expect(vault.getFreshAuth(connection.id, provider)).rejects.toMatchObject({
      details: { code: 'needs_reconnect' },
    });

    const mails = smtp.messages.filter((m) => m.subject === 'Reconnect Xero: Harbour Plumbing Ltd');
    const owner = (await h.db.select().from(users)).find((u) => u.id === userId)!.email;
    expect(mails.map((m) => (m.to && 'text' in m.to ? m.to.text : '')).sort()).toEqual(
      ['bookkeeper@brightside.example', owner].sort(),
    );
    expect(mails[0]!.text).toContain(
      "Shortfall can no longer reach Harbour Plumbing Ltd in Xero. Xero no longer accepts Shortfall's access: the sign-in expired, or someone revoked it in Xero. (Xero said: The provider refused the refresh token (invalid_grant).)",
    );
    expect(mails[0]!.text).toContain('new short payments are not detected');
    expect(mails[0]!.text).toContain('https://app.shortfall.test/connections');
    expect(mails[0]!.html).toContain('<a href="https://app.shortfall.test/connections">Reconnect Xero</a>');
  });

  it('still marks the connection needs_reconnect when the mail server is down, and the outbox sends the alert later, once', async () => {
    const { organisationId } = await seedOrganisation(h.db, 'Mail Down Ltd');
    const vault = vaultWith('smtp://127.0.0.1:1');
    const { connection } = await vault.connect({
      organisationId,
      provider: 'quickbooks',
      accountId: 'realm-7',
      name: 'Mail Down QBO',
      tokens: { accessToken: 'sealed-and-never-used', expiresAt: new Date(Date.now() + 60_000).toISOString() },
    });
    expect(await vault.markNeedsReconnect(connection.id, 'QuickBooks answered 401')).toMatchObject({
      connectionId: connection.id,
    });
    expect((await vault.get(connection.id)).status).toBe('needs_reconnect');
    const subject = 'Reconnect QuickBooks Online: Mail Down QBO';
    expect(smtp.messages.some((m) => m.subject === subject)).toBe(false);
    const [queued] = await h.db.select().from(emailOutbox).where(eq(emailOutbox.subject, subject));
    expect(queued).toMatchObject({
      status: 'pending',
      attempts: 1,
      redeliverUntil: expect.any(Date),
      nextAttemptAt: expect.any(Date),
    });
    // The first attempt's lease: no sweep sends it while that attempt may still be running.
    const leased = queued!.nextAttemptAt!.getTime();
    expect(await outboxAt(smtp.url).redeliverDue(leased - 1)).toEqual({ sent: 0, failed: 0 });

    // Still down at the first retry: that attempt fails, and the next waits twice as long.
    expect(await outboxAt('smtp://127.0.0.1:1').redeliverDue(leased)).toEqual({ sent: 0, failed: 1 });
    const [retried] = await h.db.select().from(emailOutbox).where(eq(emailOutbox.subject, subject));
    expect(retried).toMatchObject({ status: 'pending', attempts: 2 });
    expect(retried!.nextAttemptAt!.getTime() - leased).toBe(30 * 60_000);

    // The mail server is back. Two processes sweep at the same moment: one of them sends it.
    const later = retried!.nextAttemptAt!.getTime();
    const [a, b] = [outboxAt(smtp.url), outboxAt(smtp.url)];
    const swept = await Promise.all([a.redeliverDue(later), b.redeliverDue(later)]);
    expect(swept.reduce((n, r) => n + r.sent, 0)).toBe(1);
    expect(smtp.messages.filter((m) => m.subject === subject)).toHaveLength(1);
    expect(await a.redeliverDue(later + 86_400_000)).toEqual({ sent: 0, failed: 0 });
    const [row] = await h.db.select().from(emailOutbox).where(eq(emailOutbox.subject, subject));
    expect(row).toMatchObject({ status: 'sent', attempts: 3 });
    // Past its redelivery window an unsent notice is left alone.
    await a.enqueue({
      key: 'stale-notice',
      to: 'ana@brightside.example',
      subject: 'Stale notice',
      text: 'x',
      html: '<p>x</p>',
      attachments: [],
      redeliverUntil: new Date(Date.now() + 60_000),
    });
    expect(await a.redeliverDue(Date.now() + 86_400_000)).toEqual({ sent: 0, failed: 0 });
    expect(smtp.messages.some((m) => m.subject === 'Stale notice')).toBe(false);
  });
});
