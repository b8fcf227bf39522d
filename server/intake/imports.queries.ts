// The only place that runs knex against imports and import_rejections.
import { fromDbTime, fromJson, toCount, toDbTime, toJson, type Db, type Knex } from "../db.ts";

type Executor = Db | Knex.Transaction;

export type ImportStatus = "pending" | "running" | "done" | "failed";

export type ImportRow = {
  id: number;
  municipalityId: number;
  filename: string;
  status: ImportStatus;
  totalRows: number;
  accepted: number;
  unchanged: number;
  rejected: number;
  sizeBytes: number | null;
  processedBytes: number;
  separator: string | null;
  encoding: string | null;
  columns: string[] | null;
  uploadFile: string | null;
  createdByUserId: number | null;
  startedAt: Date;
  finishedAt: Date | null;
  updatedAt: Date;
  error: string | null;
};

const IMPORT_COLUMNS = [
  "id",
  "municipality_id",
  "filename",
  "status",
  "total_rows",
  "accepted",
  "unchanged",
  "rejected",
  "size_bytes",
  "processed_bytes",
  "separator",
  "encoding",
  "columns",
  "upload_file",
  "created_by_user_id",
  "started_at",
  "finished_at",
  "updated_at",
  "error",
];

function toImport(r: Record<string, unknown>): ImportRow {
  const size = r.size_bytes === null || r.size_bytes === undefined ? null : toCount(r.size_bytes);
  return {
    id: r.id as number,
    municipalityId: r.municipality_id as number,
    filename: r.filename as string,
    status: r.status as ImportStatus,
    totalRows: toCount(r.total_rows),
    accepted: toCount(r.accepted),
    unchanged: toCount(r.unchanged),
    rejected: toCount(r.rejected),
    sizeBytes: size,
    processedBytes: toCount(r.processed_bytes),
    separator: (r.separator as string | null) ?? null,
    encoding: (r.encoding as string | null) ?? null,
    columns: fromJson<string[]>(r.columns),
    uploadFile: (r.upload_file as string | null) ?? null,
    createdByUserId: (r.created_by_user_id as number | null) ?? null,
    startedAt: fromDbTime(r.started_at)!,
    finishedAt: fromDbTime(r.finished_at),
    updatedAt: fromDbTime(r.updated_at)!,
    error: (r.error as string | null) ?? null,
  };
}

export async function insertImport(
  db: Executor,
  values: { municipalityId: number; filename: string; status: ImportStatus; sizeBytes: number | null; uploadFile: string | null; createdByUserId: number | null },
): Promise<number> {
  const [row] = await db("imports")
    .insert({
      municipality_id: values.municipalityId,
      filename: values.filename.slice(0, 255),
      status: values.status,
      size_bytes: values.sizeBytes,
      upload_file: values.uploadFile,
      created_by_user_id: values.createdByUserId,
      started_at: toDbTime(new Date()),
      updated_at: toDbTime(new Date()),
    })
    .returning(["id"]);
  return row.id;
}

export type ImportPatch = Partial<{
  status: ImportStatus;
  totalRows: number;
  accepted: number;
  unchanged: number;
  rejected: number;
  processedBytes: number;
  separator: string;
  encoding: string;
  columns: string[];
  uploadFile: string | null;
  startedAt: Date;
  finishedAt: Date;
  error: string | null;
}>;

const PATCH_COLUMNS: Record<keyof ImportPatch, string> = {
  status: "status",
  totalRows: "total_rows",
  accepted: "accepted",
  unchanged: "unchanged",
  rejected: "rejected",
  processedBytes: "processed_bytes",
  separator: "separator",
  encoding: "encoding",
  columns: "columns",
  uploadFile: "upload_file",
  startedAt: "started_at",
  finishedAt: "finished_at",
  error: "error",
};

function toColumns(patch: ImportPatch): Record<string, unknown> {
  const values: Record<string, unknown> = { updated_at: toDbTime(new Date()) };
  for (const [key, value] of Object.entries(patch)) {
    const column = PATCH_COLUMNS[key as keyof ImportPatch];
    values[column] = value instanceof Date ? toDbTime(value) : key === "columns" ? toJson(value) : value;
  }
  return values;
}

