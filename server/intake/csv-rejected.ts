// The rejected rows of an import as a CSV file to fix and upload again: the file's own columns and separator,
// preceded by `regel` (the line in the original file) and `reden`, in UTF-8 with a BOM so Excel reads the
// accents right. The importer ignores both extra columns when the file comes back.
import { Readable } from "node:stream";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import type { Db } from "../db.ts";
import { safeCsvRow } from "../exports/cells.ts";
import { findImportById, listRejections } from "./imports.queries.ts";

const PAGE = 500;
const OWN_COLUMNS = new Set(["regel", "reden"]);

/** The rows as fields; csv-parse is costly to start, so a page is parsed at once, row by row only when needed. */
function splitRaw(raws: string[], separator: string): string[][] {
  const options = { delimiter: separator, relax_quotes: true, relax_column_count: true } as const;
  try {
    const records = parse(raws.join("\n"), options) as string[][];
    if (records.length === raws.length) return records;
  } catch {
    // a broken row in this page: read each row on its own below
  }
  return raws.map((raw) => {
    try {
      return (parse(raw, options) as string[][])[0] ?? [raw];
    } catch {
      return raw.split(separator);
    }
  });
}

async function* rejectedCsvText(db: Db, importId: number): AsyncGenerator<string> {
  const found = await findImportById(db, importId);
  const separator = found?.separator ?? ";";
  const header = found?.columns ?? [];
  // A file of rejected rows may come back with its own regel and reden: those are replaced, not repeated.
  const dropped = new Set(header.flatMap((name, i) => (OWN_COLUMNS.has(name.trim().toLowerCase()) ? [i] : [])));
  const keep = (fields: string[]) => fields.filter((_, i) => !dropped.has(i));
  const options = { delimiter: separator, record_delimiter: "windows" } as const;

  // The file is opened in Excel to fix the rows: a field that starts like a formula (=, +, -, @) must not run there.
  yield `\uFEFF${stringify([safeCsvRow(["regel", "reden", ...keep(header)])], options)}`;
  let after: { line: number; id: number } | undefined;
  for (;;) {
    const page = await listRejections(db, importId, PAGE, after);
    if (page.length === 0) return;
    const records = splitRaw(
      page.map((r) => r.raw),
      separator,
    );
    yield stringify(
      page.map((r, i) => safeCsvRow([String(r.line), r.reason, ...keep(records[i]!)])),
      options,
    );
    after = page.at(-1)!;
  }
}

/** Streams the CSV of an import's rejected rows. The caller checks that the import is the user's to see. */
export function rejectedRowsCsv(db: Db, importId: number): Readable {
  return Readable.from(rejectedCsvText(db, importId), { objectMode: false });
}
