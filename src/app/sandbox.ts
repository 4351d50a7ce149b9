// The embedded demo's "Sandbox (simulated)" companies: our provider simulators, seeded with one short-paid
// invoice each so a newcomer can walk the whole flow. Loaded only when config.simulators is on, never in production.
// With a state directory each simulator keeps its state in `<dir>/<provider>.json` (mode 0600, replaced atomically
// after every change), so a restart brings back the same ports, companies, app keys and issued tokens.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { QuickbooksSimulator, QuickbooksSnapshot } from '../../simulators/quickbooks/index.js';
import type { StripeSimulator, StripeSnapshot } from '../../simulators/stripe/index.js';
import type { XeroSimulator, XeroSnapshot } from '../../simulators/xero/index.js';
import type { RateLimit } from '../../integrations/quickbooks/limits.js';
import type { Logger } from '../services/logger.js';
import type { ProviderSetup } from '../../integrations/providers.js';
import { ConfigError, type Config } from './config.js';

export type SandboxProvider = 'quickbooks' | 'xero' | 'stripe';
export const sandboxProviders: readonly SandboxProvider[] = ['quickbooks', 'xero', 'stripe'];
/** Where the simulators listen on a first start unless SANDBOX_<PROVIDER>_PORT says otherwise. */
export const defaultSandboxPorts: Readonly<Record<SandboxProvider, number>> = {
  quickbooks: 4011,
  xero: 4012,
  stripe: 4013,
};

/** Where the simulators listen and the app keys Shortfall uses with them: its provider settings on the demo. */
export interface SandboxProviders {
  readonly quickbooks: { baseUrl: string; clientId: string; clientSecret: string; webhookVerifierToken: string };
  readonly xero: { baseUrl: string; clientId: string; clientSecret: string; webhookKey: string };
  readonly stripe: {
    baseUrl: string;
    secretKey: string;
    connectClientId: string;
    webhookSecret: string;
    platformAccountId: string;
  };
}

export interface Sandbox extends SandboxProviders {
  /** Where each simulator's state is kept; undefined when it lives in memory only. */
  readonly stateDir: string | undefined;
  /**
   * Starts over: every company, invoice, grant and token is forgotten and the demo companies are seeded afresh,
   * on the same ports with the same app keys (Shortfall's provider settings stay valid). Tokens issued before
   * stop working.
   */
  reset(): Promise<void>;
  /** Requests the QuickBooks demo company let through and refused with 429 since the simulator started. */
  quickbooksThrottle(): { accepted: number; throttled: number; maxInFlight: number };
  close(): Promise<void>;
}

export interface SandboxOptions {
  /** Where the simulators deliver webhooks. */
  readonly appUrl: string;
  /** Base of the OAuth redirect URIs. */
  readonly publicUrl: string;
  readonly logger: Logger;
  /** Keep each simulator's state here (`<stateDir>/<provider>.json`); in memory only when absent. */
  readonly stateDir?: string | undefined;
  /** Fixed ports; otherwise the port saved in the state file, else a free one (then saved). */
  readonly ports?: Partial<Record<SandboxProvider, number | undefined>>;
  /** Tried on a first start when no port is fixed (a taken one gives way to a free one); free ports when absent. */
  readonly defaultPorts?: Readonly<Record<SandboxProvider, number>>;
  /** The QuickBooks simulator's per-realm throttle (Intuit's published limits unless given) and added latency. */
  readonly quickbooks?: {
    readonly rateLimit?: RateLimit;
    readonly latencyMs?: number;
    /** More short-paid invoices in the demo company when it is first seeded: a busy company, for load tests. */
    readonly extraShortPayments?: number;
  };
}

/** What one state file holds: the simulator's own state plus what the sandbox chose around it. */
interface Saved<Secrets, State> {
  readonly version: 1;
  readonly port: number;
  readonly secrets: Secrets;
  /** The company (realm, tenant, account) holding the demo invoice: the consent page preselects it. */
  readonly demo: string;
  readonly state: State;
}

type QuickbooksSecrets = { clientId: string; clientSecret: string; webhookVerifierToken: string };
type XeroSecrets = { webhookKey: string };
type StripeSecrets = { webhookSecret: string };

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
const secret = () => randomBytes(24).toString('hex');

/**
 * One simulator's state file. Every change is written before the simulator answers the request that made it
 * (to a temporary file, then renamed over the old one), writes never overlap, and changes arriving during a
 * write are folded into one more write after it.
 */
class StateFile {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(
    readonly file: string,
    private readonly logger: Logger,
    private readonly encode: () => string,
  ) {}

