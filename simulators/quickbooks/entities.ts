// The JSON the simulator serves, named and typed after Finance.xsd (test/unit/integrations/quickbooks/xsd-conformance
// holds every emitted key to the schema).
export const entityNames = ['Invoice', 'Payment', 'CreditMemo'] as const;
export type EntityName = (typeof entityNames)[number];

export interface Ref {
  value: string;
  name?: string;
}

export interface LinkedTxn {
  TxnId: string;
  TxnType: string;
}

export interface SalesItemLineDetail {
  ItemRef: Ref;
  Qty: number;
  UnitPrice: number;
  TaxCodeRef?: Ref;
}

export interface Line {
  Id?: string;
  LineNum?: number;
  Description?: string;
  Amount: number;
  DetailType?: 'SalesItemLineDetail' | 'SubTotalLineDetail';
  SalesItemLineDetail?: SalesItemLineDetail;
  SubTotalLineDetail?: Record<string, never>;
  LinkedTxn?: LinkedTxn[];
}

interface EntityJson {
  Id: string;
  SyncToken: string;
  domain: 'QBO';
  sparse: false;
  MetaData: { CreateTime: string; LastUpdatedTime: string };
}

interface SalesJson extends EntityJson {
  DocNumber: string;
  TxnDate: string;
  CurrencyRef: Ref;
  PrivateNote?: string;
  GlobalTaxCalculation?: string;
  LinkedTxn: LinkedTxn[];
  Line: Line[];
  CustomerRef: Ref;
  TotalAmt: number;
  Balance: number;
}

export interface InvoiceJson extends SalesJson {
  DueDate?: string;
  BillEmail?: { Address: string };
  AllowOnlineCreditCardPayment?: boolean;
  AllowOnlineACHPayment?: boolean;
}

export interface CreditMemoJson extends SalesJson {
  RemainingCredit: number;
}

export interface PaymentJson extends EntityJson {
  TxnDate: string;
  CurrencyRef: Ref;
  CustomerRef: Ref;
  TotalAmt: number;
  UnappliedAmt: number;
  ProcessPayment: false;
  PrivateNote?: string;
  PaymentRefNum?: string;
  PaymentMethodRef?: Ref;
  LinkedTxn: LinkedTxn[];
  Line: Line[];
}

export interface JsonOf {
  Invoice: InvoiceJson;
  Payment: PaymentJson;
  CreditMemo: CreditMemoJson;
}

/** An entity plus the instant it last changed (its LastUpdatedTime only keeps the second). */
export interface Stored<E extends EntityName = EntityName> {
  readonly entity: E;
  json: JsonOf[E];
  updatedMs: number;
}

/** What CDC reports once an entity is deleted. */
export interface Tombstone {
  readonly entity: EntityName;
  readonly id: string;
  readonly deletedMs: number;
  readonly lastUpdated: string;
}

const currencyNames = new Intl.DisplayNames('en', { type: 'currency' });
export const currencyRef = (code: string): Ref => ({ value: code, name: currencyNames.of(code) ?? code });

/** Resolves an entity name the way QBO does: case-insensitively ("creditmemo", "CreditMemo"). */
export function entityNamed(name: string): EntityName | undefined {
  return entityNames.find((e) => e.toLowerCase() === name.toLowerCase());
}
