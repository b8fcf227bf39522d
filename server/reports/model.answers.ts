// The questionnaire sections of the report model: statements with intervals and the comparison, themes, the
// grade, the other questions, the breakdowns and the trend — every figure through the suppression module.
import { periodShortLabel } from "./period.ts";
import type { StatementSlot } from "./questions.ts";
import { DIMENSION_LABELS, THEME_LABELS, THEME_ORDER } from "./reports.labels.ts";
import type { Breakdown, BreakdownRow, Figure, GradeResult, GroupRow, OtherQuestion, StatementResult, ThemeResult, TrendPoint } from "./reports.model.ts";
import { figure, groupLabel, orderGroups, pctOf, statementCounts, sum, themePcts, visiblePct, type SectionContext, type Totals } from "./model.shared.ts";
import { round, twoMeansTest, twoProportionTest, wilson } from "./stats.ts";
import { suppressBreakdown, suppressCount, type Hidden } from "./suppression.ts";

export function statementsOf(
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

export function themesOf(slots: StatementSlot[], unrounded: Map<string, number | null>, previousUnrounded: Map<string, number | null>): ThemeResult[] {
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

export function gradeOf(ctx: SectionContext, current: Totals, previous: Totals, respondents: Figure, previousRespondents: Figure): GradeResult {
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

export function otherQuestionsOf(ctx: SectionContext, questionnaire: string): OtherQuestion[] {
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

export function breakdownsOf(
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

export function trendOf(ctx: SectionContext, questionnaire: string, slots: StatementSlot[], respondents: Figure, current: Totals): TrendPoint[] {
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
