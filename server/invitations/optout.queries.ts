// Opting out: the client row's opted_out_at, and closing everything still open for that client.
import { fromDbTime, toDbTime, type Db } from "../db.ts";

/** Marks the client opted out (once) and closes open invitations; true when the client was not opted out before. */
export async function markClientOptedOut(db: Db, clientId: number, now: Date): Promise<{ changed: boolean; municipalityId: number } | undefined> {
  return db.transaction(async (trx) => {
    const client = await trx("clients").select("id", "municipality_id", "opted_out_at").where({ id: clientId }).first();
    if (!client) return undefined;
    const changed = fromDbTime(client.opted_out_at) === null;
    if (changed) await trx("clients").where({ id: clientId }).update({ opted_out_at: toDbTime(now), updated_at: toDbTime(now) });
    const open = (await trx("invitations").select("id").where({ client_id: clientId }).whereIn("status", ["planned", "sent"])).map((r) => r.id as number);
    if (open.length > 0) {
      await trx("invitations").whereIn("id", open).update({ status: "opted_out", closed_at: toDbTime(now), next_reminder_at: null });
      await trx("deliveries").whereIn("invitation_id", open).whereIn("status", ["pending"]).update({ status: "cancelled", updated_at: toDbTime(now) });
    }
    return { changed, municipalityId: client.municipality_id as number };
  });
}

/** Clients whose mobile number (or callback number) is this E.164 number, in any municipality. */
export async function findClientIdsByMobile(db: Db, mobile: string): Promise<number[]> {
  const rows = await db("client_contacts").select("client_id").where({ mobile }).orWhere({ callback_phone: mobile });
  return rows.map((r) => r.client_id as number);
}

export async function isClientOptedOut(db: Db, clientId: number): Promise<boolean> {
  const row = await db("clients").select("opted_out_at").where({ id: clientId }).first();
  return fromDbTime(row?.opted_out_at) !== null;
}

export async function findClientMunicipality(db: Db, clientId: number): Promise<number | undefined> {
  const row = await db("clients").select("municipality_id").where({ id: clientId }).first();
  return row ? (row.municipality_id as number) : undefined;
}
