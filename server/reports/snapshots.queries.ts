// The only place that runs knex against report_periods and report_snapshots: closed periods and the bytes of
// their reports, stored once and served unchanged (invariant 6).
import { createHash } from "node:crypto";
import { fromDbTime, toDbTime, type Db, type Knex } from "../db.ts";

type Executor = Db | Knex.Transaction;

export type ClosedPeriodRow = { period: string; closedAt: Date; closedByUserId: number | null; closedByName: string | null };

export async function findClosedPeriod(db: Executor, municipalityId: number, period: string): Promise<ClosedPeriodRow | undefined> {
  const row = await db("report_periods as p")
    .leftJoin("users as u", "u.id", "p.closed_by_user_id")
    .where({ "p.municipality_id": municipalityId, "p.period": period })
    .first("p.period", "p.closed_at", "p.closed_by_user_id", "u.name");
  return row ? { period: row.period, closedAt: fromDbTime(row.closed_at)!, closedByUserId: row.closed_by_user_id ?? null, closedByName: row.name ?? null } : undefined;
}

export async function listClosedPeriods(db: Executor, municipalityId: number): Promise<ClosedPeriodRow[]> {
  const rows = await db("report_periods as p")
    .leftJoin("users as u", "u.id", "p.closed_by_user_id")
    .where("p.municipality_id", municipalityId)
    .orderBy("p.starts_at", "desc")
    .select("p.period", "p.closed_at", "p.closed_by_user_id", "u.name");
  return rows.map((row) => ({ period: row.period, closedAt: fromDbTime(row.closed_at)!, closedByUserId: row.closed_by_user_id ?? null, closedByName: row.name ?? null }));
}

export type SnapshotInput = { format: string; content: Buffer };

/**
 * Closes the period with its snapshots, all or nothing. False when the period was already closed (by someone
 * else a moment ago, too: the primary key decides).
 */
export async function insertClosedPeriod(
  db: Db,
  values: { municipalityId: number; period: string; startsAt: Date; endsAt: Date; closedAt: Date; closedByUserId: number | null; snapshots: SnapshotInput[] },
): Promise<boolean> {
  return db.transaction(async (trx) => {
    const inserted = await trx("report_periods")
      .insert({
        municipality_id: values.municipalityId,
        period: values.period,
        starts_at: toDbTime(values.startsAt),
        ends_at: toDbTime(values.endsAt),
        closed_at: toDbTime(values.closedAt),
        closed_by_user_id: values.closedByUserId,
      })
      .onConflict(["municipality_id", "period"])
      .ignore()
      .returning(["period"]);
    if (inserted.length === 0) return false;
    for (const s of values.snapshots) {
      await trx("report_snapshots").insert({
        municipality_id: values.municipalityId,
        period: values.period,
        format: s.format,
        content: s.content,
        bytes: s.content.length,
        sha256: createHash("sha256").update(s.content).digest("hex"),
        created_at: toDbTime(values.closedAt),
      });
    }
    return true;
  });
}

export async function findSnapshot(db: Executor, municipalityId: number, period: string, format: string): Promise<Buffer | undefined> {
  const row = await db("report_snapshots").where({ municipality_id: municipalityId, period, format }).first("content");
  if (!row) return undefined;
  const content = row.content as unknown;
  return Buffer.isBuffer(content) ? content : Buffer.from(content as Uint8Array);
}
