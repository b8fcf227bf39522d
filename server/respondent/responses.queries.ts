// The only place that runs knex against responses (and the callback phone a respondent types).
import { fromDbTime, fromJson, toDbTime, toJson, type Db, type Knex } from "../db.ts";

type Executor = Db | Knex.Transaction;

export type ResponseMode = "online" | "sms" | "code" | "paper" | "phone";

export type ResponseRow = {
  id: number;
  invitationId: number;
  questionnaireVersionId: number;
  mode: ResponseMode;
  status: "in_progress" | "completed";
  answers: Record<string, unknown>;
  currentPage: number;
  locale: string;
  enteredByUserId: number | null;
  completedAt: Date | null;
};

const COLUMNS = ["id", "invitation_id", "questionnaire_version_id", "mode", "status", "answers", "current_page", "locale", "entered_by_user_id", "completed_at"];

function toRow(r: Record<string, unknown>): ResponseRow {
  return {
    id: r.id as number,
    invitationId: r.invitation_id as number,
    questionnaireVersionId: r.questionnaire_version_id as number,
    mode: r.mode as ResponseMode,
    status: r.status as ResponseRow["status"],
    answers: fromJson<Record<string, unknown>>(r.answers) ?? {},
    currentPage: Number(r.current_page),
    locale: r.locale as string,
    enteredByUserId: (r.entered_by_user_id as number | null) ?? null,
    completedAt: fromDbTime(r.completed_at),
  };
}

export async function findResponseOfInvitation(db: Executor, invitationId: number): Promise<ResponseRow | undefined> {
  const r = await db("responses").select(COLUMNS).where({ invitation_id: invitationId }).first();
  return r ? toRow(r) : undefined;
}

export type ResponseWrite = {
  municipalityId: number;
  invitationId: number;
  questionnaireVersionId: number;
  mode: ResponseMode;
  answers: Record<string, unknown>;
  currentPage: number;
  locale: string;
  enteredByUserId: number | null;
};

/**
 * Saves progress: creates the response or updates it while it is in progress. A completed response is never
 * touched again; the result says whether anything was written.
 */
export async function saveInProgress(db: Executor, values: ResponseWrite, at: Date): Promise<boolean> {
  const now = toDbTime(at);
  const inserted = await db("responses")
    .insert({
      municipality_id: values.municipalityId,
      invitation_id: values.invitationId,
      questionnaire_version_id: values.questionnaireVersionId,
      mode: values.mode,
      status: "in_progress",
      answers: toJson(values.answers),
      current_page: values.currentPage,
      locale: values.locale,
      entered_by_user_id: values.enteredByUserId,
      started_at: now,
      updated_at: now,
    })
    .onConflict("invitation_id")
    .ignore()
    .returning(["id"]);
  if (inserted.length > 0) return true;
  const updated = await db("responses")
    .where({ invitation_id: values.invitationId, status: "in_progress" })
    .update({ answers: toJson(values.answers), current_page: values.currentPage, locale: values.locale, mode: values.mode, entered_by_user_id: values.enteredByUserId, updated_at: now });
  return updated > 0;
}

/** Completes the response once: its id, or undefined when it was already completed (a double click, a second tab). */
export async function markCompleted(db: Executor, values: ResponseWrite, at: Date): Promise<number | undefined> {
  await saveInProgress(db, values, at);
  const updated = await db("responses")
    .where({ invitation_id: values.invitationId, status: "in_progress" })
    .update({ status: "completed", answers: toJson(values.answers), locale: values.locale, mode: values.mode, entered_by_user_id: values.enteredByUserId, completed_at: toDbTime(at), updated_at: toDbTime(at) })
    .returning(["id"]);
  return updated.length === 1 ? (updated[0].id as number) : undefined;
}

/** The number a respondent typed to be called back: contact data, kept with the contact data. */
export async function saveCallbackPhone(db: Executor, clientId: number, phone: string, at: Date): Promise<void> {
  const updated = await db("client_contacts").where({ client_id: clientId }).update({ callback_phone: phone, updated_at: toDbTime(at) });
  if (updated === 0) await db("client_contacts").insert({ client_id: clientId, callback_phone: phone, updated_at: toDbTime(at) });
}
