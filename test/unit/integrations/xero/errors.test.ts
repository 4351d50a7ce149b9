import { errors as openIdErrors } from 'openid-client';
import { describe, expect, it } from 'vitest';
import { IntegrationError } from '../../../../integrations/errors.js';
import { fromOAuthFailure, toIntegrationError } from '../../../../integrations/xero/errors.js';

// xero-node rejects with JSON.stringify(new ApiError(axiosError).generateError()).
const sdkRejection = (statusCode: number, body: unknown, headers: Record<string, string> = {}) =>
  JSON.stringify({ response: { statusCode, body, headers, request: { url: {}, headers: {}, method: 'GET' } }, body });

const mapped = (e: unknown) => {
  const error = toIntegrationError(e, 'test call', Date.parse('2026-05-04T10:00:00Z'));
  if (!(error instanceof IntegrationError)) throw new Error('not mapped');
  return error;
};

describe('xero-node failures → IntegrationError', () => {
  it('maps a 429 string rejection to rate_limited with Retry-After and the limit that was hit', () => {
    const e = mapped(sdkRejection(429, '', { 'Retry-After': '37', 'X-Rate-Limit-Problem': 'minute' }));
    expect(e).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 37_000,
      details: { status: 429, code: 'rate_limit_minute' },
    });
  });

  it('waits a minute when a 429 has no Retry-After', () => {
    expect(mapped(sdkRejection(429, '')).retryAfterMs).toBe(60_000);
  });

  it('maps a 400 ValidationException to invalid with Xero’s messages', () => {
    const body = {
      ErrorNumber: 10,
      Type: 'ValidationException',
      Message: 'A validation exception occurred',
      Elements: [{ ValidationErrors: [{ Message: 'Account code must be specified' }] }],
    };
    const e = mapped(sdkRejection(400, body));
    expect(e.kind).toBe('invalid');
    expect(e.message).toContain('Account code must be specified');
  });

  it('reads Xero’s messages from a 400 body that came as text (client.ts asks axios for text)', () => {
    const body = JSON.stringify({
      ErrorNumber: 10,
      Type: 'ValidationException',
      Message: 'A validation exception occurred',
      Elements: [{ ValidationErrors: [{ Message: 'Amount exceeds the 237.50 still due' }] }],
    });
    const e = mapped(sdkRejection(400, body));
    expect(e.kind).toBe('invalid');
    expect(e.message).toBe(
      'Xero test call failed: A validation exception occurred: Amount exceeds the 237.50 still due',
    );
    expect(mapped(sdkRejection(401, JSON.stringify({ Title: 'Unauthorized', Detail: 'TokenExpired' })))).toMatchObject({
      kind: 'auth',
      message: 'Xero test call failed: TokenExpired',
    });
  });

  it('maps 401 and 403 problems to auth, 404 to not_found, 5xx and no response to transient', () => {
    expect(
      mapped(
        sdkRejection(401, { Title: 'Unauthorized', Detail: 'TokenExpired: token expired at 05/04/2026 10:00:00' }),
      ),
    ).toMatchObject({ kind: 'auth', message: expect.stringContaining('TokenExpired') });
    expect(mapped(sdkRejection(403, { Title: 'Forbidden', Detail: 'AuthenticationUnsuccessful' })).kind).toBe('auth');
    expect(mapped(sdkRejection(404, "The resource you're looking for cannot be found")).kind).toBe('not_found');
    expect(mapped(sdkRejection(503, 'Service Unavailable')).kind).toBe('transient');
    expect(mapped(sdkRejection(0, 'connect ECONNREFUSED 127.0.0.1:1')).kind).toBe('transient');
  });

  it('returns errors that are not Xero failures unchanged', () => {
    const bug = new TypeError('undefined is not a function');
    expect(toIntegrationError(bug, 'x')).toBe(bug);
    expect(toIntegrationError('not json', 'x')).toBe('not json');
  });
});

describe('openid-client failures → IntegrationError', () => {
  it('maps invalid_grant to a non-retryable auth error carrying the code', () => {
    const e = fromOAuthFailure(new openIdErrors.OPError({ error: 'invalid_grant' }), 'token refresh');
    expect(e).toMatchObject({ kind: 'auth', details: { code: 'invalid_grant' } });
  });

  it('maps a client timeout to transient and a failed response check to invalid', () => {
    expect(fromOAuthFailure(new openIdErrors.RPError('outgoing request timed out after 3500ms'), 'x').kind).toBe(
      'transient',
    );
    expect(fromOAuthFailure(new openIdErrors.RPError('state mismatch, expected a, got: b'), 'x').kind).toBe('invalid');
  });
});
