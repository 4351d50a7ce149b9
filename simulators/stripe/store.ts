// Simulator state: accounts, the keys that reach them, and each account's objects and events.
import type { Clock } from './clock.js';
import { unixSeconds } from './clock.js';
import { Collection, type StripeObject } from './collection.js';
import { newId } from './ids.js';

export const simulatedApiVersion = '2026-10-28.endive';

export class AccountData {
  readonly customers = new Collection<StripeObject>('customer');
  readonly invoices = new Collection<StripeObject>('invoice');
  readonly invoicePayments = new Collection<StripeObject>('invoice payment');
  readonly paymentRecords = new Collection<StripeObject>('payment record');
  readonly paymentIntents = new Collection<StripeObject>('payment_intent');
  readonly charges = new Collection<StripeObject>('charge');
  readonly creditNotes = new Collection<StripeObject>('credit note');
  readonly disputes = new Collection<StripeObject>('dispute');
  readonly files = new Collection<StripeObject>('file');
  readonly events = new Collection<StripeObject>('event');
  invoiceCounter = 0;

  constructor(readonly account: StripeObject) {}

  snapshot(): AccountSnapshot {
    const collections = Object.fromEntries(collectionNames.map((n) => [n, this[n].all()]));
    return { account: this.account, invoiceCounter: this.invoiceCounter, collections };
  }

  static restore(saved: AccountSnapshot): AccountData {
    const data = new AccountData(saved.account);
    data.invoiceCounter = saved.invoiceCounter;
    for (const n of collectionNames) data[n].restore(saved.collections[n] ?? []);
    return data;
  }
}

const collectionNames = [
  'customers',
  'invoices',
  'invoicePayments',
  'paymentRecords',
  'paymentIntents',
  'charges',
  'creditNotes',
  'disputes',
  'files',
  'events',
] as const;

export interface AccountSnapshot {
  readonly account: StripeObject;
  readonly invoiceCounter: number;
  readonly collections: Readonly<Record<string, readonly StripeObject[]>>;
}

/** The store as plain data, to start a simulator again where it was. */
export interface StoreSnapshot {
  readonly platformAccountId: string;
  readonly accounts: readonly AccountSnapshot[];
  readonly keys: ReadonlyMap<string, KeyGrant>;
  readonly connections: ReadonlyMap<string, ConnectGrant>;
  readonly controlledElsewhere: ReadonlySet<string>;
}

export type KeyKind = 'secret' | 'restricted' | 'oauth';

export interface KeyGrant {
  readonly accountId: string;
  readonly kind: KeyKind;
  /** Resources (URL segment after /v1/) a restricted key may not touch. */
  readonly deny: ReadonlySet<string>;
}

export interface ConnectGrant {
  accessToken: string;
  refreshToken: string;
  scope: string;
}

export type EventListener = (event: StripeObject) => void;

export class StripeStore {
  readonly accounts = new Map<string, AccountData>();
  readonly keys = new Map<string, KeyGrant>();
  readonly connections = new Map<string, ConnectGrant>();
  /** Standard accounts another Connect platform controls: OAuth with read_write cannot connect them (since June 2021). */
  readonly controlledElsewhere = new Set<string>();
  readonly platformAccountId: string;
  /** Where the simulator listens; links in objects (invoice PDFs, files) point here. */
  baseUrl = '';
  /** The account the Connect consent page preselects (otherwise "Create a new account"). */
  suggestedAccount: string | undefined;
  private readonly listeners: EventListener[] = [];
  /** While set, changes record no event and send no webhook (a bulk import of history). */
  private quiet = false;

  constructor(
    readonly clock: Clock,
    platformName: string,
    saved?: StoreSnapshot,
  ) {
    if (!saved) {
      this.platformAccountId = this.createAccount({ name: platformName, email: 'platform@example.test' }).account.id;
      return;
    }
    this.platformAccountId = saved.platformAccountId;
    for (const a of saved.accounts) this.accounts.set(a.account.id, AccountData.restore(a));
    for (const [k, v] of saved.keys) this.keys.set(k, v);
    for (const [k, v] of saved.connections) this.connections.set(k, v);
    for (const id of saved.controlledElsewhere) this.controlledElsewhere.add(id);
  }

  snapshot(): StoreSnapshot {
    const { platformAccountId, keys, connections, controlledElsewhere } = this;
    return {
      platformAccountId,
      accounts: [...this.accounts.values()].map((a) => a.snapshot()),
      keys,
      connections,
      controlledElsewhere,
    };
  }

  now(): number {
    return unixSeconds(this.clock);
  }

  createAccount(input: { name: string; email?: string; country?: string; currency?: string }): AccountData {
    const id = newId('acct', 16);
    const account: StripeObject = {
      id,
      object: 'account',
      business_profile: { name: input.name, url: null, support_email: input.email ?? null },
      business_type: 'company',
      charges_enabled: true,
      country: input.country ?? 'US',
      created: this.now(),
      default_currency: (input.currency ?? 'usd').toLowerCase(),
      details_submitted: true,
      email: input.email ?? null,
      metadata: {},
      payouts_enabled: true,
      settings: { dashboard: { display_name: input.name, timezone: 'Etc/UTC' } },
      type: 'standard',
    };
    const data = new AccountData(account);
    this.accounts.set(id, data);
    return data;
  }

  account(id: string): AccountData | undefined {
    return this.accounts.get(id);
  }

  issueKey(accountId: string, kind: KeyKind, deny: readonly string[] = []): string {
    const mode = kind === 'restricted' ? 'rk_test' : 'sk_test';
    const key = newId(mode, 32);
    this.keys.set(key, { accountId, kind, deny: new Set(deny) });
    return key;
  }

  onEvent(listener: EventListener): void {
    this.listeners.push(listener);
  }

  /**
   * Runs `build` with events off: what it creates is history older than the 30 days Stripe keeps events for, so
   * it leaves no event on the feed and sends no webhook (and costs no copy of each object).
   */
  withoutEvents<T>(build: () => T): T {
    const was = this.quiet;
    this.quiet = true;
    try {
      return build();
    } finally {
      this.quiet = was;
    }
  }

  /** Records an event on the account's feed and hands it to webhook delivery. */
  emit(data: AccountData, type: string, object: StripeObject, previous?: Record<string, unknown>): void {
    if (this.quiet) return;
    const connected = data.account.id !== this.platformAccountId;
    const event: StripeObject = {
      id: newId('evt'),
      object: 'event',
      ...(connected && { account: data.account.id }),
      api_version: simulatedApiVersion,
      created: this.now(),
      data: { object: structuredClone(object), ...(previous && { previous_attributes: previous }) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
    data.events.add(event);
    for (const l of this.listeners) l(event);
  }
}
