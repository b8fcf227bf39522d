// Working-day deadlines (acceptance 3): weekends and the Dutch public holidays are not working days —
// Koningsdag (27 April, or 26 April when the 27th is a Sunday), Easter Monday, Ascension Day, Whit Monday and
// Christmas — and times are Amsterdam's, across the switches to and from summer time.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  amsterdamDate,
  amsterdamLocalInput,
  isWorkingDay,
  nthWorkingDayAfter,
  parseAmsterdamLocal,
  publicHolidays,
  workingDayDeadline,
  workingDaysBetween,
} from "../../server/followups/working-days.ts";

/** The deadline's Amsterdam date (it is always the last millisecond of that day). */
const dueDate = (from: string, days = 5) => {
  const deadline = workingDayDeadline(new Date(from), days);
  expect(amsterdamLocalInput(deadline).slice(11)).toBe("23:59");
  expect(amsterdamDate(new Date(deadline.getTime() + 1))).not.toBe(amsterdamDate(deadline));
  return amsterdamDate(deadline);
};

describe("Dutch public holidays", () => {
  it("knows Koningsdag, moved to Saturday 26 April when the 27th is a Sunday", () => {
    expect(publicHolidays(2026).has("2026-04-27")).toBe(true);
    expect(publicHolidays(2025).has("2025-04-26")).toBe(true);
    expect(publicHolidays(2025).has("2025-04-27")).toBe(false);
    expect(publicHolidays(2031).has("2031-04-26")).toBe(true); // 27 April 2031 is a Sunday too
  });

  it("has Easter and Easter Monday, Ascension Day, Whitsun and Whit Monday, Christmas and Boxing Day, New Year", () => {
    const h2026 = publicHolidays(2026);
    for (const day of ["2026-01-01", "2026-04-05", "2026-04-06", "2026-05-14", "2026-05-24", "2026-05-25", "2026-12-25", "2026-12-26"]) {
      expect(h2026.has(day), day).toBe(true);
    }
    const h2027 = publicHolidays(2027);
    for (const day of ["2027-03-28", "2027-03-29", "2027-05-06", "2027-05-16", "2027-05-17", "2027-12-25", "2027-12-26"]) {
      expect(h2027.has(day), day).toBe(true);
    }
  });

  it("counts Good Friday and Liberation Day (not general days off) as working days", () => {
    expect(isWorkingDay("2026-04-03")).toBe(true);
    expect(isWorkingDay("2026-05-05")).toBe(true);
  });
});

