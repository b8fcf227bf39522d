// The report model: the grouped counts from the database turned into the figures a report publishes, with
// small-number suppression applied to every one of them. This is the only place that sees unsuppressed
// counts; the model it returns holds no hidden figure at all (a hidden count is null with the reason), and
// every format (HTML, PDF, CSV, XLSX, JSON) and every chart is drawn from the model alone.
import { AGE_BAND_ORDER, ageBandLabel } from "./age-bands.ts";
import type { Period } from "./period.ts";
import { periodLabel, periodShortLabel } from "./period.ts";
import { QUESTIONNAIRE_LABELS, lawOf, type StatementSlot } from "./questions.ts";
import type { FollowupTotals, FunnelRow, GradeCounts, NonResponseRow, ReportFilters, SlotCounts, TrendRow } from "./reports.queries.ts";

/**
 * Counts of the period for one questionnaire and one breakdown group (dimension "all": the whole). Several rows
 * of the same group (one per month, say) are added up.
 */
export type GroupRow = { questionnaire: string; dimension: string; key: string; respondents: number; slots: SlotCounts[]; grade: GradeCounts };
import {
  CHANNEL_LABELS,
  CHANNEL_ORDER,
  DIMENSION_LABELS,
  LAW_LABELS,
  MODE_LABELS,
  MODE_ORDER,
  OUTCOME_LABELS,
  OUTCOME_ORDER,
  SKIP_REASON_LABELS,
  THEME_LABELS,
  THEME_ORDER,
  UNKNOWN_GROUP,
  formatCount,
} from "./reports.labels.ts";
import { round, twoMeansTest, twoProportionTest, wilson } from "./stats.ts";
import { hiddenLabel, suppressBreakdown, suppressCount, type Hidden } from "./suppression.ts";

export const MODEL_VERSION = 1;

/** A count as published: the value, or null with the reason it is hidden. */
export type Figure = { value: number | null; hidden: Hidden | null };
/** A percentage (0–100, one decimal), null when it may not be shown. */
export type Pct = number | null;

export type StatementResult = {
  number: number;
  key: string;
  text: string;
  theme: string | null;
  kind: "agreement" | "yes_no";
  /** Answers that count: 1–5 (agreement) or ja + nee. */
  n: Figure;
  dontKnow: Figure | null;
  pct: Pct;
  ci: { low: number; high: number } | null;
  previous: { n: Figure; pct: Pct };
  change: number | null;
  significant: boolean | null;
};

export type ThemeResult = { theme: string; label: string; statements: string[]; pct: Pct; previousPct: Pct; change: number | null };

export type GradeResult = {
  n: Figure;
  mean: number | null;
  sufficientPct: Pct;
  distribution: Array<{ grade: number; count: Figure; pct: Pct }>;
  previous: { n: Figure; mean: number | null };
  change: number | null;
  significant: boolean | null;
};

export type OtherQuestion = {
  key: string;
  title: string;
  kind: "choice" | "multiple" | "number";
  n: Figure;
  options: Array<{ value: string; label: string; count: Figure; pct: Pct }>;
  mean: number | null;
};

export type BreakdownRow = {
  key: string;
  label: string;
  respondents: Figure;
  statements: Array<{ key: string; n: Figure; pct: Pct }>;
  themes: Record<string, Pct>;
  grade: { n: Figure; mean: number | null } | null;
};

export type Breakdown = { dimension: string; label: string; rows: BreakdownRow[] };

export type TrendPoint = { quarter: string; label: string; respondents: Figure; themes: Record<string, Pct>; grade: number | null };

export type QuestionnaireSection = {
  id: string;
  label: string;
  law: "wmo" | "jeugd";
  respondents: Figure;
  statements: StatementResult[];
  themes: ThemeResult[];
  grade: GradeResult | null;
  otherQuestions: OtherQuestion[];
  breakdowns: Breakdown[];
  trend: TrendPoint[];
};

export type FunnelLine = {
  channel: string;
  label: string;
  invited: Figure;
  delivered: Figure;
  bounced: Figure;
  opened: Figure;
  started: Figure;
  completed: Figure;
  rate: Pct;
};

export type CompositionRow = { key: string; label: string; invited: Figure; invitedShare: Pct; completed: Figure; completedShare: Pct; rate: Pct };

export type FollowupSection = {
  triggered: Figure;
  reached: Figure;
  reachedPct: Pct;
  withinSla: Figure;
  withinSlaPct: Pct;
  lateSla: Figure;
  pendingSla: Figure;
  open: Figure;
  escalated: Figure;
  outcomes: Array<{ outcome: string; label: string; count: Figure; pct: Pct }>;
  themes: Array<{ theme: string; label: string; count: Figure; pct: Pct }>;
};

