// Importing intake conversations from a CSV file, streamed: rows are read, checked with the API's validation
// and registered in batches, each batch in one transaction together with its rejections and the import's
// counters. Every data row ends up exactly once as accepted (a new conversation), unchanged (already known
// with the same data, so importing a file again changes nothing) or rejected with its line, column and a
// Dutch reason. The file itself is never held in memory.
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import type { Db } from "../db.ts";
import { columnsOfField, headerProblem, mapHeader, rowToConversation, type HeaderMapping } from "./csv-columns.ts";
import { CsvFileError, openCsv, type CsvReader, type CsvRow } from "./csv-read.ts";
import { insertImport, insertRejections, updateImport, type RejectionInput } from "./imports.queries.ts";
import { todayInAmsterdam } from "./intake.normalize.ts";
import { validateConversation, type ConversationInput } from "./intake.schema.ts";
import { registerConversations } from "./intake.service.ts";

export { previewCsv, type CsvPreview } from "./csv-preview.ts";
export { rejectedRowsCsv } from "./csv-rejected.ts";

/** The file cannot be imported at all (empty, not CSV, required columns missing); recorded on the import. */
export class CsvImportError extends Error {
  override name = "CsvImportError";
  constructor(
    message: string,
    readonly importId: number,
  ) {
    super(message);
  }
}

export type ImportProgress = { rowsDone: number; accepted: number; unchanged: number; rejected: number; bytesRead: number };

export type ImportSummary = {
  importId: number;
  totalRows: number;
  accepted: number;
  unchanged: number;
  rejected: number;
  encoding: string;
  separator: string;
};

export type ImportOptions = {
  db: Db;
  /** The contact-fingerprint key (intake.service.ts fingerprintKey). */
  key: Buffer;
  municipalityId: number;
  input: Readable;
  filename: string;
  createdByUserId: number | null;
  sizeBytes?: number | null;
  /** An import row made earlier (the staff UI makes it at upload) and already set to 'running'. */
  importId?: number;
  /** Called after every batch. */
  onProgress?: (progress: ImportProgress) => void;
};

/** Valid rows per transaction: large enough to be fast, small enough to keep locks and memory short. */
const BATCH_SIZE = 500;

const UNREADABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/;
const SEPARATOR_NAMES: Record<string, string> = { ";": "puntkomma (;)", ",": "komma (,)", "\t": "tab" };

type Checked = { ok: true; input: ConversationInput } | { ok: false; column: string | null; reason: string };

type RowContext = { header: string[]; mapping: HeaderMapping; separator: string; today: string };

/** The column's name as the CSV format names it, or as the file wrote it when the column is not used. */
function columnName(ctx: RowContext, index: number): string | null {
  return ctx.mapping.columns[index] ?? ctx.header[index] ?? null;
}

function checkRow(row: CsvRow, ctx: RowContext): Checked {
  const { fields } = row;
  const width = ctx.header.length;
  const separator = SEPARATOR_NAMES[ctx.separator] ?? ctx.separator;
  if (fields.length < width) {
    return {
      ok: false,
      column: columnName(ctx, fields.length),
      reason: `Deze regel heeft ${fields.length} ${fields.length === 1 ? "kolom" : "kolommen"} en de kopregel ${width}. Misschien ontbreekt er een ${separator}.`,
    };
  }
  if (fields.slice(width).some((f) => f.trim() !== "")) {
    return {
      ok: false,
      column: null,
      reason: `Deze regel heeft ${fields.length} kolommen en de kopregel ${width}. Misschien staat er een ${separator} in een veld zonder aanhalingstekens eromheen.`,
    };
  }
  const unreadable = fields.findIndex((f) => UNREADABLE.test(f));
  if (unreadable !== -1) {
    return {
      ok: false,
      column: columnName(ctx, unreadable),
      reason: "Er staan tekens in die niet te lezen zijn. Sla het bestand in Excel op als CSV UTF-8 of als CSV (gescheiden door lijstscheidingsteken).",
    };
  }
  const result = validateConversation(rowToConversation(fields, ctx.mapping), { today: ctx.today });
  if (result.ok) return { ok: true, input: result.value };
  const columns = [...new Set(result.problems.flatMap((p) => columnsOfField(p.field, ctx.mapping)))];
  return { ok: false, column: columns.length > 0 ? columns.join(", ") : null, reason: result.problems.map((p) => p.message).join(" ") };
}

function conflictReason(fields: string[], mapping: HeaderMapping): { column: string | null; reason: string } {
  const columns = [...new Set(fields.flatMap((f) => columnsOfField(f, mapping)))];
  return {
    column: columns.length > 0 ? columns.join(", ") : null,
    reason: `Dit gesprek is al eerder aangemeld met andere gegevens${columns.length > 0 ? ` in ${columns.join(", ")}` : ""}. Een aangemeld gesprek verandert niet; geef een nieuw gesprek een nieuw gesprek-id.`,
  };
}

const isBlank = (fields: string[]) => fields.every((f) => f.trim() === "");

