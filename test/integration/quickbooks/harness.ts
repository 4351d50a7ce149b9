// One simulated QuickBooks company with an app, a customer and tokens, plus the real provider code pointed at it.
import type Bottleneck from 'bottleneck';
import {
  createQuickbooksConnector,
  createQuickbooksOAuth,
  createRealmLimiter,
} from '../../../integrations/quickbooks/index.js';
import type { LedgerConnector, OAuthProvider, TokenSet } from '../../../integrations/types.js';
import {
  startQuickbooksSimulator,
  type CompanyInput,
  type QuickbooksSimulator,
  type QuickbooksSimulatorOptions,
} from '../../../simulators/quickbooks/index.js';

/** Never fetched: the tests read the redirect's Location header instead of following it. */
export const redirectUri = 'http://127.0.0.1:1/oauth/quickbooks/callback';

export interface ManualClock {
  now(): number;
  advance(ms: number): void;
}

export function manualClock(startIso = '2026-05-03T23:00:00.000Z'): ManualClock {
  let t = Date.parse(startIso);
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

export interface Harness {
  readonly sim: QuickbooksSimulator;
  readonly realmId: string;
  readonly customerId: string;
  readonly client: { readonly clientId: string; readonly clientSecret: string };
  readonly tokens: TokenSet;
  oauth(clientSecret?: string): OAuthProvider;
  connector(options?: { limiter?: Bottleneck; tokens?: TokenSet }): LedgerConnector;
  close(): Promise<void>;
}

export async function startHarness(
  options: QuickbooksSimulatorOptions = {},
  company: CompanyInput = {},
): Promise<Harness> {
  const sim = await startQuickbooksSimulator(options);
  const client = sim.admin.createApp({ redirectUris: [redirectUri] });
  const realmId = sim.admin.createCompany(company);
  const customerId = sim.admin.addCustomer(realmId, {
    name: 'Northwind Traders',
    email: 'accounts@northwind.example',
  }).Id;
  const granted = sim.admin.grantTokens(client.clientId, realmId);
  const tokens: TokenSet = { accessToken: granted.access_token, refreshToken: granted.refresh_token };
  const now = options.clock;
  return {
    sim,
    realmId,
    customerId,
    client,
    tokens,
    oauth: (clientSecret = client.clientSecret) =>
      createQuickbooksOAuth({ clientId: client.clientId, clientSecret, urls: sim.urls, ...(now && { now }) }),
    connector: (o = {}) =>
      createQuickbooksConnector({
        auth: { accountId: realmId, tokens: o.tokens ?? tokens },
        apiUrl: sim.urls.api,
        limiter: o.limiter ?? createRealmLimiter(),
        ...(now && { now }),
      }),
    close: () => sim.close(),
  };
}