export async function updateImport(db: Executor, id: number, patch: ImportPatch): Promise<void> {
  await db("imports").where({ id }).update(toColumns(patch));
}

/** Moves an import from one status to the next only if it still has the first; false when it had not. */
export async function transitionImport(db: Executor, id: number, from: ImportStatus, patch: ImportPatch & { status: ImportStatus }): Promise<boolean> {
  const changed = await db("imports").where({ id, status: from }).update(toColumns(patch));
  return changed > 0;
}

/** An import of this municipality; another municipality's import does not exist here. */
export async function findImport(db: Executor, municipalityId: number, id: number): Promise<ImportRow | undefined> {
  const row = await db("imports").select(IMPORT_COLUMNS).where({ id, municipality_id: municipalityId }).first();
  return row ? toImport(row) : undefined;
}

export async function findImportById(db: Executor, id: number): Promise<ImportRow | undefined> {
  const row = await db("imports").select(IMPORT_COLUMNS).where({ id }).first();
  return row ? toImport(row) : undefined;
}

export async function listImports(db: Db, municipalityId: number, limit: number): Promise<ImportRow[]> {
  const rows = await db("imports").select(IMPORT_COLUMNS).where({ municipality_id: municipalityId }).orderBy("started_at", "desc").orderBy("id", "desc").limit(limit);
  return rows.map(toImport);
}

/** Imports marked running that have not moved since before `before`. */
export async function listRunningSince(db: Db, municipalityId: number, before: Date): Promise<ImportRow[]> {
  const rows = await db("imports").select(IMPORT_COLUMNS).where({ municipality_id: municipalityId, status: "running" }).where("updated_at", "<", toDbTime(before));
  return rows.map(toImport);
}

/** Uploads left waiting for "Importeren" since before `before`: their files are to be removed. */
export async function listPendingSince(db: Db, municipalityId: number, before: Date): Promise<ImportRow[]> {
  const rows = await db("imports").select(IMPORT_COLUMNS).where({ municipality_id: municipalityId, status: "pending" }).where("started_at", "<", toDbTime(before));
  return rows.map(toImport);
}

export async function deleteImport(db: Db, municipalityId: number, id: number): Promise<void> {
  await db("imports").where({ id, municipality_id: municipalityId }).delete();
}

export type RejectionInput = { line: number; column: string | null; reason: string; raw: string };
export type RejectionRow = RejectionInput & { id: number };

// Four values per row; SQLite accepts at most 32766 bound variables per statement.
const INSERT_CHUNK = 1_000;

export async function insertRejections(db: Executor, importId: number, rows: RejectionInput[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const chunk = rows.slice(i, i + INSERT_CHUNK).map((r) => ({ import_id: importId, line: r.line, column: r.column?.slice(0, 200) ?? null, reason: r.reason, raw: r.raw }));
    await db("import_rejections").insert(chunk);
  }
}

/** Rejections in line order, a page at a time after `afterLine`/`afterId` (keyset paging keeps memory flat). */
export async function listRejections(db: Executor, importId: number, limit: number, after?: { line: number; id: number }): Promise<RejectionRow[]> {
  const q = db("import_rejections").select("id", "line", "column", "reason", "raw").where({ import_id: importId });
  if (after) q.where((w) => w.where("line", ">", after.line).orWhere((o) => o.where("line", after.line).andWhere("id", ">", after.id)));
  const rows = await q.orderBy("line").orderBy("id").limit(limit);
  return rows.map((r) => ({ id: r.id, line: r.line, column: r.column ?? null, reason: r.reason, raw: r.raw }));
}

/**
 * Rejected rows keep the original CSV text, contact data included; they are only needed while someone fixes
 * and re-uploads them. Deletes the rejected rows of imports that finished before `before`.
 */
export async function deleteRejectionsOfImportsBefore(db: Db, before: Date): Promise<number> {
  const old = db("imports").select("id").whereNotNull("finished_at").where("finished_at", "<", toDbTime(before));
  return db("import_rejections").whereIn("import_id", old).delete();
}
