// The only place that runs knex against municipality_settings.
import { fromJson, toDbTime, toJson, type Db, type Knex } from "../db.ts";

type Executor = Db | Knex.Transaction;

export async function findSection(db: Executor, municipalityId: number, section: string): Promise<unknown> {
  const row = await db("municipality_settings").select("value").where({ municipality_id: municipalityId, section }).first();
  return row ? fromJson(row.value) : undefined;
}

/** Every municipality's value of one section (municipalities without a stored value are absent). */
export async function findSectionOfAll(db: Executor, section: string): Promise<Map<number, unknown>> {
  const rows = await db("municipality_settings").select("municipality_id", "value").where({ section });
  return new Map(rows.map((r) => [r.municipality_id as number, fromJson(r.value)]));
}

export async function saveSection(db: Executor, municipalityId: number, section: string, value: unknown, userId: number | null, at = new Date()): Promise<void> {
  await db("municipality_settings")
    .insert({ municipality_id: municipalityId, section, value: toJson(value), updated_by_user_id: userId, updated_at: toDbTime(at) })
    .onConflict(["municipality_id", "section"])
    .merge(["value", "updated_by_user_id", "updated_at"]);
}
