// Xero webhooks: `x-xero-signature` = base64(HMAC-SHA256(webhook key, raw body)), checked before the body is
// parsed. An "Intent to Receive" probe is a signed payload with no events: Xero expects 200 for a correct
// signature and 401 for a wrong one, both with an empty body, within 5 seconds (reference/ledgers.md §7.3).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { NormalizedWebhookEvent, WebhookVerification, WebhookVerifier } from '../types.js';
import { constantTimeEqual, hmacSha256, singleHeader } from '../webhook-verify.js';
import { xeroInstant } from './dates.js';

export const signatureHeader = 'x-xero-signature';

const XeroEvent = z.object({
  resourceUrl: z.string(),
  resourceId: z.string().min(1),
  eventDateUtc: z.string().min(1),
  eventType: z.string().min(1),
  eventCategory: z.string().min(1),
  tenantId: z.string().min(1),
  tenantType: z.string(),
  data: z.unknown().optional(),
});
type XeroEvent = z.infer<typeof XeroEvent>;

const XeroWebhookBody = z.object({
  events: z.array(XeroEvent),
  firstEventSequence: z.number().int(),
  lastEventSequence: z.number().int(),
  entropy: z.string(),
});

// CONTACT and SUBSCRIPTION events are not ours to act on; payments raise no webhook at all.
const entities: Record<string, string> = { INVOICE: 'Invoice', CREDITNOTE: 'CreditNote' };

// Xero events carry no id: the fields that identify a change make one, so a redelivery dedupes.
const eventId = (e: XeroEvent) =>
  createHash('sha256')
    .update(JSON.stringify([e.resourceId, e.eventDateUtc, e.eventType, e.tenantId]))
    .digest('hex');

function occurredAt(text: string): string {
  try {
    return xeroInstant(text);
  } catch {
    return text;
  }
}

function normalise(e: XeroEvent, entity: string): NormalizedWebhookEvent {
  return {
    provider: 'xero',
    eventId: eventId(e),
    accountId: e.tenantId,
    entity,
    entityId: e.resourceId,
    operation: e.eventType.toLowerCase(),
    occurredAt: occurredAt(e.eventDateUtc),
    payload: e,
  };
}

export function createXeroWebhookVerifier(config: { readonly webhookKey: string }): WebhookVerifier {
  return {
    provider: 'xero',
    verify({ raw, headers }): WebhookVerification {
      const signature = singleHeader(headers, signatureHeader);
      if (!signature || !constantTimeEqual(hmacSha256(config.webhookKey, raw, 'base64'), signature)) {
        // Intent to Receive fails unless a wrongly signed payload gets 401 with no body at all.
        return { ok: false, reason: 'invalid_signature', reply: { status: 401 } };
      }
      let json: unknown;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        return { ok: false, reason: 'malformed', detail: 'body is not JSON' };
      }
      const body = XeroWebhookBody.safeParse(json);
      if (!body.success) return { ok: false, reason: 'malformed', detail: z.prettifyError(body.error) };
      const events = body.data.events.flatMap((e) => {
        const entity = entities[e.eventCategory];
        return entity ? [normalise(e, entity)] : [];
      });
      // Xero wants an empty 200 for every good delivery, the Intent-to-Receive probe (no events) included.
      return { ok: true, events, reply: { status: 200 } };
    },
  };
}
