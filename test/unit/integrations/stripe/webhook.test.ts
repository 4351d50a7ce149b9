// Real HMACs (Stripe's own test-header helper) and a fixed clock: nothing about verification is faked.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { createStripeWebhookVerifier, isDeauthorization } from '../../../../integrations/stripe/webhook.js';
import { fixture } from './load-fixture.js';

const secret = 'whsec_test_9f8e7d6c5b4a';
const platformAccountId = 'acct_platform0001';
const signedAt = 1768435201; // the fixture event's `created`
const nowMs = (signedAt + 12) * 1000;
const verifier = createStripeWebhookVerifier({ secrets: [secret], platformAccountId });

function delivery(body: unknown, opts: { secret?: string; timestamp?: number } = {}) {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  const header = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: opts.secret ?? secret,
    timestamp: opts.timestamp ?? signedAt,
  });
  return { raw: Buffer.from(payload), headers: { 'stripe-signature': header } };
}

describe('Stripe webhook verification', () => {
  it('accepts a correctly signed event and normalises it', () => {
    const result = verifier.verify({ ...delivery(fixture('event.invoice-payment-paid')), nowMs });
    expect(result).toMatchObject({ ok: true });
    if (!result.ok) return;
    expect(result.events).toEqual([
      expect.objectContaining({
        provider: 'stripe',
        eventId: 'evt_1QsU2bB7WZ01zgkWn8Qp3Hd5',
        accountId: 'acct_1QsT8uB7WZ01zgkW',
        entity: 'invoice_payment',
        entityId: 'inpay_1QsU2aB7WZ01zgkWm3Nc7Rt1',
        operation: 'paid',
        occurredAt: '2026-01-15T00:00:01.000Z',
      }),
    ]);
    expect((result.events[0]?.payload as { data: { object: { invoice: string } } }).data.object.invoice).toBe(
      'in_1QsT8uB7WZ01zgkWq4Lm2Xa9',
    );
  });

  it('attributes events without `account` to the platform', () => {
    const { account: _connected, ...own } = fixture('event.invoice-payment-paid');
    const result = verifier.verify({ ...delivery(own), nowMs });
    expect(result.ok && result.events[0]?.accountId).toBe(platformAccountId);
  });

  it('rejects a signature made with another secret as invalid_signature', () => {
    expect(
      verifier.verify({ ...delivery(fixture('event.invoice-payment-paid'), { secret: 'whsec_attacker' }), nowMs }),
    ).toEqual({ ok: false, reason: 'invalid_signature' });
  });

  it('rejects a body changed after signing', () => {
    const { headers } = delivery(fixture('event.invoice-payment-paid'));
    const tampered = JSON.stringify({ ...fixture('event.invoice-payment-paid'), account: 'acct_someone_else' });
    expect(verifier.verify({ raw: Buffer.from(tampered), headers, nowMs })).toEqual({
      ok: false,
      reason: 'invalid_signature',
    });
  });

  it('reports an authentic but old delivery as stale (outside 300 s)', () => {
    const old = delivery(fixture('event.invoice-payment-paid'), { timestamp: signedAt - 301 - 12 });
    expect(verifier.verify({ ...old, nowMs })).toEqual({ ok: false, reason: 'stale' });
    const edge = delivery(fixture('event.invoice-payment-paid'), { timestamp: signedAt - 300 + 12 });
    expect(verifier.verify({ ...edge, nowMs }).ok).toBe(true);
  });

  it('refuses a header carrying two timestamps (a future one hidden behind a current one)', () => {
    const ok = delivery(fixture('event.invoice-payment-paid'));
    const header = String(ok.headers['stripe-signature']);
    const doubled = {
      ...ok,
      headers: { ...ok.headers, 'stripe-signature': `t=${Math.floor(nowMs / 1000) + 3_600},${header}` },
    };
    expect(verifier.verify({ ...doubled, nowMs }).ok).toBe(false);
  });

  it('refuses an authentic delivery signed further in the future than the tolerance (an hour ahead)', () => {
    const ahead = delivery(fixture('event.invoice-payment-paid'), { timestamp: Math.floor(nowMs / 1000) + 3_600 });
    expect(verifier.verify({ ...ahead, nowMs })).toEqual({ ok: false, reason: 'stale' });
    const slightly = delivery(fixture('event.invoice-payment-paid'), { timestamp: Math.floor(nowMs / 1000) + 30 });
    expect(verifier.verify({ ...slightly, nowMs }).ok).toBe(true);
  });

  it('rejects a missing Stripe-Signature header', () => {
    const { raw } = delivery(fixture('event.invoice-payment-paid'));
    expect(verifier.verify({ raw, headers: {}, nowMs })).toMatchObject({ ok: false, reason: 'invalid_signature' });
  });

  it('accepts any configured secret (account and Connect endpoints sign differently)', () => {
    const both = createStripeWebhookVerifier({ secrets: ['whsec_account_endpoint', secret], platformAccountId });
    expect(both.verify({ ...delivery(fixture('event.invoice-payment-paid')), nowMs }).ok).toBe(true);
  });

  it('reports signed bytes that are not an event as malformed', () => {
    expect(verifier.verify({ ...delivery('not json'), nowMs })).toEqual({ ok: false, reason: 'malformed' });
    expect(verifier.verify({ ...delivery({ object: 'event', id: 'evt_1' }), nowMs })).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
  });

  it('acknowledges event types Shortfall does not use, without events', () => {
    const other = {
      ...fixture('event.invoice-payment-paid'),
      type: 'customer.updated',
      data: { object: { id: 'cus_1', object: 'customer' } },
    };
    expect(verifier.verify({ ...delivery(other), nowMs })).toEqual({ ok: true, events: [] });
  });

  it('recognises account.application.deauthorized for the connected account', () => {
    const event = fixture('event.account-deauthorized');
    const result = verifier.verify({ ...delivery(event, { timestamp: 1769126400 }), nowMs: 1769126401_000 });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.events[0]).toMatchObject({
      entity: 'account',
      entityId: 'acct_1QsT8uB7WZ01zgkW',
      operation: 'deauthorized',
    });
    expect(isDeauthorization(result.events[0]!)).toBe(true);
  });

  it('gives a redelivered event the same eventId, so the inbox can drop the duplicate', () => {
    const first = verifier.verify({ ...delivery(fixture('event.invoice-payment-paid')), nowMs });
    const again = verifier.verify({
      ...delivery(fixture('event.invoice-payment-paid'), { timestamp: signedAt + 60 }),
      nowMs: nowMs + 60_000,
    });
    expect(first.ok && again.ok && first.events[0]?.eventId === again.events[0]?.eventId).toBe(true);
  });

  it.each([
    ['invoice.voided', 'invoice', 'voided'],
    ['credit_note.created', 'credit_note', 'created'],
    ['charge.dispute.funds_withdrawn', 'dispute', 'funds_withdrawn'],
  ])('classifies %s', (type, entity, operation) => {
    const event = { ...fixture('event.invoice-payment-paid'), type, data: { object: { id: 'obj_1', object: entity } } };
    const result = verifier.verify({ ...delivery(event), nowMs });
    expect(result.ok && result.events[0]).toMatchObject({ entity, operation, entityId: 'obj_1' });
  });
});
