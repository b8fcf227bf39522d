// The quarterly delivery of follow-up results to the municipality, as CSV (Dutch Excel: semicolons, UTF-8 with
// BOM) or XLSX: one row per follow-up of the quarter's responses, and the approved quotes. No contact data, no
// staff names; every text cell is guarded against formula injection (server/exports/cells.ts).
import { stringify } from "csv-stringify/sync";
import { createRequire } from "node:module";
import type ExcelJSModule from "exceljs";
import type { Db } from "../db.ts";
import { safeCell, safeCsvRow, type CellValue } from "../exports/cells.ts";
import { readSettings } from "../settings/settings.service.ts";
import { OUTCOME_LABELS, QUESTIONNAIRE_LABELS, STATUS_LABELS, GENERAL_TOPIC } from "./followups.messages.ts";
import { hasEnded, parseQuarter, type Quarter } from "./followups.periods.ts";
import { listApprovedQuotesOfPeriod, listFollowupsOfPeriod, notesOf, themesOf } from "./followups.report.queries.ts";
import { FOLLOWUP_SETTINGS, themeLabel } from "./followups.settings.ts";
import { followupResults, slaState } from "./followups.stats.ts";
import { amsterdamDate, amsterdamLocalInput } from "./working-days.ts";

export type ExportKind = "gesprekken" | "citaten";
export type ExportFormat = "csv" | "xlsx";
export type ExportRequest = { kind: ExportKind; quarter: Quarter; format: ExportFormat };
export type ExportFile = { filename: string; contentType: string; body: Buffer; rows: number };

const FILE = /^(gesprekken|citaten)-(\d{4}-Q[1-4])\.(csv|xlsx)$/;

/** "gesprekken-2026-Q3.xlsx" → what to build; undefined for anything else. */
export function parseExportFile(name: string): ExportRequest | undefined {
  const match = FILE.exec(name);
  if (!match) return undefined;
  const quarter = parseQuarter(match[2]);
  return quarter ? { kind: match[1] as ExportKind, quarter, format: match[3] as ExportFormat } : undefined;
}

const dateOf = (d: Date | null) => (d ? amsterdamDate(d) : null);
const timeOf = (d: Date | null) => (d ? amsterdamLocalInput(d).replace("T", " ") : null);
const yesNo = (b: boolean) => (b ? "ja" : "nee");

type Table = { name: string; header: string[]; rows: CellValue[][]; widths: number[] };

async function followupTable(db: Db, municipalityId: number, quarter: Quarter, now: Date): Promise<Table> {
  const followups = await listFollowupsOfPeriod(db, municipalityId, quarter);
  const ids = followups.map((f) => f.id);
  const [themes, notes, settings] = await Promise.all([themesOf(db, ids), notesOf(db, ids), readSettings(db, municipalityId, FOLLOWUP_SETTINGS)]);
  const sla = { "on-time": "ja", late: "nee", pending: "nog niet" } as const;
  return {
    name: "Verdiepingsgesprekken",
    header: ["Nummer", "Vragenlijst", "Team", "Vragenlijst ingevuld op", "Aanleiding", "Status", "Uitkomst", "Termijn eerste poging", "Eerste poging", "Binnen termijn", "Pogingen", "Bereikt", "Thema's", "Urgent", "Notities", "Afgesloten op"],
    widths: [10, 18, 22, 14, 50, 18, 22, 14, 18, 10, 10, 10, 30, 10, 80, 14],
    rows: followups.map((f) => {
      const titles = new Map(f.triggers.map((t) => [t.key, t.title]));
      return [
        f.id,
        QUESTIONNAIRE_LABELS[f.questionnaire] ?? f.questionnaire,
        f.team,
        dateOf(f.completedAt),
        f.triggers.map((t) => `${t.title} (${t.label})`).join(" | "),
        STATUS_LABELS[f.status],
        f.outcome ? OUTCOME_LABELS[f.outcome] : null,
        dateOf(f.deadlineAt),
        timeOf(f.firstAttemptAt),
        sla[slaState(f, now)],
        f.attempts,
        yesNo(f.reached),
        (themes.get(f.id) ?? []).map((key) => themeLabel(settings.themes, key)).join("; "),
        yesNo(f.urgent),
        (notes.get(f.id) ?? []).map((n) => `${n.topic === GENERAL_TOPIC ? "Algemeen" : (titles.get(n.topic) ?? n.topic)}: ${n.text}`).join("\n\n"),
        dateOf(f.closedAt),
      ];
    }),
  };
}

