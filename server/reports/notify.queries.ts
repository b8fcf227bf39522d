// The only place that runs knex against report_notifications: one row per municipality, quarter and
// recipient, claimed before the e-mail goes out, so no one gets the same message twice.
import { toDbTime, type Db } from "../db.ts";

/** Claims the message for one recipient; false when it was claimed (sent, or being sent) before. */
export async function claimNotification(db: Db, municipalityId: number, period: string, userId: number, at: Date): Promise<boolean> {
  const rows = await db("report_notifications")
    .insert({ municipality_id: municipalityId, period, user_id: userId, created_at: toDbTime(at) })
    .onConflict(["municipality_id", "period", "user_id"])
    .ignore()
    .returning(["user_id"]);
  return rows.length > 0;
}

export async function markNotificationSent(db: Db, municipalityId: number, period: string, userId: number, at: Date): Promise<void> {
  await db("report_notifications").where({ municipality_id: municipalityId, period, user_id: userId }).update({ sent_at: toDbTime(at) });
}

/** Gives the claim back after a failed send, so the next run tries again. */
export async function releaseNotification(db: Db, municipalityId: number, period: string, userId: number): Promise<void> {
  await db("report_notifications").where({ municipality_id: municipalityId, period, user_id: userId }).whereNull("sent_at").delete();
}
