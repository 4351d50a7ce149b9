// Case forms -> Update inputs. Only what the browser can get wrong is checked here (numbers, amounts); every
// business rule is the workflow's validator, whose message is shown back on the page.
import { z } from 'zod';
import { MoneyParseError, parseDecimal } from '../../../domain/money.js';
import type {
  CloseInput,
  DraftDecision,
  ExtendInput,
  ObjectionDecision,
  ObjectionInput,
} from '../../../../workflows/dispute-case/definitions.js';

export const FormBody = z.record(z.string(), z.union([z.string(), z.array(z.string())]));
export type Form = z.infer<typeof FormBody>;
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const one = (f: Form, key: string): string => {
  const v = f[key];
  return (Array.isArray(v) ? v[0] : v) ?? '';
};
const many = (f: Form, key: string): string[] => {
  const v = f[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

export const updateIdOf = (f: Form): string | undefined =>
  z.uuid().safeParse(one(f, '_rid')).success ? one(f, '_rid') : undefined;

export function objectionInput(f: Form, by: string): Parsed<ObjectionInput> {
  const summary = one(f, 'summary').trim();
  if (one(f, 'kind') === 'specific')
    return { ok: true, value: { kind: 'specific', by, summary, lineIds: many(f, 'lines') } };
  if (one(f, 'kind') === 'vague') return { ok: true, value: { kind: 'vague', by, summary } };
  return { ok: false, message: 'Choose whether the client named what they dispute.' };
}

/**
 * Amounts are typed per line (`amount.<lineId>`) as plain decimals (150.00) and parsed exactly in the case's
 * currency. The form's own fields say which lines it offered; the workflow's validator rejects a line it does
 * not know. `lineNames` only words the message about a malformed amount.
 */
export function objectionDecision(
  f: Form,
  by: string,
  currency: string,
  lineNames: ReadonlyMap<string, string>,
): Parsed<ObjectionDecision> {
  if (one(f, 'decision') === 'uphold') return { ok: true, value: { kind: 'uphold', by } };
  if (one(f, 'decision') !== 'concede') return { ok: false, message: 'Choose to concede lines or uphold the invoice.' };
  const lines: { lineId: string; amount: { minor: number; currency: string } }[] = [];
  for (const lineId of Object.keys(f)
    .filter((k) => k.startsWith('amount.'))
    .map((k) => k.slice('amount.'.length))) {
    const text = one(f, `amount.${lineId}`).trim();
    const name = lineNames.get(lineId) ?? lineId;
    if (!text) continue;
    try {
      lines.push({ lineId, amount: parseDecimal(text, currency) });
    } catch (err) {
      if (!(err instanceof MoneyParseError)) throw err;
      return {
        ok: false,
        message: `"${text}" for ${name} is not an amount. Write it like 150.00, without a currency sign or thousands separators.`,
      };
    }
  }
  return { ok: true, value: { kind: 'concede', by, lines } };
}

export function extendInput(f: Form, by: string): Parsed<ExtendInput> {
  const deadline = one(f, 'deadline');
  if (deadline !== 'response' && deadline !== 'payment' && deadline !== 'final_notice')
    return { ok: false, message: 'Choose which deadline to extend.' };
  const days = one(f, 'days').trim();
  if (!/^\d{1,3}$/.test(days)) return { ok: false, message: 'Enter the extension as a whole number of days.' };
  return { ok: true, value: { deadline, days: Number(days), by } };
}

export function closeInput(f: Form, by: string): Parsed<CloseInput> {
  const kind = one(f, 'kind');
  if (kind !== 'write_off' && kind !== 'resolved') return { ok: false, message: 'Choose how the case ends.' };
  if (one(f, 'confirm') !== 'yes')
    return { ok: false, message: 'Tick the box to confirm that the case should be closed.' };
  const note = one(f, 'note').trim();
  return { ok: true, value: { kind, by, ...(note ? { note } : {}) } };
}

export function draftDecision(f: Form, by: string, version: number): Parsed<DraftDecision> {
  const decision = one(f, 'decision');
  if (decision === 'approve') return { ok: true, value: { kind: 'approve', version, by } };
  if (decision === 'edit_and_approve')
    return {
      ok: true,
      value: {
        kind: 'edit_and_approve',
        version,
        by,
        subject: one(f, 'subject'),
        text: one(f, 'text').replace(/\r\n/g, '\n'),
      },
    };
  if (decision === 'reject') {
    const note = one(f, 'note').trim();
    return { ok: true, value: { kind: 'reject', version, by, ...(note ? { note } : {}) } };
  }
  return { ok: false, message: 'Choose to approve, edit and approve, or reject the draft.' };
}

/** What the person typed, to fill the form again after an error (never the CSRF token). */
export const formValues = (f: Form): Record<string, string | string[]> =>
  Object.fromEntries(Object.entries(f).filter(([k]) => !k.startsWith('_')));

/** The arrangement form's fields (README, "Arrangements"); src/app/http/arrangements/plan-form.ts reads them. */
export const arrangementFields = (f: Form) => ({
  kind: one(f, 'kind'),
  dueOn: many(f, 'dueOn'),
  amount: many(f, 'amount'),
});
