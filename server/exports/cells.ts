// Cell values for CSV and Excel exports, safe against formula injection (CSV injection): a spreadsheet
// treats a text that starts with =, +, -, @, a tab or a carriage return as a formula or command, so text from
// clients, staff or municipalities (notes, quotes, team names) could run in the reader's Excel. Such a text
// gets a leading apostrophe, which Excel shows as text and hides. Numbers, dates and booleans stay typed.
// Shared by every export (follow-ups, reports).

const DANGEROUS_START = /^[=+\-@\t\r]/;

/** A text made safe to open in a spreadsheet. */
export function safeText(value: string): string {
  return DANGEROUS_START.test(value) ? `'${value}` : value;
}

/**
 * The text a guarded cell stands for: a file Luisterpost wrote (the rejected rows of an import) may come back
 * without having been through Excel, which would have dropped the apostrophe itself.
 */
export function unguardText(value: string): string {
  return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

export type CellValue = string | number | boolean | Date | null | undefined;

/** Any cell: texts are guarded, other types pass as they are, null and undefined become empty. */
export function safeCell(value: CellValue): string | number | boolean | Date | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return safeText(value);
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  return value;
}

/** A row of cells for csv-stringify: every value guarded, dates as ISO 8601, empty cells as "". */
export function safeCsvRow(values: CellValue[]): string[] {
  return values.map((value) => {
    const cell = safeCell(value);
    if (cell === null) return "";
    if (cell instanceof Date) return cell.toISOString();
    if (typeof cell === "boolean") return cell ? "ja" : "nee";
    return String(cell);
  });
}
