// How the dispute-case workflow runs its activities: timeouts and retry policies, each with an attempt limit
// (README "What is retried"). A broken connection is never retried: its failure types are non-retryable here and
// in the activities themselves, so the case hears at once and waits for the owner to reconnect.
import type { ActivityOptions, RetryPolicy } from '@temporalio/workflow';
import { nonRetryableFailureTypes } from '../failure-types.js';

/** 2 s, 4 s, 8 s … doubling up to one try every 10 minutes; what retrying cannot fix fails at once. */
export const integrationRetry = {
  initialInterval: '2s',
  backoffCoefficient: 2,
  maximumInterval: '10 minutes',
  nonRetryableErrorTypes: [...nonRetryableFailureTypes],
} satisfies RetryPolicy;

/**
 * Everything else the case does is our own database, mail outbox and PDF rendering: 150 attempts, about a day
 * (17 minutes of backoff to the 10-minute ceiling, then every 10 minutes), enough to ride out a database or SMTP
 * outage without retrying a bug forever.
 */
export const actsOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { ...integrationRetry, maximumAttempts: 150 },
} satisfies ActivityOptions;

/** The invoice PDF is a nice-to-have attachment: three quick tries (2 s, then 4 s), never holding up the receipt. */
export const lookupsOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { ...integrationRetry, maximumAttempts: 3 },
} satisfies ActivityOptions;

/**
 * Ledger and processor writes (credit note, dispute evidence) are idempotent by key, so a retry never writes twice.
 * They heartbeat while they wait on the provider, so a crashed worker is noticed in seconds. 40 attempts, about
 * five hours: a provider outage or a run of rate limits (each retried after the provider's Retry-After).
 */
export const writesOptions = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { ...integrationRetry, maximumAttempts: 40 },
} satisfies ActivityOptions;
