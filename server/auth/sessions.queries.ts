// The only place that runs knex against sessions.
import { fromDbTime, toDbTime, type Db } from "../db.ts";

export type SessionStage = "code" | "totp-setup" | "active";
export type SessionRow = { idHash: string; userId: number; stage: SessionStage; lastSeenAt: Date; expiresAt: Date };

export async function insertSession(db: Db, values: { idHash: string; userId: number; stage: SessionStage; expiresAt: Date }): Promise<void> {
  const now = toDbTime(new Date());
  await db("sessions").insert({
    id_hash: values.idHash,
    user_id: values.userId,
    stage: values.stage,
    created_at: now,
    last_seen_at: now,
    expires_at: toDbTime(values.expiresAt),
  });
}

export async function findSession(db: Db, idHash: string): Promise<SessionRow | undefined> {
  const row = await db("sessions").select("id_hash", "user_id", "stage", "last_seen_at", "expires_at").where({ id_hash: idHash }).first();
  if (!row) return undefined;
  return { idHash: row.id_hash, userId: row.user_id, stage: row.stage, lastSeenAt: fromDbTime(row.last_seen_at)!, expiresAt: fromDbTime(row.expires_at)! };
}

export async function touchSession(db: Db, idHash: string, at: Date): Promise<void> {
  await db("sessions").where({ id_hash: idHash }).update({ last_seen_at: toDbTime(at) });
}

/** Gives the session a new id (and optionally a new stage): the old cookie stops working. */
export async function renewSession(db: Db, oldIdHash: string, newIdHash: string, stage: SessionStage): Promise<void> {
  await db("sessions").where({ id_hash: oldIdHash }).update({ id_hash: newIdHash, stage, last_seen_at: toDbTime(new Date()) });
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db("sessions").where({ id_hash: idHash }).delete();
}

export async function deleteSessionsOfUser(db: Db, userId: number): Promise<void> {
  await db("sessions").where({ user_id: userId }).delete();
}

export async function deleteExpiredSessions(db: Db, now: Date, idleSince: Date): Promise<number> {
  return db("sessions").where("expires_at", "<", toDbTime(now)).orWhere("last_seen_at", "<", toDbTime(idleSince)).delete();
}