async function quoteTable(db: Db, municipalityId: number, quarter: Quarter): Promise<Table> {
  const quotes = await listApprovedQuotesOfPeriod(db, municipalityId, quarter);
  return {
    name: "Citaten",
    header: ["Nummer", "Bron", "Verdiepingsgesprek", "Vraag", "Citaat"],
    widths: [10, 20, 18, 22, 100],
    rows: quotes.map((q) => [q.id, q.source === "followup" ? "Verdiepingsgesprek" : "Open antwoord", q.followupId, q.questionKey, q.text]),
  };
}

async function summaryTable(db: Db, municipalityId: number, quarter: Quarter, now: Date): Promise<Table> {
  const results = await followupResults(db, municipalityId, quarter, now);
  const rows: CellValue[][] = [
    ["Periode", quarter.label],
    ["Stand op", timeOf(now)],
    ["Kwartaal afgerond", yesNo(hasEnded(quarter, now))],
    ["Verdiepingsgesprekken", results.total],
    ["Afgesloten", results.closed],
    ["Cliënt gesproken", results.reached],
    ["Eerste poging binnen de termijn", results.onTime],
    ["Eerste poging te laat", results.late],
    ["Urgent gemeld", results.urgent],
    [],
    ["Uitkomst", "Aantal"],
    ...(Object.keys(results.outcomes) as Array<keyof typeof results.outcomes>).map((o) => [OUTCOME_LABELS[o], results.outcomes[o]] as CellValue[]),
    [],
    ["Thema", "Aantal"],
    ...results.themes.map((t) => [t.label, t.count] as CellValue[]),
  ];
  return { name: "Samenvatting", header: ["Onderdeel", "Waarde"], widths: [34, 40], rows };
}

function csvOf(table: Table): Buffer {
  const text = stringify([table.header, ...table.rows.map(safeCsvRow)], { delimiter: ";", record_delimiter: "\r\n", bom: true });
  return Buffer.from(text, "utf8");
}

async function xlsxOf(tables: Table[]): Promise<Buffer> {
  // exceljs takes tens of megabytes: loaded for the first download, not by every process at start-up.
  const ExcelJS = createRequire(import.meta.url)("exceljs") as typeof ExcelJSModule;
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "Luisterpost";
  for (const table of tables) {
    const sheet = workbook.addWorksheet(table.name);
    sheet.columns = table.header.map((header, i) => ({ header: safeCell(header) as string, width: table.widths[i] ?? 16 }));
    sheet.getRow(1).font = { bold: true };
    sheet.views = [{ state: "frozen", ySplit: 1 }];
    for (const row of table.rows) {
      const added = sheet.addRow(row.map((cell) => safeCell(cell)));
      added.alignment = { vertical: "top", wrapText: true };
    }
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export async function buildExport(db: Db, municipality: { id: number; code: string }, request: ExportRequest, now = new Date()): Promise<ExportFile> {
  const { kind, quarter, format } = request;
  const filename = `${kind}-${municipality.code}-${quarter.key}.${format}`;
  if (format === "csv") {
    const table = kind === "gesprekken" ? await followupTable(db, municipality.id, quarter, now) : await quoteTable(db, municipality.id, quarter);
    return { filename, contentType: "text/csv; charset=utf-8", body: csvOf(table), rows: table.rows.length };
  }
  const tables =
    kind === "gesprekken"
      ? [await summaryTable(db, municipality.id, quarter, now), await followupTable(db, municipality.id, quarter, now), await quoteTable(db, municipality.id, quarter)]
      : [await quoteTable(db, municipality.id, quarter)];
  return {
    filename,
    contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    body: await xlsxOf(tables),
    rows: tables.find((t) => t.name !== "Samenvatting")!.rows.length,
  };
}
