// The demo's own reads and its few direct writes. Everything the demo makes goes through the features'
// services with the simulated moment as "now"; some of their queries stamp a row with the wall clock instead
// (intakes, accounts, settings, outbox messages, link secrets). These statements move exactly those stamps to
// the simulated moment, so every table tells the same year. Audit events stay as written: the database refuses
// to change them, and they truthfully say when the demo wrote them.
import { countOf, fromDbTime, fromJson, toDbTime, type Db } from "../db.ts";

/** The municipality, its staff and their memberships existed from the start of the demo year. */
export async function stampAccounts(db: Db, municipalityId: number, userIds: number[], at: Date): Promise<void> {
  const t = toDbTime(at);
  await db("municipalities").where({ id: municipalityId }).update({ created_at: t, updated_at: t });
  await db("users").whereIn("id", userIds).update({ created_at: t, updated_at: t });
  await db("users").whereIn("id", userIds).whereNotNull("totp_enabled_at").update({ totp_enabled_at: t });
  await db("memberships").whereIn("user_id", userIds).update({ created_at: t });
}

/** Intakes just registered (and their clients and contact data) arrived at `at`, not at the wall-clock time. */
export async function stampRegistrations(db: Db, municipalityId: number, at: Date): Promise<void> {
  const t = toDbTime(at);
  await db("conversations").where({ municipality_id: municipalityId }).where("created_at", ">", t).update({ created_at: t });
  const clients = db("clients").select("id").where({ municipality_id: municipalityId });
  await db("clients").where({ municipality_id: municipalityId }).where("created_at", ">", t).update({ created_at: t });
  await db("clients").where({ municipality_id: municipalityId }).where("updated_at", ">", t).update({ updated_at: t });
  await db("client_contacts").whereIn("client_id", clients).where("updated_at", ">", t).update({ updated_at: t });
}

/** Messages the outbox just stored were sent at `at`. */
export async function stampOutbox(db: Db, municipalityId: number, at: Date): Promise<void> {
  const t = toDbTime(at);
  await db("dev_outbox").where({ municipality_id: municipalityId }).where("created_at", ">", t).update({ created_at: t });
}

export async function stampSettings(db: Db, municipalityId: number, section: string, at: Date): Promise<void> {
  await db("municipality_settings").where({ municipality_id: municipalityId, section }).update({ updated_at: toDbTime(at) });
}

/**
 * After the year: link tokens and paper codes were made when their message was (they say so through their
 * delivery), questionnaire versions at the start, and report e-mails went out when they were claimed.
 */
export async function stampAfterwards(db: Db, municipalityId: number, start: Date): Promise<void> {
  const invitations = db("invitations").select("id").where({ municipality_id: municipalityId });
  await db("invitation_secrets")
    .whereIn("invitation_id", invitations)
    .whereNotNull("delivery_id")
    .update({ created_at: db.raw("(select coalesce(d.sent_at, d.updated_at, d.created_at) from deliveries d where d.id = invitation_secrets.delivery_id)") });
  await db("questionnaire_versions").where({ municipality_id: municipalityId }).where("created_at", ">", toDbTime(start)).update({ created_at: toDbTime(start) });
  await db("report_notifications").where({ municipality_id: municipalityId }).whereNotNull("sent_at").update({ sent_at: db.ref("created_at") });
}

/** Follow-ups created after the one with id `afterId`, oldest first. */
export async function followupsAfter(db: Db, municipalityId: number, afterId: number): Promise<Array<{ id: number; createdAt: Date }>> {
  const rows = await db("followups").select("id", "created_at").where({ municipality_id: municipalityId }).where("id", ">", afterId).orderBy("id");
  return rows.map((r) => ({ id: r.id as number, createdAt: fromDbTime(r.created_at)! }));
}

/** Completed responses of a period with an open answer, for an administrator choosing quotes. */
export async function openAnswersOf(db: Db, municipalityId: number, range: { start: Date; end: Date }, key: string): Promise<Array<{ responseId: number; text: string }>> {
  const rows = await db("responses")
    .select("id", "answers")
    .where({ municipality_id: municipalityId, status: "completed" })
    .where("completed_at", ">=", toDbTime(range.start))
    .where("completed_at", "<", toDbTime(range.end))
    .orderBy("id");
  return rows.flatMap((r) => {
    const text = fromJson<Record<string, unknown>>(r.answers)?.[key];
    return typeof text === "string" ? [{ responseId: r.id as number, text }] : [];
  });
}

export async function clientOfConversation(db: Db, conversationId: number): Promise<number> {
  return (await db("conversations").where({ id: conversationId }).first("client_id")).client_id as number;
}

export type InvitationState = { id: number; status: string; opened: boolean; started: boolean };

export async function invitationStates(db: Db, ids: number[]): Promise<InvitationState[]> {
  if (ids.length === 0) return [];
  const rows = await db("invitations as i").leftJoin("responses as r", "r.invitation_id", "i.id").select("i.id", "i.status", "i.opened_at", "r.id as response_id").whereIn("i.id", ids);
  return rows.map((r) => ({ id: r.id as number, status: r.status as string, opened: fromDbTime(r.opened_at) !== null, started: r.response_id !== null && r.response_id !== undefined }));
}

/** A few totals for the message on the terminal. */
export async function demoTotals(db: Db, municipalityId: number): Promise<{ conversations: number; invitations: number; responses: number; followups: number }> {
  const count = async (table: string, where: Record<string, unknown> = {}) => countOf(await db(table).where({ municipality_id: municipalityId, ...where }).count({ count: "*" }));
  return {
    conversations: await count("conversations"),
    invitations: await count("invitations"),
    responses: await count("responses", { status: "completed" }),
    followups: await count("followups"),
  };
}
