// CSV imports from the staff UI: an uploaded file waits as a 'pending' import while the administrator checks
// the preview; "Importeren" runs it in the background of this process, and the file is deleted as soon as
// the import has finished, failed, been cancelled or been left waiting for a day.
import { createReadStream, mkdirSync } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Db } from "../db.ts";
import { CsvImportError, importConversationsCsv, previewCsv, type CsvPreview } from "./csv-import.ts";
import { CsvFileError } from "./csv-read.ts";
import {
  deleteImport,
  insertImport,
  listPendingSince,
  listRunningSince,
  transitionImport,
  updateImport,
  type ImportRow,
} from "./imports.queries.ts";

export const UPLOAD_LIMIT_BYTES = 25 * 1024 * 1024;
const PENDING_LIFETIME_MS = 24 * 60 * 60 * 1000;
// A batch takes seconds; a running import that has not moved for this long was cut off.
const STALLED_AFTER_MS = 10 * 60 * 1000;

/** Where uploads wait: a folder of our own in the system's temporary folder, readable by this user only. */
export function uploadDir(): string {
  const dir = path.join(tmpdir(), "luisterpost-uploads");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

export type PreviewOutcome = { kind: "preview"; preview: CsvPreview } | { kind: "unusable"; message: string };

/** The preview of an uploaded file, or why it cannot be used at all (empty, not CSV). */
export async function previewFile(file: string): Promise<PreviewOutcome> {
  try {
    const preview = await previewCsv(() => createReadStream(file));
    // Fewer than the preview's ten rows means the preview has read the whole file.
    if (!preview.problem && preview.rows.length === 0) return { kind: "unusable", message: "Het bestand heeft een kopregel, maar geen regels met gesprekken." };
    return { kind: "preview", preview };
  } catch (err) {
    if (err instanceof CsvFileError) return { kind: "unusable", message: err.message };
    throw err;
  }
}

export async function registerUpload(
  db: Db,
  values: { municipalityId: number; filename: string; file: string; sizeBytes: number; userId: number | null },
): Promise<number> {
  return insertImport(db, {
    municipalityId: values.municipalityId,
    filename: path.basename(values.filename.replace(/\\/g, "/")) || "bestand.csv",
    status: "pending",
    sizeBytes: values.sizeBytes,
    uploadFile: values.file,
    createdByUserId: values.userId,
  });
}

export async function removeFile(file: string | null): Promise<void> {
  if (file) await rm(file, { force: true });
}

/** Uploads nobody confirmed within a day: file and row go. */
export async function sweepStaleUploads(db: Db, municipalityId: number, now = new Date()): Promise<void> {
  for (const row of await listPendingSince(db, municipalityId, new Date(now.getTime() - PENDING_LIFETIME_MS))) {
    await removeFile(row.uploadFile);
    await deleteImport(db, municipalityId, row.id);
  }
}

/**
 * Imports cut off by a restart stay 'running' in the database: after ten minutes without progress they are
 * marked failed (what was committed stays; importing the file again is safe) and their file is removed.
 */
export async function failStalledImports(db: Db, municipalityId: number, now = new Date()): Promise<void> {
  for (const row of await listRunningSince(db, municipalityId, new Date(now.getTime() - STALLED_AFTER_MS))) {
    const failed = await transitionImport(db, row.id, "running", {
      status: "failed",
      finishedAt: now,
      uploadFile: null,
      error: `Het importeren is afgebroken${row.totalRows > 0 ? ` na ${row.totalRows.toLocaleString("nl-NL")} regels` : ""}, waarschijnlijk doordat Luisterpost opnieuw is gestart. Wat tot dan is verwerkt, blijft bewaard. Importeer het bestand opnieuw; gesprekken die al zijn geïmporteerd, blijven dan ongewijzigd.`,
    });
    if (failed) await removeFile(row.uploadFile);
  }
}

export async function cancelUpload(db: Db, row: ImportRow): Promise<void> {
  if (row.status !== "pending") return;
  await removeFile(row.uploadFile);
  await deleteImport(db, row.municipalityId, row.id);
}

const running = new Set<Promise<void>>();

/** Resolves when every import this process started has ended (tests, shutdown). */
export async function importsSettled(): Promise<void> {
  while (running.size > 0) await Promise.allSettled([...running]);
}

/**
 * Starts a pending import and returns at once; false when it was no longer pending (a second click).
 * `onUnexpected` hears about errors that are not the file's fault; the import row records them either way.
 */
export async function startImport(db: Db, key: Buffer, row: ImportRow, onUnexpected: (err: unknown) => void): Promise<boolean> {
  const file = row.uploadFile;
  const present = file ? await stat(file).then(() => true, () => false) : false;
  if (!present) {
    return transitionImport(db, row.id, "pending", {
      status: "failed",
      finishedAt: new Date(),
      uploadFile: null,
      error: "Het geüploade bestand is niet meer beschikbaar. Kies het bestand opnieuw.",
    });
  }
  if (!(await transitionImport(db, row.id, "pending", { status: "running", startedAt: new Date() }))) return false;

  const job = (async () => {
    try {
      await importConversationsCsv({
        db,
        key,
        municipalityId: row.municipalityId,
        input: createReadStream(file!),
        filename: row.filename,
        createdByUserId: row.createdByUserId,
        sizeBytes: row.sizeBytes,
        importId: row.id,
      });
    } catch (err) {
      if (!(err instanceof CsvImportError)) onUnexpected(err);
    } finally {
      await removeFile(file).catch(onUnexpected);
      await updateImport(db, row.id, { uploadFile: null }).catch(onUnexpected);
    }
  })();
  running.add(job);
  void job.finally(() => running.delete(job));
  return true;
}

export type ImportStatusView = {
  id: number;
  status: ImportRow["status"];
  finished: boolean;
  rowsDone: number;
  accepted: number;
  unchanged: number;
  rejected: number;
  processedBytes: number;
  sizeBytes: number | null;
  /** 0–100, by bytes of the file read: the number of rows is known only at the end. */
  percent: number;
  error: string | null;
};

/** What the progress page and its script get to see; no file paths, no row contents. */
export function presentStatus(row: ImportRow): ImportStatusView {
  const finished = row.status === "done" || row.status === "failed";
  const size = row.sizeBytes ?? 0;
  const percent = row.status === "done" ? 100 : size > 0 ? Math.min(99, Math.floor((row.processedBytes / size) * 100)) : 0;
  return {
    id: row.id,
    status: row.status,
    finished,
    rowsDone: row.totalRows,
    accepted: row.accepted,
    unchanged: row.unchanged,
    rejected: row.rejected,
    processedBytes: row.processedBytes,
    sizeBytes: row.sizeBytes,
    percent,
    error: row.error,
  };
}
