// Helpers of the report model (reports.model.ts): figures, sums of grouped counts, group order and labels.
import { AGE_BAND_ORDER, ageBandLabel } from "./age-bands.ts";
import type { StatementSlot } from "./questions.ts";
import type { GradeCounts, SlotCounts } from "./reports.queries.ts";
import { MODE_LABELS, MODE_ORDER, THEME_ORDER, UNKNOWN_GROUP } from "./reports.labels.ts";
import type { Figure, Pct, ReportInput } from "./reports.model.ts";
import { round } from "./stats.ts";
import type { Hidden } from "./suppression.ts";

export function figure(value: number, hidden: Hidden | null): Figure {
  return hidden ? { value: null, hidden } : { value, hidden: null };
}

export const pctOf = (part: number, whole: number) => (whole > 0 ? (part / whole) * 100 : 0);

export function visiblePct(part: number, whole: number, ...figures: Figure[]): Pct {
  return figures.some((f) => f.hidden !== null) || whole <= 0 ? null : round(pctOf(part, whole));
}

export function emptySlots(count: number): SlotCounts[] {
  return Array.from({ length: count }, () => ({ zero: 0, one: 0, agree: 0, valid: 0 }));
}

export function emptyGrade(): GradeCounts {
  return { n: 0, sum: 0, sumOfSquares: 0, distribution: Array.from({ length: 10 }, () => 0) };
}

export type Totals = { respondents: number; slots: SlotCounts[]; grade: GradeCounts };

export function addInto(target: Totals, row: { respondents: number; slots: SlotCounts[]; grade: GradeCounts }): void {
  target.respondents += row.respondents;
  row.slots.forEach((s, i) => {
    const t = target.slots[i];
    if (!t) return;
    t.zero += s.zero;
    t.one += s.one;
    t.agree += s.agree;
    t.valid += s.valid;
  });
  target.grade.n += row.grade.n;
  target.grade.sum += row.grade.sum;
  target.grade.sumOfSquares += row.grade.sumOfSquares;
  row.grade.distribution.forEach((c, i) => (target.grade.distribution[i]! += c));
}

export function sum(rows: ReadonlyArray<{ respondents: number; slots: SlotCounts[]; grade: GradeCounts }>, slotCount: number): Totals {
  const totals: Totals = { respondents: 0, slots: emptySlots(slotCount), grade: emptyGrade() };
  for (const row of rows) addInto(totals, row);
  return totals;
}

/** What a slot's counts mean for its kind: answers that count, agreeing (or ja) answers, don't know. */
export function statementCounts(slot: StatementSlot, counts: SlotCounts): { valid: number; agree: number; dontKnow: number } {
  if (slot.kind === "yes_no") return { valid: counts.zero + counts.one, agree: counts.one, dontKnow: 0 };
  return { valid: counts.valid, agree: counts.agree, dontKnow: counts.zero };
}

export function compareLabels(a: { key: string; label: string }, b: { key: string; label: string }): number {
  if (a.key === "" && b.key !== "") return 1;
  if (b.key === "" && a.key !== "") return -1;
  return a.label.localeCompare(b.label, "nl");
}

export function groupLabel(dimension: string, key: string): string {
  if (key === "") return UNKNOWN_GROUP;
  if (dimension === "age_band") return ageBandLabel(key);
  if (dimension === "mode") return MODE_LABELS[key] ?? key;
  return key;
}

export function orderGroups(dimension: string, groups: Array<{ key: string; label: string }>): Array<{ key: string; label: string }> {
  if (dimension === "age_band") return [...groups].sort((a, b) => AGE_BAND_ORDER.indexOf(a.key as never) - AGE_BAND_ORDER.indexOf(b.key as never));
  if (dimension === "mode") return [...groups].sort((a, b) => MODE_ORDER.indexOf(a.key) - MODE_ORDER.indexOf(b.key));
  return [...groups].sort(compareLabels);
}


export function themePcts(slots: StatementSlot[], pcts: Map<string, number | null>): Record<string, Pct> {
  const result: Record<string, Pct> = {};
  for (const theme of THEME_ORDER) {
    const members = slots.filter((s) => s.kind === "agreement" && s.theme === theme);
    if (members.length === 0) continue;
    const values = members.map((s) => pcts.get(s.key));
    // A theme is shown only when all of its statements are: otherwise the hidden one would follow from it.
    result[theme] = values.every((v): v is number => typeof v === "number") ? round(values.reduce((a, b) => a + b, 0) / values.length) : null;
  }
  return result;
}

export type SectionContext = { input: ReportInput; threshold: number };
