// Fakes that implement the real provider contracts (STYLE.md B2 #15), shared by the sync, case and webhook tests.
import { createHmac } from 'node:crypto';
import { IntegrationError } from '../../../integrations/errors.js';
import type {
  ChangeBatch,
  ConnectedAccount,
  CreditNoteRequest,
  LedgerConnector,
  NormalizedWebhookEvent,
  OAuthGrant,
  OAuthProvider,
  TokenSet,
  WebhookVerification,
  WebhookVerifier,
} from '../../../integrations/types.js';
import type { CreditNote, ProviderKey } from '../../../src/domain/model.js';

export { testKeyRing } from '../../helpers/key-ring.js';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An authorisation server that rotates refresh tokens: a spent refresh token gets invalid_grant, as with Xero and QuickBooks. */
export class FakeOAuthProvider implements OAuthProvider {
  readonly refreshCalls: TokenSet[] = [];
  readonly revoked: TokenSet[] = [];
  readonly droppedAccounts: string[] = [];
  /** The accounts the next code exchange reaches. */
  grantAccounts: ConnectedAccount[] = [{ accountId: 'realm-1', name: 'Fake Co' }];
  refreshDelayMs = 0;
  failNextRefresh?: Error;
  failExchange?: Error;
  failRevoke?: Error;
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
    if (this.failExchange) throw this.failExchange;
    return { tokens: this.#issue(), accounts: this.grantAccounts };
  }

  async refresh(tokens: TokenSet): Promise<TokenSet> {
    this.refreshCalls.push(tokens);
    await sleep(this.refreshDelayMs);
    if (this.failNextRefresh) {
      const e = this.failNextRefresh;
      delete this.failNextRefresh;
      throw e;
    }
    if (tokens.refreshToken !== this.#liveRefreshToken) throw invalidGrant();
    return this.#issue();
  }

  async revoke(tokens: TokenSet): Promise<void> {
    if (this.failRevoke) throw this.failRevoke;
    this.revoked.push(tokens);
  }

  /** Set to make it behave like Xero, where a revoke ends every account the user linked: what /connections lists. */
  linkedAccounts?: string[];
  failListAccounts?: Error;

  async listAccounts(_tokens: TokenSet) {
    if (this.failListAccounts) throw this.failListAccounts;
    return (this.linkedAccounts ?? [])
      .filter((a) => !this.droppedAccounts.includes(a))
      .map((accountId) => ({ accountId, name: accountId }));
  }

  /** Like Xero's DELETE /connections/{id}: one account leaves the grant, whose tokens keep working. */
  async disconnectAccount(input: { tokens: TokenSet; accountId: string }): Promise<void> {
    if (input.tokens.refreshToken !== this.#liveRefreshToken) throw invalidGrant();
    this.droppedAccounts.push(input.accountId);
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

export const invalidGrant = () =>
  new IntegrationError('auth', 'refresh token rejected', {
    provider: 'quickbooks',
    status: 400,
    code: 'invalid_grant',
  });

export const emptyBatch = (checkpoint: string): ChangeBatch => ({
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

export const fakeSecret = 'whsec_fake_secret_for_tests';
export const sign = (raw: string | Buffer, secret = fakeSecret) =>
  createHmac('sha256', secret).update(raw).digest('hex');

/**
 * Signs `x-fake-signature: hex(HMAC-SHA256(secret, body))`; the body is {events:[…]} or {intent:true}, the latter
 * answered like Xero's intent-to-receive check (200, empty body).
 */
export class FakeWebhookVerifier implements WebhookVerifier {
  constructor(
    readonly provider: ProviderKey = 'quickbooks',
    private readonly secret = fakeSecret,
  ) {}

  verify(input: {
    raw: Buffer;
    headers: Record<string, string | string[] | undefined>;
    nowMs: number;
  }): WebhookVerification {
    const given = input.headers['x-fake-signature'];
    if (typeof given !== 'string' || given !== sign(input.raw, this.secret))
      return { ok: false, reason: 'invalid_signature' };
    let body: {
      intent?: boolean;
      events?: { id: string; account: string; entity: string; entityId: string; op: string }[];
    };
    try {
      body = JSON.parse(input.raw.toString('utf8')) as typeof body;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (body.intent) return { ok: true, events: [], reply: { status: 200, body: '' } };
    if (!Array.isArray(body.events)) return { ok: false, reason: 'malformed' };
    const occurredAt = new Date(input.nowMs).toISOString();
    const events: NormalizedWebhookEvent[] = body.events.map((e) => ({
      provider: this.provider,
      eventId: e.id,
      accountId: e.account,
      entity: e.entity,
      entityId: e.entityId,
      operation: e.op,
      occurredAt,
      payload: e,
    }));
    return { ok: true, events };
  }
}
