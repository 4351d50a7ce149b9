// One simulator per test file, driven through the real xero-node over HTTP on 127.0.0.1.
import { expect } from 'vitest';
import type { TokenSet } from '../../../integrations/types.js';
import { TenantLimiter } from '../../../integrations/xero/limiter.js';
import { createXeroConnector, type XeroConnectorConfig } from '../../../integrations/xero/connector.js';
import { createXeroOAuth, type XeroOAuthConfig } from '../../../integrations/xero/oauth.js';
import { xeroUrlsAt } from '../../../integrations/xero/urls.js';
import {
  defaultTenants,
  manualClock,
  simulatorClient,
  startXeroSimulator,
  type ManualClock,
  type XeroSimulator,
  type XeroSimulatorOptions,
} from '../../../simulators/xero/index.js';

export const redirectUri = 'http://127.0.0.1:9/oauth/xero/callback';
export const [harbour, kestrel, demo] = defaultTenants.map((t) => t.tenantId ?? '') as [string, string, string];
/** Generous client-side limits, so tests are not paced at one request a second. */
export const testLimits = { concurrent: 5, perMinute: 60_000, perDay: 5000 };

export interface Harness {
  readonly sim: XeroSimulator;
  readonly clock: ManualClock;
  oauth(extra?: Partial<XeroOAuthConfig>): ReturnType<typeof createXeroOAuth>;
  /** Tokens for the simulator's client without the consent screen. */
  tokens(tenantIds?: readonly string[]): TokenSet;
  connector(tenantId: string, extra?: Partial<XeroConnectorConfig>): ReturnType<typeof createXeroConnector>;
  close(): Promise<void>;
}

export async function startHarness(options: XeroSimulatorOptions = {}): Promise<Harness> {
  const clock = manualClock('2026-05-04T09:00:00.000Z');
  const sim = await startXeroSimulator({ consent: { mode: 'auto' }, clock, ...options });
  const urls = xeroUrlsAt(sim.url);
  const tokens = (tenantIds?: readonly string[]): TokenSet => {
    const t = sim.admin.grant({ clientId: simulatorClient.clientId, ...(tenantIds && { tenantIds }) });
    return { accessToken: t.access_token, ...(t.refresh_token && { refreshToken: t.refresh_token }) };
  };
  return {
    sim,
    clock,
    oauth: (extra) => createXeroOAuth({ ...simulatorClient, urls, now: clock, ...extra }),
    tokens,
    connector: (tenantId, extra = {}) =>
      createXeroConnector({
        auth: extra.auth ?? { accountId: tenantId, tokens: tokens([tenantId]) },
        apiBasePath: sim.apiBasePath,
        limiter: new TenantLimiter(testLimits, clock),
        now: clock,
        ...extra,
      }),
    async close() {
      await sim.close();
      // Every request the connector sent and every answer the simulator gave, against Xero's OpenAPI files.
      expect(sim.admin.violations()).toEqual([]);
    },
  };
}

/** Drains one sync run from `cursor`; returns every batch and the final checkpoint. */
export async function drain(connector: ReturnType<typeof createXeroConnector>, cursor?: string) {
  const batches = [];
  let batch = await connector.pullChanges(cursor === undefined ? {} : { cursor });
  batches.push(batch);
  for (let guard = 0; batch.nextCursor !== undefined; guard += 1) {
    if (guard > 100) throw new Error('sync did not finish');
    batch = await connector.pullChanges({ pageCursor: batch.nextCursor });
    batches.push(batch);
  }
  return {
    batches,
    checkpoint: batch.checkpoint,
    invoices: batches.flatMap((b) => b.invoices),
    payments: batches.flatMap((b) => b.payments),
    creditNotes: batches.flatMap((b) => b.creditNotes),
  };
}

export const apiRequests = (sim: XeroSimulator, path: string) =>
  sim.admin.requests().filter((r) => r.path.toLowerCase().startsWith(`/api.xro/2.0${path}`.toLowerCase()));
