// Stripe v1 idempotency: the first result for a key is kept and replayed (Idempotent-Replayed: true);
// the same key with other parameters is an idempotency_error; a key still executing answers 409.
import { ApiError, invalidParam } from './errors.js';

export interface Outcome {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
}

export interface Entry {
  readonly fingerprint: string;
  readonly createdAt: number;
  outcome?: Outcome;
}

export interface IdempotencySlot {
  complete(outcome: Outcome): void;
  abandon(): void;
}

export type Begin = { replay: Outcome } | { slot: IdempotencySlot };

const retentionMs = 24 * 3600 * 1000;
const maxKeyLength = 255;

/** Parameters in a canonical order, so equal requests compare equal however the client ordered fields. */
export function fingerprint(method: string, path: string, params: unknown): string {
  const canonical = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, x]) => [k, canonical(x)]),
        )
      : Array.isArray(v)
        ? v.map(canonical)
        : v;
  return `${method} ${path} ${JSON.stringify(canonical(params))}`;
}

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly nowMs: () => number) {}

  /** Answered requests still within the retention window, so a retry after a restart is replayed, not run again. */
  snapshot(): ReadonlyMap<string, Entry> {
    const now = this.nowMs();
    return new Map([...this.entries].filter(([, e]) => e.outcome !== undefined && now - e.createdAt < retentionMs));
  }

  restore(saved: ReadonlyMap<string, Entry>): void {
    for (const [k, v] of saved) this.entries.set(k, v);
  }

  begin(accountId: string, key: string, print: string): Begin {
    if (key.length > maxKeyLength)
      throw invalidParam('Idempotency-Key', `Idempotency-Key must be at most ${maxKeyLength} characters long.`);
    const id = `${accountId} ${key}`;
    const existing = this.entries.get(id);
    if (existing && this.nowMs() - existing.createdAt < retentionMs) return this.reuse(existing, key, print);
    const entry: Entry = { fingerprint: print, createdAt: this.nowMs() };
    this.entries.set(id, entry);
    return {
      slot: {
        complete: (outcome) => void (entry.outcome = outcome),
        abandon: () => void this.entries.delete(id),
      },
    };
  }

  private reuse(existing: Entry, key: string, print: string): Begin {
    if (existing.fingerprint !== print) {
      throw new ApiError(
        400,
        {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        },
        false,
      );
    }
    if (!existing.outcome) {
      throw new ApiError(
        409,
        {
          type: 'idempotency_error',
          code: 'idempotency_key_in_use',
          message:
            'There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through).',
        },
        false,
      );
    }
    return { replay: existing.outcome };
  }
}
