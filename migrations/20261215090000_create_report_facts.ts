// The reports' narrow facts: one row per completed response with the dimensions a report groups by and the
// codes of the standard statements (report_facts), and one row per answer to the other closed questions
// (report_answers: who filled it in, the municipality's own questions). Written by a completion step
// (server/reports/facts.ts) inside the transaction that completes a response; existing responses are
// backfilled here. No contact data and no free text: open answers reach a report only as reviewed quotes.
//
// `counted_at` decides the period a response counts in: its completion time, or — when that period was
// already closed when the row was written — the moment it arrived (`late_period` names the closed period).
import type { Knex } from "knex";

const STATEMENT_SLOTS = 12;

// The standard statements as they stand when this migration was written, in questionnaire order: slot 1 is
// the first. (A migration does not import application code; tests/reports/facts.test.ts checks that the
// completion step fills the same slots.)
const STANDARD_KEYS: Record<string, string[]> = {
  wmo: [
    "wmo_wist_waar",
    "wmo_snel_geholpen",
    "wmo_serieus",
    "wmo_samen_oplossingen",
    "wmo_clientondersteuner",
    "wmo_kwaliteit",
    "wmo_past",
    "wmo_dingen_doen",
    "wmo_beter_redden",
    "wmo_kwaliteit_leven",
  ],
  "jeugd-ouders": ["jeugd_makkelijk_hulp", "jeugd_hulp_past", "jeugd_veilig_gezond", "jeugd_zelfstandig", "jeugd_beter_omgaan", "jeugd_meedoen"],
  "jeugd-jongeren": ["jeugd_makkelijk_hulp", "jeugd_hulp_past", "jeugd_veilig_gezond", "jeugd_zelfstandig", "jeugd_beter_omgaan", "jeugd_meedoen"],
};
const YES_NO_KEYS = new Set(["wmo_clientondersteuner"]);
const GRADE_KEY = "rapportcijfer";
const CONSENT_KEY = "contact_toestemming";
const NOT_REPORTED = new Set([CONSENT_KEY, "contact_telefoon", GRADE_KEY]);
const CLOSED_TYPES = new Set(["radiogroup", "dropdown", "checkbox", "boolean", "rating"]);

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("report_facts", (t) => {
    t.integer("response_id").primary().references("id").inTable("responses").onDelete("CASCADE");
    t.integer("municipality_id").notNullable().references("id").inTable("municipalities").onDelete("CASCADE");
    t.timestamp("completed_at", { useTz: true }).notNullable();
    t.timestamp("counted_at", { useTz: true }).notNullable();
    // The closed period (e.g. 2026-Q3) this response belonged to by its completion date, when it arrived late.
    t.string("late_period", 10).nullable();
    // wmo | jeugd-ouders | jeugd-jongeren, and the law of the intake
    t.string("questionnaire", 40).notNullable();
    t.string("law", 10).notNullable();
    t.string("team", 200).nullable();
    t.string("area", 200).nullable();
    t.string("provision", 200).nullable();
    t.string("age_band", 20).notNullable();
    // online | sms | code | paper | phone, and the invitation's channel
    t.string("mode", 10).notNullable();
    t.string("channel", 10).nullable();
    // The standard statements' codes: 5..0 for agreement (0 = weet niet / n.v.t.), 1 = ja / 0 = nee for a
    // yes/no question, null when not answered. Which statement a slot holds follows from the questionnaire.
    for (let slot = 1; slot <= STATEMENT_SLOTS; slot++) t.smallint(`s${slot}`).nullable();
    t.smallint("grade").nullable();
    // 1 = ja, 0 = nee, null = not asked or not answered
    t.smallint("consent").nullable();
    t.index(["municipality_id", "counted_at"], "report_facts_period_index");
    t.index(["late_period"], "report_facts_late_index");
  });

  await knex.schema.createTable("report_answers", (t) => {
    t.integer("response_id").notNullable().references("id").inTable("responses").onDelete("CASCADE");
    t.integer("municipality_id").notNullable().references("id").inTable("municipalities").onDelete("CASCADE");
    t.string("question_key", 100).notNullable();
    // A choice's value, a rating or a number as text; a checkbox question has a row per chosen value.
    t.string("value", 200).notNullable();
    t.primary(["response_id", "question_key", "value"]);
  });

  await backfill(knex);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("report_answers");
  await knex.schema.dropTable("report_facts");
}

// --- backfill --------------------------------------------------------------------------------------------

type Row = Record<string, unknown>;

const dutchYear = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Amsterdam", year: "numeric" });

function toIso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "number") return new Date(value).toISOString();
  const text = String(value);
  return new Date(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/.test(text) && !/[zZ+]/.test(text.slice(19)) ? `${text.replace(" ", "T")}Z` : text).toISOString();
}

