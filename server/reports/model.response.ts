// The response and follow-up sections of the report model: the funnel per channel, who answered against who was
// invited, the follow-ups, and the population of the method note — every figure through the suppression module.
import { AGE_BAND_ORDER, ageBandLabel } from "./age-bands.ts";
import type { NonResponseRow } from "./funnel.queries.ts";
import { CHANNEL_LABELS, CHANNEL_ORDER, LAW_LABELS, OUTCOME_LABELS, OUTCOME_ORDER, SKIP_REASON_LABELS, UNKNOWN_GROUP } from "./reports.labels.ts";
import type { CompositionRow, Figure, FollowupSection, FunnelLine, ReportModel } from "./reports.model.ts";
import { compareLabels, figure, pctOf, visiblePct, type SectionContext } from "./model.shared.ts";
import { round } from "./stats.ts";
import { suppressBreakdown, suppressCount, type Hidden } from "./suppression.ts";

export function funnelOf(ctx: SectionContext): ReportModel["funnel"] {
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

export function nonResponseOf(ctx: SectionContext, funnelTotal: FunnelLine): ReportModel["nonResponse"] {
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

export function followupsOf(ctx: SectionContext): FollowupSection {
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

export function populationOf(ctx: SectionContext): ReportModel["population"] {
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
