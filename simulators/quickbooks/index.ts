// A QuickBooks Online stand-in that speaks Intuit's wire format: OAuth, the v3 API subset Shortfall uses,
// throttling, idempotent writes and signed webhooks. For tests and the embedded demo; never for production.
import { saveAfterChanges, type OnChange } from '../shared/on-change.js';
import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import type { RateLimit } from '../../integrations/quickbooks/limits.js';
import { quickbooksUrlsAt, type QuickbooksUrls } from '../../integrations/quickbooks/urls.js';
import { createAdmin, type QuickbooksSimulatorAdmin } from './admin.js';
import { registerApiRoutes } from './api-routes.js';
import { SimulatorCore, type QuickbooksSnapshot } from './core.js';
import { registerOAuthRoutes } from './oauth-routes.js';
import { registerPaymentPage } from './payment-page.js';
import type { WebhookOptions } from './webhooks.js';

export type { QuickbooksSimulatorAdmin, SeedPayment } from './admin.js';
export type {
  CompanyInput,
  FaultMatch,
  OAuthEndpoint,
  OAuthRequestRecord,
  QuickbooksSnapshot,
  SimulatedFault,
} from './core.js';
export type { WebhookOptions } from './webhooks.js';
export { intuitRetryDelaysMs } from './webhooks.js';
export { tokenLifetimes } from './oauth-server.js';

export interface QuickbooksSimulatorOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Where to send signed change notifications. */
  readonly webhook?: WebhookOptions;
  /** Epoch milliseconds; drives token expiry, timestamps, CDC and the throttle window. */
  readonly clock?: () => number;
  /** Intuit's per-realm limits unless given. */
  readonly rateLimit?: RateLimit;
  /** Delay added to every API request, e.g. to observe how many are in flight. */
  readonly latencyMs?: number;
  /** Metered (CorePlus) reads per calendar month for the app; past it every read gets a 429 until the month turns. */
  readonly monthlyReadCap?: number;
  /** Start from this state (from snapshot()) instead of empty. */
  readonly state?: QuickbooksSnapshot;
  /** Called after every request that may have changed the state (any method but GET and HEAD). */
  readonly onChange?: OnChange;
}

export interface QuickbooksSimulator {
  readonly url: string;
  /** Every endpoint on this server, ready for createQuickbooksOAuth / createQuickbooksConnector. */
  readonly urls: QuickbooksUrls;
  readonly admin: QuickbooksSimulatorAdmin;
  /** The whole state as plain data; encode it with simulators/shared/snapshot.ts. */
  snapshot(): QuickbooksSnapshot;
  close(): Promise<void>;
}

export async function startQuickbooksSimulator(options: QuickbooksSimulatorOptions = {}): Promise<QuickbooksSimulator> {
  const core = new SimulatorCore(options);
  if (options.state) core.restore(options.state);
  // Closing drops every connection, a browser's keep-alive and preconnected ones too: the sandbox closes with
  // `npm start`'s Ctrl-C, which otherwise waited on a tab that had shown the consent page (killed after 30 s).
  const server = Fastify({ logger: false, forceCloseConnections: true });
  await server.register(formbody);
  saveAfterChanges(server, options.onChange);
  registerOAuthRoutes(server, core);
  registerApiRoutes(server, core);
  registerPaymentPage(server, core);
  const host = options.host ?? '127.0.0.1';
  await server.listen({ port: options.port ?? 0, host });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${host}:${port}`;
  return {
    url,
    urls: quickbooksUrlsAt(url),
    admin: createAdmin(core),
    snapshot: () => core.snapshot(),
    close: async () => {
      core.webhooks?.close();
      await server.close();
    },
  };
}
