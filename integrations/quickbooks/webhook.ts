// QuickBooks webhooks: `intuit-signature` = base64(HMAC-SHA256(verifier token, raw body)), checked before the
// body is parsed. Two payload formats are live while Intuit migrates apps: the legacy `eventNotifications`
// envelope and a CloudEvents array (reference/ledgers.md §7.1–7.2). Both normalise to the same events.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { NormalizedWebhookEvent, WebhookVerification, WebhookVerifier } from '../types.js';
import { constantTimeEqual, hmacSha256, singleHeader } from '../webhook-verify.js';

export const signatureHeader = 'intuit-signature';

const LegacyEntity = z.object({
  name: z.string().min(1),
  id: z.string().min(1),
  operation: z.string().min(1),
  lastUpdated: z.string().min(1),
  deletedId: z.string().optional(),
});

const LegacyEnvelope = z.object({
  eventNotifications: z.array(z.object({ realmId: z.string().min(1), dataChangeEvent: z.object({ entities: z.array(LegacyEntity) }) })),
});

const CloudEvent = z.object({
  specversion: z.string(),
  id: z.string().min(1),
  source: z.string(),
  type: z.string().regex(/^qbo\.[a-z]+\.[a-z]+\.v\d+$/),
  time: z.string().min(1),
  intuitentityid: z.string().min(1),
  intuitaccountid: z.string().min(1),
  data: z.unknown().optional(),
});

// One vocabulary for both formats: QBO entity names as the API spells them, operations as present-tense verbs.
const entityNames: Record<string, string> = { invoice: 'Invoice', payment: 'Payment', creditmemo: 'CreditMemo', customer: 'Customer' };
const cloudOperations: Record<string, string> = { created: 'create', updated: 'update', deleted: 'delete', voided: 'void', merged: 'merge', emailed: 'emailed' };

const entityName = (lower: string) => entityNames[lower] ?? lower.charAt(0).toUpperCase() + lower.slice(1);
const occurredAt = (time: string) => (Number.isNaN(Date.parse(time)) ? time : new Date(time).toISOString());

// Legacy notifications carry no id; a hash of what identifies the change makes redeliveries dedupe.
const legacyEventId = (realmId: string, e: z.infer<typeof LegacyEntity>) =>
  createHash('sha256').update(JSON.stringify([realmId, e.name, e.id, e.operation, e.lastUpdated])).digest('hex');

function fromLegacy(envelope: z.infer<typeof LegacyEnvelope>): NormalizedWebhookEvent[] {
  return envelope.eventNotifications.flatMap(({ realmId, dataChangeEvent }) =>
    dataChangeEvent.entities.map((e) => ({
      provider: 'quickbooks' as const,
      eventId: legacyEventId(realmId, e),
      accountId: realmId,
      entity: entityName(e.name.toLowerCase()),
      entityId: e.id,
      operation: e.operation.toLowerCase(),
      occurredAt: occurredAt(e.lastUpdated),
      payload: e,
    })),
  );
}

function fromCloudEvent(e: z.infer<typeof CloudEvent>): NormalizedWebhookEvent {
  const [, entity = '', operation = ''] = e.type.split('.');
  return {
    provider: 'quickbooks',
    eventId: e.id,
    accountId: e.intuitaccountid,
    entity: entityName(entity),
    entityId: e.intuitentityid,
    operation: cloudOperations[operation] ?? operation,
    occurredAt: occurredAt(e.time),
    payload: e,
  };
}

function normalise(body: unknown): WebhookVerification {
  const parsed = Array.isArray(body) ? z.array(CloudEvent).safeParse(body) : LegacyEnvelope.safeParse(body);
  if (!parsed.success) return { ok: false, reason: 'malformed', detail: z.prettifyError(parsed.error) };
  const events = Array.isArray(parsed.data) ? parsed.data.map(fromCloudEvent) : fromLegacy(parsed.data);
  return { ok: true, events };
}

export function createQuickbooksWebhookVerifier(config: { readonly verifierToken: string }): WebhookVerifier {
  return {
    provider: 'quickbooks',
    verify({ raw, headers }) {
      const signature = singleHeader(headers, signatureHeader);
      if (!signature || !constantTimeEqual(hmacSha256(config.verifierToken, raw, 'base64'), signature)) {
        return { ok: false, reason: 'invalid_signature' };
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return { ok: false, reason: 'malformed', detail: 'body is not JSON' };
      }
      return normalise(body);
    },
  };
}
