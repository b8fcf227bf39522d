// The statistics against values worked out by hand and published tables: Wilson intervals, the two-proportion
// z-test, the test for two mean grades, and rounding as people expect it.
import { describe, expect, it } from "vitest";
import { meanAndVariance, round, twoMeansTest, twoProportionTest, wilson } from "../../server/reports/stats.ts";

describe("wilson", () => {
  it("matches hand-computed intervals", () => {
    // 84 of 120: p = 0.7; centre = (0.7 + 3.8415/240) / (1 + 3.8415/120) = 0.71600/1.03201 = 0.69379;
    // half = 1.95996 × sqrt(0.21/120 + 3.8415/57600) / 1.03201 = 1.95996 × 0.042623 / 1.03201 = 0.080948.
    const i = wilson(84, 120)!;
    expect(i.low).toBeCloseTo(0.6128, 4);
    expect(i.high).toBeCloseTo(0.7747, 4);
    // The textbook example (Newcombe 1998): 81 of 263 → 0.2553 to 0.3662.
    const n = wilson(81, 263)!;
    expect(n.low).toBeCloseTo(0.2553, 4);
    expect(n.high).toBeCloseTo(0.3662, 4);
  });

  it("stays inside 0–100 % at the edges", () => {
    const all = wilson(10, 10)!;
    expect(all.high).toBeCloseTo(1, 10);
    expect(all.low).toBeCloseTo(0.7225, 4);
    const none = wilson(0, 10)!;
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.2775, 4);
    expect(wilson(0, 0)).toBeUndefined();
  });
});

describe("twoProportionTest", () => {
  it("flags a difference beyond chance at the 5 % level", () => {
    // 70 % of 120 against 55 % of 100: pooled 139/220 = 0.63182, se = sqrt(0.63182 × 0.36818 × (1/120 + 1/100)) = 0.065305,
    // z = 0.15 / 0.065305 = 2.297.
    const r = twoProportionTest(84, 120, 55, 100)!;
    expect(r.z).toBeCloseTo(2.297, 3);
    expect(r.significant).toBe(true);
    // 70 % of 120 against 65 % of 100: z = 0.78, chance.
    expect(twoProportionTest(84, 120, 65, 100)!.significant).toBe(false);
  });

  it("has nothing to test without answers, and no difference when everyone agreed twice", () => {
    expect(twoProportionTest(1, 0, 1, 10)).toBeUndefined();
    expect(twoProportionTest(20, 20, 30, 30)).toEqual({ z: 0, significant: false });
  });
});

describe("grades", () => {
  it("computes the mean and sample variance from sums", () => {
    // 6, 7, 8: mean 7, variance 1.
    expect(meanAndVariance(3, 21, 149)).toEqual({ mean: 7, variance: 1 });
  });

  it("tests two mean grades", () => {
    // 100 grades with mean 7.0 and variance 1.0 against 100 with mean 6.5 and variance 1.0: z = 0.5 / 0.1414 = 3.54.
    const current = { n: 100, sum: 700, sumOfSquares: 99 * 1 + 100 * 49 };
    const previous = { n: 100, sum: 650, sumOfSquares: 99 * 1 + 100 * 42.25 };
    const r = twoMeansTest(current, previous)!;
    expect(r.z).toBeCloseTo(3.536, 3);
    expect(r.significant).toBe(true);
  });
});

describe("round", () => {
  it("rounds half away from zero, also for binary fractions", () => {
    expect(round(70.05)).toBe(70.1);
    expect(round(2.675, 2)).toBe(2.68);
    expect(round(-1.25)).toBe(-1.3);
    expect(round(69.94)).toBe(69.9);
  });
});
