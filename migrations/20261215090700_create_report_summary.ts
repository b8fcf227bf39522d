// Monthly sums of the report facts, kept up to date by the completion step in the same transaction as the fact
// itself: per municipality, month (Dutch calendar), questionnaire and breakdown (dimension 'all' for the
// whole, or one of team, area, provision, age_band, mode with its value; '' is "unknown"), the counts a report
// adds up. A report without filters reads a few hundred of these rows instead of every questionnaire of its
// period and the seven quarters before it; a filtered report reads the facts themselves. The same for the
// other closed questions' answers (value '*' counts the respondents who answered the question at all).
import type { Knex } from "knex";

const SLOTS = 12;
const DIMENSIONS = ["team", "area", "provision", "age_band", "mode"] as const;

export function counterColumns(): string[] {
  const columns = ["respondents"];
  for (let s = 1; s <= SLOTS; s++) columns.push(`s${s}_zero`, `s${s}_one`, `s${s}_agree`, `s${s}_valid`);
  columns.push("g_n", "g_sum", "g_sq");
  for (let k = 1; k <= 10; k++) columns.push(`g_${k}`);
  return columns;
}

const monthOf = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Amsterdam", year: "numeric", month: "2-digit" });

function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  const text = String(value);
  return new Date(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/.test(text) && !/[zZ+]/.test(text.slice(19)) ? `${text.replace(" ", "T")}Z` : text);
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("report_summary", (t) => {
    t.integer("municipality_id").notNullable().references("id").inTable("municipalities").onDelete("CASCADE");
    // YYYY-MM of counted_at in the Netherlands
    t.string("month", 7).notNullable();
    t.string("questionnaire", 40).notNullable();
    t.string("dimension", 20).notNullable();
    t.string("value", 200).notNullable();
    for (const c of counterColumns()) t.bigInteger(c).notNullable().defaultTo(0);
    t.primary(["municipality_id", "month", "questionnaire", "dimension", "value"]);
  });
  await knex.schema.createTable("report_answer_summary", (t) => {
    t.integer("municipality_id").notNullable().references("id").inTable("municipalities").onDelete("CASCADE");
    t.string("month", 7).notNullable();
    t.string("questionnaire", 40).notNullable();
    t.string("question_key", 100).notNullable();
    t.string("value", 200).notNullable();
    t.bigInteger("answers").notNullable().defaultTo(0);
    t.primary(["municipality_id", "month", "questionnaire", "question_key", "value"]);
  });
  await backfill(knex);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("report_answer_summary");
  await knex.schema.dropTable("report_summary");
}

type Counters = Record<string, number>;

/** Sums the existing facts into the summary (in JS, by month in Dutch time; batches keyed on the response id). */
export async function backfill(knex: Knex, batchSize = 2_000): Promise<void> {
  const summary = new Map<string, { key: [number, string, string, string, string]; counters: Counters }>();
  const answers = new Map<string, { key: [number, string, string, string, string]; count: number }>();
  const month = new Map<number, { municipality: number; month: string; questionnaire: string }>();
  let last = 0;
  for (;;) {
    const rows = await knex("report_facts").where("response_id", ">", last).orderBy("response_id").limit(batchSize).select("*");
    if (rows.length === 0) break;
    last = rows.at(-1).response_id;
    for (const r of rows) {
      const m = monthOf.format(toDate(r.counted_at));
      month.set(r.response_id, { municipality: r.municipality_id, month: m, questionnaire: r.questionnaire });
      const add: Counters = { respondents: 1 };
      for (let s = 1; s <= SLOTS; s++) {
        const v = r[`s${s}`];
        add[`s${s}_zero`] = v === 0 ? 1 : 0;
        add[`s${s}_one`] = v === 1 ? 1 : 0;
        add[`s${s}_agree`] = v === 4 || v === 5 ? 1 : 0;
        add[`s${s}_valid`] = typeof v === "number" && v >= 1 && v <= 5 ? 1 : 0;
      }
      const g = typeof r.grade === "number" ? r.grade : null;
      add.g_n = g === null ? 0 : 1;
      add.g_sum = g ?? 0;
      add.g_sq = g === null ? 0 : g * g;
      for (let k = 1; k <= 10; k++) add[`g_${k}`] = g === k ? 1 : 0;
      for (const [dimension, value] of [["all", ""], ...DIMENSIONS.map((d) => [d, r[d] ?? ""])] as Array<[string, string]>) {
        const key: [number, string, string, string, string] = [r.municipality_id, m, r.questionnaire, dimension, String(value)];
        const id = JSON.stringify(key);
        const entry = summary.get(id) ?? { key, counters: {} };
        for (const [c, n] of Object.entries(add)) entry.counters[c] = (entry.counters[c] ?? 0) + n;
        summary.set(id, entry);
      }
    }
    // The answers of exactly these responses, so a response's answers are never split over two batches.
    const answered = new Set<string>();
    const answerRows = await knex("report_answers").whereIn("response_id", rows.map((r) => r.response_id)).select("response_id", "question_key", "value");
    for (const r of answerRows) {
      const of = month.get(r.response_id)!;
      const first = !answered.has(`${r.response_id}:${r.question_key}`);
      answered.add(`${r.response_id}:${r.question_key}`);
      for (const value of first ? [r.value as string, "*"] : [r.value as string]) {
        const key: [number, string, string, string, string] = [of.municipality, of.month, of.questionnaire, r.question_key, value];
        const id = JSON.stringify(key);
        const entry = answers.get(id) ?? { key, count: 0 };
        entry.count += 1;
        answers.set(id, entry);
      }
    }
    month.clear();
  }
  const summaryRows = [...summary.values()].map(({ key, counters }) => ({ municipality_id: key[0], month: key[1], questionnaire: key[2], dimension: key[3], value: key[4], ...counters }));
  // 66 columns a row: SQLite's limit on bound variables allows some 400 rows a statement.
  for (let i = 0; i < summaryRows.length; i += 200) await knex("report_summary").insert(summaryRows.slice(i, i + 200));
  const answerRows = [...answers.values()].map(({ key, count }) => ({ municipality_id: key[0], month: key[1], questionnaire: key[2], question_key: key[3], value: key[4], answers: count }));
  for (let i = 0; i < answerRows.length; i += 400) await knex("report_answer_summary").insert(answerRows.slice(i, i + 400));
}
