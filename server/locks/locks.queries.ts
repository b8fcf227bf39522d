// The only place that runs knex against job_locks.
import { fromDbTime, toDbTime, type Db } from "../db.ts";

/**
 * Takes the lease when it is free or has run out; true when this holder has it now. Atomic on both
 * dialects: an insert that conflicts becomes an update that only applies to an expired lease (or our own).
 */
export async function tryAcquire(db: Db, name: string, holder: string, until: Date, now: Date): Promise<boolean> {
  const rows = await db("job_locks")
    .insert({ name, holder, expires_at: toDbTime(until) })
    .onConflict("name")
    .merge({ holder, expires_at: toDbTime(until) })
    .where(function () {
      this.where("job_locks.expires_at", "<", toDbTime(now)).orWhere("job_locks.holder", holder);
    })
    .returning(["holder"]);
  return rows.length === 1 && rows[0].holder === holder;
}

export async function release(db: Db, name: string, holder: string): Promise<void> {
  await db("job_locks").where({ name, holder }).delete();
}

export async function findLock(db: Db, name: string): Promise<{ holder: string; expiresAt: Date } | undefined> {
  const row = await db("job_locks").select("holder", "expires_at").where({ name }).first();
  return row ? { holder: row.holder, expiresAt: fromDbTime(row.expires_at)! } : undefined;
}