  async read(): Promise<unknown> {
    const { decodeSnapshot } = await import('../../simulators/shared/snapshot.js');
    try {
      return decodeSnapshot(await readFile(this.file, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      // A damaged file must not stop the demo: it is kept aside and the sandbox starts fresh.
      const aside = `${this.file}.unreadable-${Date.now()}`;
      await rename(this.file, aside).catch(() => undefined);
      this.logger.warn({ file: this.file, aside, err }, 'sandbox state unreadable; starting this simulator afresh');
      return undefined;
    }
  }

  changed(): Promise<void> {
    if (!this.running) {
      this.running = this.write().finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.changed();
    });
    return this.queued;
  }

  async settled(): Promise<void> {
    await this.queued;
    await this.running;
  }

  private async write(): Promise<void> {
    try {
      const text = this.encode();
      await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temp, text, { mode: 0o600 });
      await rename(temp, this.file);
    } catch (err) {
      this.logger.error({ err, file: this.file }, 'could not save sandbox state');
    }
  }
}

interface Running<Secrets, State> {
  readonly url: string;
  readonly port: number;
  readonly secrets: Secrets;
  readonly demo: string;
  snapshot(): State;
  throttle?: () => { accepted: number; throttled: number; maxInFlight: number };
  close(): Promise<void>;
}

/**
 * Listens on the configured port, else the saved one, else the default; a saved or default port that is taken
 * gives way to a free one (which is then saved), a configured one does not.
 */
async function listenOn<T>(
  start: (port: number) => Promise<T>,
  ports: { wanted: number | undefined; saved: number | undefined; fallback: number | undefined },
  logger: Logger,
  provider: SandboxProvider,
): Promise<T> {
  const preferred = ports.wanted ?? ports.saved ?? ports.fallback;
  if (ports.wanted !== undefined || !preferred) return start(preferred ?? 0);
  try {
    return await start(preferred);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    logger.warn({ provider, port: preferred }, "the sandbox simulator's port is taken; using a free one");
    return start(0);
  }
}