describe("working days", () => {
  it("skips weekends", () => {
    expect(isWorkingDay("2026-10-03")).toBe(false); // Saturday
    expect(isWorkingDay("2026-10-04")).toBe(false); // Sunday
    expect(isWorkingDay("2026-10-05")).toBe(true);
    expect(nthWorkingDayAfter("2026-10-01", 5)).toBe("2026-10-08"); // Thursday → next Thursday
  });

  it("gives the end of the fifth working day after the day of completion, in Amsterdam time", () => {
    // Monday 5 October 2026, 09:00 → Monday 12 October 23:59:59.999 (21:59:59.999 UTC, summer time).
    expect(workingDayDeadline(new Date("2026-10-05T07:00:00Z"), 5).toISOString()).toBe("2026-10-12T21:59:59.999Z");
    // Friday evening and Saturday: due the next Friday.
    expect(dueDate("2026-10-09T19:30:00Z")).toBe("2026-10-16");
    expect(dueDate("2026-10-10T10:00:00Z")).toBe("2026-10-16");
    // 23:30 on Friday in Amsterdam is already Friday (21:30 UTC), not Saturday.
    expect(dueDate("2026-10-09T21:30:00Z")).toBe("2026-10-16");
    // 00:30 on Saturday in Amsterdam is 22:30 UTC on Friday: it counts as Saturday.
    expect(dueDate("2026-10-09T22:30:00Z")).toBe("2026-10-16");
  });

  it("skips Koningsdag on a Monday (27 April 2026)", () => {
    // Wednesday 22 April → Thu 23, Fri 24, [weekend], [Mon 27 Koningsdag], Tue 28, Wed 29, Thu 30.
    expect(dueDate("2026-04-22T08:00:00Z")).toBe("2026-04-30");
  });

  it("skips Easter Monday", () => {
    // Thursday 2 April 2026 → Fri 3 (Good Friday counts), [weekend, Mon 6 Easter Monday], Tue 7, Wed 8, Thu 9, Fri 10.
    expect(dueDate("2026-04-02T08:00:00Z")).toBe("2026-04-10");
  });

  it("skips Ascension Day and Whit Monday", () => {
    // Tuesday 12 May 2026 → Wed 13, [Thu 14 Ascension], Fri 15, Mon 18, Tue 19, Wed 20.
    expect(dueDate("2026-05-12T08:00:00Z")).toBe("2026-05-20");
    // Thursday 21 May 2026 → Fri 22, [weekend, Mon 25 Whit Monday], Tue 26, Wed 27, Thu 28, Fri 29.
    expect(dueDate("2026-05-21T08:00:00Z")).toBe("2026-05-29");
  });

  it("skips Christmas and New Year's Day, across the turn of the year", () => {
    // Wednesday 23 December 2026 → Thu 24, [Fri 25, Sat 26, Sun 27], Mon 28, Tue 29, Wed 30, Thu 31.
    expect(dueDate("2026-12-23T10:00:00Z")).toBe("2026-12-31");
    // Thursday 24 December 2026 → [25, 26, 27], Mon 28, Tue 29, Wed 30, Thu 31, [Fri 1 Jan, weekend], Mon 4 January.
    expect(dueDate("2026-12-24T10:00:00Z")).toBe("2027-01-04");
    // Winter time: the end of 4 January in Amsterdam is 22:59:59.999 UTC.
    expect(workingDayDeadline(new Date("2026-12-24T10:00:00Z"), 5).toISOString()).toBe("2027-01-04T22:59:59.999Z");
  });

  it("handles the switch to and from summer time", () => {
    // Summer time starts on Sunday 29 March 2026: the deadline of Friday 27 March is Friday 3 April, in CEST.
    expect(workingDayDeadline(new Date("2026-03-27T12:00:00Z"), 5).toISOString()).toBe("2026-04-03T21:59:59.999Z");
    // Summer time ends on Sunday 25 October 2026.
    expect(workingDayDeadline(new Date("2026-10-23T12:00:00Z"), 5).toISOString()).toBe("2026-10-30T22:59:59.999Z");
  });

  it("counts the working days that have passed", () => {
    expect(workingDaysBetween(new Date("2026-04-22T08:00:00Z"), new Date("2026-04-22T20:00:00Z"))).toBe(0);
    expect(workingDaysBetween(new Date("2026-04-22T08:00:00Z"), new Date("2026-04-28T08:00:00Z"))).toBe(3);
    expect(workingDaysBetween(new Date("2026-04-28T08:00:00Z"), new Date("2026-04-22T08:00:00Z"))).toBe(0);
  });

  it("always lands on a working day, after the start, with exactly n working days in between (property)", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date("2024-01-01T00:00:00Z"), max: new Date("2031-12-31T00:00:00Z"), noInvalidDate: true }), fc.integer({ min: 1, max: 20 }), (from, n) => {
        const deadline = workingDayDeadline(from, n);
        const due = amsterdamDate(deadline);
        expect(isWorkingDay(due)).toBe(true);
        expect(deadline.getTime()).toBeGreaterThan(from.getTime());
        expect(workingDaysBetween(from, deadline)).toBe(n);
      }),
      { numRuns: 300 },
    );
  });
});

describe("Amsterdam wall-clock times", () => {
  it("reads a datetime-local value as Amsterdam time, summer and winter", () => {
    expect(parseAmsterdamLocal("2026-10-05T14:30")!.toISOString()).toBe("2026-10-05T12:30:00.000Z");
    expect(parseAmsterdamLocal("2026-12-05T14:30")!.toISOString()).toBe("2026-12-05T13:30:00.000Z");
    // The hour that does not exist when summer time starts moves forward.
    expect(parseAmsterdamLocal("2026-03-29T02:30")!.toISOString()).toBe("2026-03-29T01:30:00.000Z");
    expect(amsterdamLocalInput(new Date("2026-10-05T12:30:00Z"))).toBe("2026-10-05T14:30");
  });

  it("refuses what is not a date and time", () => {
    for (const value of ["", "morgen", "2026-02-30T10:00", "2026-13-01T10:00", "2026-10-05T24:00", "2026-10-05"]) {
      expect(parseAmsterdamLocal(value), value).toBeUndefined();
    }
  });
});
