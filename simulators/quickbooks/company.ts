// One QuickBooks company (realm): its documents, the change feed they leave behind, and requestid replies.
import { entityNames, type EntityName, type JsonOf, type Stored, type Tombstone } from './entities.js';
import { invalidReference, objectNotFound } from './faults.js';
import { restoreFields } from '../shared/snapshot.js';
import { qboDate, qboTime } from './time.js';

export type Operation = 'Create' | 'Update' | 'Delete' | 'Void';

export interface Change {
  readonly realmId: string;
  readonly entity: EntityName;
  readonly id: string;
  readonly operation: Operation;
  readonly lastUpdated: string;
}

export interface Customer {
  readonly Id: string;
  readonly DisplayName: string;
  readonly email?: string;
}

/** A stored answer to a write carrying a `requestid`: a repeat gets exactly this back. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

export interface CompanySettings {
  readonly realmId: string;
  readonly name: string;
  readonly homeCurrency: string;
  /** The company's UTC offset in minutes; QBO writes every time in the company's zone. */
  readonly utcOffsetMinutes: number;
  autoApplyCredit: boolean;
  /** ISO 3166 alpha-2 ("US", "GB", "CA", "AU"): outside the US every sales line needs a TaxCodeRef. */
  readonly country: string;
}

/** The tax a non-US company names in its refusal of a line without a tax code (FACTS.md). */
export function salesTaxName(country: string): string | undefined {
  if (country === 'US') return undefined;
  if (country === 'CA') return 'GST/HST';
  if (country === 'AU' || country === 'NZ' || country === 'IN') return 'GST';
  return 'VAT';
}

type Tables = { [E in EntityName]: Map<string, Stored<E>> };

export interface CompanySnapshot {
  readonly settings: CompanySettings;
  readonly [field: string]: unknown;
}

const companyFields = [
  'customers',
  'tombstones',
  'replies',
  'tables',
  'lastId',
  'lastCustomerId',
  'lastDocNumber',
  'preferences',
];

export class Company {
  readonly customers = new Map<string, Customer>();
  readonly tombstones: Tombstone[] = [];
  readonly replies = new Map<string, Reply>();
  private readonly tables = Object.fromEntries(entityNames.map((e) => [e, new Map()])) as Tables;
  private lastId = 0;
  private lastCustomerId = 0;
  private readonly lastDocNumber: Record<'Invoice' | 'CreditMemo', number> = { Invoice: 1000, CreditMemo: 5000 };
  readonly preferences: { syncToken: number; readonly createdMs: number; updatedMs: number };
  /** While set, changes notify no webhook (a bulk import); the change data feed still has them. */
  private quiet = false;

  constructor(
    readonly settings: CompanySettings,
    readonly clock: () => number,
    private readonly onChange: (change: Change) => void,
  ) {
    const now = clock();
    this.preferences = { syncToken: 0, createdMs: now, updatedMs: now };
  }

  /** Everything this company holds, as plain data (see simulators/shared/snapshot.ts). */
  snapshot(): CompanySnapshot {
    const { customers, tombstones, replies, tables, lastId, lastCustomerId, lastDocNumber, preferences, settings } =
      this;
    return { settings, customers, tombstones, replies, tables, lastId, lastCustomerId, lastDocNumber, preferences };
  }

  restore(saved: CompanySnapshot): void {
    restoreFields(this, saved, companyFields);
  }

  setAutoApplyCredit(on: boolean): void {
    this.settings.autoApplyCredit = on;
    this.preferences.syncToken += 1;
    this.preferences.updatedMs = this.clock();
  }

  /** Runs `build` without webhook notifications for what it changes. */
  withoutNotifications<T>(build: () => T): T {
    const was = this.quiet;
    this.quiet = true;
    try {
      return build();
    } finally {
      this.quiet = was;
    }
  }

  get realmId(): string {
    return this.settings.realmId;
  }

  time(ms = this.clock()): string {
    return qboTime(ms, this.settings.utcOffsetMinutes);
  }

  today(): string {
    return qboDate(this.clock(), this.settings.utcOffsetMinutes);
  }

  // Transactions share one id sequence, as in QBO, so an Invoice and a Payment never share an Id.
  nextId(): string {
    return String(++this.lastId);
  }

  nextDocNumber(entity: 'Invoice' | 'CreditMemo'): string {
    return String(++this.lastDocNumber[entity]);
  }

  addCustomer(input: { id?: string; name: string; email?: string }): Customer {
    const customer = {
      Id: input.id ?? String(++this.lastCustomerId),
      DisplayName: input.name,
      ...(input.email && { email: input.email }),
    };
    this.customers.set(customer.Id, customer);
    return customer;
  }

  customer(id: string): Customer {
    const customer = this.customers.get(id);
    if (!customer) throw invalidReference('CustomerRef', id);
    return customer;
  }

  table<E extends EntityName>(entity: E): Map<string, Stored<E>> {
    return this.tables[entity];
  }

  find<E extends EntityName>(entity: E, id: string): Stored<E> {
    const stored = this.tables[entity].get(id);
    if (!stored) throw objectNotFound(entity, id);
    return stored;
  }

  /** Stores a new entity with Id, SyncToken and MetaData filled in, and reports the creation. */
  insert<E extends EntityName>(entity: E, json: JsonOf[E]): Stored<E> {
    const ms = this.clock();
    json.SyncToken = '0';
    json.MetaData = { CreateTime: this.time(ms), LastUpdatedTime: this.time(ms) };
    const stored: Stored<E> = { entity, json, updatedMs: ms };
    this.tables[entity].set(json.Id, stored);
    this.emit(stored, 'Create');
    return stored;
  }

  /** Call after changing an entity: a new SyncToken, a new LastUpdatedTime, one change reported. */
  touch(stored: Stored, operation: Operation = 'Update'): void {
    const ms = this.clock();
    stored.json.SyncToken = String(Number(stored.json.SyncToken) + 1);
    stored.json.MetaData = { ...stored.json.MetaData, LastUpdatedTime: this.time(ms) };
    stored.updatedMs = ms;
    this.emit(stored, operation);
  }

  remove(stored: Stored): void {
    const ms = this.clock();
    this.tables[stored.entity].delete(stored.json.Id);
    const tombstone = { entity: stored.entity, id: stored.json.Id, deletedMs: ms, lastUpdated: this.time(ms) };
    this.tombstones.push(tombstone);
    if (!this.quiet)
      this.onChange({
        realmId: this.realmId,
        entity: stored.entity,
        id: stored.json.Id,
        operation: 'Delete',
        lastUpdated: tombstone.lastUpdated,
      });
  }

  private emit(stored: Stored, operation: Operation): void {
    if (this.quiet) return;
    this.onChange({
      realmId: this.realmId,
      entity: stored.entity,
      id: stored.json.Id,
      operation,
      lastUpdated: stored.json.MetaData.LastUpdatedTime,
    });
  }
}
