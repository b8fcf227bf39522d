// The report as an Excel workbook: a sheet per part (summary, response, statements, breakdowns, trend, other
// questions, follow-ups, method), figures as numbers, hidden figures as their label ("< 10" or "×"), every text
// cell guarded against formula injection. Drawn from the suppressed model only.
import { createRequire } from "node:module";
import type ExcelJSModule from "exceljs";
import { safeCell, type CellValue } from "../exports/cells.ts";
import type { Figure, Pct, ReportModel } from "./reports.model.ts";
import { STATUS_TEXT, THEME_LABELS } from "./reports.labels.ts";

type Cell = CellValue;

function figureCell(f: Figure, model: ReportModel): Cell {
  return f.hidden ? model.hiddenLabels[f.hidden] : f.value;
}

function pctCell(p: Pct | undefined): Cell {
  return p === null || p === undefined ? null : p;
}

function addTable(sheet: ExcelJSModule.Worksheet, title: string | null, header: string[], rows: Cell[][], widths?: number[]): void {
  if (title) {
    const t = sheet.addRow([safeCell(title)]);
    t.font = { bold: true, size: 12 };
  }
  const h = sheet.addRow(header.map((x) => safeCell(x)));
  h.font = { bold: true };
  h.eachCell((cell) => (cell.border = { bottom: { style: "thin" } }));
  for (const row of rows) {
    const r = sheet.addRow(row.map((v) => safeCell(v)));
    r.eachCell((cell) => {
      if (typeof cell.value === "number" && !Number.isInteger(cell.value)) cell.numFmt = "0.0";
      if (typeof cell.value === "string" && /^(< \d+|×)$/.test(cell.value)) cell.alignment = { horizontal: "right" };
    });
  }
  sheet.addRow([]);
  if (widths) widths.forEach((w, i) => (sheet.getColumn(i + 1).width = Math.max(sheet.getColumn(i + 1).width ?? 0, w)));
}

// exceljs is loaded on the first workbook: a process that never writes one does not carry it.
const requireLazily = createRequire(import.meta.url);