export type ReportModel = {
  version: number;
  municipality: { code: string; name: string };
  period: { key: string; label: string; kind: string; firstDay: string; lastDay: string };
  previousPeriod: { key: string; label: string };
  generatedAt: string;
  status: "provisional" | "open" | "closed";
  filters: Array<{ name: string; label: string; value: string }>;
  threshold: number;
  hiddenLabels: { small: string; complementary: string };
  population: { conversations: Figure; invited: Figure; skipped: Array<{ reason: string; label: string; count: Figure }>; notPlanned: Figure };
  respondents: Figure;
  byQuestionnaire: Array<{ id: string; label: string; respondents: Figure }>;
  funnel: { channels: FunnelLine[]; total: FunnelLine };
  nonResponse: Array<{ dimension: string; label: string; rows: CompositionRow[] }>;
  questionnaires: QuestionnaireSection[];
  followups: FollowupSection;
  quotes: Array<{ text: string; source: string }>;
  quotesHidden: boolean;
  notes: string[];
  method: string[];
};

export type ReportInput = {
  municipality: { code: string; name: string };
  period: Period;
  previous: Period;
  quarters: readonly Period[];
  generatedAt: Date;
  status: ReportModel["status"];
  threshold: number;
  filters: ReportFilters;
  filterLabels: ReportModel["filters"];
  slots: Map<string, StatementSlot[]>;
  gradeQuestionnaires: Set<string>;
  groups: GroupRow[];
  trend: TrendRow[];
  answers: { values: Array<{ questionnaire: string; key: string; value: string; count: number }>; answered: Array<{ questionnaire: string; key: string; count: number }> };
  questionInfo: Map<string, { title: string; kind: "choice" | "multiple" | "number"; labels: Map<string, string> }>;
  funnel: FunnelRow[];
  nonResponse: NonResponseRow[];
  population: Array<{ status: string | null; reason: string | null; count: number }>;
  followups: FollowupTotals;
  outcomes: Array<{ outcome: string | null; count: number }>;
  themes: Array<{ theme: string; label: string; count: number }>;
  quotes: Array<{ text: string; source: string }>;
  arrivedLate: Array<{ period: string; label: string; count: number }>;
  slaWorkingDays: number;
  /** Every questionnaire, also those without answers (the legal export lists every statement). */
  allQuestionnaires?: boolean;
};

// --- small helpers ------------------------------------------------------------------------------------------

function figure(value: number, hidden: Hidden | null): Figure {
  return hidden ? { value: null, hidden } : { value, hidden: null };
}

const pctOf = (part: number, whole: number) => (whole > 0 ? (part / whole) * 100 : 0);

function visiblePct(part: number, whole: number, ...figures: Figure[]): Pct {
  return figures.some((f) => f.hidden !== null) || whole <= 0 ? null : round(pctOf(part, whole));
}

function emptySlots(count: number): SlotCounts[] {
  return Array.from({ length: count }, () => ({ zero: 0, one: 0, agree: 0, valid: 0 }));
}

function emptyGrade(): GradeCounts {
  return { n: 0, sum: 0, sumOfSquares: 0, distribution: Array.from({ length: 10 }, () => 0) };
}

type Totals = { respondents: number; slots: SlotCounts[]; grade: GradeCounts };

