// Report periods: a quarter (2026-Q3), a half year (2026-H1) or a year (2026). A response belongs to the period
// of its completion date in the Netherlands (DOMAIN.md), so a period runs from the start of its first Dutch
// day to the start of the first Dutch day after it, as UTC instants.

export type PeriodKind = "quarter" | "half" | "year";

export type Period = Readonly<{
  kind: PeriodKind;
  year: number;
  /** 1–4 for a quarter, 1–2 for a half year, 1 for a year. */
  index: number;
  /** The canonical key: 2026-Q3, 2026-H1, 2026. */
  key: string;
  /** Inclusive start and exclusive end, as instants. */
  start: Date;
  end: Date;
  /** First and last calendar day, YYYY-MM-DD. */
  firstDay: string;
  lastDay: string;
}>;

export const MIN_YEAR = 2015;
export const MAX_YEAR = 2100;

const MONTHS_PER: Record<PeriodKind, number> = { quarter: 3, half: 6, year: 12 };

/** The moment a calendar day starts in Europe/Amsterdam (UTC+1 in winter, UTC+2 in summer). */
export function startOfDutchDay(day: string): Date {
  const utcMidnight = new Date(`${day}T00:00:00Z`);
  // The offset at Dutch midnight is that at UTC midnight except on the two nights the clocks change, which
  // happen at 01:00 and 02:00 UTC, after Dutch midnight: the offset at UTC midnight minus two hours is right.
  const probe = new Date(utcMidnight.getTime() - 2 * 3600_000);
  const name = new Intl.DateTimeFormat("en-US", { timeZone: "Europe/Amsterdam", timeZoneName: "shortOffset" })
    .formatToParts(probe)
    .find((p) => p.type === "timeZoneName")?.value;
  const hours = Number(/GMT([+-]\d+)/.exec(name ?? "")?.[1] ?? 0);
  return new Date(utcMidnight.getTime() - hours * 3600_000);
}

const dutchDay = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Amsterdam", year: "numeric", month: "2-digit", day: "2-digit" });

