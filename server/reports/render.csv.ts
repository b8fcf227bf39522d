// The report as CSV in long form: one published figure per line (section, questionnaire, breakdown, group,
// subject, measure, value), so a research bureau can filter and pivot it without guessing at layouts.
// Semicolons and decimal commas, as Dutch Excel expects, with a BOM so Excel reads UTF-8. Every text cell is
// guarded against formula injection; hidden figures carry their label ("< 10" or "×"), never a number.
import { stringify } from "csv-stringify/sync";
import { safeCsvRow } from "../exports/cells.ts";
import type { Figure, Pct, ReportModel } from "./reports.model.ts";
import { formatDecimal } from "./reports.labels.ts";

export const CSV_HEADER = ["sectie", "vragenlijst", "uitsplitsing", "groep", "onderwerp", "omschrijving", "maat", "waarde"];

type Line = [section: string, questionnaire: string, breakdown: string, group: string, subject: string, description: string, measure: string, value: string];

export function figureText(f: Figure, model: Pick<ReportModel, "hiddenLabels">): string {
  return f.hidden ? model.hiddenLabels[f.hidden] : String(f.value);
}

function pctText(p: Pct): string {
  return p === null ? "" : formatDecimal(p);
}

/** Every published figure of the model as lines; the CSV and the tests read the same list. */
export function csvLines(model: ReportModel): Line[] {
  const lines: Line[] = [];
  const fig = (f: Figure) => figureText(f, model);
  const add = (...line: Line) => lines.push(line);

  add("rapport", "", "", "", "gemeente", model.municipality.name, "code", model.municipality.code);
  add("rapport", "", "", "", "periode", model.period.label, "sleutel", model.period.key);
  add("rapport", "", "", "", "status", "", "status", model.status);
  add("rapport", "", "", "", "drempel", "kleinste aantal dat we tonen", "aantal", String(model.threshold));
  add("rapport", "", "", "", "gemaakt", "", "moment", model.generatedAt);
  for (const f of model.filters) add("rapport", "", "", "", "filter", f.label, f.name, f.value);

  add("populatie", "", "", "", "gesprekken", "gesprekken in de periode", "aantal", fig(model.population.conversations));
  add("populatie", "", "", "", "uitgenodigd", "met een uitnodiging", "aantal", fig(model.population.invited));
  add("populatie", "", "", "", "niet_gepland", "nog niet behandeld", "aantal", fig(model.population.notPlanned));
  for (const s of model.population.skipped) add("populatie", "", "reden", s.label, s.reason, "geen uitnodiging", "aantal", fig(s.count));

  add("respons", "", "", "", "ingevuld", "ingevulde vragenlijsten", "aantal", fig(model.respondents));
  for (const q of model.byQuestionnaire) add("respons", q.id, "vragenlijst", q.label, "ingevuld", "ingevulde vragenlijsten", "aantal", fig(q.respondents));
  const stages = { invited: "uitgenodigd", delivered: "afgeleverd", bounced: "niet afgeleverd", opened: "geopend", started: "begonnen", completed: "ingevuld" } as const;
  for (const line of [...model.funnel.channels, model.funnel.total]) {
    for (const [stage, label] of Object.entries(stages) as Array<[keyof typeof stages, string]>) {
      add("kanalen", "", "kanaal", line.label, stage, label, "aantal", fig(line[stage]));
    }
    add("kanalen", "", "kanaal", line.label, "respons", "ingevuld gedeeld door uitgenodigd", "percentage", pctText(line.rate));
  }
  for (const dim of model.nonResponse) {
    for (const row of dim.rows) {
      add("non-respons", "", dim.dimension, row.label, row.key, "uitgenodigd", "aantal", fig(row.invited));
      add("non-respons", "", dim.dimension, row.label, row.key, "uitgenodigd", "percentage", pctText(row.invitedShare));
      add("non-respons", "", dim.dimension, row.label, row.key, "ingevuld", "aantal", fig(row.completed));
      add("non-respons", "", dim.dimension, row.label, row.key, "ingevuld", "percentage", pctText(row.completedShare));
      add("non-respons", "", dim.dimension, row.label, row.key, "respons", "percentage", pctText(row.rate));
    }
  }

  for (const q of model.questionnaires) {
    add("vragenlijst", q.id, "", "", "ingevuld", q.label, "aantal", fig(q.respondents));
    for (const s of q.statements) {
      const measure = s.kind === "yes_no" ? "percentage ja" : "percentage eens";
      add("stelling", q.id, "", "", s.key, s.text, measure, pctText(s.pct));
      add("stelling", q.id, "", "", s.key, s.text, "n", fig(s.n));
      if (s.dontKnow) add("stelling", q.id, "", "", s.key, s.text, "weet niet", fig(s.dontKnow));
      add("stelling", q.id, "", "", s.key, s.text, "ondergrens", s.ci ? formatDecimal(s.ci.low) : "");
      add("stelling", q.id, "", "", s.key, s.text, "bovengrens", s.ci ? formatDecimal(s.ci.high) : "");
      add("stelling", q.id, "", "", s.key, s.text, "vorige periode", pctText(s.previous.pct));
      add("stelling", q.id, "", "", s.key, s.text, "n vorige periode", fig(s.previous.n));
      add("stelling", q.id, "", "", s.key, s.text, "verschil", s.change === null ? "" : formatDecimal(s.change));
      add("stelling", q.id, "", "", s.key, s.text, "meer dan toeval", s.significant === null ? "" : s.significant ? "ja" : "nee");
    }
    for (const t of q.themes) {
      add("thema", q.id, "", "", t.theme, t.label, "percentage eens", pctText(t.pct));
      add("thema", q.id, "", "", t.theme, t.label, "vorige periode", pctText(t.previousPct));
      add("thema", q.id, "", "", t.theme, t.label, "verschil", t.change === null ? "" : formatDecimal(t.change));
    }
    if (q.grade) {
      const g = q.grade;
      add("rapportcijfer", q.id, "", "", "rapportcijfer", "gemiddeld rapportcijfer", "gemiddelde", g.mean === null ? "" : formatDecimal(g.mean));
      add("rapportcijfer", q.id, "", "", "rapportcijfer", "gemiddeld rapportcijfer", "n", fig(g.n));
      add("rapportcijfer", q.id, "", "", "rapportcijfer", "6 of hoger", "percentage", pctText(g.sufficientPct));
      add("rapportcijfer", q.id, "", "", "rapportcijfer", model.previousPeriod.label, "gemiddelde vorige periode", g.previous.mean === null ? "" : formatDecimal(g.previous.mean));
      add("rapportcijfer", q.id, "", "", "rapportcijfer", model.previousPeriod.label, "n vorige periode", fig(g.previous.n));
      add("rapportcijfer", q.id, "", "", "rapportcijfer", "verschil met de vorige periode", "verschil", g.change === null ? "" : formatDecimal(g.change));
      add("rapportcijfer", q.id, "", "", "rapportcijfer", "verschil met de vorige periode", "meer dan toeval", g.significant === null ? "" : g.significant ? "ja" : "nee");
      for (const d of g.distribution) {
        add("rapportcijfer", q.id, "cijfer", String(d.grade), "rapportcijfer", `cijfer ${d.grade}`, "aantal", fig(d.count));
        add("rapportcijfer", q.id, "cijfer", String(d.grade), "rapportcijfer", `cijfer ${d.grade}`, "percentage", pctText(d.pct));
      }
    }
    for (const o of q.otherQuestions) {
      add("overige vraag", q.id, "", "", o.key, o.title, "n", fig(o.n));
      if (o.mean !== null) add("overige vraag", q.id, "", "", o.key, o.title, "gemiddelde", formatDecimal(o.mean));
      for (const option of o.options) {
        add("overige vraag", q.id, "antwoord", option.label, o.key, o.title, "aantal", fig(option.count));
        add("overige vraag", q.id, "antwoord", option.label, o.key, o.title, "percentage", pctText(option.pct));
      }
    }
    for (const b of q.breakdowns) {
      for (const row of b.rows) {
        add("uitsplitsing", q.id, b.dimension, row.label, "ingevuld", "ingevulde vragenlijsten", "aantal", fig(row.respondents));
        for (const [theme, pct] of Object.entries(row.themes)) add("uitsplitsing", q.id, b.dimension, row.label, theme, "thema", "percentage eens", pctText(pct));
        if (row.grade) {
          add("uitsplitsing", q.id, b.dimension, row.label, "rapportcijfer", "gemiddeld rapportcijfer", "gemiddelde", row.grade.mean === null ? "" : formatDecimal(row.grade.mean));
          add("uitsplitsing", q.id, b.dimension, row.label, "rapportcijfer", "gemiddeld rapportcijfer", "n", fig(row.grade.n));
        }
        for (const s of row.statements) {
          add("uitsplitsing", q.id, b.dimension, row.label, s.key, "stelling", "percentage eens", pctText(s.pct));
          add("uitsplitsing", q.id, b.dimension, row.label, s.key, "stelling", "n", fig(s.n));
        }
      }
    }
    for (const p of q.trend) {
      add("trend", q.id, "kwartaal", p.label, p.quarter, "ingevulde vragenlijsten", "aantal", fig(p.respondents));
      for (const [theme, pct] of Object.entries(p.themes)) add("trend", q.id, "kwartaal", p.label, theme, "thema", "percentage eens", pctText(pct));
      if (q.grade) add("trend", q.id, "kwartaal", p.label, "rapportcijfer", "gemiddeld rapportcijfer", "gemiddelde", p.grade === null ? "" : formatDecimal(p.grade));
    }
  }

  const f = model.followups;
  for (const [key, label, value] of [
    ["aangemaakt", "verdiepingsgesprekken", f.triggered],
    ["bereikt", "cliënt bereikt", f.reached],
    ["op_tijd", "eerste poging op tijd", f.withinSla],
    ["te_laat", "eerste poging te laat", f.lateSla],
    ["termijn_loopt", "nog geen poging, termijn loopt", f.pendingSla],
    ["open", "nog niet afgerond", f.open],
    ["geëscaleerd", "dringend gemeld", f.escalated],
  ] as const) {
    add("verdiepingsgesprekken", "", "", "", key, label, "aantal", fig(value));
  }
  add("verdiepingsgesprekken", "", "", "", "bereikt", "cliënt bereikt", "percentage", pctText(f.reachedPct));
  add("verdiepingsgesprekken", "", "", "", "op_tijd", "eerste poging op tijd", "percentage", pctText(f.withinSlaPct));
  for (const o of f.outcomes) {
    add("verdiepingsgesprekken", "", "uitkomst", o.label, o.outcome, "uitkomst", "aantal", fig(o.count));
    add("verdiepingsgesprekken", "", "uitkomst", o.label, o.outcome, "uitkomst", "percentage", pctText(o.pct));
  }
  for (const t of f.themes) {
    add("verdiepingsgesprekken", "", "thema", t.label, t.theme, "thema", "aantal", fig(t.count));
    add("verdiepingsgesprekken", "", "thema", t.label, t.theme, "thema", "percentage", pctText(t.pct));
  }
  model.quotes.forEach((q, i) => add("uitspraak", "", q.source, "", String(i + 1), q.text, "tekst", q.text));
  model.notes.forEach((n, i) => add("opmerking", "", "", "", String(i + 1), n, "tekst", n));
  model.method.forEach((m, i) => add("toelichting", "", "", "", String(i + 1), m, "tekst", m));
  return lines;
}

export async function renderCsv(model: ReportModel): Promise<Buffer> {
  const text = stringify([CSV_HEADER, ...csvLines(model).map((line) => safeCsvRow(line))], { delimiter: ";", record_delimiter: "\r\n" });
  return Buffer.from(`\uFEFF${text}`, "utf8");
}
