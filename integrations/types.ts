// The one connector interface every provider implements (STYLE.md B2 #9).
// Provider SDK types never cross this boundary: everything here is the canonical model.
import type { ChargeDispute, CreditNote, Invoice, Payment, ProviderKey } from '../src/domain/model.js';
import type { Money } from '../src/domain/money.js';
import type { SyncRemaining } from '../src/domain/sync-progress.js';

export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** ISO timestamp when the access token expires. */
  readonly expiresAt?: string;
  /** ISO timestamp when the refresh token expires (rolling window). */
  readonly refreshExpiresAt?: string;
  /** ISO timestamp of the refresh token's hard cap (QuickBooks' 5-year limit). */
  readonly hardExpiresAt?: string;
  readonly scope?: string;
}

/** An organisation reachable through one grant: a QuickBooks realm, a Xero tenant, a Stripe account. */
export interface ConnectedAccount {
  readonly accountId: string;
  readonly name: string;
}

export interface OAuthGrant {
  readonly tokens: TokenSet;
  readonly accounts: readonly ConnectedAccount[];
}

export interface OAuthProvider {
  readonly provider: ProviderKey;
  authorizeUrl(input: { state: string; redirectUri: string }): string;
  /** `query` is the callback's whole query string: each provider reads what it needs (code, realmId…). */
  exchangeCode(input: { query: Record<string, string>; redirectUri: string }): Promise<OAuthGrant>;
  refresh(tokens: TokenSet): Promise<TokenSet>;
  revoke(tokens: TokenSet): Promise<void>;
  /**
   * Where one grant reaches several accounts (Xero): ends access to this one and leaves the grant working for
   * the others. Absent where a grant has one account; revoking is then the way to disconnect.
   */
  disconnectAccount?(input: { tokens: TokenSet; accountId: string }): Promise<void>;
  /**
   * Where a revoke ends more than this grant (Xero: every organisation the consenting user linked to the app),
   * the accounts it would end. Absent where a revoke ends just the grant's own account.
   */
  listAccounts?(tokens: TokenSet): Promise<ConnectedAccount[]>;
  /**
   * Most distinct accounts the app may have connected at once, across every Shortfall organisation (Xero's app
   * tier: 5 on Starter). Absent where the provider sets no such cap.
   */
  readonly connectionLimit?: number;
  /** The setting that raises `connectionLimit` (the app's tier), named in the message when the cap is reached. */
  readonly connectionLimitSetting?: string;
}

/** Credentials an API call needs: the current tokens (or API key) and which account to act on. */
export interface ConnectionAuth {
  readonly accountId: string;
  readonly tokens: TokenSet;
}

/** One batch of changes from a provider's change feed. The cursor is opaque to everyone but the provider. */
export interface ChangeBatch {
  readonly invoices: readonly Invoice[];
  readonly payments: readonly Payment[];
  readonly creditNotes: readonly CreditNote[];
  readonly disputes: readonly ChargeDispute[];
  /** Pass back to continue; absent when the feed is drained for now. */
  readonly nextCursor?: string;
  /** The cursor to resume from next time once everything before it has been stored. */
  readonly checkpoint: string;
  /** True when this batch came from a full backfill rather than the incremental feed. */
  readonly backfill: boolean;
  /**
   * Set on a backfill's last batch when nextCursor pages on into the change feed (Stripe's does): a reader of the
   * backfill alone, such as the reconciliation sweep, stops here instead of reading the feed to discard it.
   */
  readonly nextIsFeed?: boolean;
  /** What the provider says is still to read of what it is reading now, when it says (Xero's pagination does). */
  readonly remaining?: SyncRemaining;
}

export interface CreditNoteRequest {
  readonly invoiceId: string;
  readonly customerId?: string;
  readonly currency: string;
  readonly lines: readonly { readonly invoiceLineId?: string; readonly description: string; readonly amount: Money }[];
  readonly memo: string;
  /** Derived from case and decision; each adapter maps it to the provider's mechanism. */
  readonly idempotencyKey: string;
}