export async function importConversationsCsv(options: ImportOptions): Promise<ImportSummary> {
  const { db, key, municipalityId } = options;
  const importId =
    options.importId ??
    (await insertImport(db, {
      municipalityId,
      filename: options.filename,
      status: "running",
      sizeBytes: options.sizeBytes ?? null,
      uploadFile: null,
      createdByUserId: options.createdByUserId,
    }));

  const counts = { rowsDone: 0, accepted: 0, unchanged: 0, rejected: 0 };
  let reader: CsvReader | undefined;
  let committedLine = 0;
  let pendingCommit: Promise<void> = Promise.resolve();
  try {
    reader = await openCsv(options.input);
    const mapping = mapHeader(reader.header);
    const problem = headerProblem(mapping, reader.headerLine);
    if (problem) throw new CsvFileError(problem);
    await updateImport(db, importId, { separator: reader.separator, encoding: reader.encoding, columns: reader.header });
    const ctx: RowContext = { header: reader.header, mapping, separator: reader.separator, today: todayInAmsterdam() };

    // Per conversation id in this file: the first valid row with it, and a hash of its data.
    const seen = new Map<string, { line: number; hash: string }>();
    let valid: Array<{ line: number; raw: string; input: ConversationInput }> = [];
    let rejections: RejectionInput[] = [];
    let lastLine = 0;

    // Batches are committed one after the other while the next one is read and checked: the database works
    // (SQLite in its own thread, PostgreSQL in its own process) while this thread validates.
    const commit = async (batch: typeof valid, rejected: RejectionInput[], line: number, bytes: number) => {
      const next = { ...counts, rowsDone: counts.rowsDone + batch.length + rejected.length };
      await db.transaction(async (trx) => {
        const outcomes = batch.length > 0 ? await registerConversations(trx, key, municipalityId, batch.map((r) => r.input), { source: "csv", importId }) : [];
        outcomes.forEach((outcome, i) => {
          if (outcome.kind === "created") next.accepted++;
          else if (outcome.kind === "unchanged") next.unchanged++;
          else rejected.push({ line: batch[i]!.line, raw: batch[i]!.raw, ...conflictReason(outcome.fields, mapping) });
        });
        next.rejected += rejected.length;
        await insertRejections(trx, importId, rejected);
        await updateImport(trx, importId, { totalRows: next.rowsDone, accepted: next.accepted, unchanged: next.unchanged, rejected: next.rejected, processedBytes: bytes });
      });
      Object.assign(counts, next);
      committedLine = line;
      options.onProgress?.({ ...counts, bytesRead: bytes });
    };
    const flush = async () => {
      if (valid.length === 0 && rejections.length === 0) return;
      const previous = pendingCommit;
      const current = previous.then(commit.bind(null, valid, rejections, lastLine, reader!.bytesRead()));
      // Observed by the next flush or at the end; this keeps a failure from being an unhandled rejection meanwhile.
      current.catch(() => undefined);
      pendingCommit = current;
      valid = [];
      rejections = [];
      // At most one batch waits behind the one being committed.
      await previous;
    };

    for await (const record of reader.records()) {
      lastLine = Math.max(lastLine, record.line);
      if (record.kind === "broken") {
        rejections.push({ line: record.line, column: null, reason: record.reason, raw: record.raw });
      } else if (!isBlank(record.fields)) {
        const checked = checkRow(record, ctx);
        if (!checked.ok) {
          rejections.push({ line: record.line, column: checked.column, reason: checked.reason, raw: record.raw });
        } else {
          const hash = createHash("sha1").update(JSON.stringify(checked.input)).digest("base64");
          const earlier = seen.get(checked.input.externalId);
          if (earlier) {
            const reason = earlier.hash === hash ? `Dit gesprek staat al op regel ${earlier.line}.` : `Dit gesprek-id staat al op regel ${earlier.line}, met andere gegevens.`;
            rejections.push({ line: record.line, column: "gesprek_id", reason, raw: record.raw });
          } else {
            seen.set(checked.input.externalId, { line: record.line, hash });
            valid.push({ line: record.line, raw: record.raw, input: checked.input });
          }
        }
      }
      if (valid.length >= BATCH_SIZE || rejections.length >= BATCH_SIZE) await flush();
    }
    await flush();
    await pendingCommit;
    if (counts.rowsDone === 0) throw new CsvFileError("Het bestand heeft een kopregel, maar geen regels met gesprekken.");

    await updateImport(db, importId, { status: "done", finishedAt: new Date(), encoding: reader.encoding, processedBytes: reader.bytesRead() });
    return { importId, totalRows: counts.rowsDone, accepted: counts.accepted, unchanged: counts.unchanged, rejected: counts.rejected, encoding: reader.encoding, separator: reader.separator };
  } catch (err) {
    await pendingCommit.catch(() => undefined);
    const message =
      err instanceof CsvFileError
        ? err.message
        : `Het importeren is onverwacht gestopt${committedLine > 0 ? ` na regel ${committedLine}` : ""}. Wat tot dan is verwerkt, blijft bewaard. Importeer het bestand opnieuw om de rest te verwerken; gesprekken die al zijn geïmporteerd, blijven dan ongewijzigd.`;
    await updateImport(db, importId, { status: "failed", finishedAt: new Date(), error: message }).catch(() => undefined);
    if (err instanceof CsvFileError) throw new CsvImportError(err.message, importId);
    throw err;
  } finally {
    reader?.close();
    options.input.destroy();
  }
}
