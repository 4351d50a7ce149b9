import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { integrationCall, nonRetryableFailureTypes, toActivityFailure } from '../../../activities/failures.js';
import { IntegrationError, type IntegrationErrorKind } from '../../../integrations/errors.js';
import { ConnectionUnusableError } from '../../../src/services/connections/fresh-auth.js';
import { ConnectionNotFoundError } from '../../../src/services/connections/records.js';

const failureOf = (e: unknown) => {
  try {
    toActivityFailure(e);
  } catch (thrown) {
    return thrown;
  }
  throw new Error('toActivityFailure returned');
};

describe('activity failure mapping', () => {
  it('makes auth, invalid and not_found final, with the provider facts as details', () => {
    for (const kind of ['auth', 'invalid', 'not_found'] as const) {
      const f = failureOf(
        new IntegrationError(kind, `${kind} happened`, {
          provider: 'xero',
          status: 401,
          code: 'invalid_grant',
          retryAfterMs: 5000,
        }),
      );
      expect(f).toBeInstanceOf(ApplicationFailure);
      expect(f).toMatchObject({
        type: `integration.${kind}`,
        nonRetryable: true,
        message: `${kind} happened`,
        details: [{ provider: 'xero', status: 401, code: 'invalid_grant' }],
      });
      expect((f as ApplicationFailure).nextRetryDelay).toBeUndefined();
    }
  });

  it("lets rate limits and transient errors retry, after the provider's Retry-After when it gave one", () => {
    expect(failureOf(new IntegrationError('rate_limited', 'slow down', { retryAfterMs: 60_000 }))).toMatchObject({
      type: 'integration.rate_limited',
      nonRetryable: false,
      nextRetryDelay: 60_000,
    });
    const transient = failureOf(new IntegrationError('transient', 'bad gateway'));
    expect(transient).toMatchObject({ type: 'integration.transient', nonRetryable: false });
    expect((transient as ApplicationFailure).nextRetryDelay).toBeUndefined();
  });

  it('passes other errors through untouched so the default retry policy applies', async () => {
    const plain = new TypeError('bug');
    expect(failureOf(plain)).toBe(plain);
    await expect(
      integrationCall(async () => {
        throw plain;
      }),
    ).rejects.toBe(plain);
    await expect(integrationCall(async () => 42)).resolves.toBe(42);
  });

  it('fails a connection that needs reconnecting as integration.auth, and a disconnected or missing one as connection.disconnected', () => {
    expect(failureOf(new ConnectionUnusableError('c1', 'needs_reconnect', 'quickbooks'))).toMatchObject({
      type: 'integration.auth',
      nonRetryable: true,
      details: [{ provider: 'quickbooks', code: 'needs_reconnect' }],
    });
    expect(failureOf(new ConnectionUnusableError('c1', 'disconnected', 'xero'))).toMatchObject({
      type: 'connection.disconnected',
      nonRetryable: true,
      details: [{ connectionId: 'c1' }],
    });
    expect(failureOf(new ConnectionNotFoundError('c2'))).toMatchObject({
      type: 'connection.disconnected',
      nonRetryable: true,
      details: [{ connectionId: 'c2' }],
    });
  });

  it('never retries a usage quota spent for the period (QuickBooks monthly reads): the sync records it at once', () => {
    const month = new IntegrationError('quota_exceeded', 'QuickBooks monthly read limit reached', {
      provider: 'quickbooks',
      code: 'monthly_read_cap',
      retryAfterMs: 86_400_000,
    });
    expect(failureOf(month)).toMatchObject({
      type: 'integration.quota_exceeded',
      nonRetryable: true,
      message: 'QuickBooks monthly read limit reached',
      details: [{ code: 'monthly_read_cap' }],
    });
    expect((failureOf(month) as ApplicationFailure).nextRetryDelay).toBeUndefined();
  });

  it('raises as non-retryable exactly the types the workflow policies list', () => {
    const kinds: IntegrationErrorKind[] = ['auth', 'rate_limited', 'invalid', 'not_found', 'transient', 'conflict'];
    const failures = [
      ...kinds.map((k) => new IntegrationError(k, k)),
      new ConnectionUnusableError('c', 'disconnected', 'stripe'),
    ].map((e) => failureOf(e) as ApplicationFailure);
    expect(
      failures
        .filter((f) => f.nonRetryable)
        .map((f) => f.type)
        .sort(),
    ).toEqual([...nonRetryableFailureTypes].sort());
  });
});
