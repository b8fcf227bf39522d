// The only place that runs knex against rate_limits.
import { fromDbTime, toDbTime, type Db } from "../db.ts";

/** Adds one hit to the window and returns the window's count, atomically on both dialects (upsert). */
export async function addHit(db: Db, bucket: string, key: string, windowStart: number, at: Date): Promise<number> {
  const [row] = await db("rate_limits")
    .insert({ bucket, key, window_start: windowStart, hits: 1, last_hit_at: toDbTime(at) })
    .onConflict(["bucket", "key", "window_start"])
    .merge({ hits: db.raw("rate_limits.hits + 1"), last_hit_at: toDbTime(at) })
    .returning(["hits"]);
  return Number(row.hits);
}

export async function readWindow(db: Db, bucket: string, key: string, windowStart: number): Promise<{ hits: number; lastHitAt: Date } | undefined> {
  const row = await db("rate_limits").select("hits", "last_hit_at").where({ bucket, key, window_start: windowStart }).first();
  return row ? { hits: Number(row.hits), lastHitAt: fromDbTime(row.last_hit_at)! } : undefined;
}

export async function clearKey(db: Db, bucket: string, key: string): Promise<void> {
  await db("rate_limits").where({ bucket, key }).delete();
}

export async function deleteWindowsBefore(db: Db, windowStart: number): Promise<number> {
  return db("rate_limits").where("window_start", "<", windowStart).delete();
}