export async function startSandbox(o: SandboxOptions): Promise<Sandbox> {
  // Dynamic imports keep simulator code out of production processes entirely.
  const [
    { startQuickbooksSimulator },
    { startXeroSimulator, simulatorClient },
    { startStripeSimulator },
    { encodeSnapshot },
  ] = await Promise.all([
    import('../../simulators/quickbooks/index.js'),
    import('../../simulators/xero/index.js'),
    import('../../simulators/stripe/index.js'),
    import('../../simulators/shared/snapshot.js'),
  ]);
  const files = new Map<SandboxProvider, StateFile>();
  const running: {
    quickbooks?: Running<QuickbooksSecrets, QuickbooksSnapshot>;
    xero?: Running<XeroSecrets, XeroSnapshot>;
    stripe?: Running<StripeSecrets, StripeSnapshot>;
  } = {};

  const fileFor = (provider: SandboxProvider): StateFile | undefined => {
    if (!o.stateDir) return undefined;
    let f = files.get(provider);
    if (!f) {
      f = new StateFile(path.join(o.stateDir, `${provider}.json`), o.logger, () => {
        const r = running[provider];
        if (!r) throw new Error(`sandbox ${provider} is not running`);
        return encodeSnapshot({
          version: 1,
          port: r.port,
          secrets: r.secrets,
          demo: r.demo,
          state: r.snapshot(),
        } satisfies Saved<unknown, unknown>);
      });
      files.set(provider, f);
    }
    return f;
  };
  const onChange = (provider: SandboxProvider) => {
    const f = fileFor(provider);
    return f && (() => f.changed());
  };
  const load = async <S, T>(provider: SandboxProvider): Promise<Saved<S, T> | undefined> => {
    const saved = (await fileFor(provider)?.read()) as Saved<S, T> | undefined;
    return saved?.version === 1 ? saved : undefined;
  };
  const portOf = (url: string) => Number(new URL(url).port);
  // A reset comes back on the ports the sandbox already uses: Shortfall's provider settings point there.
  let resetPorts: Record<SandboxProvider, number> | undefined;
  const wanted = (p: SandboxProvider) => resetPorts?.[p] ?? o.ports?.[p];

  async function startQuickbooks(
    saved: Saved<QuickbooksSecrets, QuickbooksSnapshot> | undefined,
    keep?: QuickbooksSecrets,
  ) {
    const secrets = saved?.secrets ?? keep ?? { clientId: '', clientSecret: '', webhookVerifierToken: secret() };
    const change = onChange('quickbooks');
    const qb: QuickbooksSimulator = await listenOn(
      (port) =>
        startQuickbooksSimulator({
          port,
          ...(o.quickbooks?.rateLimit && { rateLimit: o.quickbooks.rateLimit }),
          ...(o.quickbooks?.latencyMs && { latencyMs: o.quickbooks.latencyMs }),
          ...(saved && { state: saved.state }),
          ...(change && { onChange: change }),
          webhook: {
            url: `${o.appUrl}/webhooks/quickbooks`,
            verifierToken: secrets.webhookVerifierToken,
            format: 'cloudevents',
          },
        }),
      { wanted: wanted('quickbooks'), saved: saved?.port, fallback: o.defaultPorts?.quickbooks },
      o.logger,
      'quickbooks',
    );
    // The app is registered again on every start: the redirect URI follows PUBLIC_URL, the keys stay.
    const app = qb.admin.createApp({
      ...(secrets.clientId && { clientId: secrets.clientId, clientSecret: secrets.clientSecret }),
      redirectUris: [`${o.publicUrl}/oauth/quickbooks/callback`],
    });
    let demo = saved?.demo;
    if (demo === undefined) {
      demo = qb.admin.createCompany({ name: 'Sandbox Design Co. (simulated)' });
      const customer = qb.admin.addCustomer(demo, { name: 'Harbor Cafe', email: 'accounts@harbor-cafe.example' });
      const invoice = qb.admin.addInvoice(demo, {
        customerId: customer.Id,
        txnDate: daysAgo(20),
        dueDate: daysAgo(5),
        // QuickBooks Payments is on, so the client's page and letters show QuickBooks' own payment page.
        onlinePayment: true,
        lines: [
          { description: 'Brand identity', unitPrice: 600 },
          { description: 'Menu design', unitPrice: 250 },
          { description: 'Signage', unitPrice: 150 },
        ],
      });
      qb.admin.addPayment(demo, {
        customerId: customer.Id,
        amount: 600,
        applications: [{ invoiceId: invoice.Id, amount: 600 }],
        memo: 'full and final payment',
        txnDate: daysAgo(1),
      });
      const extras = o.quickbooks?.extraShortPayments ?? 0;
      const busy =
        extras > 0
          ? qb.admin.addCustomer(demo, { name: 'Lantern Books', email: 'ap@lantern-books.example' })
          : undefined;
      for (let n = 1; n <= extras; n++) {
        const extra = qb.admin.addInvoice(demo, {
          customerId: busy!.Id,
          txnDate: daysAgo(15),
          dueDate: daysAgo(3),
          lines: [{ description: `Print run ${n}`, unitPrice: 200 + n }],
        });
        qb.admin.addPayment(demo, {
          customerId: busy!.Id,
          amount: 100,
          applications: [{ invoiceId: extra.Id, amount: 100 }],
          txnDate: daysAgo(1),
        });
      }
    }
    qb.admin.suggestCompany(demo);
    running.quickbooks = {
      url: qb.url,
      port: portOf(qb.url),
      secrets: { ...secrets, clientId: app.clientId, clientSecret: app.clientSecret },
      demo,
      snapshot: () => qb.snapshot(),
      throttle: () => qb.admin.throttleStats(demo),
      close: () => qb.close(),
    };
  }

  async function startXero(saved: Saved<XeroSecrets, XeroSnapshot> | undefined, keep?: XeroSecrets) {
    const secrets = saved?.secrets ?? keep ?? { webhookKey: secret() };
    const change = onChange('xero');
    const xero: XeroSimulator = await listenOn(
      (port) =>
        startXeroSimulator({
          port,
          ...(saved && { state: saved.state }),
          ...(change && { onChange: change }),
          webhook: { url: `${o.appUrl}/webhooks/xero`, key: secrets.webhookKey, autoDeliver: true },
          consent: { mode: 'page' },
          validate: false,
        }),
      { wanted: wanted('xero'), saved: saved?.port, fallback: o.defaultPorts?.xero },
      o.logger,
      'xero',
    );
    let demo = saved?.demo;
    if (demo === undefined) {
      demo = xero.admin.addTenant({ name: 'Kestrel Plumbing (simulated)', baseCurrency: 'GBP' });
      const xi = xero.admin.seedInvoice(demo, {
        contact: { name: 'Ridgeway Homes', email: 'ap@ridgeway.example' },
        currency: 'GBP',
        date: daysAgo(30),
        dueDate: daysAgo(2),
        lines: [
          { description: 'Boiler installation', unitAmount: '1800.00' },
          { description: 'Call-out', unitAmount: '120.00' },
        ],
      });
      xero.admin.seedPayment(demo, {
        invoiceId: xi.invoiceId,
        amount: '1500.00',
        reference: 'part payment',
        date: daysAgo(1),
      });
    }
    xero.admin.suggestTenants([demo]);
    running.xero = {
      url: xero.url,
      port: portOf(xero.url),
      secrets,
      demo,
      snapshot: () => xero.snapshot(),
      close: () => xero.close(),
    };
  }

  async function startStripe(
    saved: Saved<StripeSecrets, StripeSnapshot> | undefined,
    keep?: { secrets: StripeSecrets; platformOnly: StripeSnapshot },
  ) {
    const secrets = saved?.secrets ?? keep?.secrets ?? { webhookSecret: `whsec_${secret()}` };
    const state = saved?.state ?? keep?.platformOnly;
    const change = onChange('stripe');
    const stripe: StripeSimulator = await listenOn(
      (port) =>
        startStripeSimulator({
          port,
          ...(state && { state }),
          ...(change && { onChange: change }),
          webhook: { url: `${o.appUrl}/webhooks/stripe`, secret: secrets.webhookSecret },
        }),
      { wanted: wanted('stripe'), saved: saved?.port, fallback: o.defaultPorts?.stripe },
      o.logger,
      'stripe',
    );
    // Named like the other sandbox companies, so the connections page and Stripe's consent page say it is simulated.
    const demo =
      saved?.demo ??
      stripe.admin.scenarios.partialPayment({
        accountId: stripe.admin.createAccount({ name: 'Harbour Design Studio (simulated)' }).accountId,
      }).accountId;
    stripe.admin.suggestAccount(demo);
    running.stripe = {
      url: stripe.url,
      port: stripe.port,
      secrets,
      demo,
      snapshot: () => stripe.snapshot(),
      close: () => stripe.close(),
    };
  }

  async function startAll(keep?: {
    quickbooks: QuickbooksSecrets;
    xero: XeroSecrets;
    stripe: { secrets: StripeSecrets; platformOnly: StripeSnapshot };
  }) {
    await startQuickbooks(keep ? undefined : await load('quickbooks'), keep?.quickbooks);
    await startXero(keep ? undefined : await load('xero'), keep?.xero);
    await startStripe(keep ? undefined : await load('stripe'), keep?.stripe);
    // Saved now, so a first start keeps its ports, keys and companies even if nothing changes before a crash.
    await Promise.all(sandboxProviders.map((p) => fileFor(p)?.changed()));
  }

  async function closeAll() {
    const all = [running.quickbooks, running.xero, running.stripe];
    await Promise.all(all.map((r) => r?.close()));
    await Promise.all([...files.values()].map((f) => f.settled()));
  }

  await startAll();
  const r = () => ({ q: running.quickbooks!, x: running.xero!, s: running.stripe! });
  const { q, x, s } = r();
  const stripeState = s.snapshot();
  const sandbox: Sandbox = {
    quickbooks: {
      baseUrl: q.url,
      clientId: q.secrets.clientId,
      clientSecret: q.secrets.clientSecret,
      webhookVerifierToken: q.secrets.webhookVerifierToken,
    },
    xero: {
      baseUrl: x.url,
      clientId: simulatorClient.clientId,
      clientSecret: simulatorClient.clientSecret,
      webhookKey: x.secrets.webhookKey,
    },
    stripe: {
      baseUrl: s.url,
      secretKey: stripeState.platform.secretKey,
      connectClientId: stripeState.platform.clientId,
      webhookSecret: s.secrets.webhookSecret,
      platformAccountId: stripeState.store.platformAccountId,
    },
    stateDir: o.stateDir,
    async reset() {
      const { q: q0, x: x0, s: s0 } = r();
      const keep = {
        quickbooks: q0.secrets,
        xero: x0.secrets,
        stripe: { secrets: s0.secrets, platformOnly: platformOnly(s0.snapshot()) },
      };
      const ports = { quickbooks: q0.port, xero: x0.port, stripe: s0.port };
      await closeAll();
      if (o.stateDir)
        await Promise.all(sandboxProviders.map((p) => rm(path.join(o.stateDir!, `${p}.json`), { force: true })));
      resetPorts = ports;
      try {
        await startAll(keep);
      } finally {
        resetPorts = undefined;
      }
      o.logger.info({ stateDir: o.stateDir }, 'sandbox reset');
    },
    quickbooksThrottle: () => r().q.throttle!(),
    close: closeAll,
  };
  o.logger.info(
    { quickbooks: q.url, xero: x.url, stripe: s.url, stateDir: o.stateDir ?? null },
    'sandbox provider simulators started',
  );
  return sandbox;
}

