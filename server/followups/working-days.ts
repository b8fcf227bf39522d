// Working days and wall-clock time in Europe/Amsterdam, for the follow-up service level ("first attempt within
// 5 working days") and for times an interviewer types ("call back at 14:30"). Weekends and the Dutch public
// holidays (Nieuwjaarsdag, Pasen and Tweede paasdag, Koningsdag — 26 April when the 27th is a Sunday —,
// Hemelvaartsdag, Pinksteren and Tweede pinksterdag, Kerstmis and Tweede kerstdag) are not working days.
// Goede Vrijdag and Bevrijdingsdag are not general days off (date-holidays types them "school"), so they count.
import { createRequire } from "node:module";
import type HolidaysModule from "date-holidays";
import { addDays, amsterdamDate, amsterdamMoment as fromAmsterdamWallClock } from "../time.ts";

export { TIME_ZONE } from "../time.ts";

// The holiday rules of every country take some 30 MB: loaded at the first deadline, not at start-up.
let holidaysNl: HolidaysModule | undefined;
const holidays = () => (holidaysNl ??= new (createRequire(import.meta.url)("date-holidays") as typeof HolidaysModule)("NL"));
const holidaysByYear = new Map<number, Set<string>>();

/** The public holidays of a year as YYYY-MM-DD dates. */
export function publicHolidays(year: number): Set<string> {
  let dates = holidaysByYear.get(year);
  if (!dates) {
    dates = new Set(holidays().getHolidays(year).filter((h) => h.type === "public").map((h) => h.date.slice(0, 10)));
    holidaysByYear.set(year, dates);
  }
  return dates;
}

// Dutch wall-clock time lives in server/time.ts; the follow-up code keeps using these names.
export { amsterdamDate, amsterdamLocalInput, amsterdamMoment as fromAmsterdamWallClock } from "../time.ts";

/** Parses "YYYY-MM-DDTHH:MM" (an <input type="datetime-local">) as Amsterdam time; undefined when it is not one. */
export function parseAmsterdamLocal(value: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/.exec(value.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59) return undefined;
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCDate() !== day) return undefined;
  return fromAmsterdamWallClock(year, month, day, hour, minute);
}

/** Monday to Friday, and not a Dutch public holiday. */
export function isWorkingDay(date: string): boolean {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  return !publicHolidays(Number(date.slice(0, 4))).has(date);
}

/** The date of the n-th working day after the given date (the date itself never counts). */
export function nthWorkingDayAfter(date: string, n: number): string {
  let current = date;
  let counted = 0;
  while (counted < n) {
    current = addDays(current, 1);
    if (isWorkingDay(current)) counted += 1;
  }
  return current;
}

/**
 * The service-level deadline for something that arrived at `from`: the end (23:59:59.999 Amsterdam time) of the
 * n-th working day after the day it arrived. A response completed on Friday evening with 5 working days is due
 * by the end of the next Friday; one completed on a Saturday as well.
 */
export function workingDayDeadline(from: Date, workingDays: number): Date {
  const due = nthWorkingDayAfter(amsterdamDate(from), workingDays);
  const [year, month, day] = due.split("-").map(Number) as [number, number, number];
  return new Date(fromAmsterdamWallClock(year, month, day + 1).getTime() - 1);
}

/** Working days that have passed since `from` (its own day not counted), up to and including `to`'s day. */
export function workingDaysBetween(from: Date, to: Date): number {
  const end = amsterdamDate(to);
  let current = amsterdamDate(from);
  let count = 0;
  // Bounded: an open follow-up is a few weeks old at most; a year of days is a safe ceiling.
  for (let i = 0; i < 3660 && current < end; i++) {
    current = addDays(current, 1);
    if (isWorkingDay(current)) count += 1;
  }
  return count;
}
