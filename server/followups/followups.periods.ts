// Quarters in Amsterdam time ("2026-Q3": 1 July 00:00 up to 1 October 00:00), for the quarterly delivery of
// follow-up results and the service-level view.
import { amsterdamDate, fromAmsterdamWallClock } from "./working-days.ts";

export type Quarter = { key: string; year: number; quarter: 1 | 2 | 3 | 4; from: Date; to: Date; label: string };

const QUARTER = /^(\d{4})-Q([1-4])$/;
const LABELS = ["januari – maart", "april – juni", "juli – september", "oktober – december"];

function make(year: number, quarter: number): Quarter {
  const q = quarter as Quarter["quarter"];
  return {
    key: `${year}-Q${q}`,
    year,
    quarter: q,
    from: fromAmsterdamWallClock(year, (q - 1) * 3 + 1, 1),
    to: q === 4 ? fromAmsterdamWallClock(year + 1, 1, 1) : fromAmsterdamWallClock(year, q * 3 + 1, 1),
    label: `${q}e kwartaal ${year} (${LABELS[q - 1]})`,
  };
}

/** "2026-Q3" as a quarter, or undefined when it is not one (years 2015 to 2100). */
export function parseQuarter(value: unknown): Quarter | undefined {
  const match = typeof value === "string" ? QUARTER.exec(value) : null;
  if (!match) return undefined;
  const year = Number(match[1]);
  if (year < 2015 || year > 2100) return undefined;
  return make(year, Number(match[2]));
}

export function quarterOf(instant: Date): Quarter {
  const [year, month] = amsterdamDate(instant).split("-").map(Number) as [number, number];
  return make(year, Math.floor((month - 1) / 3) + 1);
}

/** The quarter containing `now` and the ones before it, newest first. */
export function recentQuarters(now: Date, count: number): Quarter[] {
  const result: Quarter[] = [];
  let { year, quarter } = quarterOf(now) as { year: number; quarter: number };
  for (let i = 0; i < count; i++) {
    result.push(make(year, quarter));
    quarter -= 1;
    if (quarter === 0) {
      quarter = 4;
      year -= 1;
    }
  }
  return result;
}

export function hasEnded(quarter: Quarter, now: Date): boolean {
  return quarter.to.getTime() <= now.getTime();
}
