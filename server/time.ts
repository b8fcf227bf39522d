// Dutch wall-clock time. Rules in this domain are about days and hours in the Netherlands (no SMS after
// 20:00, invitations 21 days after the conversation); the server's own time zone must not matter.
export const TIME_ZONE = "Europe/Amsterdam";

const partsFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone: TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  weekday: "short",
  hourCycle: "h23",
});

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export type WallClock = { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number };

/** The date and time on a Dutch clock at this moment; weekday 1 = Monday … 7 = Sunday. */
export function amsterdamClock(at: Date): WallClock {
  const parts: Record<string, string> = {};
  for (const p of partsFormat.formatToParts(at)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday!]!,
  };
}

/**
 * The moment a Dutch clock shows this date and time. A time skipped by the spring DST change moves forward by
 * the gap; days past the month's end roll over (day 32).
 */
export function amsterdamMoment(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): Date {
  const wanted = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Two rounds settle the offset on either side of a DST change.
  let guess = wanted;
  for (let i = 0; i < 2; i += 1) {
    const c = amsterdamClock(new Date(guess));
    const shown = Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second, new Date(guess).getUTCMilliseconds());
    guess += wanted - shown;
  }
  return new Date(guess);
}

/** A Dutch calendar day as YYYY-MM-DD. */
export function amsterdamDate(at: Date): string {
  const c = amsterdamClock(at);
  return `${c.year}-${String(c.month).padStart(2, "0")}-${String(c.day).padStart(2, "0")}`;
}

/** YYYY-MM-DD plus a number of calendar days. */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A Dutch wall-clock time as the value of an <input type="datetime-local">. */
export function amsterdamLocalInput(at: Date): string {
  const c = amsterdamClock(at);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${c.year}-${pad(c.month)}-${pad(c.day)}T${pad(c.hour)}:${pad(c.minute)}`;
}

/** The moment a Dutch calendar day starts. */
export function startOfAmsterdamDay(day: string): Date {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return amsterdamMoment(y, m, d);
}

export type TimeWindow = { start: string; end: string; days: number[] };

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  return h * 60 + m;
}

/**
 * The first moment at or after `at` that lies inside the window (e.g. 09:00–20:00, Monday to Saturday, Dutch
 * time): `at` itself when it is inside.
 */
export function nextInWindow(at: Date, window: TimeWindow): Date {
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const clock = amsterdamClock(at);
  const now = clock.hour * 60 + clock.minute;
  if (window.days.includes(clock.weekday) && now >= start && now < end) return at;
  let day = amsterdamDate(at);
  // Today, if the window has not opened yet; else the next allowed day.
  if (!(window.days.includes(clock.weekday) && now < start)) {
    for (let i = 1; i <= 7; i += 1) {
      const next = addDays(day, 1);
      day = next;
      const weekday = ((new Date(`${next}T12:00:00Z`).getUTCDay() + 6) % 7) + 1;
      if (window.days.includes(weekday)) break;
    }
  }
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return amsterdamMoment(y, m, d, Math.floor(start / 60), start % 60);
}
