// What one scenario file shares: the workflow bundle, a PGlite database, a real SMTP server, the QuickBooks and
// Stripe simulators and a data directory. Scenarios stay apart by each getting its own organisation, owner,
// QuickBooks company, Stripe account and Temporal test server.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { ParsedMail } from 'mailparser';
import { loadConfig, type Config } from '../../../src/app/config.js';
import { type DatabaseHandle } from '../../../src/services/db/index.js';
import { createLogger, type Logger } from '../../../src/services/logger.js';
import type { SandboxProviders } from '../../../src/app/sandbox.js';
import { startQuickbooksSimulator, type QuickbooksSimulator } from '../../../simulators/quickbooks/index.js';
import { startStripeSimulator, type StripeSimulator } from '../../../simulators/stripe/index.js';
import { startSmtpServer } from '../../helpers/smtp.js';
import { bundle, uniqueId } from '../../helpers/temporal-env.js';
import { openPglite } from '../../helpers/databases.js';

export const secrets = { encryptionKeys: `k1:${Buffer.alloc(32, 7).toString('base64')}`, appSecret: 's'.repeat(40) };
export const PUBLIC_URL = 'http://shortfall.test';
export const REPLY_DOMAIN = 'replies.shortfall.test';

export interface World {
  readonly db: DatabaseHandle;
  readonly smtp: { readonly url: string; readonly messages: ParsedMail[] };
  readonly qb: QuickbooksSimulator;
  readonly qbApp: { readonly clientId: string; readonly clientSecret: string };
  readonly stripe: StripeSimulator;
  readonly sandbox: SandboxProviders;
  readonly config: Config;
  readonly logger: Logger;
  readonly workflowBundle: WorkflowBundleWithSourceMap;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const [db, smtp, qb, stripe, dir, workflowBundle] = await Promise.all([
    openPglite(),
    startSmtpServer(),
    startQuickbooksSimulator(),
    startStripeSimulator(),
    mkdtemp(path.join(os.tmpdir(), 'shortfall-scenarios-')),
    bundle(new URL('../../../workflows/index.ts', import.meta.url)),
  ]);
  const qbApp = qb.admin.createApp({ redirectUris: [`${PUBLIC_URL}/oauth/quickbooks/callback`] });
  const platform = stripe.admin.platform;
  // Xero is not simulated here: its slot holds settings no scenario calls.
  const sandbox: SandboxProviders = {
    quickbooks: {
      baseUrl: qb.url,
      clientId: qbApp.clientId,
      clientSecret: qbApp.clientSecret,
      webhookVerifierToken: 'scenario-verifier',
    },
    xero: { baseUrl: 'http://127.0.0.1:9', clientId: 'unused', clientSecret: 'unused', webhookKey: 'unused' },
    stripe: {
      baseUrl: stripe.url,
      secretKey: platform.secretKey,
      connectClientId: platform.clientId,
      webhookSecret: 'whsec_scenarios',
      platformAccountId: platform.accountId,
    },
  };
  const config = loadConfig({
    SHORTFALL_DATA_DIR: dir,
    PUBLIC_URL,
    SMTP_URL: smtp.url,
    MAIL_REPLY_DOMAIN: REPLY_DOMAIN,
    MAIL_FROM: 'Shortfall <shortfall@shortfall.test>',
    TEMPORAL_TASK_QUEUE: uniqueId('scenarios'),
    LOG_LEVEL: 'silent',
  });
  return {
    db,
    smtp,
    qb,
    qbApp,
    stripe,
    sandbox,
    config,
    logger: createLogger({ level: 'silent' }),
    workflowBundle,
    async close() {
      await Promise.allSettled([qb.close(), stripe.close(), smtp.close()]);
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
