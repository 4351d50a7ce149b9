// The arrangement form (README, "Arrangements"): a deposit, or a payment plan whose instalments (dates and amounts,
// parsed exactly in the invoice's currency) add up to exactly what is still owed. Errors name the instalment.
import { formatMoney, MoneyParseError, parseDecimal, type Money } from '../../../domain/money.js';

export interface StoredInstalment {
  readonly dueOn: string;
  readonly amountMinor: number;
}

export type ArrangementInput =
  { readonly kind: 'deposit' } | { readonly kind: 'plan'; readonly instalments: readonly StoredInstalment[] };

export interface ArrangementFields {
  readonly kind: string;
  readonly dueOn: readonly string[];
  readonly amount: readonly string[];
}

export type ParsedArrangement =
  { readonly ok: true; readonly value: ArrangementInput } | { readonly ok: false; readonly errors: readonly string[] };

/** Most instalments a plan may have: five years of monthly ones. */
export const maxInstalments = 60;

const ymd = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar day written YYYY-MM-DD (2026-02-30 is not one). */
export function isCalendarDay(text: string): boolean {
  if (!ymd.test(text)) return false;
  const t = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === text;
}

/** Today (YYYY-MM-DD) in the organisation's time zone. */
export function todayIn(timeZone: string, nowMs: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    nowMs,
  );
}

/**
 * Reads the form. `owed` is what is still owed on the invoice now; `today` (YYYY-MM-DD) is the earliest date an
 * instalment may fall on, since a plan covers what is still to be paid. Rows left empty are ignored.
 */
export function parseArrangement(
  f: ArrangementFields,
  owed: Money,
  today: string,
  locale = 'en-US',
): ParsedArrangement {
  if (f.kind === 'deposit') return { ok: true, value: { kind: 'deposit' } };
  if (f.kind !== 'plan')
    return { ok: false, errors: ['Choose whether you agreed a payment plan or this invoice was a deposit.'] };
  const show = (minor: number) => formatMoney({ minor, currency: owed.currency }, locale);
  if (owed.minor <= 0)
    return {
      ok: false,
      errors: ['Nothing is still owed on this invoice, so there is nothing to spread over a payment plan.'],
    };
  const errors: string[] = [];
  const instalments: StoredInstalment[] = [];
  const seen = new Set<string>();
  const rows = Math.max(f.dueOn.length, f.amount.length);
  for (let i = 0; i < rows; i++) {
    const dueOn = (f.dueOn[i] ?? '').trim();
    const amount = (f.amount[i] ?? '').trim();
    if (!dueOn && !amount) continue;
    const where = `Instalment ${i + 1}`;
    if (!dueOn || !amount) {
      errors.push(`${where}: enter both the date and the amount.`);
      continue;
    }
    if (!isCalendarDay(dueOn)) {
      errors.push(`${where}: "${dueOn}" is not a date. Write it as YYYY-MM-DD, such as 2026-03-31.`);
      continue;
    }
    if (dueOn < today)
      errors.push(
        `${where}: ${dueOn} is in the past. A plan covers what is still owed, so every instalment falls on ${today} or later.`,
      );
    else if (seen.has(dueOn)) errors.push(`${where}: ${dueOn} appears twice. Put both amounts into one instalment.`);
    seen.add(dueOn);
    let minor: number;
    try {
      minor = parseDecimal(amount, owed.currency).minor;
    } catch (err) {
      if (!(err instanceof MoneyParseError)) throw err;
      errors.push(
        `${where}: "${amount}" is not an amount in ${owed.currency}. Write it like 250.00, without a currency sign or thousands separators.`,
      );
      continue;
    }
    if (minor <= 0) errors.push(`${where}: the amount must be more than zero.`);
    instalments.push({ dueOn, amountMinor: minor });
  }
  if (errors.length > 0) return { ok: false, errors };
  if (instalments.length === 0)
    return { ok: false, errors: ['Enter at least one instalment: the date it is due and the amount.'] };
  if (instalments.length > maxInstalments)
    return { ok: false, errors: [`A plan can have at most ${maxInstalments} instalments.`] };
  const total = instalments.reduce((n, x) => n + x.amountMinor, 0);
  if (total !== owed.minor) {
    const diff = total - owed.minor;
    return {
      ok: false,
      errors: [
        `The instalments add up to ${show(total)}, but ${show(owed.minor)} is still owed: they must add up exactly (${show(Math.abs(diff))} ${diff > 0 ? 'too much' : 'short'}).`,
      ],
    };
  }
  return {
    ok: true,
    value: { kind: 'plan', instalments: [...instalments].sort((a, b) => a.dueOn.localeCompare(b.dueOn)) },
  };
}

/** The note the closed case keeps: "agreed payment plan: 3 instalments, 2026-01-15 to 2026-03-15" or "deposit". */
export function arrangementNote(a: ArrangementInput, currency: string, locale = 'en-US'): string {
  if (a.kind === 'deposit') return 'deposit';
  const n = a.instalments.length;
  const list =
    n <= 6
      ? a.instalments.map((i) => `${formatMoney({ minor: i.amountMinor, currency }, locale)} on ${i.dueOn}`).join(', ')
      : `${a.instalments[0]!.dueOn} to ${a.instalments[n - 1]!.dueOn}`;
  return `agreed payment plan: ${n} instalment${n === 1 ? '' : 's'} (${list})`;
}
