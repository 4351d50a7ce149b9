// Signed change notifications, delivered the way Intuit does (reference/ledgers.md §7): changes are batched,
// the body is signed with `intuit-signature`, a failure is retried on Intuit's schedule, and later
// notifications wait behind a failing one. `timeScale` compresses the schedule for tests.
import { createHmac, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Change } from './company.js';

export interface WebhookOptions {
  readonly url: string;
  readonly verifierToken: string;
  readonly format?: 'legacy' | 'cloudevents';
  /** Waits before each retry; Intuit's published schedule by default. */
  readonly retryDelaysMs?: readonly number[];
  /** Multiplies every retry wait: 0.001 turns Intuit's 10 s into 10 ms. */
  readonly timeScale?: number;
  /** Changes within this window go out in one notification. */
  readonly batchWindowMs?: number;
  /** Intuit gives an endpoint 3 s to answer. */
  readonly timeoutMs?: number;
}

export const intuitRetryDelaysMs = [10_000, 20_000, 30_000, 300_000, 1_200_000, 7_200_000, 14_400_000, 21_600_000];

export interface DeliveryAttempt {
  readonly body: string;
  readonly attempt: number;
  readonly status?: number;
  readonly error?: string;
}

const pastTense: Record<Change['operation'], string> = {
  Create: 'created',
  Update: 'updated',
  Delete: 'deleted',
  Void: 'voided',
};

function legacyBody(changes: readonly Change[]): unknown {
  const realms = [...new Set(changes.map((c) => c.realmId))];
  return {
    eventNotifications: realms.map((realmId) => ({
      realmId,
      dataChangeEvent: {
        entities: changes
          .filter((c) => c.realmId === realmId)
          .map((c) => ({ name: c.entity, id: c.id, operation: c.operation, lastUpdated: c.lastUpdated })),
      },
    })),
  };
}

function cloudEventsBody(changes: readonly Change[]): unknown {
  return changes.map((c) => ({
    specversion: '1.0',
    id: randomUUID(),
    source: `intuit.qbo.simulator/${c.realmId}`,
    type: `qbo.${c.entity.toLowerCase()}.${pastTense[c.operation]}.v1`,
    datacontenttype: 'application/json',
    time: new Date(c.lastUpdated).toISOString(),
    intuitentityid: c.id,
    intuitaccountid: c.realmId,
  }));
}

export class WebhookSender {
  readonly attempts: DeliveryAttempt[] = [];
  private pending: Change[] = [];
  private readonly queue: string[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private pumping = false;
  private readonly stop = new AbortController();
  private waiters: (() => void)[] = [];

  constructor(private readonly options: WebhookOptions) {}

  record(change: Change): void {
    if (this.stop.signal.aborted) return;
    this.pending.push(change);
    this.flushTimer ??= setTimeout(() => this.flush(), this.options.batchWindowMs ?? 0);
  }

  /** Queues one notification with this exact body, behind those already waiting. */
  send(body: unknown): void {
    if (this.stop.signal.aborted) return;
    this.queue.push(JSON.stringify(body));
    void this.pump();
  }

  /** Resolves once every change so far has been delivered or has run out of retries. */
  settled(): Promise<void> {
    return this.idle() ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.stop.abort();
    clearTimeout(this.flushTimer);
    this.pending = [];
    this.queue.length = 0;
    this.notifyIfIdle();
  }

  private idle(): boolean {
    return this.pending.length === 0 && this.flushTimer === undefined && this.queue.length === 0 && !this.pumping;
  }

  private notifyIfIdle(): void {
    if (!this.idle() && !this.stop.signal.aborted) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private flush(): void {
    this.flushTimer = undefined;
    const changes = this.pending.splice(0);
    if (changes.length > 0) {
      const body = this.options.format === 'cloudevents' ? cloudEventsBody(changes) : legacyBody(changes);
      this.queue.push(JSON.stringify(body));
    }
    void this.pump();
  }

  // One notification at a time: Intuit holds later events until the failing one is acknowledged.
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let body = this.queue[0]; body !== undefined && !this.stop.signal.aborted; body = this.queue[0]) {
        await this.deliverWithRetries(body);
        this.queue.shift();
      }
    } finally {
      this.pumping = false;
      this.notifyIfIdle();
    }
  }

  private async deliverWithRetries(body: string): Promise<void> {
    const delays = this.options.retryDelaysMs ?? intuitRetryDelaysMs;
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (attempt > 0 && !(await this.wait((delays[attempt - 1] ?? 0) * (this.options.timeScale ?? 1)))) return;
      if (await this.deliver(body, attempt + 1)) return;
    }
  }

  private async wait(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.stop.signal, ref: false }); // a pending retry must not keep the process alive
      return true;
    } catch {
      return false;
    }
  }

  private async deliver(body: string, attempt: number): Promise<boolean> {
    const signature = createHmac('sha256', this.options.verifierToken).update(body).digest('base64');
    try {
      const res = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'intuit-signature': signature },
        body,
        signal: AbortSignal.any([this.stop.signal, AbortSignal.timeout(this.options.timeoutMs ?? 3000)]),
      });
      await res.arrayBuffer();
      this.attempts.push({ body, attempt, status: res.status });
      return res.ok;
    } catch (e) {
      this.attempts.push({ body, attempt, error: e instanceof Error ? e.message : String(e) });
      return false;
    }
  }
}
