// The only place that runs knex against report_facts and report_answers (the reports' narrow per-response
// facts), and the lookups that fill them.
import { toDbTime, type Db, type Knex } from "../db.ts";
import { STATEMENT_SLOTS } from "./questions.ts";

type Executor = Db | Knex.Transaction;

export type FactRow = {
  responseId: number;
  municipalityId: number;
  completedAt: Date;
  countedAt: Date;
  latePeriod: string | null;
  questionnaire: string;
  law: string;
  team: string | null;
  area: string | null;
  provision: string | null;
  ageBand: string;
  mode: string;
  channel: string | null;
  /** Codes by slot (index 0 = slot 1). */
  statements: Array<number | null>;
  grade: number | null;
  consent: number | null;
};

export type AnswerRow = { responseId: number; municipalityId: number; questionKey: string; value: string };

/** The intake context of an invitation, for its response's facts. */
export async function findResponseContext(
  db: Executor,
  invitationId: number,
): Promise<{ law: string; team: string | null; area: string | null; provision: string | null; birthYear: number | null; channel: string | null } | undefined> {
  const row = await db("invitations as i")
    .join("conversations as c", "c.id", "i.conversation_id")
    .join("clients as cl", "cl.id", "i.client_id")
    .where("i.id", invitationId)
    .first("c.law", "c.team", "c.area", "c.provision", "cl.birth_year", "i.channel");
  if (!row) return undefined;
  return { law: row.law, team: row.team ?? null, area: row.area ?? null, provision: row.provision ?? null, birthYear: row.birth_year ?? null, channel: row.channel ?? null };
}

export async function findVersionForFacts(db: Executor, id: number): Promise<{ questionnaire: string; baseVersion: number; customisation: unknown } | undefined> {
  const row = await db("questionnaire_versions").where({ id }).first("questionnaire", "base_version", "customisation");
  if (!row) return undefined;
  return { questionnaire: row.questionnaire, baseVersion: row.base_version, customisation: typeof row.customisation === "string" ? JSON.parse(row.customisation) : row.customisation };
}

/** The closed report period of the municipality that contains the moment, shortest first (a quarter before its year). */
export async function findClosedPeriodContaining(db: Executor, municipalityId: number, moment: Date): Promise<string | undefined> {
  const at = toDbTime(moment);
  const rows = await db("report_periods")
    .where("municipality_id", municipalityId)
    .where("starts_at", "<=", at)
    .where("ends_at", ">", at)
    .select("period", "starts_at", "ends_at");
  const duration = (r: { starts_at: unknown; ends_at: unknown }) => new Date(String(r.ends_at instanceof Date ? r.ends_at.toISOString() : r.ends_at)).getTime() - new Date(String(r.starts_at instanceof Date ? r.starts_at.toISOString() : r.starts_at)).getTime();
  rows.sort((a, b) => duration(a) - duration(b));
  return rows[0]?.period;
}

function factColumns(f: FactRow): Record<string, unknown> {
  const row: Record<string, unknown> = {
    response_id: f.responseId,
    municipality_id: f.municipalityId,
    completed_at: toDbTime(f.completedAt),
    counted_at: toDbTime(f.countedAt),
    late_period: f.latePeriod,
    questionnaire: f.questionnaire,
    law: f.law,
    team: f.team,
    area: f.area,
    provision: f.provision,
    age_band: f.ageBand,
    mode: f.mode,
    channel: f.channel,
    grade: f.grade,
    consent: f.consent,
  };
  for (let slot = 1; slot <= STATEMENT_SLOTS; slot++) row[`s${slot}`] = f.statements[slot - 1] ?? null;
  return row;
}

/** Writes a response's facts once; a second call for the same response changes nothing. */
export async function insertFacts(db: Executor, fact: FactRow, answers: AnswerRow[]): Promise<boolean> {
  const inserted = await db("report_facts").insert(factColumns(fact)).onConflict("response_id").ignore().returning(["response_id"]);
  if (inserted.length === 0) return false;
  for (let i = 0; i < answers.length; i += 400) {
    await db("report_answers")
      .insert(answers.slice(i, i + 400).map((a) => ({ response_id: a.responseId, municipality_id: a.municipalityId, question_key: a.questionKey, value: a.value })))
      .onConflict(["response_id", "question_key", "value"])
      .ignore();
  }
  return true;
}

/** The stored facts of some responses, as rows (tests compare the completion step with the backfill). */
export async function listFacts(db: Executor, responseIds: number[]): Promise<Record<string, unknown>[]> {
  return db("report_facts").whereIn("response_id", responseIds).orderBy("response_id").select("*");
}

export async function listAnswers(db: Executor, responseIds: number[]): Promise<Record<string, unknown>[]> {
  return db("report_answers").whereIn("response_id", responseIds).orderBy(["response_id", "question_key", "value"]).select("response_id", "municipality_id", "question_key", "value");
}
