import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createQuickbooksWebhookVerifier } from '../../../../integrations/quickbooks/webhook.js';

const verifierToken = 'f0b3c5de-8d1e-4c73-9a4b-5e7c2d1a9f00';
const verifier = createQuickbooksWebhookVerifier({ verifierToken });
const nowMs = Date.parse('2026-05-03T23:05:00Z');

const sign = (raw: Buffer, key = verifierToken) => createHmac('sha256', key).update(raw).digest('base64');
const deliver = (body: unknown, signature?: (raw: Buffer) => string) => {
  const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return verifier.verify({ raw, headers: { 'intuit-signature': (signature ?? sign)(raw) }, nowMs });
};

const legacy = {
  eventNotifications: [
    {
      realmId: '9130357766563526',
      dataChangeEvent: {
        entities: [
          { name: 'Payment', id: '1207', operation: 'Create', lastUpdated: '2026-05-03T16:02:06-0700' },
          { name: 'Invoice', id: '1031', operation: 'Update', lastUpdated: '2026-05-03T16:02:07-07:00' },
        ],
      },
    },
  ],
};

const cloudEvents = [
  {
    specversion: '1.0',
    id: '4f6c4b0e-2b8a-4f7e-9a51-0d3f1f4d6a11',
    source: 'intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=',
    type: 'qbo.creditmemo.voided.v1',
    datacontenttype: 'application/json',
    time: '2026-05-10T16:00:02Z',
    intuitentityid: '1215',
    intuitaccountid: '9130357766563526',
  },
];

describe('QuickBooks webhook verifier', () => {
  it('accepts a correctly signed legacy notification and normalises each entity', () => {
    const result = deliver(legacy);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.events.map(({ payload: _payload, eventId: _id, ...e }) => e)).toEqual([
      {
        provider: 'quickbooks',
        accountId: '9130357766563526',
        entity: 'Payment',
        entityId: '1207',
        operation: 'create',
        occurredAt: '2026-05-03T23:02:06.000Z',
      },
      {
        provider: 'quickbooks',
        accountId: '9130357766563526',
        entity: 'Invoice',
        entityId: '1031',
        operation: 'update',
        occurredAt: '2026-05-03T23:02:07.000Z',
      },
    ]);
    expect(new Set(result.events.map((e) => e.eventId)).size).toBe(2);
  });

  it('accepts a CloudEvents array and keeps its event id', () => {
    const result = deliver(cloudEvents);

    expect(result).toMatchObject({
      ok: true,
      events: [
        {
          eventId: cloudEvents[0]?.id,
          accountId: '9130357766563526',
          entity: 'CreditMemo',
          entityId: '1215',
          operation: 'void',
          occurredAt: '2026-05-10T16:00:02.000Z',
        },
      ],
    });
  });

  it('gives a redelivered legacy notification the same event ids', () => {
    const first = deliver(legacy);
    const again = deliver(JSON.parse(JSON.stringify(legacy)));

    expect(first.ok && again.ok).toBe(true);
    if (!first.ok || !again.ok) return;
    expect(again.events.map((e) => e.eventId)).toEqual(first.events.map((e) => e.eventId));
  });

  it('rejects a body signed with another token, or changed after signing', () => {
    const raw = Buffer.from(JSON.stringify(legacy));
    const tampered = Buffer.from(JSON.stringify(legacy).replace('1207', '1208'));

    expect(deliver(legacy, (r) => sign(r, 'not-the-verifier-token'))).toEqual({
      ok: false,
      reason: 'invalid_signature',
    });
    expect(verifier.verify({ raw: tampered, headers: { 'intuit-signature': sign(raw) }, nowMs })).toEqual({
      ok: false,
      reason: 'invalid_signature',
    });
  });

  it('rejects a missing, repeated or truncated signature header', () => {
    const raw = Buffer.from(JSON.stringify(legacy));
    const good = sign(raw);

    expect(verifier.verify({ raw, headers: {}, nowMs })).toEqual({ ok: false, reason: 'invalid_signature' });
    expect(verifier.verify({ raw, headers: { 'intuit-signature': [good, good] }, nowMs })).toEqual({
      ok: false,
      reason: 'invalid_signature',
    });
    expect(verifier.verify({ raw, headers: { 'intuit-signature': good.slice(0, -2) }, nowMs })).toEqual({
      ok: false,
      reason: 'invalid_signature',
    });
  });

  it('acknowledges a signed delivery it cannot fully read: unknown events are kept and marked ignored, never malformed', () => {
    const mixed = deliver([
      { ...cloudEvents[0], type: 'qbo.invoice.sent-to-portal.v2', id: 'evt-new' },
      cloudEvents[0],
      { id: 'evt-odd', intuitaccountid: '9130357766563526' },
    ]);

    expect(mixed).toMatchObject({
      ok: true,
      events: [
        {
          eventId: 'evt-new',
          accountId: '9130357766563526',
          entity: 'Unknown',
          entityId: '1215',
          operation: 'qbo.invoice.sent-to-portal.v2',
          ignored: true,
        },
        { eventId: cloudEvents[0]?.id, entity: 'CreditMemo', operation: 'void' },
        { eventId: 'evt-odd', entity: 'Unknown', ignored: true },
      ],
    });
    if (mixed.ok) expect(mixed.events[1]).not.toHaveProperty('ignored');
    for (const body of [
      '{"eventNotifications": [',
      { eventNotifications: [{ realmId: '1' }] },
      { something: 'else' },
    ]) {
      const result = deliver(body);
      expect(result).toMatchObject({
        ok: true,
        events: [{ entity: 'Unknown', ignored: true, eventId: expect.stringMatching(/^unknown:[0-9a-f]{64}$/) }],
      });
    }
    // A redelivery of the same unreadable body dedupes on the same id.
    const again = [deliver({ something: 'else' }), deliver({ something: 'else' })].map((r) =>
      r.ok ? r.events[0]?.eventId : undefined,
    );
    expect(again[0]).toBe(again[1]);
  });

  it('still refuses a bad signature whatever the body', () => {
    expect(deliver([{ type: 'whatever' }], (r) => sign(r, 'wrong'))).toEqual({
      ok: false,
      reason: 'invalid_signature',
    });
  });
});
