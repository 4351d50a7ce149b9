// Stripe webhooks: verify the Stripe-Signature over the raw bytes with the SDK, then normalise.
import Stripe from 'stripe';
import {
  withdrawsAccess,
  type NormalizedWebhookEvent,
  type WebhookVerification,
  type WebhookVerifier,
} from '../types.js';
import { classifyEventType } from './events.js';
import { stripeLimits } from './limits.js';
import { StripeEvent } from './schemas.js';

export interface StripeWebhookOptions {
  /** Signing secrets of every endpoint that posts here (a Connect endpoint has its own). */
  readonly secrets: readonly string[];
  /** Events about the platform's own account carry no `account`; they belong to this id. */
  readonly platformAccountId: string;
  readonly toleranceSeconds?: number;
}

type Check = { ok: true; event: unknown } | { ok: false; reason: 'invalid_signature' | 'stale' | 'malformed' };

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A header whose signature matches when the age check is switched off (tolerance 0) was signed, just too long ago. */
function signedButOld(raw: Buffer, header: string, secret: string): boolean {
  try {
    return Stripe.webhooks.signature?.verifyHeader(raw, header, secret, 0) ?? false;
  } catch {
    return false;
  }
}

function check(raw: Buffer, header: string, secret: string, tolerance: number, nowMs: number): Check {
  try {
    const event = Stripe.webhooks.constructEvent(raw, header, secret, tolerance, undefined, nowMs);
    // stripe-node only refuses signatures older than the tolerance; one dated further ahead than that is no more
    // trustworthy (a replay prepared in advance, or a sender's clock we cannot rely on), so it is refused too.
    // stripe-node verifies against the header's last t=; exactly one is accepted, so this reads the one it checked.
    const stamps = header.split(',').filter((p) => p.trim().startsWith('t='));
    const signedAt = stamps.length === 1 ? Number(stamps[0]!.trim().slice(2)) : Number.NaN;
    if (!Number.isFinite(signedAt)) return { ok: false, reason: 'invalid_signature' };
    if (tolerance > 0 && signedAt * 1000 > nowMs + tolerance * 1000) return { ok: false, reason: 'stale' };
    return { ok: true, event };
  } catch (e) {
    if (e instanceof SyntaxError) return { ok: false, reason: 'malformed' }; // authentic bytes, but not JSON
    if (!(e instanceof Stripe.errors.StripeSignatureVerificationError)) throw e;
    return { ok: false, reason: signedButOld(raw, header, secret) ? 'stale' : 'invalid_signature' };
  }
}

function normalise(event: StripeEvent, payload: unknown, platformAccountId: string): NormalizedWebhookEvent[] {
  const kind = classifyEventType(event.type);
  if (!kind) return [];
  const accountId = event.account ?? platformAccountId;
  return [
    {
      provider: 'stripe',
      eventId: event.id,
      accountId,
      entity: kind.entity,
      entityId: kind.entity === 'account' ? accountId : event.data.object.id,
      operation: kind.operation,
      occurredAt: new Date(event.created * 1000).toISOString(),
      payload,
    },
  ];
}

export function createStripeWebhookVerifier(o: StripeWebhookOptions): WebhookVerifier {
  if (o.secrets.length === 0) throw new RangeError('At least one Stripe webhook signing secret is required');
  const tolerance = o.toleranceSeconds ?? stripeLimits.webhookToleranceSeconds;
  return {
    provider: 'stripe',
    verify({ raw, headers, nowMs }): WebhookVerification {
      const header = headerValue(headers['stripe-signature']);
      if (!header) return { ok: false, reason: 'invalid_signature', detail: 'missing Stripe-Signature header' };
      const checks = o.secrets.map((secret) => check(raw, header, secret, tolerance, nowMs));
      const passed = checks.find((c) => c.ok);
      if (!passed) {
        const reason = checks.some((c) => !c.ok && c.reason === 'stale')
          ? 'stale'
          : checks.some((c) => !c.ok && c.reason === 'malformed')
            ? 'malformed'
            : 'invalid_signature';
        return { ok: false, reason };
      }
      const parsed = StripeEvent.safeParse(passed.event);
      if (!parsed.success) return { ok: false, reason: 'malformed', detail: parsed.error.message };
      return { ok: true, events: normalise(parsed.data, passed.event, o.platformAccountId) };
    },
  };
}

/** True for the event Stripe sends when a merchant disconnects the platform. */
export const isDeauthorization = (e: NormalizedWebhookEvent): boolean => e.provider === 'stripe' && withdrawsAccess(e);
