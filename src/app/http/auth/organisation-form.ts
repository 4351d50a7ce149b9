// The onboarding form: what letters need to know about the business (name, signature, time zone, holidays).
import { z } from 'zod';

const zones = Intl.supportedValuesOf('timeZone');
export const timeZones: readonly string[] = zones.includes('UTC') ? zones : ['UTC', ...zones];

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;
function isCalendarDate(s: string): boolean {
  const m = isoDate.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

const Holidays = z.string().transform((text, ctx) => {
  const days = text.split(/[\s,]+/).filter(Boolean);
  const bad = days.find((d) => !isCalendarDate(d));
  if (bad) {
    ctx.addIssue({ code: 'custom', message: `"${bad}" is not a date written as YYYY-MM-DD.` });
    return z.NEVER;
  }
  return [...new Set(days)].sort();
});

export const OrganisationForm = z.object({
  name: z.string().trim().min(1, 'Enter the name of your business.').max(200, 'Use at most 200 characters.'),
  timeZone: z.string().refine((tz) => timeZones.includes(tz), 'Choose a time zone from the list.'),
  signature: z
    .string()
    .trim()
    .min(1, 'Enter how your letters should be signed.')
    .max(1000, 'Use at most 1,000 characters.'),
  holidays: Holidays,
});

export type OrganisationInput = z.output<typeof OrganisationForm>;
export interface OrganisationValues {
  name: string;
  timeZone: string;
  signature: string;
  holidays: string;
}

/** Field name -> first message, for showing beside each field. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? 'form');
    out[key] ??= issue.message;
  }
  return out;
}

const whole = (what: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `Enter ${what} as a whole number from ${min} to ${max}.`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `Enter ${what} as a whole number from ${min} to ${max}.`);

/** Settings: the onboarding fields plus the default windows new cases count with. */
export const SettingsForm = OrganisationForm.extend({
  responseBusinessDays: whole('the business days to answer in writing', 1, 5),
  balanceDueDays: whole('the days to pay the balance', 7, 60),
});

export type SettingsInput = z.output<typeof SettingsForm>;
export interface SettingsValues extends OrganisationValues {
  responseBusinessDays: string;
  balanceDueDays: string;
}
