// The app's monthly allowance of metered (CorePlus) reads. Intuit blocks every CorePlus call of a Builder-tier app
// for the rest of the month once 500,000 are spent, and says so with the same 429 / 3001 "ThrottleExceeded" as
// its per-minute throttle (FACTS.md). Retrying that every 60 s for weeks helps nobody, so this guard, shared by
// every connector of the process (the allowance is per app, not per realm):
// - counts metered reads per calendar month and, when a cap is configured, stops at it before Intuit does;
// - calls a run of 429s on reads that lasts longer than any per-minute window the monthly block;
// - then fails reads at once with `quota_exceeded` (never retried by the activities), letting one read an hour
//   through to see whether the block was lifted, and starts afresh when the month turns.
// Writes (Core calls) are not metered and never pass through here.
import { IntegrationError } from '../errors.js';
import { quickbooksLimits } from './limits.js';

export const monthlyReadCapCode = 'monthly_read_cap';

export interface MeteredReadsOptions {
  /** Reads allowed per calendar month (UTC) by this process; unset counts without stopping. */
  readonly cap?: number | undefined;
  readonly now?: () => number;
  readonly suspectAfterMs?: number;
  readonly probeEveryMs?: number;
  /** Told once a month when 80% of the cap is spent, and when reads are blocked. */
  readonly warn?: (message: string) => void;
}

const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);
const nextMonthStart = (ms: number) => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
};

export class MeteredReads {
  private readonly now: () => number;
  private month: string;
  private count = 0;
  private warned = false;
  /** When the current run of refused reads began (no successful read since). */
  private refusedSince: number | undefined;
  /** Set while blocked: when the next probe may go through. */
  private nextProbeAt: number | undefined;
  private blockedBy: 'intuit' | 'cap' | undefined;

  constructor(private readonly options: MeteredReadsOptions = {}) {
    this.now = options.now ?? Date.now;
    this.month = monthOf(this.now());
  }

  /** Reads counted this month by this process. */
  get used(): number {
    this.rollOver();
    return this.count;
  }

  get blocked(): boolean {
    this.rollOver();
    return this.blockedBy !== undefined;
  }

  /** Call before a metered read: throws while the month's reads are blocked, except for an hourly probe. */
  beforeRead(): void {
    this.rollOver();
    const now = this.now();
    const cap = this.options.cap;
    if (cap !== undefined && this.count >= cap) throw this.block('cap', now);
    if (this.blockedBy === undefined) return;
    if (this.blockedBy === 'intuit' && this.nextProbeAt !== undefined && now >= this.nextProbeAt) {
      this.nextProbeAt = now + (this.options.probeEveryMs ?? quickbooksLimits.monthlyCapProbeEveryMs);
      return; // the probe goes through
    }
    throw this.error(now);
  }

  /** Call after a metered read succeeded. */
  readSucceeded(): void {
    this.rollOver();
    this.count += 1;
    this.refusedSince = undefined;
    if (this.blockedBy === 'intuit') this.blockedBy = undefined;
    this.nextProbeAt = undefined;
    const cap = this.options.cap;
    if (cap !== undefined && !this.warned && this.count >= cap * 0.8) {
      this.warned = true;
      this.options.warn?.(`QuickBooks: ${this.count} of this month's ${cap} metered reads are spent.`);
    }
  }

  /** Call with a read's rate_limited error: returns the error to throw (the monthly block once it is evident). */
  readRefused(error: IntegrationError): IntegrationError {
    this.rollOver();
    const now = this.now();
    if (this.blockedBy !== undefined) return this.error(now);
    this.refusedSince ??= now;
    if (now - this.refusedSince < (this.options.suspectAfterMs ?? quickbooksLimits.monthlyCapSuspectAfterMs))
      return error;
    return this.block('intuit', now);
  }

  private block(by: 'intuit' | 'cap', now: number): IntegrationError {
    const first = this.blockedBy === undefined;
    this.blockedBy = by;
    this.nextProbeAt = now + (this.options.probeEveryMs ?? quickbooksLimits.monthlyCapProbeEveryMs);
    const error = this.error(now);
    if (first) this.options.warn?.(error.message);
    return error;
  }

  private error(now: number): IntegrationError {
    const resets = new Date(nextMonthStart(now)).toISOString().slice(0, 10);
    const why =
      this.blockedBy === 'cap'
        ? `this app has spent the ${this.options.cap ?? ''} metered QuickBooks reads configured for the month (QUICKBOOKS_MONTHLY_READ_CAP)`
        : `QuickBooks has refused this app's reads for over ${Math.round((this.options.suspectAfterMs ?? quickbooksLimits.monthlyCapSuspectAfterMs) / 60_000)} minutes: the app's monthly allowance of metered (CorePlus) calls is used up (Builder tier: ${quickbooksLimits.builderMonthlyCorePlusCalls.toLocaleString('en-US')})`;
    return new IntegrationError(
      'quota_exceeded',
      `QuickBooks monthly read limit reached: ${why}. Reading resumes on ${resets} (UTC), or as soon as the app moves to a higher tier of the Intuit App Partner Program.`,
      {
        provider: 'quickbooks',
        status: 429,
        code: monthlyReadCapCode,
        retryAfterMs: Math.max(0, nextMonthStart(now) - now),
      },
    );
  }

  private rollOver(): void {
    const month = monthOf(this.now());
    if (month === this.month) return;
    this.month = month;
    this.count = 0;
    this.warned = false;
    this.refusedSince = undefined;
    this.nextProbeAt = undefined;
    this.blockedBy = undefined;
  }
}
