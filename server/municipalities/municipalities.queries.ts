// The only place that runs knex against the municipalities table.
import { fromDbTime, fromJson, toDbTime, toJson, type Db } from "../db.ts";

export type MunicipalityRow = {
  id: number;
  code: string;
  name: string;
  theme: unknown;
  createdAt: Date;
};

function toRow(row: { id: number; code: string; name: string; theme: unknown; created_at: unknown }): MunicipalityRow {
  return { id: row.id, code: row.code, name: row.name, theme: fromJson(row.theme) ?? {}, createdAt: fromDbTime(row.created_at)! };
}

export async function findMunicipalityById(db: Db, id: number): Promise<(MunicipalityRow & { phone: string | null; contactEmail: string | null }) | undefined> {
  const row = await db("municipalities").select("id", "code", "name", "theme", "created_at", "phone", "contact_email").where({ id }).first();
  return row ? { ...toRow(row), phone: row.phone ?? null, contactEmail: row.contact_email ?? null } : undefined;
}

export async function updateMunicipalityContact(db: Db, id: number, values: { phone: string | null; contactEmail: string | null }): Promise<void> {
  await db("municipalities").where({ id }).update({ phone: values.phone, contact_email: values.contactEmail, updated_at: toDbTime(new Date()) });
}

export async function findMunicipalityByCode(db: Db, code: string): Promise<MunicipalityRow | undefined> {
  const row = await db("municipalities").select("id", "code", "name", "theme", "created_at").where({ code }).first();
  return row ? toRow(row) : undefined;
}

export async function listMunicipalities(db: Db): Promise<Array<MunicipalityRow & { members: number }>> {
  const rows = await db("municipalities as g")
    .leftJoin("memberships as m", "m.municipality_id", "g.id")
    .select("g.id", "g.code", "g.name", "g.theme", "g.created_at")
    .count({ members: "m.id" })
    .groupBy("g.id", "g.code", "g.name", "g.theme", "g.created_at")
    .orderBy("g.name");
  return rows.map((r) => ({ ...toRow(r as Parameters<typeof toRow>[0]), members: Number(r.members) }));
}

/** The municipality when the installation has exactly one, else undefined. */
export async function findOnlyMunicipality(db: Db): Promise<MunicipalityRow | undefined> {
  const rows = await db("municipalities").select("id", "code", "name", "theme", "created_at").orderBy("id").limit(2);
  return rows.length === 1 ? toRow(rows[0]) : undefined;
}

export async function insertMunicipality(db: Db, values: { code: string; name: string; theme?: unknown }): Promise<MunicipalityRow> {
  const now = toDbTime(new Date());
  const [row] = await db("municipalities")
    .insert({ code: values.code, name: values.name, theme: toJson(values.theme ?? {}), created_at: now, updated_at: now })
    .returning(["id", "code", "name", "theme", "created_at"]);
  return toRow(row);
}

export async function updateMunicipalityTheme(db: Db, id: number, theme: unknown): Promise<void> {
  await db("municipalities").where({ id }).update({ theme: toJson(theme), updated_at: toDbTime(new Date()) });
}
