// Response windows as absolute timestamps. The workflow only sleeps until them, so every rule lives here.
import { DateTime } from 'luxon';
import {
  addBusinessDays,
  assertCalendar,
  atTime,
  inZone,
  nextBusinessDay,
  previousBusinessDay,
  type BusinessCalendar,
} from './calendar.js';

export interface DeadlinePolicy {
  readonly calendar: BusinessCalendar;
  /** Local wall-clock times: reminders go out at `start`, business-day deadlines fall at `end`. */
  readonly businessHours: { readonly start: string; readonly end: string };
  readonly responseBusinessDays: number;
  readonly hardLimitBusinessDays: number;
  /** A "full and final" memo must be objected to quickly, before the payment can be read as accepted. */
  readonly fullAndFinalBusinessDays: number;
  readonly evidenceSafetyMarginHours: number;
  /** Calendar days after the written response for the remaining balance (rolled to a business day). */
  readonly balanceDueDays: number;
  readonly reminders: { readonly businessDayBefore: boolean; readonly morningOf: boolean };
}
export type Policy = DeadlinePolicy;

export const defaultPolicy: DeadlinePolicy = {
  calendar: { zone: 'UTC', holidays: [], weekend: [6, 7] },
  businessHours: { start: '09:00', end: '17:00' },
  responseBusinessDays: 3,
  hardLimitBusinessDays: 5,
  fullAndFinalBusinessDays: 1,
  evidenceSafetyMarginHours: 48,
  balanceDueDays: 14,
  reminders: { businessDayBefore: true, morningOf: true },
};

export function policyFor(
  calendar: Partial<BusinessCalendar> & { zone: string },
  overrides: Partial<Omit<DeadlinePolicy, 'calendar'>> = {},
): DeadlinePolicy {
  return { ...defaultPolicy, ...overrides, calendar: { ...defaultPolicy.calendar, ...calendar } };
}

export type DeadlineName =
  'written_response' | 'written_response_hard_limit' | 'dispute_evidence' | 'remaining_balance';

export type ScheduleEntry =
  | { readonly kind: 'alert'; readonly name: 'owner_alert'; readonly at: string; readonly inMs: number }
  | { readonly kind: 'deadline'; readonly name: DeadlineName; readonly at: string; readonly inMs: number }
  | {
      readonly kind: 'reminder';
      readonly name: `${DeadlineName}.${ReminderSlot}`;
      readonly for: DeadlineName;
      readonly at: string;
      readonly inMs: number;
    };

export interface Schedule {
  readonly now: string;
  /** Sorted by time. Reminders already in the past are left out; deadlines never are (inMs is then 0). */
  readonly entries: readonly ScheduleEntry[];
}

const iso = (dt: DateTime) => dt.toUTC().toISO() ?? '';
export const msUntil = (at: string, now: string): number => Math.max(0, Date.parse(at) - Date.parse(now));

type ReminderSlot = 'day_before' | 'morning_of';
const msFrom = (now: DateTime, at: DateTime) => Math.max(0, at.diff(now).toMillis());

function withReminders(name: DeadlineName, due: DateTime, now: DateTime, policy: DeadlinePolicy): ScheduleEntry[] {
  const {
    calendar,
    businessHours: { start },
    reminders,
  } = policy;
  const slots: Record<ReminderSlot, DateTime | undefined> = {
    day_before: reminders.businessDayBefore ? atTime(previousBusinessDay(due, calendar), start) : undefined,
    morning_of: reminders.morningOf ? atTime(due.startOf('day'), start) : undefined,
  };
  const entries: ScheduleEntry[] = [{ kind: 'deadline', name, at: iso(due), inMs: msFrom(now, due) }];
  for (const slot of ['day_before', 'morning_of'] as const) {
    const at = slots[slot];
    if (at && at > now && at < due)
      entries.push({ kind: 'reminder', name: `${name}.${slot}`, for: name, at: iso(at), inMs: msFrom(now, at) });
  }
  return entries;
}

const sorted = (now: DateTime, entries: ScheduleEntry[]): Schedule => ({
  now: iso(now),
  entries: entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
});

export interface ResponseInput {
  readonly now: string;
  /** When the business learned of the short payment or dispute. */
  readonly learnedAt: string;
  readonly fullAndFinal?: boolean;
  /** The card processor's evidence deadline, for chargebacks. */
  readonly evidenceDueBy?: string;
}

export function responseSchedule(input: ResponseInput, policy: DeadlinePolicy = defaultPolicy): Schedule {
  assertCalendar(policy.calendar);
  const { calendar, businessHours } = policy;
  const now = inZone(input.now, calendar);
  const learned = inZone(input.learnedAt, calendar);
  const endOfBusinessDay = (n: number) => atTime(addBusinessDays(learned, n, calendar), businessHours.end);

  const days = input.fullAndFinal ? policy.fullAndFinalBusinessDays : policy.responseBusinessDays;
  const entries = [
    ...withReminders('written_response', endOfBusinessDay(Math.min(days, policy.hardLimitBusinessDays)), now, policy),
    ...withReminders('written_response_hard_limit', endOfBusinessDay(policy.hardLimitBusinessDays), now, policy),
  ];
  if (input.fullAndFinal) entries.push({ kind: 'alert', name: 'owner_alert', at: iso(now), inMs: 0 });
  if (input.evidenceDueBy) {
    const safe = inZone(input.evidenceDueBy, calendar).minus({ hours: policy.evidenceSafetyMarginHours });
    entries.push(...withReminders('dispute_evidence', DateTime.max(safe, now), now, policy));
  }
  return sorted(now, entries);
}

export function balanceSchedule(
  input: { readonly now: string; readonly responseSentAt: string },
  policy: DeadlinePolicy = defaultPolicy,
): Schedule {
  assertCalendar(policy.calendar);
  const now = inZone(input.now, policy.calendar);
  const sent = inZone(input.responseSentAt, policy.calendar);
  const due = nextBusinessDay(sent.plus({ days: policy.balanceDueDays }), policy.calendar).endOf('day');
  return sorted(now, withReminders('remaining_balance', due, now, policy));
}

export function deadlineAt(schedule: Schedule, name: DeadlineName | 'owner_alert'): string | undefined {
  return schedule.entries.find((e) => e.name === name)?.at;
}

/**
 * How Shortfall's date for approving a chargeback's evidence stands to the processor's own deadline, in words: "2 days
 * before" when it keeps the whole safety margin; "ahead of" when the chargeback arrived too late for that (the date is
 * then the arrival) or the processor's deadline is not known. As the workflow words it in its emails.
 */
export function evidenceLeadWords(
  approveBy: string | undefined,
  processorDueBy: string | undefined,
  marginHours = defaultPolicy.evidenceSafetyMarginHours,
): string {
  if (!approveBy || !processorDueBy || Date.parse(processorDueBy) - Date.parse(approveBy) !== marginHours * 3_600_000)
    return 'ahead of';
  return marginHours % 24 === 0
    ? `${marginHours / 24} day${marginHours === 24 ? '' : 's'} before`
    : `${marginHours} hours before`;
}