/** The Dutch calendar day (YYYY-MM-DD) of a moment. */
export function dutchDayOf(moment: Date): string {
  return dutchDay.format(moment);
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

export function makePeriod(kind: PeriodKind, year: number, index: number): Period {
  const months = MONTHS_PER[kind];
  const firstMonth = (index - 1) * months + 1;
  const firstDay = `${year}-${pad(firstMonth)}-01`;
  const nextMonth = firstMonth + months;
  const nextDay = nextMonth > 12 ? `${year + 1}-01-01` : `${year}-${pad(nextMonth)}-01`;
  const lastDate = new Date(`${nextDay}T00:00:00Z`);
  lastDate.setUTCDate(lastDate.getUTCDate() - 1);
  const key = kind === "quarter" ? `${year}-Q${index}` : kind === "half" ? `${year}-H${index}` : String(year);
  return Object.freeze({
    kind,
    year,
    index,
    key,
    start: startOfDutchDay(firstDay),
    end: startOfDutchDay(nextDay),
    firstDay,
    lastDay: lastDate.toISOString().slice(0, 10),
  });
}

export type PeriodParse = { ok: true; period: Period } | { ok: false; message: string };

const PERIOD_FORMAT = /^(\d{4})(?:-([QqKkHh])([1-4]))?$/;

/** Parses 2026-Q3 (also 2026-K3, Dutch "kwartaal"), 2026-H1 or 2026; the message says what is wrong, in Dutch. */
export function parsePeriod(raw: unknown): PeriodParse {
  const text = typeof raw === "string" ? raw.trim() : "";
  const match = PERIOD_FORMAT.exec(text);
  if (!match) {
    return { ok: false, message: `"${text.slice(0, 20)}" is geen periode. Schrijf een kwartaal als 2026-Q3, een halfjaar als 2026-H1 of een jaar als 2026.` };
  }
  const year = Number(match[1]);
  if (year < MIN_YEAR || year > MAX_YEAR) return { ok: false, message: `Het jaar ${year} kan niet: kies een jaar van ${MIN_YEAR} tot en met ${MAX_YEAR}.` };
  if (!match[2]) return { ok: true, period: makePeriod("year", year, 1) };
  const letter = match[2].toUpperCase();
  const index = Number(match[3]);
  if (letter === "H") {
    if (index > 2) return { ok: false, message: `Een jaar heeft twee halfjaren: ${year}-H1 of ${year}-H2.` };
    return { ok: true, period: makePeriod("half", year, index) };
  }
  return { ok: true, period: makePeriod("quarter", year, index) };
}

/** The period of the same length just before this one (for the comparison). */
export function previousPeriod(period: Period): Period {
  const count = 12 / MONTHS_PER[period.kind];
  return period.index > 1 ? makePeriod(period.kind, period.year, period.index - 1) : makePeriod(period.kind, period.year - 1, count);
}

export function nextPeriod(period: Period): Period {
  const count = 12 / MONTHS_PER[period.kind];
  return period.index < count ? makePeriod(period.kind, period.year, period.index + 1) : makePeriod(period.kind, period.year + 1, 1);
}

/** The period of this kind that contains the moment. */
export function periodContaining(kind: PeriodKind, moment: Date): Period {
  const [y, m] = dutchDayOf(moment).split("-").map(Number) as [number, number];
  return makePeriod(kind, y, Math.floor((m - 1) / MONTHS_PER[kind]) + 1);
}

/** The quarters inside a period, in order. */
export function quartersOf(period: Period): Period[] {
  const first = (period.index - 1) * (MONTHS_PER[period.kind] / 3) + 1;
  return Array.from({ length: MONTHS_PER[period.kind] / 3 }, (_, i) => makePeriod("quarter", period.year, first + i));
}

/** The `count` quarters up to and including the period's last quarter, oldest first (the trend). */
export function trendQuarters(period: Period, count = 8): Period[] {
  const last = quartersOf(period).at(-1)!;
  const quarters = [last];
  while (quarters.length < count) quarters.unshift(previousPeriod(quarters[0]!));
  return quarters;
}

export function hasStarted(period: Period, now: Date): boolean {
  return period.start.getTime() <= now.getTime();
}

export function hasEnded(period: Period, now: Date): boolean {
  return period.end.getTime() <= now.getTime();
}

const ORDINAL = ["", "1e", "2e", "3e", "4e"];

/** "3e kwartaal 2026", "1e halfjaar 2026", "2026". */
export function periodLabel(period: Period): string {
  if (period.kind === "quarter") return `${ORDINAL[period.index]} kwartaal ${period.year}`;
  if (period.kind === "half") return `${ORDINAL[period.index]} halfjaar ${period.year}`;
  return `jaar ${period.year}`;
}

/** "K3 2026", for chart axes. */
export function periodShortLabel(period: Period): string {
  if (period.kind === "quarter") return `K${period.index} ${period.year}`;
  if (period.kind === "half") return `H${period.index} ${period.year}`;
  return String(period.year);
}

/** The periods a user can pick, per year newest first: its quarters, half years and the year, if started. */
export function recentPeriods(now: Date, years = 3): Period[] {
  const periods: Period[] = [];
  const current = periodContaining("quarter", now);
  for (let year = current.year; year > current.year - years && year >= MIN_YEAR; year--) {
    const candidates = [4, 3, 2, 1].map((q) => makePeriod("quarter", year, q));
    candidates.push(makePeriod("half", year, 2), makePeriod("half", year, 1), makePeriod("year", year, 1));
    periods.push(...candidates.filter((p) => hasStarted(p, now)));
  }
  return periods;
}

/** The last quarter that has ended: the report people usually mean. */
export function lastEndedQuarter(now: Date): Period {
  return previousPeriod(periodContaining("quarter", now));
}
