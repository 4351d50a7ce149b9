// The dispute-case activity policies (workflows/dispute-case/policies.ts) on the real dev server: a broken
// connection is attempted exactly once, whatever flag the failure carries; anything else is retried with backoff
// and stops after the policy's maximumAttempts, so no activity of a case retries forever. (The dev server rather
// than the time-skipping one: that does not skip retry backoff either, and with several workflows running it
// skipped past their workflow task timeouts.)
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authFailureType,
  disconnectedFailureType,
  nonRetryableFailureTypes,
  toActivityFailure,
} from '../../../activities/failures.js';
import { IntegrationError } from '../../../integrations/errors.js';
import { ConnectionUnusableError } from '../../../src/services/connections/fresh-auth.js';
import { actsOptions, lookupsOptions, writesOptions } from '../../../workflows/dispute-case/policies.js';
import {
  casePolicyProbeWorkflow,
  type CasePolicyName,
  type ProbeActivities,
} from '../../fixtures/workflows/retry-policies.js';
import { bundle, createDevEnv, uniqueId } from '../../helpers/temporal-env.js';

const names: CasePolicyName[] = ['acts', 'lookups', 'writes'];

/** Attempts seen per workflow id. */
const attempts = new Map<string, number[]>();

const activities: ProbeActivities = {
  async probe(behaviour) {
    const { attempt, workflowExecution } = Context.current().info;
    const workflowId = workflowExecution?.workflowId ?? '';
    attempts.set(workflowId, [...(attempts.get(workflowId) ?? []), attempt]);
    const [kind, arg] = behaviour.split(':');
    switch (kind) {
      // As activities/cases.ts raises them: the vault's errors for a broken connection, through the one mapping.
      case 'connection':
        return toActivityFailure(new ConnectionUnusableError('conn-1', arg!, 'quickbooks'));
      case 'invalid_grant':
        return toActivityFailure(
          new IntegrationError('auth', 'The provider refused the refresh token', {
            provider: 'quickbooks',
            code: 'invalid_grant',
          }),
        );
      // Flagged retryable on purpose: only the policy's nonRetryableErrorTypes can stop it after one attempt.
      case 'typed':
        throw ApplicationFailure.create({ type: arg!, message: `${arg} (flagged retryable)`, nonRetryable: false });
      case 'transient-then-ok':
        if (attempt < 3) return toActivityFailure(new IntegrationError('transient', 'QuickBooks answered 503'));
        return `done on attempt ${attempt}`;
      default:
        throw new Error('database unavailable');
    }
  },
};

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([
    createDevEnv(),
    bundle(new URL('../../fixtures/workflows/retry-policies.ts', import.meta.url)),
  ]);
});
afterAll(() => env?.teardown());

interface Probe {
  readonly policy: CasePolicyName;
  readonly behaviour: string;
}

async function run(probes: readonly Probe[]) {
  const taskQueue = uniqueId('policies');
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities });
  return worker.runUntil(
    Promise.all(
      probes.map(async ({ policy, behaviour }) => {
        const workflowId = uniqueId(`probe-${policy}`);
        const startedAt = Date.now();
        const outcome = await env.client.workflow.execute(casePolicyProbeWorkflow, {
          taskQueue,
          workflowId,
          args: [policy, behaviour],
        });
        return {
          policy,
          behaviour,
          outcome,
          attempts: attempts.get(workflowId) ?? [],
          elapsedMs: Date.now() - startedAt,
        };
      }),
    ),
  );
}

describe('dispute-case activity policies', () => {
  it('try a broken connection exactly once under every policy, and hand the case its type', async () => {
    const results = await run(
      names.flatMap((policy) => [
        { policy, behaviour: 'connection:needs_reconnect' },
        { policy, behaviour: 'connection:disconnected' },
        { policy, behaviour: 'invalid_grant' },
      ]),
    );
    for (const r of results) {
      expect(r.attempts, `${r.policy} ${r.behaviour}`).toEqual([1]);
      const type = r.behaviour === 'connection:disconnected' ? disconnectedFailureType : authFailureType;
      expect(r.outcome, `${r.policy} ${r.behaviour}`).toMatchObject({ ok: false, type, nonRetryable: true });
    }
  });

  it('stop at once on every non-retryable type through the policy alone, even when the failure says retryable', async () => {
    const results = await run(
      names.flatMap((policy) => nonRetryableFailureTypes.map((type) => ({ policy, behaviour: `typed:${type}` }))),
    );
    expect(results).toHaveLength(names.length * nonRetryableFailureTypes.length);
    for (const r of results) {
      expect(r.attempts, `${r.policy} ${r.behaviour}`).toEqual([1]);
      expect(r.outcome).toMatchObject({ ok: false, type: r.behaviour.slice('typed:'.length), nonRetryable: false });
    }
  });

  it('retry a transient failure after 2 s, then 4 s, and carry on once it passes', async () => {
    const [r] = await run([{ policy: 'writes', behaviour: 'transient-then-ok' }]);
    expect(r!.outcome).toEqual({ ok: true, result: 'done on attempt 3' });
    expect(r!.attempts).toEqual([1, 2, 3]);
    expect(r!.elapsedMs).toBeGreaterThanOrEqual(6_000);
  });

  it('give up on the invoice PDF after 3 attempts, 2 s and 4 s apart', async () => {
    const [r] = await run([{ policy: 'lookups', behaviour: 'generic' }]);
    expect(r!.attempts).toEqual([1, 2, 3]);
    expect(r!.outcome).toMatchObject({ ok: false, message: 'database unavailable' });
    expect(r!.elapsedMs).toBeGreaterThanOrEqual(6_000);
  });

  it('give every policy an attempt limit and the one list of non-retryable types', () => {
    // The dev server waits at least a second between attempts, so the 40 and 150 attempts are checked here rather
    // than waited out; the invoice PDF above shows the server stopping at the limit.
    expect([actsOptions, lookupsOptions, writesOptions].map((o) => o.retry.maximumAttempts)).toEqual([150, 3, 40]);
    for (const o of [actsOptions, lookupsOptions, writesOptions])
      expect(o.retry.nonRetryableErrorTypes).toEqual(nonRetryableFailureTypes);
  });
});