/** The Stripe platform alone (its account and secret key), to seed a fresh Stripe simulator that keeps the platform's keys. */
function platformOnly(snapshot: StripeSnapshot): StripeSnapshot {
  const { store, platform } = snapshot;
  return {
    platform,
    store: {
      platformAccountId: store.platformAccountId,
      accounts: store.accounts
        .filter((a) => a.account.id === store.platformAccountId)
        .map((a) => ({ ...a, collections: {}, invoiceCounter: 0 })),
      keys: new Map([...store.keys].filter(([key]) => key === platform.secretKey)),
      connections: new Map(),
      controlledElsewhere: new Set(),
    },
  };
}

/** The providers' settings on the embedded demo: the simulators' apps, at the simulators' addresses. */
export function sandboxProviderSetup(sandbox: SandboxProviders, config: Config): ProviderSetup {
  const { quickbooks: q, xero: x, stripe: s } = sandbox;
  return {
    configs: {
      quickbooks: {
        clientId: q.clientId,
        clientSecret: q.clientSecret,
        webhookVerifierToken: q.webhookVerifierToken,
        environment: 'sandbox',
        rateLimit: config.quickbooksRateLimit,
      },
      // The simulator's app counts as created after 2 March 2026, so it takes granular scopes like any new app.
      xero: {
        clientId: x.clientId,
        clientSecret: x.clientSecret,
        webhookKey: x.webhookKey,
        scopes: config.providers.xero?.scopes,
        ...config.xeroApp,
      },
      stripe: {
        secretKey: s.secretKey,
        connectClientId: s.connectClientId,
        webhookSecret: s.webhookSecret,
        platformAccountId: s.platformAccountId,
      },
    },
    baseUrls: { quickbooks: q.baseUrl, xero: x.baseUrl, stripe: s.baseUrl },
  };
}

