// Everything the simulator knows, shared by its HTTP routes and its admin API.
import { randomInt } from 'node:crypto';
import { quickbooksLimits, type RateLimit } from '../../integrations/quickbooks/limits.js';
import { Company, type CompanySettings, type CompanySnapshot } from './company.js';
import { OAuthServer, type OAuthSnapshot } from './oauth-server.js';
import { Throttle } from './throttle.js';
import { qboResponseTime } from './time.js';
import { WebhookSender, type WebhookOptions } from './webhooks.js';

export interface CoreOptions {
  readonly clock?: () => number;
  readonly webhook?: WebhookOptions;
  readonly rateLimit?: RateLimit;
  /** Added to every API request while it counts as in flight, to make concurrency observable. */
  readonly latencyMs?: number;
  /** Metered (CorePlus) reads the app may make per calendar month, across all its companies; unlimited unless set. */
  readonly monthlyReadCap?: number;
}

/** The simulator's state as plain data, to start it again where it was (QuickbooksSimulatorOptions.state). */
export interface QuickbooksSnapshot {
  readonly oauth: OAuthSnapshot;
  readonly companies: readonly CompanySnapshot[];
  readonly meteredReads: Readonly<Record<string, number>>;
}

/** One API request as the simulator saw it, for tests that check what reached the wire. */
export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly status: number;
}

export type CompanyInput = Partial<CompanySettings>;

/** How Intuit refuses a request: its per-minute throttle (429, XML), or a ValidationFault (400, JSON). */
export type SimulatedFault =
  | { readonly kind: 'throttled' }
  | {
      readonly kind: 'validation';
      readonly code: string;
      readonly message: string;
      readonly detail?: string;
      readonly element?: string;
    };

/** Which request a queued fault answers: the next one to the company, or the next with this method and path end. */
export interface FaultMatch {
  readonly method?: string;
  /** The path after /v3/company/:realmId, e.g. "/creditmemo". */
  readonly path?: string;
}

/** Intuit's two OAuth endpoints the app calls: the token endpoint (code and refresh grants) and revocation. */
export type OAuthEndpoint = 'token' | 'revoke';

/** One request to an OAuth endpoint, and what it was answered: ok, invalid_grant, or an injected status. */
export interface OAuthRequestRecord {
  readonly endpoint: OAuthEndpoint;
  readonly grantType?: string;
  readonly outcome: string;
}

interface QueuedFault {
  readonly realmId: string;
  readonly fault: SimulatedFault;
  readonly match: FaultMatch;
}

// Sandbox companies are in Pacific time; QBO writes every timestamp in the company's zone.
const pacificDaylightMinutes = -7 * 60;

export class SimulatorCore {
  readonly clock: () => number;
  readonly oauth: OAuthServer;
  readonly throttle: Throttle;
  readonly webhooks: WebhookSender | undefined;
  readonly companies = new Map<string, Company>();
  readonly requests: RequestRecord[] = [];
  /** Answers queued by admin.failNext, each given to one matching request. */
  private readonly faults: QueuedFault[] = [];
  readonly latencyMs: number;
  /** Statuses queued by admin.failNextOAuth for the OAuth endpoints, each given to one request. */
  readonly oauthFaults: { readonly endpoint: OAuthEndpoint; readonly status: number }[] = [];
  /** A pause before the token endpoint answers (admin.setTokenLatency), so concurrent refreshes overlap. */
  tokenLatencyMs = 0;
  readonly oauthRequests: OAuthRequestRecord[] = [];
  readonly monthlyReadCap: number | undefined;
  /** Metered reads accepted per month ("2026-05"), for the app as a whole. */
  readonly meteredReads = new Map<string, number>();
  /** When set, the consent page is skipped and this company is connected. */
  autoConsentRealm: string | undefined;
  /** The company the consent page chooses for the user (the first one when unset). */
  suggestedRealm: string | undefined;

  constructor(options: CoreOptions) {
    this.clock = options.clock ?? Date.now;
    this.oauth = new OAuthServer(this.clock);
    this.throttle = new Throttle(options.rateLimit ?? quickbooksLimits.rateLimit, this.clock);
    this.webhooks = options.webhook && new WebhookSender(options.webhook);
    this.latencyMs = options.latencyMs ?? 0;
    this.monthlyReadCap = options.monthlyReadCap;
  }

  /**
   * Counts one metered read; false once the month's allowance is spent. Intuit then refuses every CorePlus call
   * until the next month with the same 429 as its per-minute throttle (FACTS.md). Sandbox calls are not metered
   * at Intuit: the cap is off unless configured, to play a production app.
   */
  meterRead(): boolean {
    if (this.monthlyReadCap === undefined) return true;
    const month = new Date(this.clock()).toISOString().slice(0, 7);
    const used = this.meteredReads.get(month) ?? 0;
    if (used >= this.monthlyReadCap) return false;
    this.meteredReads.set(month, used + 1);
    return true;
  }

  failNext(realmId: string, fault: SimulatedFault, match: FaultMatch = {}): void {
    this.faults.push({ realmId, fault, match });
  }

  /** The queued fault for this request, taken off the queue; undefined when none matches. */
  takeFault(realmId: string, method: string, path: string): SimulatedFault | undefined {
    const i = this.faults.findIndex(
      (f) =>
        f.realmId === realmId &&
        (f.match.method === undefined || f.match.method.toUpperCase() === method) &&
        (f.match.path === undefined || path.endsWith(f.match.path)),
    );
    if (i < 0) return undefined;
    return this.faults.splice(i, 1)[0]!.fault;
  }

  addCompany(input: CompanyInput = {}): Company {
    const settings: CompanySettings = {
      realmId: input.realmId ?? String(randomInt(2 ** 47, 2 ** 48)),
      name: input.name ?? `Sandbox Company ${this.companies.size + 1}`,
      homeCurrency: input.homeCurrency ?? 'USD',
      utcOffsetMinutes: input.utcOffsetMinutes ?? pacificDaylightMinutes,
      autoApplyCredit: input.autoApplyCredit ?? false,
      country: input.country ?? 'US',
    };
    const company = new Company(settings, this.clock, (change) => this.webhooks?.record(change));
    this.companies.set(settings.realmId, company);
    return company;
  }

  snapshot(): QuickbooksSnapshot {
    return {
      oauth: this.oauth.snapshot(),
      companies: [...this.companies.values()].map((c) => c.snapshot()),
      meteredReads: Object.fromEntries(this.meteredReads),
    };
  }

  restore(saved: QuickbooksSnapshot): void {
    this.oauth.restore(saved.oauth);
    for (const c of saved.companies) this.addCompany(c.settings).restore(c);
    for (const [month, n] of Object.entries(saved.meteredReads)) this.meteredReads.set(month, n);
  }

  responseTime(company?: Company): string {
    return qboResponseTime(this.clock(), company?.settings.utcOffsetMinutes ?? pacificDaylightMinutes);
  }
}
