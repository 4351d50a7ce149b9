// QuickBooks webhooks: `intuit-signature` = base64(HMAC-SHA256(verifier token, raw body)), checked before the
// body is parsed. A signed delivery is always acknowledged; what cannot be read in it is kept as ignored events. Two payload formats are live while Intuit migrates apps: the legacy `eventNotifications`
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
  eventNotifications: z.array(
    z.object({ realmId: z.string().min(1), dataChangeEvent: z.object({ entities: z.array(LegacyEntity) }) }),
  ),
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

// Whatever else a signed delivery holds: only enough to keep it, and to dedupe a redelivery.
const AnyCloudEvent = z.object({
  id: z.string().min(1).optional(),
  intuitaccountid: z.string().optional(),
  intuitentityid: z.string().optional(),
  type: z.string().optional(),
  time: z.string().optional(),
});

// One vocabulary for both formats: QBO entity names as the API spells them, operations as present-tense verbs.
const entityNames: Record<string, string> = {
  invoice: 'Invoice',
  payment: 'Payment',
  creditmemo: 'CreditMemo',
  customer: 'Customer',
};
const cloudOperations: Record<string, string> = {
  created: 'create',
  updated: 'update',
  deleted: 'delete',
  voided: 'void',
  merged: 'merge',
  emailed: 'emailed',
};

const entityName = (lower: string) => entityNames[lower] ?? lower.charAt(0).toUpperCase() + lower.slice(1);
const occurredAt = (time: string) => (Number.isNaN(Date.parse(time)) ? time : new Date(time).toISOString());

// Legacy notifications carry no id; a hash of what identifies the change makes redeliveries dedupe.
const legacyEventId = (realmId: string, e: z.infer<typeof LegacyEntity>) =>
  createHash('sha256')
    .update(JSON.stringify([realmId, e.name, e.id, e.operation, e.lastUpdated]))
    .digest('hex');

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

// An event we cannot act on (a type Intuit added after this code, or a shape it changed) is kept and ignored; the
// delivery is still acknowledged, since Intuit holds back every later event until this one gets its 200 (FACTS.md).
function unknownEvent(raw: unknown): NormalizedWebhookEvent {
  const e = AnyCloudEvent.safeParse(raw);
  const known = e.success ? e.data : {};
  const digest = createHash('sha256')
    .update(JSON.stringify(raw) ?? 'undefined')
    .digest('hex');
  return {
    provider: 'quickbooks',
    eventId: known.id ?? `unknown:${digest}`,
    accountId: known.intuitaccountid ?? '',
    entity: 'Unknown',
    entityId: known.intuitentityid ?? '',
    operation: known.type ?? 'unknown',
    occurredAt: known.time ? occurredAt(known.time) : '',
    payload: raw ?? null,
    ignored: true,
  };
}

function fromCloudEvents(body: readonly unknown[]): NormalizedWebhookEvent[] {
  return body.map((raw) => {
    const parsed = CloudEvent.safeParse(raw);
    return parsed.success ? fromCloudEvent(parsed.data) : unknownEvent(raw);
  });
}

function normalise(body: unknown): WebhookVerification {
  if (Array.isArray(body)) return { ok: true, events: fromCloudEvents(body) };
  const legacy = LegacyEnvelope.safeParse(body);
  return { ok: true, events: legacy.success ? fromLegacy(legacy.data) : [unknownEvent(body)] };
}

export function createQuickbooksWebhookVerifier(config: { readonly verifierToken: string }): WebhookVerifier {
  return {
    provider: 'quickbooks',
    verify({ raw, headers }) {
      const signature = singleHeader(headers, signatureHeader);
      if (!signature || !constantTimeEqual(hmacSha256(config.verifierToken, raw, 'base64'), signature)) {
        return { ok: false, reason: 'invalid_signature' };
      }
      // Signed by Intuit, so never refused: a 400 would stall every later notification (FACTS.md).
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return { ok: true, events: [unknownEvent(raw.toString('utf8'))] };
      }
      return normalise(body);
    },
  };
}
