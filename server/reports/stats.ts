// The statistics the reports publish: the Wilson score interval for a percentage, the two-proportion z-test
// against the previous period, and a z-test for the difference of two mean grades. Plain functions of counts,
// so the database does the counting and these stay testable against published values.

/** The two-sided 97.5 % point of the normal distribution: a 95 % interval and a 5 % test. */
export const Z_95 = 1.959963984540054;

export type Interval = { low: number; high: number };

/** Wilson score interval for x successes out of n, as proportions (0–1). Undefined for n = 0. */
export function wilson(x: number, n: number, z = Z_95): Interval | undefined {
  if (n <= 0) return undefined;
  const p = x / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export type TestResult = { z: number; significant: boolean };

/**
 * Two-proportion z-test with the pooled proportion: is x1/n1 different from x0/n0 by more than chance at the
 * 5 % level? Undefined when either group is empty.
 */
export function twoProportionTest(x1: number, n1: number, x0: number, n0: number, z = Z_95): TestResult | undefined {
  if (n1 <= 0 || n0 <= 0) return undefined;
  const pooled = (x1 + x0) / (n1 + n0);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0));
  // Everyone (or no one) agreed in both periods: no difference at all.
  if (se === 0) return { z: 0, significant: false };
  const value = (x1 / n1 - x0 / n0) / se;
  return { z: value, significant: Math.abs(value) >= z };
}

/** Sample mean and variance from a count, a sum and a sum of squares (what SQL gives). */
export function meanAndVariance(n: number, sum: number, sumOfSquares: number): { mean: number; variance: number } | undefined {
  if (n <= 0) return undefined;
  const mean = sum / n;
  const variance = n > 1 ? Math.max(0, (sumOfSquares - n * mean * mean) / (n - 1)) : 0;
  return { mean, variance };
}

/**
 * Large-sample z-test for two means (the report grade this period against the previous one). Report grades
 * are bounded (1–10) and the groups we test have at least the suppression threshold of answers, so the
 * normal approximation is reasonable; the method note says so.
 */
export function twoMeansTest(
  current: { n: number; sum: number; sumOfSquares: number },
  previous: { n: number; sum: number; sumOfSquares: number },
  z = Z_95,
): TestResult | undefined {
  const a = meanAndVariance(current.n, current.sum, current.sumOfSquares);
  const b = meanAndVariance(previous.n, previous.sum, previous.sumOfSquares);
  if (!a || !b || current.n < 2 || previous.n < 2) return undefined;
  const se = Math.sqrt(a.variance / current.n + b.variance / previous.n);
  if (se === 0) return { z: 0, significant: a.mean !== b.mean };
  const value = (a.mean - b.mean) / se;
  return { z: value, significant: Math.abs(value) >= z };
}

/** Rounds half away from zero to `decimals` places (what people expect from 70.05 → 70.1). */
export function round(value: number, decimals = 1): number {
  const factor = 10 ** decimals;
  const shifted = Math.abs(value) * factor;
  // Guard against binary fractions just below .5 (70.05 is 70.04999… in floating point).
  const rounded = Math.floor(shifted + 0.5 + 1e-9) / factor;
  return Math.sign(value) * rounded;
}
