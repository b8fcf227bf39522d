// The report's reads of the answers, grouped in the database: the monthly sums (report_summary,
// report_answer_summary) for a report without filters, the facts themselves (report_facts, report_answers) for a
// filtered one. The funnel is read in funnel.queries.ts, the follow-ups in outcomes.queries.ts. No read touches
// client_contacts (invariant 2); every one is scoped by the municipality id the caller got from the tenant.
import { isPostgres, toCount, toDbTime, type Db, type Knex } from "../db.ts";
import type { Period } from "./period.ts";

export type Executor = Db | Knex.Transaction;

/**
 * Runs a report's reads on one consistent snapshot, so every figure counts the same respondents. On PostgreSQL a
 * read-only repeatable-read transaction, without JIT compilation (for these short grouped queries compiling costs
 * more than it saves: measured in bench/report.bench.ts). SQLite has one connection for the whole process, which
 * a transaction would hold for the length of the report; its reads run one by one instead.
 */
export async function withReadSnapshot<T>(db: Db, fn: (executor: Executor) => Promise<T>): Promise<T> {
  if (!isPostgres(db)) return fn(db);
  return db.transaction(
    async (trx) => {
      await trx.raw("set local jit = off");
      return fn(trx);
    },
    { isolationLevel: "repeatable read", readOnly: true },
  );
}

export type ReportFilters = {
  law?: "wmo" | "jeugd" | undefined;
  team?: string | undefined;
  area?: string | undefined;
  provision?: string | undefined;
  mode?: string | undefined;
};

export type Range = { start: Date; end: Date };

/** Per-slot counts: code 0, code 1, codes 4–5, codes 1–5. */
export type SlotCounts = { zero: number; one: number; agree: number; valid: number };
export type GradeCounts = { n: number; sum: number; sumOfSquares: number; distribution: number[] };

export type CubeRow = {
  /** The trend quarter (index into the quarters of the trend) the rows were counted in. */
  quarter: number;
  questionnaire: string;
  team: string | null;
  area: string | null;
  provision: string | null;
  age_band: string;
  mode: string;
  respondents: number;
  slots: SlotCounts[];
  grade: GradeCounts;
};

export function factFilters<T extends Knex.QueryBuilder>(builder: T, filters: ReportFilters, alias = "f"): T {
  if (filters.law) builder.where(`${alias}.law`, filters.law);
  if (filters.team) builder.where(`${alias}.team`, filters.team);
  if (filters.area) builder.where(`${alias}.area`, filters.area);
  if (filters.provision) builder.where(`${alias}.provision`, filters.provision);
  if (filters.mode) builder.where(`${alias}.mode`, filters.mode);
  return builder;
}

export function inRange<T extends Knex.QueryBuilder>(builder: T, column: string, range: Range): T {
  builder.where(column, ">=", toDbTime(range.start)).where(column, "<", toDbTime(range.end));
  return builder;
}

function slotSums(slots: number, alias = "f"): string[] {
  const parts: string[] = [];
  for (let s = 1; s <= slots; s++) {
    const c = `${alias}.s${s}`;
    parts.push(
      `sum(case when ${c} = 0 then 1 else 0 end) as s${s}_zero`,
      `sum(case when ${c} = 1 then 1 else 0 end) as s${s}_one`,
      `sum(case when ${c} >= 4 and ${c} <= 5 then 1 else 0 end) as s${s}_agree`,
      `sum(case when ${c} >= 1 and ${c} <= 5 then 1 else 0 end) as s${s}_valid`,
    );
  }
  return parts;
}

function gradeSums(alias = "f", distribution = true): string[] {
  const g = `${alias}.grade`;
  const parts = [`count(${g}) as g_n`, `coalesce(sum(${g}), 0) as g_sum`, `coalesce(sum(${g} * ${g}), 0) as g_sq`];
  if (distribution) for (let k = 1; k <= 10; k++) parts.push(`sum(case when ${g} = ${k} then 1 else 0 end) as g_${k}`);
  return parts;
}

