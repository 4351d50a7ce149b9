// What is left of the hand-written provider stand-ins, used by three tests not yet moved to the simulators:
// test/integration/web/sync-now.test.ts (a backfill held half way at its second page), and
// test/integration/sync/reconcile.test.ts and deauthorization.test.ts (Stripe-shaped change feeds). Every other test
// uses the real provider code against the QuickBooks, Xero and Stripe simulators; do not add new users.
import { IntegrationError } from '../../../integrations/errors.js';
import type {
  ChangeBatch,
  CreditNoteRequest,
  LedgerConnector,
  OAuthGrant,
  OAuthProvider,
  TokenSet,
} from '../../../integrations/types.js';
import type { CreditNote, ProviderKey } from '../../../src/domain/model.js';

/** An authorisation server that rotates refresh tokens: a spent refresh token gets invalid_grant, as with Xero and QuickBooks. */
export class FakeOAuthProvider implements OAuthProvider {
  readonly refreshCalls: TokenSet[] = [];
  readonly revoked: TokenSet[] = [];
  #issued = 0;
  #liveRefreshToken: string;

  constructor(
    readonly provider: ProviderKey = 'quickbooks',
    private readonly now: () => number = Date.now,
    readonly lifetimeMs = 3_600_000,
  ) {
    this.#liveRefreshToken = 'rt-0';
  }

  /** The grant a connection starts with: expires in `inMs`. */
  initialTokens(inMs: number): TokenSet {
    return {
      accessToken: 'at-0',
      refreshToken: this.#liveRefreshToken,
      expiresAt: new Date(this.now() + inMs).toISOString(),
    };
  }

  authorizeUrl(input: { state: string; redirectUri: string }): string {
    return `https://auth.fake.test/authorize?state=${input.state}&redirect_uri=${encodeURIComponent(input.redirectUri)}`;
  }

  async exchangeCode(): Promise<OAuthGrant> {
    return { tokens: this.#issue(), accounts: [{ accountId: 'realm-1', name: 'Fake Co' }] };
  }

  async refresh(tokens: TokenSet): Promise<TokenSet> {
    this.refreshCalls.push(tokens);
    if (tokens.refreshToken !== this.#liveRefreshToken) throw invalidGrant();
    return this.#issue();
  }

  async revoke(tokens: TokenSet): Promise<void> {
    this.revoked.push(tokens);
  }

  #issue(): TokenSet {
    this.#issued++;
    this.#liveRefreshToken = `rt-${this.#issued}`;
    return {
      accessToken: `at-${this.#issued}`,
      refreshToken: this.#liveRefreshToken,
      expiresAt: new Date(this.now() + this.lifetimeMs).toISOString(),
    };
  }
}

const invalidGrant = () =>
  new IntegrationError('auth', 'refresh token rejected', {
    provider: 'quickbooks',
    status: 400,
    code: 'invalid_grant',
  });

const emptyBatch = (checkpoint: string): ChangeBatch => ({
  invoices: [],
  payments: [],
  creditNotes: [],
  disputes: [],
  checkpoint,
  backfill: false,
});

/** A change feed that serves scripted batches in order, then nothing new. Records every pull. */
export class ScriptedConnector implements LedgerConnector {
  readonly pulls: { cursor?: string; pageCursor?: string; accessToken: string }[] = [];
  readonly batches: ChangeBatch[] = [];
  failNext?: Error;
  accessToken = '';

  constructor(readonly provider: ProviderKey = 'quickbooks') {}

  push(...batches: ChangeBatch[]): void {
    this.batches.push(...batches);
  }

  async pullChanges(input: { cursor?: string; pageCursor?: string }): Promise<ChangeBatch> {
    this.pulls.push({ ...input, accessToken: this.accessToken });
    if (this.failNext) {
      const e = this.failNext;
      delete this.failNext;
      throw e;
    }
    return this.batches.shift() ?? emptyBatch(input.cursor ?? 'start');
  }

  async getInvoice() {
    return null;
  }

  async getInvoicePdf(): Promise<Uint8Array> {
    return new Uint8Array();
  }

  async postCreditNote(_req: CreditNoteRequest): Promise<CreditNote> {
    throw new IntegrationError('invalid', 'not used by sync tests');
  }
}
