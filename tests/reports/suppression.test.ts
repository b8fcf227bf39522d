// The suppression module on its own: the primary rule, the complementary rule within a breakdown, totals
// against their parts, columns of a table, and — as a property over random breakdowns — that no hidden cell
// can ever be recovered by subtracting the shown cells from the shown total.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { effectiveThreshold, hiddenLabel, suppressBreakdown, suppressColumns, suppressCount } from "../../server/reports/suppression.ts";

describe("suppressBreakdown", () => {
  it("shows a breakdown without small cells as it is", () => {
    expect(suppressBreakdown([40, 25, 12], 10)).toEqual({ cells: [null, null, null], total: null });
  });

  it("hides every cell below the threshold, zero included", () => {
    expect(suppressBreakdown([40, 3, 0, 25], 10).cells).toEqual([null, "small", "small", null]);
  });

  it("hides the next smallest cell as well when exactly one cell is small", () => {
    expect(suppressBreakdown([40, 3, 25, 12], 10).cells).toEqual([null, "small", null, "complementary"]);
    // Ties: the first of the smallest.
    expect(suppressBreakdown([12, 3, 12], 10).cells).toEqual(["complementary", "small", null]);
  });

  it("hides the total when the one small cell has no other cell to hide", () => {
    expect(suppressBreakdown([7], 10, { total: 7 })).toEqual({ cells: ["small"], total: "small" });
    expect(suppressBreakdown([3], 10, { total: 50 })).toEqual({ cells: ["small"], total: "complementary" });
  });

  it("hides a total below the threshold and every part of it", () => {
    expect(suppressBreakdown([4, 5], 10)).toEqual({ cells: ["small", "small"], total: "small" });
  });

  it("leaves a lone hidden zero alone: an empty group reveals nobody", () => {
    expect(suppressBreakdown([40, 0, 25], 10).cells).toEqual([null, "small", null]);
    expect(suppressBreakdown([12, 0], 10, { total: 12 }).cells).toEqual([null, "small"]);
  });

  it("counts cells hidden elsewhere, and then needs no second cell", () => {
    expect(suppressBreakdown([40, 30, 25], 10, { forced: [null, "complementary", null] }).cells).toEqual([null, "complementary", "complementary"]);
    expect(suppressBreakdown([40, 3, 25], 10, { forced: [null, null, "small"] }).cells).toEqual([null, "small", "small"]);
  });

  it("applies only the primary rule to parts that do not add up (several themes per follow-up)", () => {
    expect(suppressBreakdown([40, 3, 25], 10, { additive: false, total: 50 }).cells).toEqual([null, "small", null]);
  });

  it("uses the municipality's threshold", () => {
    expect(suppressBreakdown([14, 16, 30], 15).cells).toEqual(["small", "complementary", null]);
    expect(suppressBreakdown([6, 5, 30], 5).cells).toEqual([null, null, null]);
  });

  it("refuses a threshold below 5", () => {
    expect(() => suppressBreakdown([1, 2], 4)).toThrow(RangeError);
    expect(effectiveThreshold(3)).toBe(10);
    expect(effectiveThreshold(12)).toBe(12);
    expect(effectiveThreshold("20")).toBe(10);
  });
});

describe("suppressColumns", () => {
  it("hides the cells of hidden rows and gives each column its own complementary cell", () => {
    // Rows are teams; columns: respondents, answers to one statement.
    const respondents = suppressBreakdown([50, 8, 30, 20], 10);
    expect(respondents.cells).toEqual([null, "small", null, "complementary"]);
    const [, statement] = suppressColumns(
      [
        [50, 8, 30, 20],
        [45, 6, 9, 18],
      ],
      10,
      { rowHidden: respondents.cells },
    );
    // Team 3 answered the statement 9 times: small; teams 2 and 4 are hidden with their rows.
    expect(statement!.cells).toEqual([null, "small", "small", "complementary"]);

    const [, only] = suppressColumns([[50, 30], [45, 9]], 10);
    // One small cell in the column: the other one goes too.
    expect(only!.cells).toEqual(["complementary", "small"]);
  });
});

describe("labels", () => {
  it('says "< 10" for a small figure and "×" for one hidden to protect it', () => {
    expect(hiddenLabel("small", 10)).toBe("< 10");
    expect(hiddenLabel("complementary", 10)).toBe("×");
    expect(suppressCount(9, 10)).toBe("small");
    expect(suppressCount(10, 10)).toBeNull();
  });
});

describe("no hidden cell can be recovered by subtraction", () => {
  it("holds for random breakdowns and thresholds", () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 60 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 5, max: 20 }), fc.nat({ max: 30 }), (counts, threshold, extra) => {
        // Sometimes the total has parts that are not shown (e.g. unknown), so it may exceed the sum.
        const total = counts.reduce((a, b) => a + b, 0) + (extra % 3 === 0 ? extra : 0);
        const { cells, total: totalHidden } = suppressBreakdown(counts, threshold, { total });
        // 1. every small cell is hidden
        counts.forEach((c, i) => {
          if (c < threshold) expect(cells[i]).not.toBeNull();
        });
        // 2. with the total shown, never exactly one hidden cell (unless it is an empty group)
        const hidden = cells.map((c, i) => (c !== null ? i : -1)).filter((i) => i >= 0);
        if (totalHidden === null && hidden.length === 1) expect(counts[hidden[0]!]).toBe(0);
        // 3. a small total is hidden
        if (total < threshold) expect(totalHidden).not.toBeNull();
        // 4. a "small" label never sits on a figure that is not small
        cells.forEach((c, i) => {
          if (c === "small") expect(counts[i]).toBeLessThan(threshold);
        });
      }),
      { numRuns: 500 },
    );
  });
});
