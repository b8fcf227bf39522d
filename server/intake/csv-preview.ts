// What an administrator sees before importing: the detected encoding and separator, what each column of
// the file means to Luisterpost, and the first rows as they will be read.
import type { Readable } from "node:stream";
import { columnMeaning, headerProblem, mapHeader, type CsvColumn } from "./csv-columns.ts";
import { detectEncoding, openCsv, type CsvEncoding, type CsvSeparator } from "./csv-read.ts";

export type CsvPreview = {
  encoding: CsvEncoding;
  separator: CsvSeparator;
  headerLine: number;
  columns: Array<{ header: string; column: CsvColumn | null; meaning: string | null }>;
  missing: CsvColumn[];
  /** Why the file cannot be imported as it is (Dutch), or null. */
  problem: string | null;
  /** The first rows; `cells` follow the header, `note` says why a line cannot be read. */
  rows: Array<{ line: number; cells: string[]; note: string | null }>;
};

/**
 * Reads the header and the first `limit` rows. `open` is called twice: once for the rows, once to find the
 * encoding, which the first rows alone may not show. Throws CsvFileError when the file is not a usable CSV.
 */
export async function previewCsv(open: () => Readable, limit = 10): Promise<CsvPreview> {
  const reader = await openCsv(open());
  try {
    const mapping = mapHeader(reader.header);
    const problem = headerProblem(mapping, reader.headerLine);
    const rows: CsvPreview["rows"] = [];
    if (!problem) {
      for await (const record of reader.records()) {
        if (record.kind === "broken") rows.push({ line: record.line, cells: [], note: record.reason });
        else if (record.fields.some((f) => f.trim() !== "")) rows.push({ line: record.line, cells: record.fields, note: null });
        if (rows.length >= limit) break;
      }
    }
    return {
      encoding: await detectEncoding(open()),
      separator: reader.separator,
      headerLine: reader.headerLine,
      columns: reader.header.map((header, i) => {
        const column = mapping.columns[i] ?? null;
        return { header, column, meaning: column ? columnMeaning(column) : null };
      }),
      missing: mapping.missing,
      problem,
      rows,
    };
  } finally {
    reader.close();
  }
}
