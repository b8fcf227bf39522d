// The yearly export for the legal report (Wmo art. 2.5.1, Jeugdwet art. 2.10): per standard statement the
// percentage (helemaal) mee eens and n, Wmo and Jeugd apart (Jeugd per questionnaire: parents and young
// people), as CSV and XLSX. Drawn from the suppressed model, like every other format.
import { createRequire } from "node:module";
import type ExcelJSModule from "exceljs";
import { stringify } from "csv-stringify/sync";
import { safeCell, safeCsvRow } from "../exports/cells.ts";
import { figureText } from "./render.csv.ts";
import type { ReportModel } from "./reports.model.ts";
import { LAW_LABELS, THEME_LABELS, formatDecimal } from "./reports.labels.ts";

export const LEGAL_HEADER = [
  "gemeente",
  "gemeentecode",
  "jaar",
  "wet",
  "vragenlijst",
  "vraag",
  "sleutel",
  "stelling",
  "thema",
  "percentage (helemaal) mee eens of ja",
  "n",
  "weet niet / n.v.t.",
  "95%-interval ondergrens",
  "95%-interval bovengrens",
];

type LegalRow = Array<string | number | null>;

function legalRows(model: ReportModel, numbers: boolean): LegalRow[] {
  const rows: LegalRow[] = [];
  const num = (value: number | null) => (value === null ? "" : numbers ? value : formatDecimal(value));
  for (const law of ["wmo", "jeugd"]) {
    for (const q of model.questionnaires.filter((x) => x.law === law)) {
      for (const s of q.statements) {
        rows.push([
          model.municipality.name,
          model.municipality.code,
          model.period.key,
          LAW_LABELS[law] ?? law,
          q.label,
          s.number,
          s.key,
          s.text,
          s.theme ? (THEME_LABELS[s.theme] ?? s.theme) : "",
          num(s.pct),
          s.n.hidden ? figureText(s.n, model) : numbers ? s.n.value : String(s.n.value),
          s.dontKnow ? (s.dontKnow.hidden ? figureText(s.dontKnow, model) : numbers ? s.dontKnow.value : String(s.dontKnow.value)) : "",
          num(s.ci?.low ?? null),
          num(s.ci?.high ?? null),
        ]);
      }
    }
  }
  return rows;
}

export async function renderLegalCsv(model: ReportModel): Promise<Buffer> {
  const rows = legalRows(model, false).map((r) => safeCsvRow(r.map((v) => (v === null ? "" : v))));
  return Buffer.from(`\uFEFF${stringify([LEGAL_HEADER, ...rows], { delimiter: ";", record_delimiter: "\r\n" })}`, "utf8");
}

export async function renderLegalXlsx(model: ReportModel): Promise<Buffer> {
  const ExcelJS = createRequire(import.meta.url)("exceljs") as typeof ExcelJSModule;
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "Luisterpost";
  workbook.created = new Date(model.generatedAt);
  workbook.modified = new Date(model.generatedAt);
  const sheet = workbook.addWorksheet("Wettelijke rapportage");
  sheet.addRow(LEGAL_HEADER).font = { bold: true };
  for (const row of legalRows(model, true)) sheet.addRow(row.map((v) => safeCell(v === "" ? null : v)));
  sheet.columns.forEach((column, i) => (column.width = [18, 12, 8, 8, 18, 7, 26, 60, 11, 16, 8, 10, 12, 12][i] ?? 12));
  sheet.getColumn(8).alignment = { wrapText: true, vertical: "top" };
  sheet.views = [{ state: "frozen", ySplit: 1 }];
  const note = workbook.addWorksheet("Toelichting");
  note.getColumn(1).width = 120;
  for (const line of model.method) note.addRow([safeCell(line)]).alignment = { wrapText: true };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