export async function renderXlsx(model: ReportModel): Promise<Buffer> {
  const ExcelJS = requireLazily("exceljs") as typeof ExcelJSModule;
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "Luisterpost";
  workbook.title = `Gemeente ${model.municipality.name} – ${model.period.label}`;
  workbook.created = new Date(model.generatedAt);
  workbook.modified = new Date(model.generatedAt);
  const fig = (f: Figure) => figureCell(f, model);

  const summary = workbook.addWorksheet("Samenvatting");
  addTable(
    summary,
    `Cliëntervaringsonderzoek gemeente ${model.municipality.name} – ${model.period.label}`,
    ["onderdeel", "waarde"],
    [
      ["gemeente", model.municipality.name],
      ["gemeentecode", model.municipality.code],
      ["periode", model.period.key],
      ["van", model.period.firstDay],
      ["tot en met", model.period.lastDay],
      ["status", STATUS_TEXT[model.status]],
      ["gemaakt", model.generatedAt],
      ["kleinste aantal dat we tonen", model.threshold],
      ...model.filters.map((f): Cell[] => [`filter ${f.label.toLowerCase()}`, f.value]),
      ["ingevulde vragenlijsten", fig(model.respondents)],
      ["respons (%)", pctCell(model.funnel.total.rate)],
      ...model.byQuestionnaire.map((q): Cell[] => [`ingevuld ${q.label}`, fig(q.respondents)]),
      ...model.notes.map((n): Cell[] => ["opmerking", n]),
    ],
    [34, 90],
  );

  const response = workbook.addWorksheet("Respons");
  addTable(
    response,
    "Uitnodigingen per kanaal",
    ["kanaal", "uitgenodigd", "afgeleverd", "niet afgeleverd", "geopend", "begonnen", "ingevuld", "respons (%)"],
    [...model.funnel.channels, model.funnel.total].map((l) => [l.label, fig(l.invited), fig(l.delivered), fig(l.bounced), fig(l.opened), fig(l.started), fig(l.completed), pctCell(l.rate)]),
    [28, 12, 12, 14, 12, 12, 12, 12],
  );
  addTable(
    response,
    "Gesprekken in de periode",
    ["onderdeel", "aantal"],
    [["gesprekken", fig(model.population.conversations)], ["met een uitnodiging", fig(model.population.invited)], ["nog niet behandeld", fig(model.population.notPlanned)], ...model.population.skipped.map((s): Cell[] => [`geen uitnodiging: ${s.label}`, fig(s.count)])],
  );
  for (const d of model.nonResponse) {
    addTable(
      response,
      `Uitgenodigd en ingevuld per ${d.label.toLowerCase()}`,
      [d.label.toLowerCase(), "uitgenodigd", "deel van uitgenodigd (%)", "ingevuld", "deel van ingevuld (%)", "respons (%)"],
      d.rows.map((r) => [r.label, fig(r.invited), pctCell(r.invitedShare), fig(r.completed), pctCell(r.completedShare), pctCell(r.rate)]),
    );
  }

  const statements = workbook.addWorksheet("Stellingen");
  addTable(
    statements,
    "Stellingen: percentage (helemaal) mee eens (vraag 5: percentage ja)",
    ["vragenlijst", "nr", "sleutel", "stelling", "thema", "eens (%)", "ondergrens (%)", "bovengrens (%)", "n", "weet niet / n.v.t.", "vorige periode (%)", "n vorige periode", "verschil (procentpunt)", "meer dan toeval"],
    model.questionnaires.flatMap((q) =>
      q.statements.map((s) => [
        q.label,
        s.number,
        s.key,
        s.text,
        s.theme ? (THEME_LABELS[s.theme] ?? s.theme) : null,
        pctCell(s.pct),
        s.ci?.low ?? null,
        s.ci?.high ?? null,
        fig(s.n),
        s.dontKnow ? fig(s.dontKnow) : null,
        pctCell(s.previous.pct),
        fig(s.previous.n),
        s.change,
        s.significant === null ? null : s.significant ? "ja" : "nee",
      ]),
    ),
    [16, 5, 24, 60, 11, 9, 12, 12, 8, 12, 14, 14, 14, 13],
  );
  addTable(
    statements,
    "Thema's (gemiddelde van hun stellingen)",
    ["vragenlijst", "thema", "eens (%)", "vorige periode (%)", "verschil (procentpunt)"],
    model.questionnaires.flatMap((q) => q.themes.map((t) => [q.label, t.label, pctCell(t.pct), pctCell(t.previousPct), t.change])),
  );
  for (const q of model.questionnaires.filter((x) => x.grade)) {
    const g = q.grade!;
    addTable(
      statements,
      `Rapportcijfer ${q.label}`,
      ["onderdeel", "waarde"],
      [
        ["gemiddelde", g.mean],
        ["n", fig(g.n)],
        ["6 of hoger (%)", pctCell(g.sufficientPct)],
        ["gemiddelde vorige periode", g.previous.mean],
        ["verschil", g.change],
        ["meer dan toeval", g.significant === null ? null : g.significant ? "ja" : "nee"],
      ],
    );
    addTable(statements, null, ["cijfer", "aantal", "percentage"], g.distribution.map((d) => [d.grade, fig(d.count), pctCell(d.pct)]));
  }

  const breakdowns = workbook.addWorksheet("Uitsplitsingen");
  for (const q of model.questionnaires) {
    const statementKeys = q.statements.map((s) => s);
    for (const b of q.breakdowns) {
      addTable(
        breakdowns,
        `${q.label} per ${b.label.toLowerCase()}`,
        [
          b.label.toLowerCase(),
          "ingevuld",
          ...q.themes.map((t) => `${t.label.toLowerCase()} (%)`),
          ...(q.grade ? ["rapportcijfer", "n rapportcijfer"] : []),
          ...statementKeys.flatMap((s) => [`vraag ${s.number} (%)`, `vraag ${s.number} n`]),
        ],
        b.rows.map((r) => [
          r.label,
          fig(r.respondents),
          ...q.themes.map((t) => pctCell(r.themes[t.theme])),
          ...(q.grade ? [r.grade?.mean ?? null, r.grade ? fig(r.grade.n) : null] : []),
          ...r.statements.flatMap((s) => [pctCell(s.pct), fig(s.n)]),
        ]),
        [28, 10],
      );
    }
  }

  const trend = workbook.addWorksheet("Trend");
  for (const q of model.questionnaires) {
    addTable(
      trend,
      `${q.label} per kwartaal`,
      ["kwartaal", "ingevuld", ...q.themes.map((t) => `${t.label.toLowerCase()} (%)`), ...(q.grade ? ["rapportcijfer"] : [])],
      q.trend.map((p) => [p.label, fig(p.respondents), ...q.themes.map((t) => pctCell(p.themes[t.theme])), ...(q.grade ? [p.grade] : [])]),
      [14, 10, 14, 14, 14, 14],
    );
  }

  const other = workbook.addWorksheet("Overige vragen");
  for (const q of model.questionnaires) {
    for (const o of q.otherQuestions) {
      addTable(
        other,
        `${q.label}: ${o.title}`,
        ["antwoord", "aantal", "percentage"],
        [["alle antwoorden (n)", fig(o.n), null], ...(o.mean !== null ? [["gemiddelde", o.mean, null] as Cell[]] : []), ...o.options.map((x): Cell[] => [x.label, fig(x.count), pctCell(x.pct)])],
        [40, 10, 12],
      );
    }
  }

  const followups = workbook.addWorksheet("Verdiepingsgesprekken");
  const f = model.followups;
  addTable(
    followups,
    "Verdiepingsgesprekken bij de vragenlijsten van deze periode",
    ["onderdeel", "aantal", "percentage"],
    [
      ["aangemaakt", fig(f.triggered), null],
      ["cliënt bereikt", fig(f.reached), pctCell(f.reachedPct)],
      ["eerste belpoging op tijd", fig(f.withinSla), pctCell(f.withinSlaPct)],
      ["eerste belpoging te laat", fig(f.lateSla), null],
      ["nog geen poging, termijn loopt", fig(f.pendingSla), null],
      ["nog niet afgerond", fig(f.open), null],
      ["dringend gemeld", fig(f.escalated), null],
    ],
    [40, 10, 12],
  );
  addTable(followups, "Uitkomsten", ["uitkomst", "aantal", "percentage"], f.outcomes.map((o) => [o.label, fig(o.count), pctCell(o.pct)]));
  addTable(followups, "Thema's (deel van de bereikte cliënten)", ["thema", "aantal", "percentage"], f.themes.map((t) => [t.label, fig(t.count), pctCell(t.pct)]));
  if (model.quotes.length > 0) addTable(followups, "Uitspraken van cliënten", ["uitspraak"], model.quotes.map((q) => [q.text]));

  const method = workbook.addWorksheet("Toelichting");
  method.getColumn(1).width = 120;
  for (const line of [...model.notes, ...model.method]) method.addRow([safeCell(line)]).alignment = { wrapText: true, vertical: "top" };

  return Buffer.from(await workbook.xlsx.writeBuffer());
}
