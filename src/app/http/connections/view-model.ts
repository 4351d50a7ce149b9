import { providerKeys } from '../../../../integrations/registry.js';
import type { ProviderKey } from '../../../domain/model.js';
import type { ConnectionSummary } from '../../../services/ports.js';
import { explainProviderError, type ExplainedError } from '../../../../integrations/explain-error.js';
import type { ProviderMode, WebSettings } from '../settings.js';

export const providerNames: Readonly<Record<ProviderKey, string>> = {
  quickbooks: 'QuickBooks',
  xero: 'Xero',
  stripe: 'Stripe',
};

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
  readonly sync: SyncProgressView;
}

/** One connection's sync as the owner reads it: what the pass under way has read, or how the last one ended. */
export interface SyncProgressView {
  readonly id: string;
  readonly label: string;
  readonly running: boolean;
  /** While running: pages and records read, and what the provider says is left. */
  readonly progress?: string | undefined;
  /** When the last pass ended (or the last page was stored), and how. */
  readonly lastSyncAt?: string | undefined;
  readonly result: string;
  /** "Sync now" is offered (the connection works). */
  readonly canSync: boolean;
}

const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

export function syncProgressView(c: ConnectionSummary, providerName: string): SyncProgressView {
  const p = c.syncProgress;
  const running = c.status === 'active' && p !== undefined && p.finishedAt === undefined;
  const read = p && `${count(p.pages, 'page')} and ${count(p.records, 'record')} read`;
  const left =
    p?.remaining &&
    `; ${providerName} says ${count(p.remaining.records, p.remaining.what.replace(/s$/, ''), p.remaining.what)} still to read`;
  // The error itself, explained, sits in the Last error column; the raw text only under its Details.
  const result = c.lastError
    ? `Failed: ${explainProviderError(c.provider, c.lastError).what}`
    : p?.finishedAt
      ? `Finished: ${read}.`
      : running
        ? 'Running now.'
        : c.lastSyncAt
          ? 'Finished.'
          : 'Not synced yet.';
  return {
    id: c.id,
    label: `${providerName} ${c.name}`,
    running,
    ...(running && read && { progress: `Syncing: ${read} so far${left ?? ''}.` }),
    lastSyncAt: p?.finishedAt ?? c.lastSyncAt,
    result,
    canSync: c.status === 'active',
  };
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
      sync: syncProgressView(c, providerNames[c.provider] ?? c.provider),
      simulated: settings.providers[c.provider] === 'simulated',
      problem: c.lastError ? explainProviderError(c.provider, c.lastError) : undefined,
      reconnectUrl: c.status === 'active' ? undefined : startUrl(c.provider),
    })),
    sandboxReset,
    ...extra,
  };
}
