// Signed webhook delivery with retries. Like Stripe, no ordering is promised; tests can pause delivery
// and release the backlog in reverse to reproduce out-of-order arrival, or redeliver an event.
import { unixSeconds, type Clock } from './clock.js';
import type { StripeObject } from './collection.js';
import { signPayload } from './signature.js';

export interface WebhookEndpoint {
  readonly url: string;
  readonly secret: string;
}

export interface WebhookRetryPolicy {
  readonly attempts: number;
  readonly backoffMs: number;
}

export interface DeliveryRecord {
  readonly eventId: string;
  readonly type: string;
  readonly attempt: number;
  readonly status?: number;
  /** What the endpoint answered, as the Dashboard shows it (its first 1,000 characters). */
  readonly response?: string;
  readonly error?: string;
}

export class WebhookDispatcher {
  private readonly backlog: StripeObject[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private paused = false;
  private closed = false;
  readonly log: DeliveryRecord[] = [];

  constructor(
    private endpoint: WebhookEndpoint | undefined,
    private readonly clock: Clock,
    private readonly retry: WebhookRetryPolicy,
  ) {}

  enqueue(event: StripeObject): void {
    if (!this.endpoint || this.closed) return;
    if (this.paused) this.backlog.push(event);
    else this.track(this.deliver(event));
  }

  /**
   * Like Stripe's "Update a webhook endpoint" (its url; the signing secret stays): events from now on go to the new
   * address, deliveries already under way finish where they started.
   */
  updateEndpoint(update: { readonly url: string }): void {
    if (!this.endpoint) throw new Error('the simulator was started without a webhook endpoint');
    this.endpoint = { ...this.endpoint, url: update.url };
  }

  pause(): void {
    this.paused = true;
  }

  /** Sends what piled up while paused, one after another, in the order asked for. */
  async resume(order: 'created' | 'reverse' = 'created'): Promise<void> {
    this.paused = false;
    const queued = this.backlog.splice(0);
    if (order === 'reverse') queued.reverse();
    for (const event of queued) await this.deliver(event);
  }

  redeliver(event: StripeObject): Promise<void> {
    return this.deliver(event);
  }

  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async deliver(event: StripeObject): Promise<void> {
    const endpoint = this.endpoint;
    if (!endpoint) return;
    const body = JSON.stringify(event);
    for (let attempt = 1; attempt <= this.retry.attempts && !this.closed; attempt += 1) {
      const outcome = await this.attempt(endpoint, body);
      this.log.push({ eventId: event.id, type: String(event.type), attempt, ...outcome });
      if (outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300) return;
      if (attempt === this.retry.attempts) return;
      await new Promise((r) => setTimeout(r, this.retry.backoffMs * 2 ** (attempt - 1)));
    }
  }

  private async attempt(
    endpoint: WebhookEndpoint,
    body: string,
  ): Promise<{ status?: number; response?: string; error?: string }> {
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'stripe-signature': signPayload(body, endpoint.secret, unixSeconds(this.clock)),
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      const response = (await res.text()).slice(0, 1000);
      return { status: res.status, ...(response && { response }) };
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  }
}
