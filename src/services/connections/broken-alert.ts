// When a connection stops working (invalid_grant, a revoked grant, a 401 that a refresh cannot cure), sync
// stops with it: new short payments go unseen. Cases pause and say so on their own, but an organisation with
// no open case would hear nothing, so its owners get one email per break, with the way back.
import { and, eq, inArray } from 'drizzle-orm';
import { providerLabel } from '../../../integrations/registry.js';
import type { Database } from '../db/index.js';
import { connections, users } from '../db/schema.js';
import { escapeHtml } from '../letters/index.js';
import type { Logger } from '../logger.js';
import type { OutboxMessage, OutboxRow } from '../mail/outbox.js';
import { errorSummary } from './error-summary.js';
import { explainProviderError } from '../../../integrations/explain-error.js';
import type { ConnectionBrokenEvent } from './types.js';

const DAY = 86_400_000;

export interface BrokenAlertDeps {
  readonly db: Database;
  readonly outbox: { send(m: OutboxMessage): Promise<OutboxRow> };
  readonly publicUrl: string;
  readonly logger?: Logger;
}

export function brokenConnectionEmail(input: {
  provider: ConnectionBrokenEvent['provider'];
  name: string;
  reason: string;
  link: string;
}) {
  const provider = providerLabel(input.provider);
  const why = explainProviderError(input.provider, input.reason);
  const lines = [
    `Shortfall can no longer reach ${input.name} in ${provider}. ${why.what} (${provider} said: ${input.reason}.)`,
    'Until you reconnect it, Shortfall does not see new payments there, so new short payments are not detected, and the payment deadlines of its open cases are paused.',
    'Reconnecting takes a minute: open your connections and choose Reconnect.',
  ];
  const text = `${lines.join('\n\n')}\n\n${input.link}\n\nNot legal advice.`;
  const html = `${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n')}\n<p><a href="${escapeHtml(input.link)}">Reconnect ${escapeHtml(provider)}</a></p>\n<p><small>Not legal advice.</small></p>`;
  return { subject: `Reconnect ${provider}: ${input.name}`, text, html };
}

/** The vault's onBroken hook. Never throws: a mail outage must not turn a broken connection into a failed sync. */
export function createBrokenConnectionAlert(d: BrokenAlertDeps) {
  const log = d.logger?.child({ module: 'connections.alert' });
  return async (event: ConnectionBrokenEvent): Promise<void> => {
    try {
      const [connection] = await d.db
        .select({ name: connections.name })
        .from(connections)
        .where(eq(connections.id, event.connectionId));
      const owners = await d.db
        .select({ email: users.email })
        .from(users)
        // Those who can reconnect it: the owners and bookkeepers (a viewer could do nothing with the link).
        .where(and(eq(users.organisationId, event.organisationId), inArray(users.role, ['owner', 'bookkeeper'])));
      const email = brokenConnectionEmail({
        provider: event.provider,
        name: connection?.name ?? 'your account',
        reason: event.reason,
        link: `${d.publicUrl}/connections`,
      });
      // One break is one transition to needs_reconnect, stamped with its time: the key makes a retry send nothing new.
      for (const { email: to } of owners) {
        const message = {
          key: `connection-broken:${event.connectionId}:${event.at}:${to}`,
          to,
          ...email,
          attachments: [],
          redeliverUntil: new Date(Date.parse(event.at) + 3 * DAY),
        };
        // A mail outage leaves it queued: the outbox tries again, backing off, for three days (src/app/main.ts sweeps it).
        await d.outbox
          .send(message)
          .catch((err: unknown) =>
            log?.warn(
              { connectionId: event.connectionId, error: errorSummary(err) },
              'owner alert queued; the outbox will retry it',
            ),
          );
      }
    } catch (err) {
      log?.error(
        { connectionId: event.connectionId, error: errorSummary(err) },
        'could not alert the owner about a broken connection',
      );
    }
  };
}
