// Provider errors in plain words, each with what to do; the raw text kept for support.
import { describe, expect, it } from 'vitest';
import { explainProviderError } from '../../../integrations/explain-error.js';

describe('a provider error, explained', () => {
  it.each([
    [
      'quickbooks',
      'message=AuthenticationFailed; errorCode=003200; statusCode=401',
      /no longer accepts/,
      /^Reconnect QuickBooks/,
    ],
    [
      'quickbooks',
      'message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403',
      /lost admin rights/,
      /admin in QuickBooks/,
    ],
    ['quickbooks', 'message=ThrottleExceeded; errorCode=003001; statusCode=429', /slow down/, /Nothing to do/],
    ['quickbooks', 'QuickBooks monthly read limit reached', /calendar month/, /month turns/],
    ['xero', 'The provider refused the refresh token (invalid_grant)', /no longer accepts/, /^Reconnect Xero/],
    ['xero', 'AuthenticationUnsuccessful', /no longer accepts/, /^Reconnect Xero/],
    ['stripe', 'connect ECONNREFUSED 127.0.0.1:443', /could not reach Stripe/, /tries again/],
  ] as const)('%s: %s', (provider, raw, what, action) => {
    const e = explainProviderError(provider, raw);
    expect(e.what).toMatch(what);
    expect(e.action).toMatch(action);
    expect(e.what).not.toContain('errorCode');
    expect(e.raw).toBe(raw);
  });

  it('says something useful about an error it does not know, keeping the raw text for support', () => {
    const e = explainProviderError('xero', 'ValidationException: something odd');
    expect(e).toMatchObject({ what: 'Xero refused a request from Shortfall.', transient: false });
    expect(e.action).toContain('send the details below');
  });
});