/** The simulators' addresses by the name the start banner shows. */
export const sandboxBaseUrls = (sandbox: SandboxProviders): Record<string, string> => ({
  QuickBooks: sandbox.quickbooks.baseUrl,
  Xero: sandbox.xero.baseUrl,
  Stripe: sandbox.stripe.baseUrl,
});

/**
 * The provider simulators as a process of their own: the servers and workers reach them through QUICKBOOKS_BASE_URL,
 * XERO_BASE_URL and STRIPE_BASE_URL like a proxy, with the app keys printed here. Webhooks go to PUBLIC_URL.
 * Prints one JSON line `{"simulators": {…the settings as environment variables…}}` once listening, and
 * `{"quickbooksThrottle": {accepted, throttled, maxInFlight}}` for the demo company when it stops.
 * Flags: `--latency-ms=N` delays every QuickBooks API answer; `--short-payments=N` seeds N more short payments.
 */
export async function runSimulators(
  config: Config,
  logger: Logger,
  args: readonly string[],
  stops: (() => Promise<void>)[],
) {
  const flag = (name: string) => {
    const raw = args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
    const n = raw === undefined ? 0 : Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new ConfigError([`--${name}: expected a whole number ≥ 0, got ${raw}`]);
    return n;
  };
  const sandbox = await startSandbox({
    appUrl: config.http.publicUrl,
    publicUrl: config.http.publicUrl,
    logger,
    stateDir: config.sandbox.stateDir,
    ports: config.sandbox.ports,
    defaultPorts: defaultSandboxPorts,
    quickbooks: {
      rateLimit: config.quickbooksRateLimit,
      latencyMs: flag('latency-ms'),
      extraShortPayments: flag('short-payments'),
    },
  });
  stops.push(async () => {
    console.log(JSON.stringify({ quickbooksThrottle: sandbox.quickbooksThrottle() }));
    await sandbox.close();
  });
  const { quickbooks: q, xero: x, stripe: s } = sandbox;
  const settings = {
    QUICKBOOKS_BASE_URL: q.baseUrl,
    QUICKBOOKS_CLIENT_ID: q.clientId,
    QUICKBOOKS_CLIENT_SECRET: q.clientSecret,
    QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN: q.webhookVerifierToken,
    XERO_BASE_URL: x.baseUrl,
    XERO_CLIENT_ID: x.clientId,
    XERO_CLIENT_SECRET: x.clientSecret,
    XERO_WEBHOOK_KEY: x.webhookKey,
    STRIPE_BASE_URL: s.baseUrl,
    STRIPE_SECRET_KEY: s.secretKey,
    STRIPE_CONNECT_CLIENT_ID: s.connectClientId,
    STRIPE_WEBHOOK_SECRET: s.webhookSecret,
  };
  console.log(JSON.stringify({ simulators: settings }));
}
