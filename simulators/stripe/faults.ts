// Injected failures for tests: fail before running, or lose/hold the response after the work committed.
export type FaultKind = 'fail' | 'drop' | 'delay';

export interface FaultRule {
  readonly kind: FaultKind;
  readonly method: string;
  /** Exact path, or a pattern over the path (no query string). */
  readonly path: string | RegExp;
  /** How many matching requests it affects. */
  remaining: number;
  readonly status?: number;
  readonly delayMs?: number;
}

export class Faults {
  private readonly rules: FaultRule[] = [];

  add(rule: Omit<FaultRule, 'remaining'> & { times?: number }): void {
    this.rules.push({ ...rule, remaining: rule.times ?? 1 });
  }

  take(kind: FaultKind, method: string, path: string): FaultRule | undefined {
    const rule = this.rules.find(
      (r) =>
        r.kind === kind &&
        r.remaining > 0 &&
        r.method === method &&
        (typeof r.path === 'string' ? r.path === path : r.path.test(path)),
    );
    if (rule) rule.remaining -= 1;
    return rule;
  }

  clear(): void {
    this.rules.length = 0;
  }
}
