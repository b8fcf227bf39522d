// Report periods: the three forms people type, clear Dutch messages for everything else, Dutch day
// boundaries (summer and winter time), the previous period of the same length and the trend's quarters.
import { describe, expect, it } from "vitest";
import { hasEnded, lastEndedQuarter, parsePeriod, periodLabel, previousPeriod, recentPeriods, trendQuarters, type Period } from "../../server/reports/period.ts";

const parse = (text: string): Period => {
  const r = parsePeriod(text);
  if (!r.ok) throw new Error(r.message);
  return r.period;
};

describe("parsePeriod", () => {
  it("reads quarters, half years and years, in Dutch time", () => {
    const q3 = parse("2026-Q3");
    expect(q3).toMatchObject({ kind: "quarter", key: "2026-Q3", firstDay: "2026-07-01", lastDay: "2026-09-30" });
    // 1 July 00:00 in summer time is 30 June 22:00 UTC; 1 October too.
    expect(q3.start.toISOString()).toBe("2026-06-30T22:00:00.000Z");
    expect(q3.end.toISOString()).toBe("2026-09-30T22:00:00.000Z");
    const h1 = parse("2026-h1");
    expect(h1).toMatchObject({ key: "2026-H1", lastDay: "2026-06-30" });
    expect(h1.start.toISOString()).toBe("2025-12-31T23:00:00.000Z");
    const year = parse(" 2026 ");
    expect(year).toMatchObject({ kind: "year", key: "2026", firstDay: "2026-01-01", lastDay: "2026-12-31" });
    expect(year.end.toISOString()).toBe("2026-12-31T23:00:00.000Z");
    expect(parse("2026-K2").key).toBe("2026-Q2");
    expect(parse("2024-Q1").lastDay).toBe("2024-03-31");
  });

  it("says in Dutch what is wrong", () => {
    const bad = (text: unknown) => {
      const r = parsePeriod(text);
      return r.ok ? "" : r.message;
    };
    expect(bad("2026-Q5")).toMatch(/geen periode/);
    expect(bad("2026-H3")).toMatch(/twee halfjaren/);
    expect(bad("1999")).toMatch(/kies een jaar van 2015/);
    expect(bad("Q3-2026")).toMatch(/2026-Q3/);
    expect(bad(undefined)).toMatch(/geen periode/);
    expect(bad(["2026"])).toMatch(/geen periode/);
  });

  it("labels periods as people say them", () => {
    expect(periodLabel(parse("2026-Q3"))).toBe("3e kwartaal 2026");
    expect(periodLabel(parse("2026-H2"))).toBe("2e halfjaar 2026");
    expect(periodLabel(parse("2026"))).toBe("jaar 2026");
  });
});

describe("periods around a period", () => {
  it("compares with the previous period of the same length", () => {
    expect(previousPeriod(parse("2026-Q1")).key).toBe("2025-Q4");
    expect(previousPeriod(parse("2026-H1")).key).toBe("2025-H2");
    expect(previousPeriod(parse("2026")).key).toBe("2025");
  });

  it("shows the trend over the eight quarters up to the period's last one", () => {
    expect(trendQuarters(parse("2026-Q3")).map((p) => p.key)).toEqual(["2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]);
    expect(trendQuarters(parse("2026")).at(-1)!.key).toBe("2026-Q4");
  });

  it("knows which periods have ended and which can be chosen", () => {
    const now = new Date("2026-10-01T06:00:00Z");
    expect(hasEnded(parse("2026-Q3"), now)).toBe(true);
    expect(hasEnded(parse("2026-Q4"), now)).toBe(false);
    expect(lastEndedQuarter(now).key).toBe("2026-Q3");
    const keys = recentPeriods(now).map((p) => p.key);
    expect(keys.slice(0, 8)).toEqual(["2026-Q4", "2026-Q3", "2026-Q2", "2026-Q1", "2026-H2", "2026-H1", "2026", "2025-Q4"]);
    expect(keys).toContain("2026");
    expect(keys).not.toContain("2027-Q1");
  });
});
