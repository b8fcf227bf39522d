// Dutch days and hours for the demo's schedule: staff work on working days (no weekends, no public holidays).
import { isWorkingDay } from "../followups/working-days.ts";
import { addDays, amsterdamDate, amsterdamMoment } from "../time.ts";

/** The moment a Dutch clock shows this time on this day (YYYY-MM-DD). */
export function momentOn(day: string, hour: number, minute = 0): Date {
  const [y, m, d] = day.split("-").map(Number);
  return amsterdamMoment(y!, m!, d!, hour, minute);
}

/** The n-th working day after the day of `from` (n = 0: that day if it is one, else the next). */
export function workingDayAfter(from: Date | string, n: number): string {
  let day = typeof from === "string" ? from : amsterdamDate(from);
  let counted = 0;
  if (n === 0) {
    while (!isWorkingDay(day)) day = addDays(day, 1);
    return day;
  }
  while (counted < n) {
    day = addDays(day, 1);
    if (isWorkingDay(day)) counted += 1;
  }
  return day;
}

export function isWeekday(day: string): boolean {
  const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
  return weekday >= 1 && weekday <= 5;
}

export { addDays, amsterdamDate, isWorkingDay };
