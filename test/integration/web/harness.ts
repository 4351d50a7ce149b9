// Builds the real app (buildApp with the web app) on a real PGlite database for route tests. Temporal is the
// caller's: a dev-server client for case tests, or a client that was never connected for pages that must
// not touch Temporal at all.
import { Connection, WorkflowClient } from '@temporalio/client';
import { desc, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { buildApp } from '../../../src/app/app.js';
import { createApprovalStore } from '../../../src/services/approvals/store.js';
import { type DatabaseHandle } from '../../../src/services/db/index.js';
import { emailOutbox, organisations, users } from '../../../src/services/db/schema.js';
import { createDocumentStore } from '../../../src/services/documents/storage.js';
import { createLogger, type Logger } from '../../../src/services/logger.js';
import { createOutbox } from '../../../src/services/mail/outbox.js';
import { createMailTransport } from '../../../src/services/mail/transport.js';
import type { ConnectionsPort } from '../../../src/services/ports.js';
import type { WebSettings } from '../../../src/app/http/settings.js';
import { csrfOf, InjectBrowser } from './browser.js';
import type { PaymentLinks } from '../../../src/services/ledger/payment-links.js';
import type { SettingsDelivery } from '../../../src/services/cases/settings-signal.js';
import { openPglite } from '../../helpers/databases.js';
import { simulatedConnections } from '../../helpers/provider-connections.js';

export const SECRET = 's'.repeat(48);
export const PUBLIC_URL = 'https://app.shortfall.test';

export interface HarnessOptions {
  readonly settings?: Partial<WebSettings>;
  readonly workflows?: WorkflowClient;
  readonly db?: DatabaseHandle;
  readonly logger?: Logger;
  /**
   * A port of the test's own (one over a scripted provider); otherwise the app's real port over this database,
   * with the provider simulators behind it, started the first time a provider is reached.
   */
  readonly connections?: ConnectionsPort;
  /** Mail goes to this SMTP server; the local mailbox otherwise. */
  readonly smtpUrl?: string;
  /** The "Reset the sandbox" action (src/connections/sandbox-reset.ts); not offered when absent. */
  readonly resetSandbox?: () => Promise<number>;
  /** Each organisation's document storage (STORAGE_QUOTA_MB); 1 GiB, the default, when absent. */
  readonly storageQuotaBytes?: number;
  /** The ledger's own payment pages (src/services/ledger/payment-links.ts); the response page names none when absent. */
  readonly paymentLinks?: Pick<PaymentLinks, 'forInvoice'>;
  /** The server's delivery of saved Settings to open cases (with its sweep); the web app makes its own when absent. */
  readonly settingsDelivery?: SettingsDelivery;
}

/** A client whose connection is never opened: any Temporal call from these pages fails the test loudly. */
export const unconnectedWorkflows = () =>
  new WorkflowClient({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });

export async function createWebHarness(o: HarnessOptions = {}) {
  const h = o.db ?? (await openPglite());
  let offsetMs = 0;
  const now = () => Date.now() + offsetMs;
  const documents = createDocumentStore(h.db, { quotaBytes: o.storageQuotaBytes ?? 1024 * 1024 * 1024 });
  const outbox = createOutbox(
    h.db,
    createMailTransport({ smtpUrl: o.smtpUrl, from: 'Shortfall <cases@shortfall.test>' }),
    documents,
  );
  const approvals = createApprovalStore(h.db, SECRET);
  const settings: WebSettings = {
    production: false,
    publicUrl: PUBLIC_URL,
    appSecret: SECRET,
    mailbox: true,
    providers: { quickbooks: 'simulated', xero: 'live', stripe: 'unavailable' },
    limits: { signIn: 1000, approvals: 1000, inbound: 1000, notFound: 1000 },
    temporalTimeoutsMs: { query: 5_000, update: 20_000 },
    ...o.settings,
  };
  const providers = simulatedConnections(h.db, {
    publicUrl: settings.publicUrl,
    sandbox: (p) => settings.providers[p] === 'simulated',
  });
  const connections = o.connections ?? providers.port;
  const app = await buildApp({
    logger: o.logger ?? createLogger({ level: 'silent' }),
    readiness: [],
    web: {
      settings,
      db: h.db,
      workflows: o.workflows ?? unconnectedWorkflows(),
      outbox,
      documents,
      approvals,
      connections,
      now,
      resetSandbox: o.resetSandbox,
      paymentLinks: o.paymentLinks,
      settingsDelivery: o.settingsDelivery,
    },
  });
  return {
    app,
    h,
    settings,
    documents,
    approvals,
    connections,
    /** The real vault and the provider simulators behind the default port (src/app/deps.ts wires the same). */
    providers,
    outbox,
    advance: (ms: number) => void (offsetMs += ms),
    browser: () => new InjectBrowser(app),
    async close() {
      await app.close();
      await providers.close();
      if (!o.db) await h.close();
    },
  };
}

export type WebHarness = Awaited<ReturnType<typeof createWebHarness>>;

export async function seedOrganisation(
  h: DatabaseHandle,
  o: { email: string; name?: string; locale?: string; timeZone?: string; role?: 'owner' | 'bookkeeper' | 'viewer' },
) {
  const [org] = await h.db
    .insert(organisations)
    .values({
      name: o.name ?? 'Brightside Design',
      locale: o.locale ?? 'en-US',
      timeZone: o.timeZone ?? 'America/New_York',
      signature: 'Ana Ruiz',
    })
    .returning();
  const [user] = await h.db
    .insert(users)
    .values({ organisationId: org!.id, email: o.email, role: o.role ?? 'owner' })
    .returning();
  return { org: org!, user: user! };
}

export async function lastMailTo(h: DatabaseHandle, to: string) {
  const [row] = await h.db
    .select()
    .from(emailOutbox)
    .where(eq(emailOutbox.toAddress, to))
    .orderBy(desc(emailOutbox.createdAt))
    .limit(1);
  if (!row) throw new Error(`no email to ${to}`);
  return row;
}

export const magicLinkIn = (text: string) => {
  const m = /https:\/\/app\.shortfall\.test(\/sign-in\/verify\?\S+)/.exec(text);
  if (!m) throw new Error('no sign-in link in the email');
  return m[1]!;
};

/** The whole magic-link journey; returns where the app sent the browser afterwards. */
export async function signIn(harness: WebHarness, browser: InjectBrowser, email: string): Promise<string> {
  const form = await browser.get('/sign-in');
  await browser.post('/sign-in', { email, _csrf: csrfOf(form.body) });
  const confirm = await browser.get(magicLinkIn((await lastMailTo(harness.h, email)).text));
  expect(confirm.statusCode).toBe(200);
  const done = await browser.post('/sign-in/verify', {
    token: new URL(`https://x${magicLinkIn((await lastMailTo(harness.h, email)).text)}`).searchParams.get('token')!,
    _csrf: csrfOf(confirm.body, '/sign-in/verify'),
  });
  expect(done.statusCode).toBe(303);
  return done.headers.location as string;
}
