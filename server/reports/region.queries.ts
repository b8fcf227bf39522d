// The regional comparison's reads and the region readers (region_readers): who may see the comparison, and
// the answers of the municipalities that agreed to share, grouped per municipality and questionnaire. Only
// grouped counts leave the database.
import { fromDbTime, toCount, toDbTime, type Db } from "../db.ts";
import type { GradeCounts, Range, SlotCounts } from "./reports.queries.ts";

export async function isRegionReader(db: Db, userId: number): Promise<boolean> {
  return (await db("region_readers").where({ user_id: userId }).first("user_id")) !== undefined;
}

export type RegionReaderRow = { userId: number; email: string; name: string; active: boolean; grantedAt: Date; grantedByName: string | null };

export async function listRegionReaders(db: Db): Promise<RegionReaderRow[]> {
  const rows = await db("region_readers as r")
    .join("users as u", "u.id", "r.user_id")
    .leftJoin("users as g", "g.id", "r.granted_by_user_id")
    .orderBy("u.name")
    .select("u.id", "u.email", "u.name", "u.active", "r.created_at", "g.name as granted_by");
  return rows.map((r) => ({ userId: r.id, email: r.email, name: r.name, active: r.active === true || r.active === 1, grantedAt: fromDbTime(r.created_at)!, grantedByName: r.granted_by ?? null }));
}

export async function insertRegionReader(db: Db, userId: number, grantedBy: number | null, at = new Date()): Promise<boolean> {
  const rows = await db("region_readers").insert({ user_id: userId, granted_by_user_id: grantedBy, created_at: toDbTime(at) }).onConflict("user_id").ignore().returning(["user_id"]);
  return rows.length > 0;
}

export async function deleteRegionReader(db: Db, userId: number): Promise<boolean> {
  return (await db("region_readers").where({ user_id: userId }).delete()) > 0;
}

export type RegionRow = { municipalityId: number; questionnaire: string; respondents: number; slots: SlotCounts[]; grade: GradeCounts };

/** Per municipality and questionnaire: respondents, the statements' counts and the grade, for the period. */
export async function aggregateByMunicipality(db: Db, municipalityIds: number[], range: Range, slots: number): Promise<RegionRow[]> {
  if (municipalityIds.length === 0) return [];
  const parts = ["count(*) as respondents", "count(f.grade) as g_n", "coalesce(sum(f.grade), 0) as g_sum", "coalesce(sum(f.grade * f.grade), 0) as g_sq"];
  for (let s = 1; s <= slots; s++) {
    parts.push(
      `sum(case when f.s${s} = 0 then 1 else 0 end) as s${s}_zero`,
      `sum(case when f.s${s} = 1 then 1 else 0 end) as s${s}_one`,
      `sum(case when f.s${s} >= 4 and f.s${s} <= 5 then 1 else 0 end) as s${s}_agree`,
      `sum(case when f.s${s} >= 1 and f.s${s} <= 5 then 1 else 0 end) as s${s}_valid`,
    );
  }
  const rows = (await db("report_facts as f")
    .whereIn("f.municipality_id", municipalityIds)
    .where("f.counted_at", ">=", toDbTime(range.start))
    .where("f.counted_at", "<", toDbTime(range.end))
    .select("f.municipality_id", "f.questionnaire")
    .select(db.raw(parts.join(", ")))
    .groupBy("f.municipality_id", "f.questionnaire")) as Record<string, unknown>[];
  return rows.map((r) => ({
    municipalityId: r.municipality_id as number,
    questionnaire: r.questionnaire as string,
    respondents: toCount(r.respondents),
    slots: Array.from({ length: slots }, (_, i) => ({ zero: toCount(r[`s${i + 1}_zero`]), one: toCount(r[`s${i + 1}_one`]), agree: toCount(r[`s${i + 1}_agree`]), valid: toCount(r[`s${i + 1}_valid`]) })),
    grade: { n: toCount(r.g_n), sum: Number(r.g_sum ?? 0), sumOfSquares: Number(r.g_sq ?? 0), distribution: [] },
  }));
}
