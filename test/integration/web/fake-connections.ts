// An in-memory ConnectionsPort (fakes over mocks): enough behaviour to drive the connections pages.
import { randomUUID } from 'node:crypto';
import type { ProviderKey } from '../../../src/domain/model.js';
import type {
  AccountChoice,
  CallbackOutcome,
  ConnectionSummary,
  ConnectionsPort,
  PortResult,
} from '../../../src/services/ports.js';

export class FakeConnections implements ConnectionsPort {
  readonly byOrg = new Map<string, ConnectionSummary[]>();
  readonly states = new Map<string, { userId: string; provider: ProviderKey; organisationId: string }>();
  readonly keys: string[] = [];
  readonly choices = new Map<
    string,
    { userId: string; organisationId: string; provider: ProviderKey; accounts: string[] }
  >();

  constructor(private readonly orgOfUser: (userId: string) => Promise<string>) {}

  add(organisationId: string, c: Omit<ConnectionSummary, 'id'> & { id?: string }): ConnectionSummary {
    const row = { ...c, id: c.id ?? randomUUID() };
    this.byOrg.set(organisationId, [...(this.byOrg.get(organisationId) ?? []), row]);
    return row;
  }

  async startUrl(userId: string, provider: ProviderKey): Promise<string> {
    const state = randomUUID();
    this.states.set(state, { userId, provider, organisationId: await this.orgOfUser(userId) });
    return `https://provider.example/${provider}/authorize?state=${state}`;
  }

  /** `accounts=a,b` in the callback stands for a grant reaching several organisations. */
  async completeCallback(
    userId: string,
    provider: ProviderKey,
    query: Readonly<Record<string, string>>,
  ): Promise<PortResult<CallbackOutcome>> {
    const started = query.state ? this.states.get(query.state) : undefined;
    if (query.state) this.states.delete(query.state);
    if (query.error) return { ok: false, message: `The provider said: ${query.error}.` };
    if (!started || started.userId !== userId || started.provider !== provider)
      return {
        ok: false,
        message: 'This sign-in with the provider expired or was not started here. Try connecting again.',
      };
    const accounts = (query.accounts ?? '').split(',').filter(Boolean);
    if (accounts.length > 1) {
      const choiceId = randomUUID();
      this.choices.set(choiceId, { userId, organisationId: started.organisationId, provider, accounts });
      return { ok: true, value: { kind: 'choose', choiceId } };
    }
    const connection = this.add(started.organisationId, {
      provider,
      name: `Account ${query.realmId ?? accounts[0] ?? '1'}`,
      status: 'active',
      sandbox: false,
    });
    return { ok: true, value: { kind: 'connected', connections: [connection] } };
  }

  async choice(userId: string, choiceId: string): Promise<PortResult<AccountChoice>> {
    const c = this.choices.get(choiceId);
    if (!c || c.userId !== userId) return { ok: false, message: 'That choice is gone. Connect again.' };
    return {
      ok: true,
      value: {
        id: choiceId,
        provider: c.provider,
        expiresAt: '2099-01-01T00:00:00.000Z',
        accounts: c.accounts.map((a) => ({ accountId: a, name: `Account ${a}` })),
      },
    };
  }

  async choose(
    userId: string,
    choiceId: string,
    accountIds: readonly string[],
  ): Promise<PortResult<readonly ConnectionSummary[]>> {
    const c = this.choices.get(choiceId);
    if (!c || c.userId !== userId) return { ok: false, message: 'That choice is gone. Connect again.' };
    if (accountIds.length === 0 || accountIds.some((a) => !c.accounts.includes(a)))
      return { ok: false, message: 'Choose among the organisations listed.' };
    this.choices.delete(choiceId);
    return {
      ok: true,
      value: accountIds.map((a) =>
        this.add(c.organisationId, { provider: c.provider, name: `Account ${a}`, status: 'active', sandbox: false }),
      ),
    };
  }

  async cancelChoice(_userId: string, choiceId: string): Promise<void> {
    this.choices.delete(choiceId);
  }

  async list(organisationId: string) {
    return this.byOrg.get(organisationId) ?? [];
  }

  async disconnect(organisationId: string, connectionId: string): Promise<boolean> {
    const list = this.byOrg.get(organisationId) ?? [];
    const found = list.find((c) => c.id === connectionId);
    if (!found) return false;
    this.byOrg.set(
      organisationId,
      list.map((c) => (c.id === connectionId ? { ...c, status: 'disconnected' as const } : c)),
    );
    return true;
  }

  async saveApiKey(organisationId: string, key: string): Promise<PortResult<ConnectionSummary>> {
    if (key.endsWith('revoked0000')) return { ok: false, message: 'Stripe refused this key: it has been revoked.' };
    this.keys.push(key);
    return {
      ok: true,
      value: this.add(organisationId, {
        provider: 'stripe',
        name: 'Stripe account',
        status: 'active',
        sandbox: key.startsWith('rk_test_'),
      }),
    };
  }
}
