// Small-number suppression (invariant 4), in one place: every figure of every report format, chart and
// breakdown goes through these functions before anything renders it, and renderers only ever see the result.
//
// The rule, per table of parts that add up to a published total (a breakdown):
//   1. primary: a cell that counts fewer respondents than the threshold is hidden ("< 10");
//   2. complementary: if exactly one cell of the breakdown is hidden, the smallest other cell is hidden too
//      ("×"), so the hidden one cannot be recovered as the total minus the other cells; with no other cell to
//      hide, the total itself is hidden. A lone hidden zero needs no such protection (an empty group reveals
//      nobody);
//   3. a total below the threshold is hidden, and with it every part.
// A cell hidden for a reason outside the breakdown (its whole row is hidden) counts as hidden here too.
// Breakdowns whose parts do not add up to the total (a follow-up can have several themes) only get rule 1.

/** The municipality may raise the threshold, never set it below this (ARCHITECTURE.md invariant 4). */
export const MIN_THRESHOLD = 5;
export const DEFAULT_THRESHOLD = 10;

/** Why a figure is not shown: too few respondents, or hidden to protect another small figure. */
export type Hidden = "small" | "complementary";

export type SuppressedBreakdown = { cells: Array<Hidden | null>; total: Hidden | null };

export function isSmall(count: number, threshold: number): boolean {
  return count < threshold;
}

export type BreakdownOptions = {
  /** The published total the cells are parts of (default: their sum). */
  total?: number;
  /** Cells already hidden for a reason outside this breakdown. */
  forced?: ReadonlyArray<Hidden | null | undefined>;
  /** Whether the cells add up to the total (default true); if not, only the primary rule applies. */
  additive?: boolean;
  /** The total is already hidden elsewhere (e.g. the whole section is). */
  totalHidden?: Hidden | null;
};

/** Applies the rule to one breakdown; see the top of this file. */
export function suppressBreakdown(counts: readonly number[], threshold: number, options: BreakdownOptions = {}): SuppressedBreakdown {
  assertThreshold(threshold);
  const total = options.total ?? counts.reduce((sum, c) => sum + c, 0);
  const totalHidden: Hidden | null = options.totalHidden ?? (isSmall(total, threshold) ? "small" : null);
  if (totalHidden) {
    // Every part of a hidden total is at most the total; a part of a complementary-hidden total may be large,
    // so it is marked complementary rather than claiming it is small.
    return { cells: counts.map((c) => (isSmall(c, threshold) ? "small" : totalHidden)), total: totalHidden };
  }
  const cells: Array<Hidden | null> = counts.map((c, i) => options.forced?.[i] ?? (isSmall(c, threshold) ? "small" : null));
  if (options.additive === false) return { cells, total: null };
  const hidden = cells.filter((c) => c !== null).length;
  if (hidden !== 1) return { cells, total: null };
  // A single hidden zero needs no company: finding by subtraction that nobody is in a group tells nothing
  // about anyone.
  if (counts[cells.findIndex((c) => c !== null)] === 0) return { cells, total: null };
  let smallest = -1;
  for (let i = 0; i < counts.length; i++) {
    if (cells[i] !== null) continue;
    if (smallest === -1 || counts[i]! < counts[smallest]!) smallest = i;
  }
  if (smallest === -1) return { cells, total: "complementary" };
  cells[smallest] = "complementary";
  return { cells, total: null };
}

/**
 * A table of groups (rows) by measures (columns), each column an additive breakdown over the same groups with
 * its own published total: the rows hidden in `rowHidden` hide their cells, and each column then gets the
 * complementary rule of its own.
 */
export function suppressColumns(
  columns: ReadonlyArray<readonly number[]>,
  threshold: number,
  options: { rowHidden?: ReadonlyArray<Hidden | null>; totals?: ReadonlyArray<number | undefined>; totalsHidden?: ReadonlyArray<Hidden | null | undefined> } = {},
): SuppressedBreakdown[] {
  return columns.map((counts, c) =>
    suppressBreakdown(counts, threshold, {
      forced: options.rowHidden,
      total: options.totals?.[c],
      totalHidden: options.totalsHidden?.[c] ?? null,
    }),
  );
}

/** A single figure with no parts: hidden when small. */
export function suppressCount(count: number, threshold: number): Hidden | null {
  assertThreshold(threshold);
  return isSmall(count, threshold) ? "small" : null;
}

/** The text a hidden figure shows in every format. */
export function hiddenLabel(hidden: Hidden, threshold: number): string {
  return hidden === "small" ? `< ${threshold}` : "×";
}

/** A stored or typed threshold below the minimum is never used. */
export function effectiveThreshold(value: unknown): number {
  return typeof value === "number" && Number.isInteger(value) && value >= MIN_THRESHOLD ? value : DEFAULT_THRESHOLD;
}

function assertThreshold(threshold: number): void {
  if (!Number.isInteger(threshold) || threshold < MIN_THRESHOLD) throw new RangeError(`suppression threshold ${threshold} is below ${MIN_THRESHOLD}`);
}