function readSlots(r: Record<string, unknown>, slots: number): SlotCounts[] {
  return Array.from({ length: slots }, (_, i) => ({
    zero: toCount(r[`s${i + 1}_zero`]),
    one: toCount(r[`s${i + 1}_one`]),
    agree: toCount(r[`s${i + 1}_agree`]),
    valid: toCount(r[`s${i + 1}_valid`]),
  }));
}

function readGrade(r: Record<string, unknown>): GradeCounts {
  return {
    n: toCount(r.g_n),
    sum: Number(r.g_sum ?? 0),
    sumOfSquares: Number(r.g_sq ?? 0),
    distribution: Array.from({ length: 10 }, (_, k) => toCount(r[`g_${k + 1}`])),
  };
}

/** A CASE that numbers the quarter a moment falls in: `first` for the first of the quarters, and so on. */
function quarterBucket(column: string, quarters: readonly Period[], first: number): { sql: string; bindings: string[] } {
  const bounds = quarters.slice(1).map((q) => toDbTime(q.start));
  if (bounds.length === 0) return { sql: String(first), bindings: [] };
  return { sql: `case ${bounds.map((_, i) => `when ${column} < ? then ${first + i}`).join(" ")} else ${first + bounds.length} end`, bindings: bounds };
}

/**
 * The period's answers grouped by quarter, questionnaire and every breakdown dimension at once: one pass over
 * the period's facts gives a few hundred or thousand groups, from which the service adds up each breakdown and
 * the trend's quarters inside the period. `quarters` are the period's quarters; `first` is the index the first
 * of them has in the trend.
 */
export async function aggregateCube(db: Executor, municipalityId: number, quarters: readonly Period[], first: number, filters: ReportFilters, slots: number): Promise<CubeRow[]> {
  const groups = ["f.questionnaire", "f.team", "f.area", "f.provision", "f.age_band", "f.mode"];
  const bucket = quarterBucket("f.counted_at", quarters, first);
  const query = db("report_facts as f")
    .where("f.municipality_id", municipalityId)
    .select(db.raw(`${bucket.sql} as quarter`, bucket.bindings))
    .select(groups)
    .select(db.raw(["count(*) as respondents", ...slotSums(slots), ...gradeSums()].join(", ")))
    // By the output name: PostgreSQL would not see two bound copies of the CASE as the same expression.
    .groupByRaw(`quarter, ${groups.join(", ")}`);
  inRange(query, "f.counted_at", { start: quarters[0]!.start, end: quarters.at(-1)!.end });
  factFilters(query, filters);
  const rows = (await query) as Record<string, unknown>[];
  return rows.map((r) => ({
    quarter: toCount(r.quarter),
    questionnaire: r.questionnaire as string,
    team: (r.team as string | null) ?? null,
    area: (r.area as string | null) ?? null,
    provision: (r.provision as string | null) ?? null,
    age_band: r.age_band as string,
    mode: r.mode as string,
    respondents: toCount(r.respondents),
    slots: readSlots(r, slots),
    grade: readGrade(r),
  }));
}

export type TrendRow = { quarter: number; questionnaire: string; respondents: number; slots: SlotCounts[]; grade: GradeCounts };

/**
 * Per quarter and questionnaire, the counts the trend and the previous period need, for the quarters before
 * the period (the period's own come with the cube). `first` is the index the first of `quarters` has in the trend.
 */
