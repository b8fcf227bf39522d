// The only place that runs knex against quotes (shared with the reports, which read the approved ones).
import { countOf, fromDbTime, fromJson, toDbTime, toJson, type Db, type Knex } from "../db.ts";
import type { QuoteFlag } from "./quotes.check.ts";

type Executor = Db | Knex.Transaction;

export type QuoteStatus = "pending" | "approved" | "rejected";
export type QuoteSource = "followup" | "answer";

export type QuoteRow = {
  id: number;
  municipalityId: number;
  source: QuoteSource;
  followupId: number | null;
  responseId: number | null;
  questionKey: string | null;
  text: string;
  flags: QuoteFlag[];
  status: QuoteStatus;
  createdByUserId: number | null;
  createdByName: string | null;
  reviewedByName: string | null;
  reviewedAt: Date | null;
  createdAt: Date;
};

const COLUMNS = [
  "q.id",
  "q.municipality_id",
  "q.source",
  "q.followup_id",
  "q.response_id",
  "q.question_key",
  "q.text",
  "q.flags",
  "q.status",
  "q.created_by_user_id",
  "cu.name as created_by_name",
  "ru.name as reviewed_by_name",
  "q.reviewed_at",
  "q.created_at",
];

function toQuote(r: Record<string, unknown>): QuoteRow {
  return {
    id: r.id as number,
    municipalityId: r.municipality_id as number,
    source: r.source as QuoteSource,
    followupId: (r.followup_id as number | null) ?? null,
    responseId: (r.response_id as number | null) ?? null,
    questionKey: (r.question_key as string | null) ?? null,
    text: r.text as string,
    flags: fromJson<QuoteFlag[]>(r.flags) ?? [],
    status: r.status as QuoteStatus,
    createdByUserId: (r.created_by_user_id as number | null) ?? null,
    createdByName: (r.created_by_name as string | null) ?? null,
    reviewedByName: (r.reviewed_by_name as string | null) ?? null,
    reviewedAt: fromDbTime(r.reviewed_at),
    createdAt: fromDbTime(r.created_at)!,
  };
}

function quotes(db: Executor) {
  return db("quotes as q").leftJoin("users as cu", "cu.id", "q.created_by_user_id").leftJoin("users as ru", "ru.id", "q.reviewed_by_user_id").select(COLUMNS);
}

export type NewQuote = {
  municipalityId: number;
  source: QuoteSource;
  followupId?: number;
  responseId?: number;
  questionKey?: string;
  text: string;
  flags: QuoteFlag[];
  status: QuoteStatus;
  userId: number;
};

/** The new quote's id, or undefined when this open answer was selected before. */
export async function insertQuote(db: Executor, values: NewQuote, at: Date): Promise<number | undefined> {
  const approved = values.status === "approved";
  const rows = await db("quotes")
    .insert({
      municipality_id: values.municipalityId,
      source: values.source,
      followup_id: values.followupId ?? null,
      response_id: values.responseId ?? null,
      question_key: values.questionKey ?? null,
      text: values.text,
      flags: toJson(values.flags),
      status: values.status,
      created_by_user_id: values.userId,
      reviewed_by_user_id: approved ? values.userId : null,
      reviewed_at: approved ? toDbTime(at) : null,
      created_at: toDbTime(at),
    })
    .onConflict(["response_id", "question_key"])
    .ignore()
    .returning(["id"]);
  return rows[0]?.id as number | undefined;
}

export async function findQuote(db: Executor, municipalityId: number, id: number): Promise<QuoteRow | undefined> {
  const r = await quotes(db).where({ "q.id": id, "q.municipality_id": municipalityId }).first();
  return r ? toQuote(r) : undefined;
}

export async function listQuotesOfFollowup(db: Executor, municipalityId: number, followupId: number): Promise<QuoteRow[]> {
  const rows = await quotes(db).where({ "q.municipality_id": municipalityId, "q.followup_id": followupId }).orderBy("q.id");
  return rows.map(toQuote);
}

export async function listQuotes(db: Executor, municipalityId: number, filter: { status: QuoteStatus; limit: number; offset: number }): Promise<{ rows: QuoteRow[]; total: number }> {
  const where = { "q.municipality_id": municipalityId, "q.status": filter.status };
  const total = countOf(await db("quotes as q").where(where).count({ count: "*" }));
  const rows = await quotes(db).where(where).orderBy("q.created_at", filter.status === "pending" ? "asc" : "desc").orderBy("q.id").limit(filter.limit).offset(filter.offset);
  return { rows: rows.map(toQuote), total };
}

export async function countQuotes(db: Executor, municipalityId: number, status: QuoteStatus): Promise<number> {
  return countOf(await db("quotes").where({ municipality_id: municipalityId, status }).count({ count: "*" }));
}

/** Changes a quote's text, flags and status; a review records who decided and when. */
export async function updateQuote(
  db: Executor,
  municipalityId: number,
  id: number,
  values: { text: string; flags: QuoteFlag[]; status: QuoteStatus; reviewedByUserId: number | null },
  at: Date,
): Promise<boolean> {
  const changed = await db("quotes")
    .where({ id, municipality_id: municipalityId })
    .update({
      text: values.text,
      flags: toJson(values.flags),
      status: values.status,
      reviewed_by_user_id: values.reviewedByUserId,
      reviewed_at: values.reviewedByUserId === null ? null : toDbTime(at),
    });
  return changed === 1;
}

export async function deleteQuote(db: Executor, municipalityId: number, id: number): Promise<boolean> {
  return (await db("quotes").where({ id, municipality_id: municipalityId }).delete()) === 1;
}

/** Which open answers of these responses were selected already (response id → question keys). */
export async function selectedAnswers(db: Executor, municipalityId: number, responseIds: number[]): Promise<Map<number, Set<string>>> {
  const result = new Map<number, Set<string>>();
  if (responseIds.length === 0) return result;
  const rows = await db("quotes").select("response_id", "question_key").where({ municipality_id: municipalityId, source: "answer" }).whereIn("response_id", responseIds);
  for (const r of rows) {
    const set = result.get(r.response_id) ?? new Set<string>();
    set.add(r.question_key);
    result.set(r.response_id, set);
  }
  return result;
}