function addInto(target: Totals, row: { respondents: number; slots: SlotCounts[]; grade: GradeCounts }): void {
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

function sum(rows: ReadonlyArray<{ respondents: number; slots: SlotCounts[]; grade: GradeCounts }>, slotCount: number): Totals {
  const totals: Totals = { respondents: 0, slots: emptySlots(slotCount), grade: emptyGrade() };
  for (const row of rows) addInto(totals, row);
  return totals;
}

/** What a slot's counts mean for its kind: answers that count, agreeing (or ja) answers, don't know. */
function statementCounts(slot: StatementSlot, counts: SlotCounts): { valid: number; agree: number; dontKnow: number } {
  if (slot.kind === "yes_no") return { valid: counts.zero + counts.one, agree: counts.one, dontKnow: 0 };
  return { valid: counts.valid, agree: counts.agree, dontKnow: counts.zero };
}

function compareLabels(a: { key: string; label: string }, b: { key: string; label: string }): number {
  if (a.key === "" && b.key !== "") return 1;
  if (b.key === "" && a.key !== "") return -1;
  return a.label.localeCompare(b.label, "nl");
}

function groupLabel(dimension: string, key: string): string {
  if (key === "") return UNKNOWN_GROUP;
  if (dimension === "age_band") return ageBandLabel(key);
  if (dimension === "mode") return MODE_LABELS[key] ?? key;
  return key;
}

function orderGroups(dimension: string, groups: Array<{ key: string; label: string }>): Array<{ key: string; label: string }> {
  if (dimension === "age_band") return [...groups].sort((a, b) => AGE_BAND_ORDER.indexOf(a.key as never) - AGE_BAND_ORDER.indexOf(b.key as never));
  if (dimension === "mode") return [...groups].sort((a, b) => MODE_ORDER.indexOf(a.key) - MODE_ORDER.indexOf(b.key));
  return [...groups].sort(compareLabels);
}

// --- the sections ---------------------------------------------------------------------------------------------

function themePcts(slots: StatementSlot[], pcts: Map<string, number | null>): Record<string, Pct> {
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

type SectionContext = { input: ReportInput; threshold: number };

function statementsOf(
  ctx: SectionContext,
  slots: StatementSlot[],
  current: Totals,
  previous: Totals,
  respondents: Figure,
  previousRespondents: Figure,
): { statements: StatementResult[]; unrounded: Map<string, number | null>; previousUnrounded: Map<string, number | null>; validHidden: Map<string, Hidden | null> } {
  const T = ctx.threshold;
  const unrounded = new Map<string, number | null>();
  const previousUnrounded = new Map<string, number | null>();
  const validHidden = new Map<string, Hidden | null>();
  // "Weet niet" and the answers that count are published; how many skipped the question is not, so neither
  // figure can be found from the other and the number of respondents: each is hidden only when small.
  const single = (value: number, section: Figure) => figure(value, section.hidden ? (value < T ? "small" : section.hidden) : suppressCount(value, T));
  const statements = slots.map((slot): StatementResult => {
    const c = statementCounts(slot, current.slots[slot.slot - 1]!);
    const n = single(c.valid, respondents);
    validHidden.set(slot.key, n.hidden);
    const p = statementCounts(slot, previous.slots[slot.slot - 1]!);
    const prevN = single(p.valid, previousRespondents);
    const shown = n.hidden === null && c.valid > 0;
    const prevShown = prevN.hidden === null && p.valid > 0;
    unrounded.set(slot.key, shown ? pctOf(c.agree, c.valid) : null);
    previousUnrounded.set(slot.key, prevShown ? pctOf(p.agree, p.valid) : null);
    const interval = shown ? wilson(c.agree, c.valid) : undefined;
    const test = shown && prevShown ? twoProportionTest(c.agree, c.valid, p.agree, p.valid) : undefined;
    return {
      number: slot.number,
      key: slot.key,
      text: slot.text,
      theme: slot.theme ?? null,
      kind: slot.kind,
      n,
      dontKnow: slot.kind === "agreement" ? single(c.dontKnow, respondents) : null,
      pct: shown ? round(pctOf(c.agree, c.valid)) : null,
      ci: interval ? { low: round(interval.low * 100), high: round(interval.high * 100) } : null,
      previous: { n: prevN, pct: prevShown ? round(pctOf(p.agree, p.valid)) : null },
      change: shown && prevShown ? round(pctOf(c.agree, c.valid) - pctOf(p.agree, p.valid)) : null,
      significant: test ? test.significant : null,
    };
  });
  return { statements, unrounded, previousUnrounded, validHidden };
}

function themesOf(slots: StatementSlot[], unrounded: Map<string, number | null>, previousUnrounded: Map<string, number | null>): ThemeResult[] {
  const now = themePcts(slots, unrounded);
  const before = themePcts(slots, previousUnrounded);
  const exact = (map: Map<string, number | null>, theme: string) => {
    const values = slots.filter((s) => s.kind === "agreement" && s.theme === theme).map((s) => map.get(s.key));
    return values.every((v): v is number => typeof v === "number") ? values.reduce((a, b) => a + b, 0) / values.length : null;
  };
  return THEME_ORDER.filter((t) => t in now).map((theme) => {
    const a = exact(unrounded, theme);
    const b = exact(previousUnrounded, theme);
    return {
      theme,
      label: THEME_LABELS[theme]!,
      statements: slots.filter((s) => s.kind === "agreement" && s.theme === theme).map((s) => s.key),
      pct: now[theme] ?? null,
      previousPct: before[theme] ?? null,
      change: a !== null && b !== null ? round(a - b) : null,
    };
  });
}

function gradeOf(ctx: SectionContext, current: Totals, previous: Totals, respondents: Figure, previousRespondents: Figure): GradeResult {
  const T = ctx.threshold;
  const g = current.grade;
  const single = (value: number, section: Figure) => figure(value, section.hidden ? (value < T ? "small" : section.hidden) : suppressCount(value, T));
  const n = single(g.n, respondents);
  const distribution = suppressBreakdown(g.distribution, T, { total: g.n, totalHidden: n.hidden });
  const sufficient = g.distribution.slice(5).reduce((a, b) => a + b, 0);
  const sufficientShown = n.hidden === null && suppressBreakdown([sufficient, g.n - sufficient], T, { total: g.n }).cells.every((c) => c === null);
  const prev = previous.grade;
  const prevN = single(prev.n, previousRespondents);
  const mean = n.hidden === null && g.n > 0 ? g.sum / g.n : null;
  const prevMean = prevN.hidden === null && prev.n > 0 ? prev.sum / prev.n : null;
  const test = mean !== null && prevMean !== null ? twoMeansTest({ n: g.n, sum: g.sum, sumOfSquares: g.sumOfSquares }, { n: prev.n, sum: prev.sum, sumOfSquares: prev.sumOfSquares }) : undefined;
  return {
    n,
    mean: mean === null ? null : round(mean, 1),
    sufficientPct: sufficientShown ? round(pctOf(sufficient, g.n)) : null,
    distribution: g.distribution.map((count, i) => {
      const f = figure(count, distribution.cells[i]!);
      return { grade: i + 1, count: f, pct: visiblePct(count, g.n, f, n) };
    }),
    previous: { n: prevN, mean: prevMean === null ? null : round(prevMean, 1) },
    change: mean !== null && prevMean !== null ? round(mean - prevMean, 1) : null,
    significant: test ? test.significant : null,
  };
}

function otherQuestionsOf(ctx: SectionContext, questionnaire: string): OtherQuestion[] {
  const T = ctx.threshold;
  const { values, answered } = ctx.input.answers;
  const keys = [...new Set(answered.filter((a) => a.questionnaire === questionnaire).map((a) => a.key))];
  return keys
    .map((key): OtherQuestion => {
      const info = ctx.input.questionInfo.get(`${questionnaire}:${key}`) ?? { title: key, kind: "choice" as const, labels: new Map<string, string>() };
      const total = answered.find((a) => a.questionnaire === questionnaire && a.key === key)?.count ?? 0;
      const n = figure(total, suppressCount(total, T));
      const counts = values.filter((v) => v.questionnaire === questionnaire && v.key === key);
      if (info.kind === "number") {
        const numbers = counts.map((c) => ({ v: Number(c.value), c: c.count })).filter((x) => Number.isFinite(x.v));
        const count = numbers.reduce((a, x) => a + x.c, 0);
        const mean = n.hidden === null && count > 0 ? round(numbers.reduce((a, x) => a + x.v * x.c, 0) / count, 1) : null;
        return { key, title: info.title, kind: "number", n, options: [], mean };
      }
      // Every listed answer is shown, also those nobody chose (hidden as small, like any count under the threshold).
      const options = [...info.labels.keys()];
      for (const c of counts) if (!options.includes(c.value)) options.push(c.value);
      const optionCounts = options.map((o) => counts.find((c) => c.value === o)?.count ?? 0);
      const hidden = suppressBreakdown(optionCounts, T, { total, totalHidden: n.hidden, additive: info.kind !== "multiple" });
      return {
        key,
        title: info.title,
        kind: info.kind,
        n,
        options: options.map((value, i) => {
          const f = figure(optionCounts[i]!, hidden.cells[i]!);
          return { value, label: info.labels.get(value) ?? value, count: f, pct: visiblePct(optionCounts[i]!, total, f, n) };
        }),
        mean: null,
      };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
}

function breakdownsOf(
  ctx: SectionContext,
  questionnaire: string,
  slots: StatementSlot[],
  rows: GroupRow[],
  totals: Totals,
  respondents: Figure,
  validHidden: Map<string, Hidden | null>,
  grade: GradeResult | null,
): Breakdown[] {
  const T = ctx.threshold;
  const slotCount = totals.slots.length;
  return (["team", "area", "provision", "age_band", "mode"] as const).map((dimension) => {
    const byKey = new Map<string, GroupRow[]>();
    for (const row of rows) {
      if (row.dimension !== dimension) continue;
      byKey.set(row.key, [...(byKey.get(row.key) ?? []), row]);
    }
    const groups = orderGroups(
      dimension,
      [...byKey.keys()].map((key) => ({ key, label: groupLabel(dimension, key) })),
    );
    const groupTotals = groups.map((g) => sum(byKey.get(g.key)!, slotCount));
    const rowHidden = suppressBreakdown(
      groupTotals.map((g) => g.respondents),
      T,
      { total: totals.respondents, totalHidden: respondents.hidden },
    ).cells;
    const statementColumns = slots.map((slot) => {
      const counts = groupTotals.map((g) => statementCounts(slot, g.slots[slot.slot - 1]!));
      const overall = statementCounts(slot, totals.slots[slot.slot - 1]!);
      const hidden = suppressBreakdown(
        counts.map((c) => c.valid),
        T,
        { total: overall.valid, forced: rowHidden, totalHidden: validHidden.get(slot.key) ?? null },
      ).cells;
      return { slot, counts, hidden };
    });
    const gradeColumn =
      grade !== null
        ? suppressBreakdown(
            groupTotals.map((g) => g.grade.n),
            T,
            { total: totals.grade.n, forced: rowHidden, totalHidden: grade.n.hidden },
          ).cells
        : null;
    const out = groups.map((group, i): BreakdownRow => {
      const g = groupTotals[i]!;
      const exact = new Map<string, number | null>();
      const statements = statementColumns.map(({ slot, counts, hidden }) => {
        const c = counts[i]!;
        const n = figure(c.valid, hidden[i]!);
        const shown = n.hidden === null && c.valid > 0;
        exact.set(slot.key, shown ? pctOf(c.agree, c.valid) : null);
        return { key: slot.key, n, pct: shown ? round(pctOf(c.agree, c.valid)) : null };
      });
      const gradeN = gradeColumn ? figure(g.grade.n, gradeColumn[i]!) : null;
      return {
        key: group.key,
        label: group.label,
        respondents: figure(g.respondents, rowHidden[i]!),
        statements,
        themes: themePcts(slots, exact),
        grade: gradeN ? { n: gradeN, mean: gradeN.hidden === null && g.grade.n > 0 ? round(g.grade.sum / g.grade.n, 1) : null } : null,
      };
    });
    return { dimension, label: DIMENSION_LABELS[dimension]!, rows: out };
  });
}

function trendOf(ctx: SectionContext, questionnaire: string, slots: StatementSlot[], respondents: Figure, current: Totals): TrendPoint[] {
  const T = ctx.threshold;
  const { quarters, period } = ctx.input;
  const slotCount = current.slots.length;
  const perQuarter = quarters.map((_, i) => sum(ctx.input.trend.filter((r) => r.quarter === i && r.questionnaire === questionnaire), slotCount));
  const hidden: Array<Hidden | null> = perQuarter.map((q) => suppressCount(q.respondents, T));
  // The quarters of this period add up to the section's published total (for a quarter report, the one quarter
  // is that total): the complementary rule, and a hidden total hides them.
  const inside = quarters.map((q, i) => (q.start >= period.start && q.end <= period.end ? i : -1)).filter((i) => i >= 0);
  const cells = suppressBreakdown(
    inside.map((i) => perQuarter[i]!.respondents),
    T,
    { total: current.respondents, totalHidden: respondents.hidden },
  ).cells;
  inside.forEach((qi, k) => (hidden[qi] = cells[k]!));
  return quarters.map((quarter, i) => {
    const q = perQuarter[i]!;
    const exact = new Map<string, number | null>();
    for (const slot of slots) {
      const c = statementCounts(slot, q.slots[slot.slot - 1]!);
      exact.set(slot.key, hidden[i] === null && c.valid >= T ? pctOf(c.agree, c.valid) : null);
    }
    return {
      quarter: quarter.key,
      label: periodShortLabel(quarter),
      respondents: figure(q.respondents, hidden[i]!),
      themes: themePcts(slots, exact),
      grade: ctx.input.gradeQuestionnaires.has(questionnaire) && hidden[i] === null && q.grade.n >= T ? round(q.grade.sum / q.grade.n, 1) : null,
    };
  });
}

function funnelOf(ctx: SectionContext): ReportModel["funnel"] {
  const T = ctx.threshold;
  const channels = [...new Set([...CHANNEL_ORDER.filter((c) => ctx.input.funnel.some((f) => f.channel === c)), ...ctx.input.funnel.map((f) => f.channel)])];
  const rows = channels.map((c) => ctx.input.funnel.find((f) => f.channel === c)!);
  const stages = ["invited", "delivered", "bounced", "opened", "started", "completed"] as const;
  const totals = Object.fromEntries(stages.map((s) => [s, rows.reduce((a, r) => a + r[s], 0)])) as Record<(typeof stages)[number], number>;
  const hidden = Object.fromEntries(stages.map((s) => [s, suppressBreakdown(rows.map((r) => r[s]), T, { total: totals[s] })])) as Record<
    (typeof stages)[number],
    ReturnType<typeof suppressBreakdown>
  >;
  const line = (channel: string, label: string, values: Record<(typeof stages)[number], number>, cell: (s: (typeof stages)[number]) => Hidden | null): FunnelLine => {
    const f = Object.fromEntries(stages.map((s) => [s, figure(values[s], cell(s))])) as Record<(typeof stages)[number], Figure>;
    return { channel, label, ...f, rate: visiblePct(values.completed, values.invited, f.invited, f.completed) };
  };
  return {
    channels: rows.map((r, i) => line(r.channel, CHANNEL_LABELS[r.channel] ?? r.channel, r, (s) => hidden[s].cells[i]!)),
    total: line("totaal", "Totaal", totals, (s) => hidden[s].total ?? suppressCount(totals[s], T)),
  };
}

function nonResponseOf(ctx: SectionContext, funnelTotal: FunnelLine): ReportModel["nonResponse"] {
  const T = ctx.threshold;
  const rows = ctx.input.nonResponse;
  const totalInvited = rows.reduce((a, r) => a + r.invited, 0);
  const totalCompleted = rows.reduce((a, r) => a + r.completed, 0);
  const invitedHidden = suppressCount(totalInvited, T);
  const completedHidden = suppressCount(totalCompleted, T);
  const dims: Array<{ dimension: string; label: string; keyOf: (r: NonResponseRow) => string; labelOf: (k: string) => string; order?: (a: string, b: string) => number }> = [
    { dimension: "age_band", label: "Leeftijd", keyOf: (r) => r.age_band, labelOf: ageBandLabel, order: (a, b) => AGE_BAND_ORDER.indexOf(a as never) - AGE_BAND_ORDER.indexOf(b as never) },
    { dimension: "law", label: "Wet", keyOf: (r) => r.law, labelOf: (k) => LAW_LABELS[k] ?? k, order: (a, b) => (a === "wmo" ? -1 : b === "wmo" ? 1 : a.localeCompare(b)) },
    { dimension: "team", label: "Team", keyOf: (r) => r.team ?? "", labelOf: (k) => (k === "" ? UNKNOWN_GROUP : k) },
  ];
  void funnelTotal;
  return dims.map((d) => {
    const keys = [...new Set(rows.map(d.keyOf))];
    const groups = keys.map((key) => ({ key, label: d.labelOf(key) }));
    const ordered = d.order ? groups.sort((a, b) => d.order!(a.key, b.key)) : groups.sort(compareLabels);
    const invited = ordered.map((g) => rows.filter((r) => d.keyOf(r) === g.key).reduce((a, r) => a + r.invited, 0));
    const completed = ordered.map((g) => rows.filter((r) => d.keyOf(r) === g.key).reduce((a, r) => a + r.completed, 0));
    const invitedCells = suppressBreakdown(invited, T, { total: totalInvited, totalHidden: invitedHidden }).cells;
    const completedCells = suppressBreakdown(completed, T, { total: totalCompleted, totalHidden: completedHidden }).cells;
    return {
      dimension: d.dimension,
      label: d.label,
      rows: ordered.map((g, i): CompositionRow => {
        const inv = figure(invited[i]!, invitedCells[i]!);
        const com = figure(completed[i]!, completedCells[i]!);
        return {
          key: g.key,
          label: g.label,
          invited: inv,
          invitedShare: visiblePct(invited[i]!, totalInvited, inv),
          completed: com,
          completedShare: visiblePct(completed[i]!, totalCompleted, com),
          rate: visiblePct(completed[i]!, invited[i]!, inv, com),
        };
      }),
    };
  });
}

function followupsOf(ctx: SectionContext): FollowupSection {
  const T = ctx.threshold;
  const f = ctx.input.followups;
  const triggered = figure(f.triggered, suppressCount(f.triggered, T));
  // Every figure below is part of the triggered follow-ups: a two-way split of the total, so that neither part
  // can be found by subtraction when the other is small.
  const part = (value: number) => figure(value, suppressBreakdown([value, f.triggered - value], T, { total: f.triggered, totalHidden: triggered.hidden }).cells[0]!);
  const reached = part(f.reached);
  const sla = suppressBreakdown([f.withinSla, f.lateSla, f.pendingSla], T, { total: f.triggered, totalHidden: triggered.hidden }).cells;
  const withinSla = figure(f.withinSla, sla[0]!);
  const lateSla = figure(f.lateSla, sla[1]!);
  const decided = f.withinSla + f.lateSla;
  const outcomeCounts = OUTCOME_ORDER.map((o) =>
    o === "open" ? ctx.input.outcomes.filter((x) => x.outcome === null).reduce((a, x) => a + x.count, 0) : (ctx.input.outcomes.find((x) => x.outcome === o)?.count ?? 0),
  );
  const outcomeCells = suppressBreakdown(outcomeCounts, T, { total: f.triggered, totalHidden: triggered.hidden }).cells;
  const themeCells = suppressBreakdown(
    ctx.input.themes.map((t) => t.count),
    T,
    { total: f.reached, additive: false, totalHidden: reached.hidden },
  ).cells;
  return {
    triggered,
    reached,
    reachedPct: visiblePct(f.reached, f.triggered, reached, triggered),
    withinSla,
    withinSlaPct: decided >= T && withinSla.hidden === null && lateSla.hidden === null ? round(pctOf(f.withinSla, decided)) : null,
    lateSla,
    pendingSla: figure(f.pendingSla, sla[2]!),
    open: part(f.open),
    escalated: part(f.escalated),
    outcomes: OUTCOME_ORDER.map((outcome, i) => {
      const count = figure(outcomeCounts[i]!, outcomeCells[i]!);
      return { outcome, label: OUTCOME_LABELS[outcome]!, count, pct: visiblePct(outcomeCounts[i]!, f.triggered, count, triggered) };
    }).filter((o, i) => outcomeCounts[i]! > 0 || o.outcome !== "open"),
    themes: ctx.input.themes.map((t, i) => {
      const count = figure(t.count, themeCells[i]!);
      return { theme: t.theme, label: t.label, count, pct: visiblePct(t.count, f.reached, count, reached) };
    }),
  };
}

function populationOf(ctx: SectionContext): ReportModel["population"] {
  const T = ctx.threshold;
  const rows = ctx.input.population;
  const total = rows.reduce((a, r) => a + r.count, 0);
  const invited = rows.filter((r) => r.status === "invited").reduce((a, r) => a + r.count, 0);
  const notPlanned = rows.filter((r) => r.status === null).reduce((a, r) => a + r.count, 0);
  const reasons = [...new Set(rows.filter((r) => r.status === "skipped").map((r) => r.reason ?? "anders"))].sort();
  const skipped = reasons.map((reason) => rows.filter((r) => r.status === "skipped" && (r.reason ?? "anders") === reason).reduce((a, r) => a + r.count, 0));
  const other = total - invited - notPlanned - skipped.reduce((a, b) => a + b, 0);
  const cells = suppressBreakdown([invited, notPlanned, ...skipped, other], T, { total }).cells;
  const totalHidden = suppressCount(total, T);
  return {
    conversations: figure(total, totalHidden),
    invited: figure(invited, cells[0]!),
    notPlanned: figure(notPlanned, cells[1]!),
    skipped: reasons.map((reason, i) => ({ reason, label: SKIP_REASON_LABELS[reason] ?? reason, count: figure(skipped[i]!, cells[i + 2]!) })),
  };
}

function describe(f: Figure, threshold: number): string {
  return f.hidden ? (f.hidden === "small" ? `minder dan ${threshold}` : "een verborgen aantal") : formatCount(f.value!);
}

function methodOf(ctx: SectionContext, model: Omit<ReportModel, "method" | "notes">): string[] {
  const T = ctx.threshold;
  const p = ctx.input.period;
  const lines = [
    `Periode: ${periodLabel(p)} (${p.firstDay.split("-").reverse().join("-")} tot en met ${p.lastDay.split("-").reverse().join("-")}). Een ingevulde vragenlijst telt mee in de periode waarin de cliënt hem afmaakte. Een verdiepingsgesprek hoort bij de periode van de vragenlijst die het opleverde.`,
    `Populatie: alle cliënten met een keukentafelgesprek (Wmo) of intake (Jeugd) in deze periode; ${describe(model.population.conversations, T)} gesprekken, waarvan ${describe(model.population.invited, T)} met een uitnodiging. Wie kort geleden al was uitgenodigd, zich had afgemeld of niet bereikbaar was, kreeg geen uitnodiging.`,
    `Respons: ${describe(model.respondents, T)} ingevulde vragenlijsten. Het responspercentage is het aantal ingevulde vragenlijsten gedeeld door het aantal uitnodigingen dat in de periode is verstuurd; een uitnodiging van eind vorige periode kan in deze periode zijn ingevuld.`,
    `Percentages: "(helemaal) mee eens" is het aantal antwoorden 4 of 5 gedeeld door alle antwoorden 1 tot en met 5. "Weet niet / n.v.t." en niet ingevulde vragen tellen niet mee in het percentage; ze staan apart. Bij vraag 5 is het percentage "ja" van ja en nee. Naast elk percentage staat n: het aantal antwoorden waarop het berust.`,
    `Onzekerheid: het 95%-betrouwbaarheidsinterval (Wilson) geeft aan waartussen het percentage met 95% zekerheid ligt. Een verschil met de vorige periode (${model.previousPeriod.label}) is "meer dan toeval" als een toets van twee proporties het op het 5%-niveau aanwijst; bij het rapportcijfer een toets van twee gemiddelden.`,
    `Thema's: toegang, kwaliteit en effect zijn het gemiddelde van de percentages van hun stellingen (de ja/nee-vraag telt niet mee). Een thema staat er alleen als al zijn stellingen er staan.`,
    `Kleine aantallen: een aantal van minder dan ${T} personen tonen we niet ("< ${T}"), ook geen percentage dat erop berust. Is in een tabel maar één getal verborgen (en is dat niet 0), dan verbergen we ook het kleinste andere getal ("×"), zodat het verborgen getal niet terug te rekenen is uit het totaal. Dat geldt voor elke tabel, grafiek en elk bestand.`,
    `Verdiepingsgesprekken: alleen met cliënten die toestemming gaven. "Op tijd" betekent: de eerste belpoging binnen ${ctx.input.slaWorkingDays} werkdagen. Uitspraken staan er alleen in als de cliënt ermee instemde en een medewerker ze heeft gecontroleerd op namen en andere herkenbare gegevens.`,
    `Leeftijd: alleen het geboortejaar is bekend; de leeftijd is het jaar van invullen min het geboortejaar. Wmo: tot 65, 65 tot 75, 75 tot 85 en 85 jaar en ouder. Jeugd: 0 tot 6, 6 tot 12, 12 tot 18 en 18 jaar en ouder.`,
    `De Jeugdwet verbiedt om met deze uitkomsten zorgaanbieders te beoordelen; het rapport vergelijkt geen aanbieders.`,
  ];
  if (model.filters.length > 0) {
    lines.push(`Dit is een uitsnede (${model.filters.map((f) => `${f.label.toLowerCase()}: ${f.value}`).join(", ")}). De uitnodigingen en de respons volgen de filters op wet, team, wijk en voorziening; de manier van invullen is pas bekend als iemand meedoet.`);
  }
  return lines;
}

// --- the model --------------------------------------------------------------------------------------------------

export function buildReportModel(input: ReportInput): ReportModel {
  const T = input.threshold;
  const ctx: SectionContext = { input, threshold: T };
  const present = [...input.slots.keys()].filter((q) => input.allQuestionnaires || input.groups.some((r) => r.questionnaire === q) || input.trend.some((r) => r.questionnaire === q));
  const slotCount = Math.max(0, ...[...input.slots.values()].map((s) => s.length));

  const currentTotals = new Map(present.map((q) => [q, sum(input.groups.filter((r) => r.questionnaire === q && r.dimension === "all"), slotCount)]));
  const previousQuarters = input.quarters.map((q, i) => (q.start >= input.previous.start && q.end <= input.previous.end ? i : -1)).filter((i) => i >= 0);
  const previousTotals = new Map(present.map((q) => [q, sum(input.trend.filter((r) => r.questionnaire === q && previousQuarters.includes(r.quarter)), slotCount)]));

  const allRespondents = [...currentTotals.values()].reduce((a, t) => a + t.respondents, 0);
  const respondents = figure(allRespondents, suppressCount(allRespondents, T));
  const lawCells = suppressBreakdown(present.map((q) => currentTotals.get(q)!.respondents), T, { total: allRespondents, totalHidden: respondents.hidden }).cells;

  const questionnaires = present.map((q, i): QuestionnaireSection => {
    const slots = input.slots.get(q)!;
    const current = currentTotals.get(q)!;
    const previous = previousTotals.get(q)!;
    const sectionRespondents = figure(current.respondents, lawCells[i]!);
    // The previous period's respondents are not published (only its figures per statement), so each
    // questionnaire's previous figures are hidden only when they are small themselves.
    const sectionPrevious = figure(previous.respondents, suppressCount(previous.respondents, T));
    const { statements, unrounded, previousUnrounded, validHidden } = statementsOf(ctx, slots, current, previous, sectionRespondents, sectionPrevious);
    const grade = input.gradeQuestionnaires.has(q) ? gradeOf(ctx, current, previous, sectionRespondents, sectionPrevious) : null;
    return {
      id: q,
      label: QUESTIONNAIRE_LABELS[q] ?? q,
      law: lawOf(q),
      respondents: sectionRespondents,
      statements,
      themes: themesOf(slots, unrounded, previousUnrounded),
      grade,
      otherQuestions: otherQuestionsOf(ctx, q),
      breakdowns: breakdownsOf(
        ctx,
        q,
        slots,
        input.groups.filter((r) => r.questionnaire === q),
        current,
        sectionRespondents,
        validHidden,
        grade,
      ),
      trend: trendOf(ctx, q, slots, sectionRespondents, current),
    };
  });

  const funnel = funnelOf(ctx);
  const partial: Omit<ReportModel, "method" | "notes"> = {
    version: MODEL_VERSION,
    municipality: input.municipality,
    period: { key: input.period.key, label: periodLabel(input.period), kind: input.period.kind, firstDay: input.period.firstDay, lastDay: input.period.lastDay },
    previousPeriod: { key: input.previous.key, label: periodLabel(input.previous) },
    generatedAt: input.generatedAt.toISOString(),
    status: input.status,
    filters: input.filterLabels,
    threshold: T,
    hiddenLabels: { small: hiddenLabel("small", T), complementary: hiddenLabel("complementary", T) },
    population: populationOf(ctx),
    respondents,
    byQuestionnaire: present.map((q, i) => ({ id: q, label: QUESTIONNAIRE_LABELS[q] ?? q, respondents: figure(currentTotals.get(q)!.respondents, lawCells[i]!) })),
    funnel,
    nonResponse: nonResponseOf(ctx, funnel.total),
    questionnaires,
    followups: followupsOf(ctx),
    // Quotes are anonymised by review, but in a tiny group even a careful quote points at someone.
    quotes: respondents.hidden === null ? input.quotes : [],
    quotesHidden: respondents.hidden !== null && input.quotes.length > 0,
  };
  const notes = input.arrivedLate.map((late) => {
    const count = figure(late.count, suppressCount(late.count, T));
    return `Hierin zitten ${describe(count, T)} vragenlijsten uit de periode ${late.label} (${late.period}) die pas binnenkwamen nadat die periode was afgesloten.`;
  });
  if (input.status === "provisional") notes.unshift("Voorlopige cijfers: de periode is nog niet voorbij.");
  return { ...partial, notes, method: methodOf(ctx, partial) };
}