export async function aggregateQuarters(db: Executor, municipalityId: number, quarters: readonly Period[], first: number, filters: ReportFilters, slots: number): Promise<TrendRow[]> {
  if (quarters.length === 0) return [];
  const bucket = quarterBucket("f.counted_at", quarters, first);
  const query = db("report_facts as f")
    .where("f.municipality_id", municipalityId)
    .select(db.raw(`${bucket.sql} as quarter`, bucket.bindings))
    .select("f.questionnaire")
    .select(db.raw(["count(*) as respondents", ...slotSums(slots), ...gradeSums("f", false)].join(", ")))
    .groupByRaw("quarter, f.questionnaire");
  inRange(query, "f.counted_at", { start: quarters[0]!.start, end: quarters.at(-1)!.end });
  factFilters(query, filters);
  const rows = (await query) as Record<string, unknown>[];
  return rows.map((r) => ({ quarter: toCount(r.quarter), questionnaire: r.questionnaire as string, respondents: toCount(r.respondents), slots: readSlots(r, slots), grade: readGrade(r) }));
}

/**
 * Counts of the other closed questions' answers, per questionnaire, question and value; for the questions
 * named in `multiple` (several answers possible) also how many respondents answered at all.
 */
export async function aggregateAnswers(
  db: Executor,
  municipalityId: number,
  range: Range,
  filters: ReportFilters,
  multiple: readonly string[] = [],
): Promise<{ values: Array<{ questionnaire: string; key: string; value: string; count: number }>; answered: Array<{ questionnaire: string; key: string; count: number }> }> {
  // From the period's facts into the answers (by response), never the other way round.
  const base = () => {
    const q = db("report_facts as f").join("report_answers as a", "a.response_id", "f.response_id").where("f.municipality_id", municipalityId);
    inRange(q, "f.counted_at", range);
    factFilters(q, filters);
    return q;
  };
  const rows = (await base().select("f.questionnaire", "a.question_key", "a.value").count({ count: "*" }).groupBy("f.questionnaire", "a.question_key", "a.value")) as Record<string, unknown>[];
  const values = rows.map((r) => ({ questionnaire: r.questionnaire as string, key: r.question_key as string, value: r.value as string, count: toCount(r.count) }));
  // One answer per respondent, except for the questions with several: their respondents are counted apart.
  const answered = new Map<string, { questionnaire: string; key: string; count: number }>();
  for (const v of values) {
    if (multiple.includes(v.key)) continue;
    const id = `${v.questionnaire}:${v.key}`;
    const seen = answered.get(id) ?? { questionnaire: v.questionnaire, key: v.key, count: 0 };
    seen.count += v.count;
    answered.set(id, seen);
  }
  if (multiple.length > 0) {
    const distinct = (await base()
      .whereIn("a.question_key", [...multiple])
      .select("f.questionnaire", "a.question_key")
      .countDistinct({ count: "a.response_id" })
      .groupBy("f.questionnaire", "a.question_key")) as Record<string, unknown>[];
    for (const r of distinct) answered.set(`${r.questionnaire}:${r.question_key}`, { questionnaire: r.questionnaire as string, key: r.question_key as string, count: toCount(r.count) });
  }
  return { values, answered: [...answered.values()] };
}

/** The municipality's questionnaire definitions, newest first (for question texts and answer labels). */
export async function listDefinitions(db: Executor, municipalityId: number): Promise<Array<{ questionnaire: string; definition: unknown }>> {
  const rows = await db("questionnaire_versions").where("municipality_id", municipalityId).orderBy("id", "desc").select("questionnaire", "definition");
  return rows.map((r) => ({ questionnaire: r.questionnaire as string, definition: typeof r.definition === "string" ? JSON.parse(r.definition) : r.definition }));
}

/** One row of the monthly sums (report_summary). */
export type SummaryRow = { month: string; questionnaire: string; dimension: string; value: string; respondents: number; slots: SlotCounts[]; grade: GradeCounts };

/** The monthly sums of a range of months (YYYY-MM, inclusive): what a report without filters adds up. */
export async function readSummary(db: Executor, municipalityId: number, fromMonth: string, toMonth: string, slots: number): Promise<SummaryRow[]> {
  const rows = (await db("report_summary")
    .where("municipality_id", municipalityId)
    .where("month", ">=", fromMonth)
    .where("month", "<=", toMonth)
    .select("*")) as Record<string, unknown>[];
  return rows.map((r) => ({
    month: r.month as string,
    questionnaire: r.questionnaire as string,
    dimension: r.dimension as string,
    value: r.value as string,
    respondents: toCount(r.respondents),
    slots: readSlots(r, slots),
    grade: readGrade(r),
  }));
}

