// The only place that runs knex against followup_attempts, followup_notes and followup_themes: what happened
// on one follow-up (the calls, the notes per topic, the themes).
import { fromDbTime, toDbTime, type Db, type Knex } from "../db.ts";
import type { AttemptResult } from "./followups.queries.ts";

type Executor = Db | Knex.Transaction;

// --- attempts -----------------------------------------------------------------------------------------------

export type AttemptRow = { id: number; userId: number | null; userName: string | null; attemptedAt: Date; result: AttemptResult; callbackAt: Date | null };

export async function insertAttempt(db: Executor, values: { followupId: number; userId: number; attemptedAt: Date; result: AttemptResult; callbackAt: Date | null }, at: Date): Promise<void> {
  await db("followup_attempts").insert({
    followup_id: values.followupId,
    user_id: values.userId,
    attempted_at: toDbTime(values.attemptedAt),
    result: values.result,
    callback_at: values.callbackAt ? toDbTime(values.callbackAt) : null,
    created_at: toDbTime(at),
  });
}

export async function listAttempts(db: Executor, followupId: number): Promise<AttemptRow[]> {
  const rows = await db("followup_attempts as a")
    .leftJoin("users as u", "u.id", "a.user_id")
    .select("a.id", "a.user_id", "u.name as user_name", "a.attempted_at", "a.result", "a.callback_at")
    .where("a.followup_id", followupId)
    .orderBy([{ column: "a.attempted_at", order: "asc" }, { column: "a.id", order: "asc" }]);
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id ?? null,
    userName: r.user_name ?? null,
    attemptedAt: fromDbTime(r.attempted_at)!,
    result: r.result,
    callbackAt: fromDbTime(r.callback_at),
  }));
}

// --- notes and themes ---------------------------------------------------------------------------------------

export type NoteRow = { topic: string; text: string; updatedAt: Date };

export async function listNotes(db: Executor, followupId: number): Promise<NoteRow[]> {
  const rows = await db("followup_notes").select("topic", "text", "updated_at").where({ followup_id: followupId }).orderBy("id");
  return rows.map((r) => ({ topic: r.topic, text: r.text, updatedAt: fromDbTime(r.updated_at)! }));
}

/** Stores the notes per topic; an empty text removes that topic's note. */
export async function saveNotes(db: Executor, followupId: number, notes: Array<{ topic: string; text: string }>, userId: number, at: Date): Promise<void> {
  for (const note of notes) {
    if (note.text === "") {
      await db("followup_notes").where({ followup_id: followupId, topic: note.topic }).delete();
      continue;
    }
    await db("followup_notes")
      .insert({ followup_id: followupId, topic: note.topic, text: note.text, user_id: userId, created_at: toDbTime(at), updated_at: toDbTime(at) })
      .onConflict(["followup_id", "topic"])
      .merge(["text", "user_id", "updated_at"]);
  }
}

export async function listThemes(db: Executor, followupId: number): Promise<string[]> {
  return (await db("followup_themes").select("theme").where({ followup_id: followupId }).orderBy("theme")).map((r) => r.theme as string);
}

export async function replaceThemes(db: Executor, followupId: number, themes: string[]): Promise<void> {
  await db("followup_themes").where({ followup_id: followupId }).delete();
  if (themes.length > 0) await db("followup_themes").insert(themes.map((theme) => ({ followup_id: followupId, theme })));
}
