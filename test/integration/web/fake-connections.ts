// An in-memory ConnectionsPort (fakes over mocks): enough behaviour to drive the connections pages.
import { randomUUID } from 'node:crypto';
import type { ProviderKey } from '../../../src/domain/model.js';
import type { ConnectionSummary, ConnectionsPort, PortResult } from '../../../src/web/ports.js';

export class FakeConnections implements ConnectionsPort {
  readonly byOrg = new Map<string, ConnectionSummary[]>();
  readonly states = new Map<string, { userId: string; provider: ProviderKey; organisationId: string }>();
  readonly keys: string[] = [];

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

  async completeCallback(userId: string, provider: ProviderKey, query: Readonly<Record<string, string>>): Promise<PortResult<ConnectionSummary>> {
    const started = query.state ? this.states.get(query.state) : undefined;
    if (query.state) this.states.delete(query.state);
    if (query.error) return { ok: false, message: `The provider said: ${query.error}.` };
    if (!started || started.userId !== userId || started.provider !== provider) return { ok: false, message: 'This sign-in with the provider expired or was not started here. Try connecting again.' };
    return { ok: true, value: this.add(started.organisationId, { provider, name: `Account ${query.realmId ?? '1'}`, status: 'active', sandbox: false }) };
  }

  async list(organisationId: string) {
    return this.byOrg.get(organisationId) ?? [];
  }

  async disconnect(organisationId: string, connectionId: string): Promise<boolean> {
    const list = this.byOrg.get(organisationId) ?? [];
    const found = list.find((c) => c.id === connectionId);
    if (!found) return false;
    this.byOrg.set(organisationId, list.map((c) => (c.id === connectionId ? { ...c, status: 'disconnected' as const } : c)));
    return true;
  }

  async saveStripeKey(organisationId: string, key: string): Promise<PortResult<ConnectionSummary>> {
    if (key.endsWith('revoked0000')) return { ok: false, message: 'Stripe refused this key: it has been revoked.' };
    this.keys.push(key);
    return { ok: true, value: this.add(organisationId, { provider: 'stripe', name: 'Stripe account', status: 'active', sandbox: key.startsWith('rk_test_') }) };
  }
}
