// Rejected CSV rows hold contact data; they are kept 30 days for fixing and re-uploading, then deleted.
import type { Db } from "../server/db.ts";
import { deleteRejectionsOfImportsBefore } from "../server/intake/imports.queries.ts";

export const REJECTION_RETENTION_DAYS = 30;

export async function purgeImportRejections(db: Db, now = new Date()): Promise<number> {
  return deleteRejectionsOfImportsBefore(db, new Date(now.getTime() - REJECTION_RETENTION_DAYS * 24 * 60 * 60 * 1000));
}
