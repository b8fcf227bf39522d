// The only place that runs knex against api_keys.
import { fromDbTime, toDbTime, type Db } from "../db.ts";

export type ApiKeyRow = {
  id: number;
  municipalityId: number;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

const COLUMNS = ["id", "municipality_id", "name", "prefix", "created_at", "last_used_at", "revoked_at"];

function toRow(r: Record<string, unknown>): ApiKeyRow {
  return {
    id: r.id as number,
    municipalityId: r.municipality_id as number,
    name: r.name as string,
    prefix: r.prefix as string,
    createdAt: fromDbTime(r.created_at)!,
    lastUsedAt: fromDbTime(r.last_used_at),
    revokedAt: fromDbTime(r.revoked_at),
  };
}

export async function insertApiKey(
  db: Db,
  values: { municipalityId: number; name: string; prefix: string; keyHash: string; createdByUserId: number | null },
): Promise<ApiKeyRow> {
  const [row] = await db("api_keys")
    .insert({
      municipality_id: values.municipalityId,
      name: values.name,
      prefix: values.prefix,
      key_hash: values.keyHash,
      created_by_user_id: values.createdByUserId,
      created_at: toDbTime(new Date()),
    })
    .returning(COLUMNS);
  return toRow(row);
}

export async function listApiKeys(db: Db, municipalityId: number): Promise<ApiKeyRow[]> {
  return (await db("api_keys").select(COLUMNS).where({ municipality_id: municipalityId }).orderBy("created_at", "desc")).map(toRow);
}

export async function findActiveApiKeyByHash(db: Db, keyHash: string): Promise<ApiKeyRow | undefined> {
  const row = await db("api_keys").select(COLUMNS).where({ key_hash: keyHash }).whereNull("revoked_at").first();
  return row ? toRow(row) : undefined;
}

/** Revokes a key of this municipality; false when there is no such active key there. */
export async function revokeApiKey(db: Db, municipalityId: number, id: number): Promise<boolean> {
  return (await db("api_keys").where({ id, municipality_id: municipalityId }).whereNull("revoked_at").update({ revoked_at: toDbTime(new Date()) })) === 1;
}

export async function markApiKeyUsed(db: Db, id: number, at: Date): Promise<void> {
  await db("api_keys").where({ id }).update({ last_used_at: toDbTime(at) });
}