function parseJson(value: unknown): unknown {
  if (typeof value === "string") {
    try {
      return JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return value;
}

function ageBand(law: string, birthYear: unknown, year: number): string {
  if (typeof birthYear !== "number" || !Number.isInteger(birthYear) || birthYear < 1900 || birthYear > year) return "onbekend";
  const age = year - birthYear;
  if (law === "jeugd") return age >= 18 ? "jeugd_18_plus" : age >= 12 ? "jeugd_12_17" : age >= 6 ? "jeugd_6_11" : "jeugd_0_5";
  return age >= 85 ? "wmo_85_plus" : age >= 75 ? "wmo_75_84" : age >= 65 ? "wmo_65_74" : "wmo_tot_65";
}

/** The closed questions of a stored definition that report_answers holds, by key. */
function closedQuestions(definition: unknown, questionnaire: string): Set<string> {
  const keys = new Set<string>();
  const standard = new Set(STANDARD_KEYS[questionnaire] ?? []);
  const pages = ((parseJson(definition) as { pages?: Array<{ elements?: Array<{ name?: unknown; type?: unknown; inputType?: unknown }> }> }) ?? {}).pages ?? [];
  for (const page of pages) {
    for (const e of page.elements ?? []) {
      const name = typeof e.name === "string" ? e.name : "";
      if (!name || standard.has(name) || NOT_REPORTED.has(name)) continue;
      if (CLOSED_TYPES.has(String(e.type)) || (e.type === "text" && e.inputType === "number")) keys.add(name);
    }
  }
  return keys;
}

function answerValues(value: unknown): string[] {
  const one = (v: unknown): string | undefined =>
    typeof v === "string" ? (v.trim() === "" ? undefined : v.slice(0, 200)) : typeof v === "number" && Number.isFinite(v) ? String(v) : typeof v === "boolean" ? String(v) : undefined;
  if (Array.isArray(value)) return [...new Set(value.map(one).filter((v): v is string => v !== undefined))];
  const single = one(value);
  return single === undefined ? [] : [single];
}

function code(value: unknown, yesNo: boolean): number | null {
  if (yesNo) return value === "ja" ? 1 : value === "nee" ? 0 : null;
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 5 ? value : null;
}

/** Writes the facts of every completed response that has none, in batches (keyset pagination on the id). */
export async function backfill(knex: Knex, batchSize = 1_000): Promise<number> {
  const closedQuestionsOf = new Map<number, Set<string>>();
  let last = 0;
  let written = 0;
  for (;;) {
    const rows: Row[] = await knex("responses as r")
      .join("invitations as i", "i.id", "r.invitation_id")
      .join("conversations as c", "c.id", "i.conversation_id")
      .join("clients as cl", "cl.id", "i.client_id")
      .join("questionnaire_versions as q", "q.id", "r.questionnaire_version_id")
      .leftJoin("report_facts as f", "f.response_id", "r.id")
      .whereNull("f.response_id")
      .where("r.status", "completed")
      .whereNotNull("r.completed_at")
      .where("r.id", ">", last)
      .orderBy("r.id")
      .limit(batchSize)
      .select("r.id", "r.municipality_id", "r.mode", "r.answers", "r.completed_at", "r.questionnaire_version_id", "q.questionnaire", "c.law", "c.team", "c.area", "c.provision", "cl.birth_year", "i.channel");
    if (rows.length === 0) return written;
    last = rows.at(-1)!.id as number;

    const versions = [...new Set(rows.map((r) => r.questionnaire_version_id as number))].filter((id) => !closedQuestionsOf.has(id));
    if (versions.length > 0) {
      for (const v of await knex("questionnaire_versions").whereIn("id", versions).select("id", "questionnaire", "definition")) {
        closedQuestionsOf.set(v.id as number, closedQuestions(v.definition, v.questionnaire as string));
      }
    }

    const facts: Row[] = [];
    const answers: Row[] = [];
    for (const r of rows) {
      const given = (parseJson(r.answers) ?? {}) as Record<string, unknown>;
      const questionnaire = r.questionnaire as string;
      const completedAt = toIso(r.completed_at);
      const fact: Row = {
        response_id: r.id,
        municipality_id: r.municipality_id,
        completed_at: completedAt,
        counted_at: completedAt,
        late_period: null,
        questionnaire,
        law: r.law,
        team: r.team ?? null,
        area: r.area ?? null,
        provision: r.provision ?? null,
        age_band: ageBand(String(r.law), r.birth_year, Number(dutchYear.format(new Date(completedAt)))),
        mode: r.mode,
        channel: r.channel ?? null,
        grade: typeof given[GRADE_KEY] === "number" && Number.isInteger(given[GRADE_KEY]) ? given[GRADE_KEY] : null,
        consent: given[CONSENT_KEY] === "ja" ? 1 : given[CONSENT_KEY] === "nee" ? 0 : null,
      };
      const keys = STANDARD_KEYS[questionnaire] ?? [];
      for (let slot = 1; slot <= STATEMENT_SLOTS; slot++) {
        const key = keys[slot - 1];
        fact[`s${slot}`] = key ? code(given[key], YES_NO_KEYS.has(key)) : null;
      }
      facts.push(fact);
      for (const key of closedQuestionsOf.get(r.questionnaire_version_id as number) ?? []) {
        for (const value of answerValues(given[key])) answers.push({ response_id: r.id, municipality_id: r.municipality_id, question_key: key, value });
      }
    }
    // SQLite turns a multi-row insert into a compound SELECT, which may have at most 500 terms.
    for (let i = 0; i < facts.length; i += 200) await knex("report_facts").insert(facts.slice(i, i + 200));
    for (let i = 0; i < answers.length; i += 400) await knex("report_answers").insert(answers.slice(i, i + 400));
    written += facts.length;
  }
}
