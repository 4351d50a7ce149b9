// Sync cursors. An ISO time means "CDC from then"; a backfill position names the entity and row to read next
// plus the time the backfill started, which becomes the CDC checkpoint once the backfill is drained.
import { z } from 'zod';
import { IntegrationError } from '../errors.js';
import type { QboEntityName } from './client.js';

export const backfillOrder: readonly QboEntityName[] = ['Invoice', 'Payment', 'CreditMemo'];

const BackfillPosition = z.object({
  entity: z.enum(['Invoice', 'Payment', 'CreditMemo']),
  /** 1-based STARTPOSITION of the next page. */
  position: z.number().int().positive(),
  /** When the backfill began: changes from then on are caught by CDC afterwards. */
  since: z.iso.datetime(),
});
export type BackfillPosition = z.infer<typeof BackfillPosition>;

export type SyncCursor =
  { readonly kind: 'backfill'; readonly at: BackfillPosition } | { readonly kind: 'cdc'; readonly since: string };

const prefix = 'qbo-backfill:';

export const encodeBackfill = (at: BackfillPosition): string =>
  prefix + Buffer.from(JSON.stringify(at)).toString('base64url');

function decodeBackfill(text: string): BackfillPosition {
  const json: unknown = JSON.parse(Buffer.from(text.slice(prefix.length), 'base64url').toString('utf8'));
  return BackfillPosition.parse(json);
}

export function parseCursor(cursor: string): SyncCursor {
  try {
    if (cursor.startsWith(prefix)) return { kind: 'backfill', at: decodeBackfill(cursor) };
    return { kind: 'cdc', since: z.iso.datetime({ offset: true }).parse(cursor) };
  } catch (e) {
    throw new IntegrationError('invalid', `Not a QuickBooks sync cursor: ${JSON.stringify(cursor)}`, {
      provider: 'quickbooks',
      code: 'bad_cursor',
      cause: e,
    });
  }
}

export function nextEntity(at: BackfillPosition): BackfillPosition | undefined {
  const entity = backfillOrder[backfillOrder.indexOf(at.entity) + 1];
  return entity && { entity, position: 1, since: at.since };
}
