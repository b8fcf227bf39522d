// The only place that runs knex against report_facts and report_answers (the reports' narrow per-response
// facts), and the lookups that fill them.
import { immutableRowCache, toDbTime, type Db, type Knex } from "../db.ts";
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

// Versions never change once stored (invariant 7): read once per process and database.
const versions = immutableRowCache<{ questionnaire: string; baseVersion: number; customisation: unknown }>();

export async function findVersionForFacts(db: Executor, id: number): Promise<{ questionnaire: string; baseVersion: number; customisation: unknown } | undefined> {
  return versions.get(db, id, () => readVersionForFacts(db, id));
}

async function readVersionForFacts(db: Executor, id: number): Promise<{ questionnaire: string; baseVersion: number; customisation: unknown } | undefined> {
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

function factColumns(db: Executor, f: FactRow): Record<string, unknown> {
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
    // The follow-up step may have run first in this transaction; if not, a trigger on followups fills this in.
    followup_id: db.raw("(select id from followups where response_id = ?)", [f.responseId]),
  };
  for (let slot = 1; slot <= STATEMENT_SLOTS; slot++) row[`s${slot}`] = f.statements[slot - 1] ?? null;
  return row;
}

export const SUMMARY_DIMENSIONS = ["team", "area", "provision", "age_band", "mode"] as const;

/** The counters of report_summary, as the migration that made it lists them. */
export const SUMMARY_COUNTERS: string[] = (() => {
  const columns = ["respondents"];
  for (let s = 1; s <= STATEMENT_SLOTS; s++) columns.push(`s${s}_zero`, `s${s}_one`, `s${s}_agree`, `s${s}_valid`);
  columns.push("g_n", "g_sum", "g_sq");
  for (let k = 1; k <= 10; k++) columns.push(`g_${k}`);
  return columns;
})();

function countersOf(f: FactRow): Record<string, number> {
  const add: Record<string, number> = { respondents: 1 };
  for (let s = 1; s <= STATEMENT_SLOTS; s++) {
    const v = f.statements[s - 1] ?? null;
    add[`s${s}_zero`] = v === 0 ? 1 : 0;
    add[`s${s}_one`] = v === 1 ? 1 : 0;
    add[`s${s}_agree`] = v === 4 || v === 5 ? 1 : 0;
    add[`s${s}_valid`] = v !== null && v >= 1 && v <= 5 ? 1 : 0;
  }
  add.g_n = f.grade === null ? 0 : 1;
  add.g_sum = f.grade ?? 0;
  add.g_sq = f.grade === null ? 0 : f.grade * f.grade;
  for (let k = 1; k <= 10; k++) add[`g_${k}`] = f.grade === k ? 1 : 0;
  return add;
}

/** Adds a fact to the monthly sums: the whole and each breakdown (always in this order: no deadlocks). */
async function addToSummary(db: Executor, fact: FactRow, month: string, answers: AnswerRow[]): Promise<void> {
  const add = countersOf(fact);
  const values: Record<string, string | null> = { team: fact.team, area: fact.area, provision: fact.provision, age_band: fact.ageBand, mode: fact.mode };
  // One statement for all the breakdowns (their keys differ, so no row is hit twice), in a fixed order.
  const rows = [["all", ""] as const, ...SUMMARY_DIMENSIONS.map((d) => [d, values[d] ?? ""] as const)].map(([dimension, value]) => ({
    municipality_id: fact.municipalityId,
    month,
    questionnaire: fact.questionnaire,
    dimension,
    value: (value ?? "").slice(0, 200),
    ...add,
  }));
  await db("report_summary")
    .insert(rows)
    .onConflict(["municipality_id", "month", "questionnaire", "dimension", "value"])
    .merge(Object.fromEntries(SUMMARY_COUNTERS.map((c) => [c, db.raw("?? + ??", [`report_summary.${c}`, `excluded.${c}`])])));
  const keys = new Set<string>();
  const answerRows: Array<Record<string, unknown>> = [];
  const seen = new Set<string>();
  for (const a of answers) {
    for (const value of keys.has(a.questionKey) ? [a.value] : [a.value, "*"]) {
      const key = `${a.questionKey}\u0000${value}`;
      if (seen.has(key)) continue;
      seen.add(key);
      answerRows.push({ municipality_id: fact.municipalityId, month, questionnaire: fact.questionnaire, question_key: a.questionKey, value, answers: 1 });
    }
    keys.add(a.questionKey);
  }
  for (let i = 0; i < answerRows.length; i += 200) {
    await db("report_answer_summary")
      .insert(answerRows.slice(i, i + 200))
      .onConflict(["municipality_id", "month", "questionnaire", "question_key", "value"])
      .merge({ answers: db.raw("?? + excluded.answers", ["report_answer_summary.answers"]) });
  }
}

/**
 * Writes a response's facts once, with the monthly sums (`month`: YYYY-MM of counted_at in the Netherlands);
 * a second call for the same response changes nothing.
 */
export async function insertFacts(db: Executor, fact: FactRow, answers: AnswerRow[], month: string): Promise<boolean> {
  const inserted = await db("report_facts").insert(factColumns(db, fact)).onConflict("response_id").ignore().returning(["response_id"]);
  if (inserted.length === 0) return false;
  for (let i = 0; i < answers.length; i += 400) {
    await db("report_answers")
      .insert(answers.slice(i, i + 400).map((a) => ({ response_id: a.responseId, municipality_id: a.municipalityId, question_key: a.questionKey, value: a.value })))
      .onConflict(["response_id", "question_key", "value"])
      .ignore();
  }
  await addToSummary(db, fact, month, answers);
  return true;
}

/** The stored facts of some responses, as rows (tests compare the completion step with the backfill). */
export async function listFacts(db: Executor, responseIds: number[]): Promise<Record<string, unknown>[]> {
  return db("report_facts").whereIn("response_id", responseIds).orderBy("response_id").select("*");
}

export async function listAnswers(db: Executor, responseIds: number[]): Promise<Record<string, unknown>[]> {
  return db("report_answers").whereIn("response_id", responseIds).orderBy(["response_id", "question_key", "value"]).select("response_id", "municipality_id", "question_key", "value");
}