export interface LedgerConnector {
  readonly provider: ProviderKey;
  /** Pull the next batch of changes. With no cursor, start a full backfill. */
  pullChanges(input: { cursor?: string; pageCursor?: string }): Promise<ChangeBatch>;
  getInvoice(invoiceId: string): Promise<Invoice | null>;
  getInvoicePdf(invoiceId: string): Promise<Uint8Array>;
  /** Create the credit note and allocate it to the invoice. Safe to call again with the same key. */
  postCreditNote(req: CreditNoteRequest): Promise<CreditNote>;
  /**
   * Capability: the provider's own page where the client sees and pays this invoice (a hosted invoice page, an
   * online invoice). `null` when the provider offers none for this invoice (a draft, online payment not enabled, no
   * email on it, a bill rather than a sale); a read that fails throws. Absent where a provider has no such page.
   */
  paymentLink?(invoiceId: string): Promise<string | null>;
}

export interface NormalizedWebhookEvent {
  readonly provider: ProviderKey;
  /** Unique per provider; the inbox deduplicates on (provider, eventId). */
  readonly eventId: string;
  readonly accountId: string;
  readonly entity: string;
  readonly entityId: string;
  readonly operation: string;
  readonly occurredAt: string;
  readonly payload: unknown;
  /**
   * Kept for the record but acted on by nobody: an event the verifier could not make sense of (a CloudEvent type
   * Intuit added after us). Its delivery is still acknowledged, so the provider does not hold back later events.
   */
  readonly ignored?: boolean;
}

export type WebhookVerification =
  | {
      readonly ok: true;
      readonly events: readonly NormalizedWebhookEvent[];
      readonly reply?: { status: number; body?: string };
    }
  | {
      readonly ok: false;
      readonly reason: 'invalid_signature' | 'stale' | 'malformed';
      readonly detail?: string;
      /** The exact answer the provider expects for this refusal (Xero: 401 with an empty body); else a JSON error. */
      readonly reply?: { status: number; body?: string };
    };

/**
 * The normalised event a provider sends when an account withdraws our app's access (Stripe's
 * account.application.deauthorized): the connection is disconnected rather than synced.
 */
export const withdrawsAccess = (e: NormalizedWebhookEvent): boolean =>
  e.entity === 'account' && e.operation === 'deauthorized';

/**
 * A payment provider's dispute capability (Stripe's chargebacks): evidence is staged, then submitted once. Providers
 * without card disputes do not offer it. Each call carries an idempotency key.
 */
export interface DisputeEvidencePort {
  stage(i: {
    disputeId: string;
    fields: Readonly<Record<string, string>>;
    files: readonly { name: string; content: Buffer }[];
    key: string;
  }): Promise<void>;
  submit(i: { disputeId: string; key: string }): Promise<void>;
}

export interface WebhookVerifier {
  readonly provider: ProviderKey;
  verify(input: {
    raw: Buffer;
    headers: Record<string, string | string[] | undefined>;
    nowMs: number;
  }): WebhookVerification;
}

/**
 * A provider account's published limits (QuickBooks realm, Xero tenant, Stripe account), from the provider's
 * `limits.ts`: requests in any window of `perMs`, requests in flight at once, requests a day.
 */
export interface AccountLimits {
  readonly requests: number;
  readonly perMs: number;
  /** Absent where the provider publishes no figure (Stripe). */
  readonly concurrent?: number | undefined;
  readonly perDay?: number | undefined;
}

/** Runs each request when its account's budget allows (Bottleneck's `schedule` has this shape too). */
export interface RequestScheduler {
  schedule<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * Counts a provider account's requests across every process of the deployment (the app passes one in; providers
 * fall back to a per-process limiter without it). `limits` are the account's; spacing under them is the limiter's.
 */
export interface SharedRateLimiter {
  forAccount(provider: ProviderKey, accountId: string, limits: AccountLimits): RequestScheduler;
}
