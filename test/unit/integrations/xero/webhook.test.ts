import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createXeroWebhookVerifier } from '../../../../integrations/xero/webhook.js';
import { fixture } from './fixtures.js';

const key = 'xero-webhook-key-for-tests';
const verifier = createXeroWebhookVerifier({ webhookKey: key });
const nowMs = Date.parse('2026-05-04T10:00:00Z');
const sign = (raw: Buffer, k = key) => createHmac('sha256', k).update(raw).digest('base64');
const verify = (raw: Buffer, signature: string | undefined) =>
  verifier.verify({ raw, headers: signature === undefined ? {} : { 'x-xero-signature': signature }, nowMs });

const tenantId = 'c2cc9b6e-9458-4c7d-93cc-f02b81b0594f';
const invoiceEvent = (overrides: Record<string, unknown> = {}) => ({
  resourceUrl: 'https://api.xero.com/api.xro/2.0/Invoices/717f2bfc-c6d4-41fd-b238-3f2f0c0cf777',
  resourceId: '717f2bfc-c6d4-41fd-b238-3f2f0c0cf777',
  eventDateUtc: '2026-05-04T09:59:58.902',
  eventType: 'UPDATE',
  eventCategory: 'INVOICE',
  tenantId,
  tenantType: 'ORGANISATION',
  ...overrides,
});
const body = (events: unknown[]) =>
  Buffer.from(
    JSON.stringify({
      events,
      firstEventSequence: 7,
      lastEventSequence: 7 + events.length - 1,
      entropy: 'QWERTYUIOPASDFGHJKLZ',
    }),
  );
const intent = Buffer.from('{"events":[],"firstEventSequence": 0,"lastEventSequence": 0, "entropy": "S0m3r4Nd0mt3xt"}');

describe('Xero webhook verifier', () => {
  it('accepts a correctly signed delivery and normalises invoice and credit note events', () => {
    const raw = body([invoiceEvent(), ...(fixture('webhook-credit-note.json') as { events: unknown[] }).events]);
    const result = verify(raw, sign(raw));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.reply).toEqual({ status: 200 });
    expect(result.events.map((e) => [e.entity, e.operation, e.entityId, e.accountId, e.occurredAt])).toEqual([
      ['Invoice', 'update', '717f2bfc-c6d4-41fd-b238-3f2f0c0cf777', tenantId, '2026-05-04T09:59:58.902Z'],
      [
        'CreditNote',
        'create',
        '55d84274-a3da-4829-a7c0-0cab601b95cc',
        'aef86862-2015-4b6b-88bc-d89032cecc50',
        '2025-12-02T00:44:09.923Z',
      ],
    ]);
    expect(result.events[0]?.eventId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects a forged signature, a signature by another key and a missing header', () => {
    const raw = body([invoiceEvent()]);
    expect(verify(raw, sign(raw, 'someone-else'))).toEqual({
      ok: false,
      reason: 'invalid_signature',
      reply: { status: 401 },
    });
    expect(verify(raw, sign(Buffer.from(`${raw.toString()} `)))).toEqual({
      ok: false,
      reason: 'invalid_signature',
      reply: { status: 401 },
    });
    expect(verify(raw, undefined)).toEqual({ ok: false, reason: 'invalid_signature', reply: { status: 401 } });
  });

  it('answers a correctly signed Intent-to-Receive probe with an empty 200', () => {
    expect(verify(intent, sign(intent))).toEqual({ ok: true, events: [], reply: { status: 200 } });
  });

  it('refuses an Intent-to-Receive probe signed wrongly, so the route answers 401', () => {
    expect(verify(intent, sign(intent, `${key}x`))).toEqual({
      ok: false,
      reason: 'invalid_signature',
      reply: { status: 401 },
    });
  });

  it('gives a redelivered event the same id, and a later change of the same invoice a new one', () => {
    const first = body([invoiceEvent()]);
    const again = body([invoiceEvent()]);
    const later = body([invoiceEvent({ eventDateUtc: '2026-05-04T10:03:00.000' })]);
    const ids = [first, again, later].map((raw) => {
      const r = verify(raw, sign(raw));
      return r.ok ? r.events[0]?.eventId : undefined;
    });
    expect(ids[0]).toBeDefined();
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it('ignores categories Shortfall does not act on, and reports malformed bodies after a good signature', () => {
    const contacts = body([invoiceEvent({ eventCategory: 'CONTACT' })]);
    expect(verify(contacts, sign(contacts))).toEqual({ ok: true, events: [], reply: { status: 200 } });
    const junk = Buffer.from('{"events": "nope"}');
    expect(verify(junk, sign(junk))).toMatchObject({ ok: false, reason: 'malformed' });
  });
});
