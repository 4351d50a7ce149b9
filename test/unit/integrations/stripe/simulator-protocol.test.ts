// The simulator's wire-format helpers: Stripe's bracket form encoding, multipart and webhook signatures.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, InvalidCursorError } from '../../../../integrations/stripe/cursor.js';
import { FormParseError, parseForm } from '../../../../simulators/stripe/form.js';
import { parseMultipart } from '../../../../simulators/stripe/multipart.js';
import { signPayload } from '../../../../simulators/stripe/signature.js';

describe('simulator form decoding', () => {
  it('reads the bracket notation stripe-node writes', () => {
    const body =
      'invoice=in_1&lines[0][type]=custom_line_item&lines[0][unit_amount]=500&lines[1][type]=invoice_line_item&metadata[key]=a%20b&expand[0]=x&expand[1]=y&types[]=a&types[]=b&memo=Full+and+final';
    expect(parseForm(body)).toEqual({
      invoice: 'in_1',
      lines: [{ type: 'custom_line_item', unit_amount: '500' }, { type: 'invoice_line_item' }],
      metadata: { key: 'a b' },
      expand: ['x', 'y'],
      types: ['a', 'b'],
      memo: 'Full and final',
    });
  });

  it('refuses prototype-polluting names', () => {
    expect(() => parseForm('__proto__[admin]=1')).toThrow(FormParseError);
    expect(() => parseForm('a[constructor][prototype]=1')).toThrow(FormParseError);
  });
});

describe('simulator multipart decoding', () => {
  it('separates fields from file parts', () => {
    const b = 'X-BOUNDARY';
    const body = Buffer.concat([
      Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\ndispute_evidence\r\n`),
      Buffer.from(
        `--${b}\r\nContent-Disposition: form-data; name="file"; filename="receipt.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
      ),
      Buffer.from([0x25, 0x50, 0x44, 0x46, 0x0d, 0x0a, 0x00]),
      Buffer.from(`\r\n--${b}--\r\n`),
    ]);
    const parsed = parseMultipart(body, `multipart/form-data; boundary=${b}`);
    expect(parsed.fields).toEqual({ purpose: 'dispute_evidence' });
    expect(parsed.files).toEqual([
      {
        field: 'file',
        filename: 'receipt.pdf',
        contentType: 'application/pdf',
        data: Buffer.from([0x25, 0x50, 0x44, 0x46, 0x0d, 0x0a, 0x00]),
      },
    ]);
  });
});

describe('simulator webhook signatures', () => {
  it('signs exactly as Stripe does, so the SDK verifies them', () => {
    const body = JSON.stringify({ id: 'evt_1', object: 'event' });
    const header = signPayload(body, 'whsec_sim', 1_700_000_000);
    expect(header).toBe(
      Stripe.webhooks.generateTestHeaderString({ payload: body, secret: 'whsec_sim', timestamp: 1_700_000_000 }),
    );
  });
});

describe('sync cursors', () => {
  it('round-trip and reject anything else', () => {
    const position = { v: 1 as const, kind: 'events' as const, after: 'evt_1', at: 1_700_000_000 };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
    expect(() => decodeCursor('not-a-cursor')).toThrow(InvalidCursorError);
    expect(() => decodeCursor(Buffer.from('{"v":2}').toString('base64url'))).toThrow(InvalidCursorError);
  });
});
