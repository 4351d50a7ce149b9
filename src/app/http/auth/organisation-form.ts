// The onboarding form: what letters need to know about the business (name, signature, time zone, holidays).
import { getAllTimezones } from 'countries-and-timezones';
import { z } from 'zod';

/**
 * The time zones offered, by their current IANA names. Node's Intl lists CLDR's ids, some of them names IANA has
 * since replaced (Asia/Calcutta, Europe/Kiev, America/Buenos_Aires); the tz database's current names (from
 * countries-and-timezones) that Intl resolves to one of those take its place. Links to another country's zone
 * (Europe/Amsterdam) are left alone: Intl keeps them as they are.
 */
const listed = Intl.supportedValuesOf('timeZone');
const renamed = new Map<string, string>();
for (const name of Object.keys(getAllTimezones())) {
  let id: string;
  try {
    id = new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    continue; // a name this Node's ICU does not know
  }
  if (id !== name && listed.includes(id)) renamed.set(id, name);
}
const current = [...new Set(listed.map((z) => renamed.get(z) ?? z))].sort();
export const timeZones: readonly string[] = current.includes('UTC') ? current : ['UTC', ...current];

/** A zone from the list, or an older name of one (an organisation saved with Asia/Calcutta keeps it until changed). */
export const isTimeZone = (tz: string): boolean => timeZones.includes(tz) || listed.includes(tz);

/** The list offered to an organisation: the current names, and the one it saved if that is an older one. */
export const timeZonesWith = (saved: string): readonly string[] =>
  isTimeZone(saved) && !timeZones.includes(saved) ? [saved, ...timeZones] : timeZones;

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
  timeZone: z.string().refine(isTimeZone, 'Choose a time zone from the list.'),
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