/** The monthly sums of the other closed questions' answers ('*': respondents who answered the question). */
export async function readAnswerSummary(
  db: Executor,
  municipalityId: number,
  fromMonth: string,
  toMonth: string,
): Promise<{ values: Array<{ questionnaire: string; key: string; value: string; count: number }>; answered: Array<{ questionnaire: string; key: string; count: number }> }> {
  const rows = (await db("report_answer_summary")
    .where("municipality_id", municipalityId)
    .where("month", ">=", fromMonth)
    .where("month", "<=", toMonth)
    .select("questionnaire", "question_key", "value")
    .sum({ count: "answers" })
    .groupBy("questionnaire", "question_key", "value")) as Record<string, unknown>[];
  const all = rows.map((r) => ({ questionnaire: r.questionnaire as string, key: r.question_key as string, value: r.value as string, count: toCount(r.count) }));
  return {
    values: all.filter((r) => r.value !== "*"),
    answered: all.filter((r) => r.value === "*").map(({ questionnaire, key, count }) => ({ questionnaire, key, count })),
  };
}

/** Responses counted in this period that belong by completion date to an earlier, closed period. */
export async function countArrivedLate(db: Executor, municipalityId: number, range: Range, filters: ReportFilters): Promise<Array<{ period: string; count: number }>> {
  const query = db("report_facts as f").where("f.municipality_id", municipalityId).whereNotNull("f.late_period").select("f.late_period").count({ count: "*" }).groupBy("f.late_period");
  inRange(query, "f.counted_at", range);
  factFilters(query, filters);
  const rows = (await query) as Record<string, unknown>[];
  return rows.map((r) => ({ period: r.late_period as string, count: toCount(r.count) }));
}

/** Responses completed in the (closed) period that arrived after it was closed and count in a later one. */
export async function countCountedElsewhere(db: Executor, municipalityId: number, range: Range): Promise<number> {
  const query = db("report_facts as f").where("f.municipality_id", municipalityId).where("f.counted_at", ">=", toDbTime(range.end)).count({ count: "*" });
  inRange(query, "f.completed_at", range);
  const rows = (await query) as Array<{ count?: unknown }>;
  return toCount(rows[0]?.count);
}

/** The values the filters can take in a period (what the facts hold, no free text). */
export async function listFilterValues(db: Executor, municipalityId: number, range: Range): Promise<{ team: string[]; area: string[]; provision: string[]; mode: string[] }> {
  const query = db("report_facts as f").where("f.municipality_id", municipalityId).select("f.team", "f.area", "f.provision", "f.mode").groupBy("f.team", "f.area", "f.provision", "f.mode");
  inRange(query, "f.counted_at", range);
  const rows = (await query) as Array<{ team: string | null; area: string | null; provision: string | null; mode: string }>;
  const distinct = (key: "team" | "area" | "provision" | "mode") =>
    [...new Set(rows.map((r) => r[key]).filter((v): v is string => typeof v === "string" && v !== ""))].sort((a, b) => a.localeCompare(b, "nl"));
  return { team: distinct("team"), area: distinct("area"), provision: distinct("provision"), mode: distinct("mode") };
}

/** Whether anything happened in the period: an invitation made or a questionnaire counted. */
export async function hasActivity(db: Executor, municipalityId: number, range: Range): Promise<boolean> {
  const fact = await inRange(db("report_facts as f").where("f.municipality_id", municipalityId), "f.counted_at", range).first("f.response_id");
  if (fact) return true;
  const invitation = await inRange(db("invitations as i").where("i.municipality_id", municipalityId), "i.created_at", range).first("i.id");
  return invitation !== undefined;
}
