// Idempotency-Key on writes: a repeat with the same key gets the first answer again, without running twice.
// Xero documents the header and its 128-character cap; how long keys are kept and what a key reused for a
// different request gets are unconfirmed, so both are explicit choices here (24 h; 409).
import { createHash } from 'node:crypto';
import { xeroLimits } from '../../integrations/xero/limits.js';
import type { Clock } from './clock.js';
import { SimValidationError, conflict } from './errors.js';

export interface StoredAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface Entry extends StoredAnswer {
  readonly fingerprint: string;
  readonly at: number;
}

const retentionMs = 24 * 3600_000;

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  replays = 0;

  constructor(private readonly clock: Clock) {}

  /** Answers still within the retention window, so a retry after a restart is replayed, not run again. */
  snapshot(): ReadonlyMap<string, Entry> {
    const now = this.clock();
    return new Map([...this.entries].filter(([, e]) => now - e.at <= retentionMs));
  }

  restore(saved: ReadonlyMap<string, Entry>): void {
    for (const [k, v] of saved) this.entries.set(k, v);
  }

  /** The stored answer for a repeat, undefined for a first request; throws for misuse. */
  lookup(
    tenantId: string,
    key: string,
    request: { method: string; path: string; body: unknown },
  ): StoredAnswer | undefined {
    if (key.length > xeroLimits.idempotencyKeyMaxLength)
      throw new SimValidationError(`Idempotency-Key must be at most ${xeroLimits.idempotencyKeyMaxLength} characters`);
    const entry = this.entries.get(`${tenantId}/${key}`);
    if (!entry || this.clock() - entry.at > retentionMs) return undefined;
    if (entry.fingerprint !== fingerprint(request))
      throw conflict('This Idempotency-Key was already used for a different request');
    this.replays += 1;
    return entry;
  }

  /** Only successes are kept: a request that failed may be retried and run for real. */
  remember(
    tenantId: string,
    key: string,
    request: { method: string; path: string; body: unknown },
    answer: StoredAnswer,
  ): void {
    if (answer.status >= 200 && answer.status < 300)
      this.entries.set(`${tenantId}/${key}`, { ...answer, fingerprint: fingerprint(request), at: this.clock() });
  }
}

function fingerprint(r: { method: string; path: string; body: unknown }): string {
  return createHash('sha256')
    .update(JSON.stringify([r.method.toUpperCase(), r.path.toLowerCase(), r.body ?? null]))
    .digest('hex');
}
