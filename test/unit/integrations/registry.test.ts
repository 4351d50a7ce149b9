import { describe, expect, it } from 'vitest';
import {
  createProviderRegistry,
  ProviderNotConfiguredError,
  type ProviderFactories,
} from '../../../integrations/registry.js';
import { createQuickbooksProvider } from '../../../integrations/quickbooks/provider.js';
import { createXeroProvider } from '../../../integrations/xero/provider.js';

// The real provider factories (building one makes no request), each call recorded.
const built: string[] = [];
const factories = {
  quickbooks: (c) => {
    built.push(`quickbooks:${c.clientId}:${c.environment}`);
    return createQuickbooksProvider(c);
  },
  xero: (c) => {
    built.push(`xero:${c.clientId}`);
    return createXeroProvider(c);
  },
  stripe: () => {
    throw new Error('stripe is not configured in this test, so its factory must not run');
  },
} satisfies ProviderFactories;

describe('provider registry', () => {
  const registry = createProviderRegistry(factories, {
    quickbooks: { clientId: 'qb-id', clientSecret: 's', webhookVerifierToken: 't', environment: 'sandbox' },
    xero: { clientId: 'xero-id', clientSecret: 's', webhookKey: undefined, scopes: 'offline_access' },
  });

  it('builds each configured provider once, from its own config slice', () => {
    expect(built).toEqual(['quickbooks:qb-id:sandbox', 'xero:xero-id']);
    expect(registry.configured()).toEqual(['quickbooks', 'xero']);
    const qb = registry.get('quickbooks');
    expect(qb.oauth.provider).toBe('quickbooks');
    expect(qb.connector({ accountId: 'realm-1', tokens: { accessToken: 'at' } }).provider).toBe('quickbooks');
    expect(registry.get('xero').oauth.provider).toBe('xero');
  });

  it('refuses a provider without configuration, and offers only the verifiers that exist', () => {
    expect(() => registry.get('stripe')).toThrow(ProviderNotConfiguredError);
    expect(Object.keys(registry.verifiers())).toEqual(['quickbooks']);
  });
});
