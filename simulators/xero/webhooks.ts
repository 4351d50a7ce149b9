// Signed webhook deliveries to one subscriber, Xero style: a batch of events per POST with sequence numbers
// and entropy, `x-xero-signature` = base64(HMAC-SHA256(key, body)), plus "Intent to Receive" probes that
// a correct receiver answers 200 when signed right and 401 when not, with an empty body either way.
import { createHmac, randomInt } from 'node:crypto';
import { xeroLimits } from '../../integrations/xero/limits.js';
import type { Clock } from './clock.js';
import type { Change } from './organisation.js';

export interface WebhookConfig {
  readonly url: string;
  readonly key: string;
  /** Send queued events shortly after they happen, instead of waiting for admin.deliverWebhooks(). */
  readonly autoDeliver?: boolean;
}

export interface WebhookEvent {
  readonly resourceUrl: string;
  readonly resourceId: string;
  readonly eventDateUtc: string;
  readonly eventType: 'CREATE' | 'UPDATE';
  readonly eventCategory: 'INVOICE' | 'CREDITNOTE';
  readonly tenantId: string;
  readonly tenantType: 'ORGANISATION';
  readonly data?: { readonly Type: string; readonly Status: string };
}

export interface WebhookPayload {
  readonly events: readonly WebhookEvent[];
  readonly firstEventSequence: number;
  readonly lastEventSequence: number;
  readonly entropy: string;
}

export interface WebhookDelivery {
  readonly kind: 'events' | 'intent-signed' | 'intent-forged' | 'redelivery';
  readonly body: string;
  readonly eventCount: number;
  readonly status?: number;
  readonly responseBody?: string;
  readonly error?: string;
}

export interface IntentToReceiveResult {
  /** True when the signed probe got 200 and the forged one 401, both with empty bodies. */
  readonly passed: boolean;
  readonly deliveries: readonly WebhookDelivery[];
}

const entropy = () => Array.from({ length: 20 }, () => String.fromCharCode(65 + randomInt(26))).join('');
const sign = (key: string, body: string) => createHmac('sha256', key).update(body).digest('base64');

export class WebhookSender {
  private pending: WebhookEvent[] = [];
  private sequence = 0;
  private scheduled: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  readonly deliveries: WebhookDelivery[] = [];

  constructor(
    private readonly config: WebhookConfig,
    private readonly clock: Clock,
    private readonly apiBase: () => string,
    private readonly check: (payload: WebhookPayload) => void,
  ) {}

  enqueue(change: Change): void {
    const collection = change.category === 'INVOICE' ? 'Invoices' : 'CreditNotes';
    this.pending.push({
      resourceUrl: `${this.apiBase()}/${collection}/${change.resourceId}`,
      resourceId: change.resourceId,
      eventDateUtc: new Date(this.clock()).toISOString(),
      eventType: change.type,
      eventCategory: change.category,
      tenantId: change.tenantId,
      tenantType: 'ORGANISATION',
      ...(change.data && { data: change.data }),
    });
    if (this.config.autoDeliver && !this.scheduled) {
      this.scheduled = setTimeout(() => {
        this.scheduled = undefined;
        this.track(this.deliver());
      }, 20);
      this.scheduled.unref();
    }
  }

  /** Sends everything queued as one batch; undefined when nothing was queued. */
  async deliver(): Promise<WebhookDelivery | undefined> {
    const events = this.pending.splice(0);
    if (events.length === 0) return undefined;
    const first = this.sequence + 1;
    this.sequence += events.length;
    const payload: WebhookPayload = {
      events,
      firstEventSequence: first,
      lastEventSequence: this.sequence,
      entropy: entropy(),
    };
    this.check(payload);
    const body = JSON.stringify(payload);
    return this.send('events', body, sign(this.config.key, body), events.length);
  }

  async intentToReceive(): Promise<IntentToReceiveResult> {
    // Xero's probes carry sequence 0, below the minimum the webhooks spec declares, so they skip the check.
    const probe = () => JSON.stringify({ events: [], firstEventSequence: 0, lastEventSequence: 0, entropy: entropy() });
    const signedBody = probe();
    const forgedBody = probe();
    const signed = await this.send('intent-signed', signedBody, sign(this.config.key, signedBody), 0);
    const forged = await this.send('intent-forged', forgedBody, sign(`${this.config.key}-wrong`, forgedBody), 0);
    const empty = (d: WebhookDelivery) => !d.responseBody;
    return {
      passed: signed.status === 200 && forged.status === 401 && empty(signed) && empty(forged),
      deliveries: [signed, forged],
    };
  }

  /** Sends an earlier delivery's exact bytes again, as Xero does when an acknowledgement is lost. */
  redeliver(delivery: WebhookDelivery): Promise<WebhookDelivery> {
    return this.send('redelivery', delivery.body, sign(this.config.key, delivery.body), delivery.eventCount);
  }

  async close(): Promise<void> {
    clearTimeout(this.scheduled);
    await Promise.allSettled([...this.inFlight]);
  }

  private track(p: Promise<unknown>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async send(
    kind: WebhookDelivery['kind'],
    body: string,
    signature: string,
    eventCount: number,
  ): Promise<WebhookDelivery> {
    let delivery: WebhookDelivery;
    try {
      const res = await fetch(this.config.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-xero-signature': signature },
        body,
        signal: AbortSignal.timeout(xeroLimits.webhookAckMs),
      });
      delivery = { kind, body, eventCount, status: res.status, responseBody: await res.text() };
    } catch (e) {
      delivery = { kind, body, eventCount, error: e instanceof Error ? e.message : String(e) };
    }
    this.deliveries.push(delivery);
    return delivery;
  }
}
