// The fault dialects QBO answers in, as node-quickbooks hands them over (an axios error, or the Fault body of
// a 200). The integration tests reach the same paths over HTTP; these pin the parsing of each dialect.
import { describe, expect, it } from 'vitest';
import type { IntegrationError } from '../../../../integrations/errors.js';
import { toIntegrationError } from '../../../../integrations/quickbooks/errors.js';

const nowMs = Date.parse('2026-05-03T23:05:00Z');
const httpError = (status: number, data: unknown, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`Request failed with status code ${status}`), {
    isAxiosError: true,
    response: { status, data, headers },
  });

const xmlThrottle = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<IntuitResponse time="2026-05-03T16:05:00.000-07:00" xmlns="http://schema.intuit.com/finance/v3">
  <Fault type="SERVICE"><Error code="3001"><Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message><Detail>The request limit was reached.  Try again later</Detail></Error></Fault>
</IntuitResponse>`;

const mapped = (e: unknown) => toIntegrationError(e, nowMs) as IntegrationError;

describe('QuickBooks error mapping', () => {
  it('reads an XML throttle fault as rate_limited, waiting 60 s unless told otherwise', () => {
    expect(mapped(httpError(429, xmlThrottle))).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 60_000,
      details: { status: 429, code: '3001' },
    });
    expect(mapped(httpError(429, xmlThrottle, { 'retry-after': '7' })).retryAfterMs).toBe(7000);
    expect(mapped(httpError(429, '', { 'retry-after': 'Sun, 03 May 2026 23:05:30 GMT' })).retryAfterMs).toBe(30_000);
  });

  it('reads the lower-case 401 envelope as auth', () => {
    const body = {
      fault: {
        error: [
          {
            message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
            detail: 'Token expired',
            code: '3200',
          },
        ],
        type: 'AUTHENTICATION',
      },
    };

    expect(mapped(httpError(401, body))).toMatchObject({ kind: 'auth', details: { status: 401, code: '3200' } });
  });

  it('tells not_found, conflict and invalid apart among 400 ValidationFaults', () => {
    const fault = (code: string, Message: string, Detail = Message) => ({
      Fault: { Error: [{ Message, Detail, code }], type: 'ValidationFault' },
      time: '2026-05-03T16:05:00.000-07:00',
    });

    expect(mapped(httpError(400, fault('610', 'Object Not Found'))).kind).toBe('not_found');
    expect(mapped(httpError(400, fault('5010', 'Stale Object Error'))).kind).toBe('conflict');
    expect(
      mapped(
        httpError(
          400,
          fault(
            '6070',
            'Amount calculation incorrect in the request.',
            'Amount is not equal to UnitPrice * Qty. Supplied value:58',
          ),
        ),
      ),
    ).toMatchObject({
      kind: 'invalid',
      message:
        'QuickBooks: Amount calculation incorrect in the request. (Amount is not equal to UnitPrice * Qty. Supplied value:58)',
    });
  });

  it('treats a Fault inside a 200 like the same fault', () => {
    expect(
      mapped({ Fault: { Error: [{ Message: 'Object Not Found', code: '610' }], type: 'ValidationFault' } }).kind,
    ).toBe('not_found');
  });

  it('treats 5xx and network failures as transient', () => {
    const pdfFault = Buffer.from(
      JSON.stringify({
        Fault: { Error: [{ Message: 'An application error has occurred', code: '10000' }], type: 'SystemFault' },
      }),
    );
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
      isAxiosError: true,
      code: 'ECONNREFUSED',
    });

    expect(mapped(httpError(503, '<html>Service Unavailable</html>')).kind).toBe('transient');
    expect(mapped(httpError(500, pdfFault))).toMatchObject({ kind: 'transient', details: { code: '10000' } });
    expect(mapped(refused)).toMatchObject({ kind: 'transient', message: 'QuickBooks: network error ECONNREFUSED' });
  });

  it('returns our own bugs unchanged', () => {
    const bug = new TypeError('x is undefined');

    expect(toIntegrationError(bug)).toBe(bug);
  });
});
