import { providerKeys } from '../../../../integrations/registry.js';
import type { ProviderKey } from '../../../domain/model.js';
import type { ConnectionSummary } from '../../../services/ports.js';
import { explainProviderError, type ExplainedError } from '../../../../integrations/explain-error.js';
import type { ProviderMode, WebSettings } from '../settings.js';

export interface ProviderCard {
  readonly key: ProviderKey;
  readonly mode: ProviderMode;
  /** The OAuth start URL; absent when the provider has no app credentials here. */
  readonly connectUrl?: string | undefined;
}

export interface ConnectionRow extends ConnectionSummary {
  readonly reconnectUrl?: string | undefined;
  /** The last error in plain words, with what to do (the raw text under Details). */
  readonly problem?: ExplainedError | undefined;
  readonly simulated: boolean;
}

export interface ConnectionsModel {
  readonly title: string;
  readonly providers: readonly ProviderCard[];
  readonly connections: readonly ConnectionRow[];
  readonly notice?: string | undefined;
  readonly error?: string | undefined;
  readonly stripeKeyError?: string | undefined;
  /** The "Reset the sandbox" form is offered (the simulators run here). */
  readonly sandboxReset: boolean;
}

export function connectionsModel(
  settings: WebSettings,
  list: readonly ConnectionSummary[],
  extra: Pick<ConnectionsModel, 'notice' | 'error' | 'stripeKeyError'>,
  sandboxReset = false,
): ConnectionsModel {
  const startUrl = (key: ProviderKey) =>
    settings.providers[key] === 'unavailable' ? undefined : `/oauth/${key}/start`;
  return {
    title: 'Connections',
    providers: providerKeys.map((key) => ({ key, mode: settings.providers[key], connectUrl: startUrl(key) })),
    connections: list.map((c) => ({
      ...c,
      simulated: settings.providers[c.provider] === 'simulated',
      problem: c.lastError ? explainProviderError(c.provider, c.lastError) : undefined,
      reconnectUrl: c.status === 'active' ? undefined : startUrl(c.provider),
    })),
    sandboxReset,
    ...extra,
  };
}
