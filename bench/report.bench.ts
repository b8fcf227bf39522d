// How fast a report is built: a half-year report (H1 2026) as HTML for one municipality, in databases of
// 10,000, 100,000 and 1,000,000 completed questionnaires (the municipality holds 40 % of them over two years,
// so a tenth of the total falls in its half year: 100,000 of 1,000,000), on SQLite and on PostgreSQL. The
// data is generated in SQL (a numbers series), shaped like the real thing: invitations with deliveries and
// non-responders, conversations and clients, follow-ups with attempts and themes, and the report facts the
// completion step writes. The target (issue 8): under 2 s on SQLite and under 1 s on PostgreSQL at 1,000,000.
//
//   npx tsx bench/report.bench.ts        runs it and updates the "Reports" section of docs/benchmarks.md
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import knexPkg from "knex";
import { parseDatabaseUrl } from "../server/config.ts";
import { createDb, isPostgres, migrateToLatest, type Db } from "../server/db.ts";
import { saveQuestionnaireVersion } from "../server/invitations/invitations.queries.ts";
import { insertMunicipality } from "../server/municipalities/municipalities.queries.ts";
import { packageRoot } from "../server/paths.ts";
import { parsePeriod } from "../server/reports/period.ts";
import { renderReport, buildReport, reportFile } from "../server/reports/reports.service.ts";
import { loadSurveyCatalog, type SurveyCatalog } from "../server/surveys/surveys.loader.ts";

export type ReportBenchRow = {
  dialect: "sqlite" | "postgres";
  responses: number;
  inPeriod: number;
  rows: number;
  generateSeconds: number;
  htmlMs: number;
  htmlRuns: number[];
  /** The same report for one team: read from the facts themselves, not the monthly sums. */
  filteredMs: number;
  modelMs: number;
  pdfMs: number;
  xlsxMs: number;
  databaseMegabytes: number | null;
};

export type ReportBenchResult = { rows: ReportBenchRow[]; postgres: string | null; notes: string[] };

export const SIZES = [10_000, 100_000, 1_000_000];
const DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/test";
const START = Date.parse("2025-01-01T00:00:00Z") / 1000;
const DAYS = 730;
const ANSWERS = JSON.stringify({
  wmo_wist_waar: 4,
  wmo_snel_geholpen: 3,
  wmo_serieus: 5,
  wmo_samen_oplossingen: 4,
  wmo_clientondersteuner: "ja",
  wmo_kwaliteit: 4,
  wmo_past: 4,
  wmo_dingen_doen: 3,
  wmo_beter_redden: 4,
  wmo_kwaliteit_leven: 2,
  rapportcijfer: 7,
  verbetering: "De hulp kwam snel, maar de communicatie kon beter.",
  ingevuld_door: "ikzelf",
  contact_toestemming: "nee",
}).replace(/'/g, "''");

type Dialect = { pg: boolean };

/** `INSERT INTO table (columns) SELECT expressions FROM <1..count as n(i)>`, on either dialect. */
async function insertSeries(db: Db, d: Dialect, table: string, columns: string[], expressions: string[], count: number, where = "1 = 1"): Promise<void> {
  const select = `select ${expressions.join(", ")}`;
  if (d.pg) {
    await db.raw(`insert into ${table} (${columns.join(", ")}) ${select} from generate_series(1::bigint, ${count}) as n(i) where ${where}`);
  } else {
    await db.raw(`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${count}) insert into ${table} (${columns.join(", ")}) ${select} from n where ${where}`);
  }
}

/** A moment as stored by toDbTime (ISO text on SQLite, timestamptz on PostgreSQL) from epoch seconds. */
function moment(d: Dialect, seconds: string): string {
  return d.pg ? `to_timestamp(${seconds})` : `strftime('%Y-%m-%dT%H:%M:%fZ', ${seconds}, 'unixepoch')`;
}

function day(d: Dialect, seconds: string): string {
  return d.pg ? `(to_timestamp(${seconds}) at time zone 'UTC')::date` : `strftime('%Y-%m-%d', ${seconds}, 'unixepoch')`;
}

/** The municipality of questionnaire i: 40 % the benchmark's municipality (1), the rest spread over 2–7. */
const MUNICIPALITY = "(case when i % 10 < 4 then 1 else i % 10 - 2 end)";
/** Completion: spread over two years (2025–2026), during working hours. */
const COMPLETED = `(${START} + ((i * 7919) % ${DAYS}) * 86400 + 28800 + (i % 32400))`;

export async function __generate(db: Db, catalog: SurveyCatalog, responses: number): Promise<number> {
  return generate(db, catalog, responses);
}

async function generate(db: Db, catalog: SurveyCatalog, responses: number): Promise<number> {
  const d: Dialect = { pg: isPostgres(db) };
  for (let m = 1; m <= 7; m++) await insertMunicipality(db, { code: `GM9${String(m).padStart(3, "0")}`, name: m === 1 ? "Benchmarkstad" : `Buurgemeente ${m}` });
  const versions: Record<string, number[]> = { wmo: [], "jeugd-ouders": [] };
  for (let m = 1; m <= 7; m++) {
    for (const q of ["wmo", "jeugd-ouders"]) {
      const entry = catalog.latest(q)!;
      const survey = catalog.forMunicipality(q, entry.version, {});
      versions[q]!.push(await saveQuestionnaireVersion(db, { municipalityId: m, questionnaire: q, baseVersion: entry.version, customisation: survey.customisation, definition: survey.definition, hash: survey.hash }));
    }
  }
  const version = (q: string) => `(case ${versions[q]!.map((id, k) => `when ${MUNICIPALITY} = ${k + 1} then ${id}`).join(" ")} end)`;
  // Every fifth questionnaire is a parent's (Jeugd); the others are Wmo.
  const isJeugd = "(i % 5 = 4)";
  const questionnaire = `(case when ${isJeugd} then 'jeugd-ouders' else 'wmo' end)`;
  const law = `(case when ${isJeugd} then 'jeugd' else 'wmo' end)`;
  // The benchmark municipality also invites as many people who never answer (a response of 50 %).
  const nonResponders = Math.floor(responses * 0.4);
  const people = responses + nonResponders;
  const personMunicipality = `(case when i > ${responses} then 1 else ${MUNICIPALITY} end)`;
  const personMoment = `(case when i > ${responses} then ${START} + ((i * 104729) % ${DAYS}) * 86400 + 30000 else ${COMPLETED} - 5 * 86400 end)`;
  const now = "'2026-12-31T12:00:00.000Z'";

  await insertSeries(db, d, "clients", ["id", "municipality_id", "external_id", "birth_year", "language", "created_at", "updated_at"], ["i", personMunicipality, "'C-' || i", "1930 + (i % 70)", "'nl'", now, now], people);
  await insertSeries(
    db,
    d,
    "conversations",
    ["id", "municipality_id", "client_id", "external_id", "law", "held_on", "team", "area", "provision", "source", "created_at", "contact_fingerprint", "planned_at", "plan_status"],
    ["i", personMunicipality, "i", "'K-' || i", law, day(d, `${personMoment} - 21 * 86400`), "'Sociaal Team ' || (i % 8)", "'Wijk ' || (i % 12)", "'Voorziening ' || (i % 6)", "'api'", now, "'{}'", now, "'invited'"],
    people,
  );
  await insertSeries(
    db,
    d,
    "invitations",
    ["id", "municipality_id", "conversation_id", "client_id", "questionnaire_version_id", "audience", "channel", "status", "created_at", "sent_at", "opened_at", "expires_at", "closed_at"],
    [
      "i",
      personMunicipality,
      "i",
      "i",
      `(case when ${isJeugd} then ${version("jeugd-ouders")} else ${version("wmo")} end)`,
      `(case when ${isJeugd} then 'ouders' else 'client' end)`,
      "(case i % 7 when 0 then 'letter' when 1 then 'sms' when 2 then 'sms' else 'email' end)",
      `(case when i > ${responses} then 'expired' else 'completed' end)`,
      moment(d, personMoment),
      moment(d, personMoment),
      `(case when i > ${responses} and i % 3 <> 0 then null else ${moment(d, `${personMoment} + 3600`)} end)`,
      moment(d, `${personMoment} + 42 * 86400`),
      moment(d, `${personMoment} + 5 * 86400`),
    ],
    people,
  );
  // Deliveries: the benchmark municipality's invitations, one message each, 3 % bounced.
  await insertSeries(
    db,
    d,
    "deliveries",
    ["municipality_id", "invitation_id", "kind", "sequence", "channel", "status", "due_at", "created_at", "updated_at", "sent_at"],
    ["1", "i", "'invite'", "0", "'email'", "(case when i % 33 = 0 then 'bounced' else 'delivered' end)", moment(d, personMoment), moment(d, personMoment), moment(d, personMoment), moment(d, personMoment)],
    people,
    `${personMunicipality} = 1`,
  );
  await insertSeries(
    db,
    d,
    "responses",
    ["id", "municipality_id", "invitation_id", "questionnaire_version_id", "mode", "status", "answers", "current_page", "locale", "started_at", "updated_at", "completed_at"],
    [
      "i",
      MUNICIPALITY,
      "i",
      `(case when ${isJeugd} then ${version("jeugd-ouders")} else ${version("wmo")} end)`,
      "(case i % 7 when 0 then 'code' when 1 then 'sms' when 2 then 'sms' when 3 then 'phone' else 'online' end)",
      "'completed'",
      `'${ANSWERS}'`,
      "0",
      "'nl'",
      moment(d, `${COMPLETED} - 600`),
      moment(d, COMPLETED),
      moment(d, COMPLETED),
    ],
    responses,
  );
  const code = (k: number) => `(case when (i * ${k * 31 + 7}) % 23 = 0 then null else (i * ${k * 13 + 5}) % 6 end)`;
  await insertSeries(
    db,
    d,
    "report_facts",
    ["response_id", "municipality_id", "completed_at", "counted_at", "questionnaire", "law", "team", "area", "provision", "age_band", "mode", "channel", ...Array.from({ length: 10 }, (_, k) => `s${k + 1}`), "grade", "consent"],
    [
      "i",
      MUNICIPALITY,
      moment(d, COMPLETED),
      moment(d, COMPLETED),
      questionnaire,
      law,
      "'Sociaal Team ' || (i % 8)",
      "'Wijk ' || (i % 12)",
      "'Voorziening ' || (i % 6)",
      `(case when ${isJeugd} then (case i % 4 when 0 then 'jeugd_0_5' when 1 then 'jeugd_6_11' when 2 then 'jeugd_12_17' else 'jeugd_18_plus' end) else (case i % 4 when 0 then 'wmo_tot_65' when 1 then 'wmo_65_74' when 2 then 'wmo_75_84' else 'wmo_85_plus' end) end)`,
      "(case i % 7 when 0 then 'code' when 1 then 'sms' when 2 then 'sms' when 3 then 'phone' else 'online' end)",
      "(case i % 7 when 0 then 'letter' when 1 then 'sms' when 2 then 'sms' else 'email' end)",
      ...Array.from({ length: 10 }, (_, k) => (k === 4 ? `(case when ${isJeugd} then null else i % 2 end)` : k >= 6 ? `(case when ${isJeugd} then null else ${code(k)} end)` : code(k))),
      `(case when ${isJeugd} then null else 1 + (i * 13) % 10 end)`,
      "(i % 2)",
    ],
    responses,
  );
  await insertSeries(
    db,
    d,
    "report_answers",
    ["response_id", "municipality_id", "question_key", "value"],
    ["i", MUNICIPALITY, "'ingevuld_door'", "(case i % 5 when 0 then 'ikzelf_met_hulp' when 1 then 'iemand_anders' else 'ikzelf' end)"],
    responses,
    `not ${isJeugd}`,
  );
  // The monthly sums the completion step keeps, made the same way from the facts (months in UTC: every moment
  // here is in the daytime, so the Dutch month is the same).
  const month = d.pg ? "to_char(f.counted_at at time zone 'UTC', 'YYYY-MM')" : "substr(f.counted_at, 1, 7)";
  const sums = [
    "count(*)",
    ...Array.from({ length: 12 }, (_, k) => [`f.s${k + 1} = 0`, `f.s${k + 1} = 1`, `f.s${k + 1} >= 4 and f.s${k + 1} <= 5`, `f.s${k + 1} >= 1 and f.s${k + 1} <= 5`].map((c) => `sum(case when ${c} then 1 else 0 end)`)).flat(),
    "count(f.grade)",
    "coalesce(sum(f.grade), 0)",
    "coalesce(sum(f.grade * f.grade), 0)",
    ...Array.from({ length: 10 }, (_, k) => `sum(case when f.grade = ${k + 1} then 1 else 0 end)`),
  ];
  const counters = ["respondents", ...Array.from({ length: 12 }, (_, k) => [`s${k + 1}_zero`, `s${k + 1}_one`, `s${k + 1}_agree`, `s${k + 1}_valid`]).flat(), "g_n", "g_sum", "g_sq", ...Array.from({ length: 10 }, (_, k) => `g_${k + 1}`)];
  for (const dimension of ["all", "team", "area", "provision", "age_band", "mode"]) {
    const value = dimension === "all" ? "''" : `coalesce(f.${dimension}, '')`;
    await db.raw(
      `insert into report_summary (municipality_id, month, questionnaire, dimension, value, ${counters.join(", ")})
       select f.municipality_id, ${month}, f.questionnaire, '${dimension}', ${value}, ${sums.join(", ")}
       from report_facts f group by f.municipality_id, ${month}, f.questionnaire${dimension === "all" ? "" : `, ${value}`}`,
    );
  }
  for (const value of ["a.value", "'*'"]) {
    await db.raw(
      `insert into report_answer_summary (municipality_id, month, questionnaire, question_key, value, answers)
       select f.municipality_id, ${month}, f.questionnaire, a.question_key, ${value}, count(*)
       from report_answers a join report_facts f on f.response_id = a.response_id
       group by f.municipality_id, ${month}, f.questionnaire, a.question_key${value === "'*'" ? "" : `, ${value}`}`,
    );
  }
  // Follow-ups: one in fifty questionnaires, a first attempt for most, themes for the reached ones.
  const every = 50;
  const followups = Math.floor(responses / every);
  await insertSeries(
    db,
    d,
    "followups",
    ["id", "municipality_id", "response_id", "invitation_id", "client_id", "status", "outcome", "triggers", "rule", "deadline_at", "first_attempt_at", "attempts", "urgent", "created_at", "updated_at", "closed_at"],
    [
      "i",
      `(case when (i * ${every}) % 10 < 4 then 1 else (i * ${every}) % 10 - 2 end)`,
      `i * ${every}`,
      `i * ${every}`,
      `i * ${every}`,
      "(case when i % 10 = 0 then 'open' else 'closed' end)",
      "(case i % 10 when 0 then null when 1 then 'niet_bereikt' when 2 then 'doorverwezen' when 3 then 'signaal' else 'opgelost' end)",
      `'[{"key":"wmo_snel_geholpen","value":1}]'`,
      `'{"questions":"all","answerCodes":[1,2],"gradeThreshold":5}'`,
      moment(d, `${START} + ((i * ${every} * 7919) % ${DAYS}) * 86400 + 40000 + 7 * 86400`),
      `(case when i % 10 = 0 then null else ${moment(d, `${START} + ((i * ${every} * 7919) % ${DAYS}) * 86400 + 40000 + (i % 9) * 86400`)} end)`,
      "1",
      d.pg ? "(i % 97 = 0)" : "(case when i % 97 = 0 then 1 else 0 end)",
      moment(d, `${START} + ((i * ${every} * 7919) % ${DAYS}) * 86400 + 40000`),
      moment(d, `${START} + ((i * ${every} * 7919) % ${DAYS}) * 86400 + 40000`),
      `(case when i % 10 = 0 then null else ${moment(d, `${START} + ((i * ${every} * 7919) % ${DAYS}) * 86400 + 90000`)} end)`,
    ],
    followups,
  );
  await insertSeries(db, d, "followup_attempts", ["followup_id", "attempted_at", "result", "created_at"], ["i", now, "(case when i % 10 = 1 then 'no_answer' else 'reached' end)", now], followups, "i % 10 <> 0");
  await insertSeries(db, d, "followup_themes", ["followup_id", "theme"], ["i", "(case i % 4 when 0 then 'wachttijd' when 1 then 'bereikbaarheid' when 2 then 'bejegening' else 'communicatie' end)"], followups);
  for (let k = 1; k <= 30; k++) {
    await db("quotes").insert({ municipality_id: 1, source: "followup", followup_id: k * 5, text: `Uitspraak ${k}: de hulp kwam op tijd, maar de communicatie kon beter.`, flags: "[]", status: "approved", created_at: "2026-03-01T10:00:00.000Z" });
  }
  if (d.pg) {
    for (const table of ["clients", "conversations", "invitations", "responses", "followups"]) {
      await db.raw(`select setval(pg_get_serial_sequence('${table}', 'id'), (select max(id) from ${table}))`);
    }
    // A database in use has been vacuumed by autovacuum (visibility maps, statistics); a freshly loaded one not.
    await db.raw("vacuum analyze");
  } else {
    await db.raw("analyze");
  }
  const counts = await Promise.all(
    ["clients", "conversations", "invitations", "deliveries", "responses", "report_facts", "report_answers", "report_invitation_facts", "report_summary", "followups", "followup_attempts", "followup_themes"].map(async (t) => Number((await db(t).count({ n: "*" }))[0]!.n)),
  );
  return counts.reduce((a, b) => a + b, 0);
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function measure(db: Db, catalog: SurveyCatalog, dialect: "sqlite" | "postgres", responses: number, sizeOf: () => number | null): Promise<ReportBenchRow> {
  const generated = await timed(() => generate(db, catalog, responses));
  const period = parsePeriod("2026-H1");
  if (!period.ok) throw new Error(period.message);
  const municipality = { id: 1, code: "GM9001", name: "Benchmarkstad" };
  const now = new Date("2026-07-15T09:00:00Z");
  // The first run warms the caches (the database's and the template's), as a running server has them warm.
  const warm = await reportFile(db, catalog, municipality, period.period, "html", {}, now);
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) runs.push((await timed(() => reportFile(db, catalog, municipality, period.period, "html", {}, now))).ms);
  const filtered: number[] = [];
  for (let r = 0; r < 3; r++) filtered.push((await timed(() => reportFile(db, catalog, municipality, period.period, "html", { team: "Sociaal Team 3" }, now))).ms);
  const model = await timed(() => buildReport(db, catalog, municipality, period.period, {}, { now }));
  const pdf = await timed(() => renderReport(model.value, "pdf"));
  const xlsx = await timed(() => renderReport(model.value, "xlsx"));
  const inPeriod = model.value.respondents.value ?? 0;
  if (!warm.content.toString("utf8").includes("Benchmarkstad")) throw new Error("the report does not name the municipality");
  return {
    dialect,
    responses,
    inPeriod,
    rows: generated.value,
    generateSeconds: generated.ms / 1000,
    htmlMs: median(runs),
    htmlRuns: runs,
    filteredMs: median(filtered),
    modelMs: model.ms,
    pdfMs: pdf.ms,
    xlsxMs: xlsx.ms,
    databaseMegabytes: sizeOf(),
  };
}

async function onSqlite(catalog: SurveyCatalog, responses: number): Promise<ReportBenchRow> {
  const dir = mkdtempSync(path.join(tmpdir(), "luisterpost-report-bench-"));
  const file = path.join(dir, "bench.sqlite");
  const config = parseDatabaseUrl(`sqlite:${file}`, dir);
  if (typeof config === "string") throw new Error(config);
  const db = createDb(config);
  try {
    await migrateToLatest(db);
    return await measure(db, catalog, "sqlite", responses, () => {
      try {
        return statSync(file).size / 2 ** 20;
      } catch {
        return null;
      }
    });
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function onPostgres(catalog: SurveyCatalog, baseUrl: string, responses: number): Promise<ReportBenchRow> {
  const name = `lp_bench_${randomBytes(4).toString("hex")}`;
  const admin = knexPkg({ client: "pg", connection: baseUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const config = parseDatabaseUrl(url.toString(), process.cwd());
  if (typeof config === "string") throw new Error(config);
  const db = createDb(config);
  try {
    await migrateToLatest(db);
    let size: number | null = null;
    const row = await measure(db, catalog, "postgres", responses, () => size);
    size = Number((await db.raw("select pg_database_size(current_database()) as bytes")).rows[0].bytes) / 2 ** 20;
    return { ...row, databaseMegabytes: size };
  } finally {
    await db.destroy();
    await admin.raw(`drop database if exists ${name} with (force)`);
    await admin.destroy();
  }
}

async function postgresReachable(url: string): Promise<boolean> {
  const probe = knexPkg({ client: "pg", connection: { connectionString: url, connectionTimeoutMillis: 2_000 }, pool: { min: 0, max: 1 } });
  try {
    await probe.raw("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await probe.destroy();
  }
}

export async function benchReports(sizes = SIZES): Promise<ReportBenchResult> {
  const catalog = loadSurveyCatalog();
  const pgUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || DEFAULT_PG;
  const pg = (await postgresReachable(pgUrl)) ? pgUrl : null;
  const rows: ReportBenchRow[] = [];
  const notes: string[] = [];
  for (const size of sizes) {
    process.stderr.write(`  reports: SQLite, ${size.toLocaleString("en")} responses…\n`);
    rows.push(await onSqlite(catalog, size));
    if (pg) {
      process.stderr.write(`  reports: PostgreSQL, ${size.toLocaleString("en")} responses…\n`);
      rows.push(await onPostgres(catalog, pg, size));
    }
  }
  if (!pg) notes.push(`PostgreSQL was not reachable at ${pgUrl.replace(/\/\/[^@/]*@/, "//***@")}; only SQLite was measured.`);
  return { rows, postgres: pg ? new URL(pg).host : null, notes };
}

const TARGET_MS = { sqlite: 2000, postgres: 1000 } as const;

export function reportTable(result: ReportBenchResult): string {
  const lines = result.rows.map((r) => {
    const target = r.responses === 1_000_000 ? (r.htmlMs < TARGET_MS[r.dialect] ? ` (target < ${TARGET_MS[r.dialect] / 1000} s: within)` : ` (target < ${TARGET_MS[r.dialect] / 1000} s: NOT met)`) : "";
    return `| ${r.dialect === "sqlite" ? "SQLite" : "PostgreSQL"} | ${r.responses.toLocaleString("en")} | ${r.inPeriod.toLocaleString("en")} | ${r.rows.toLocaleString("en")} | ${r.databaseMegabytes === null ? "–" : `${r.databaseMegabytes.toFixed(0)} MB`} | **${r.htmlMs.toFixed(0)} ms**${target} | ${r.filteredMs.toFixed(0)} ms | ${r.modelMs.toFixed(0)} ms | ${r.pdfMs.toFixed(0)} ms | ${r.xlsxMs.toFixed(0)} ms | ${r.generateSeconds.toFixed(0)} s |`;
  });
  return [
    "| database | questionnaires in the database | in the half year | rows in all tables | size | HTML report (median of 5) | one team only (median of 3) | model only | PDF (render) | XLSX (render) | generating the data |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...lines,
    ...result.notes.map((n) => `\n${n}`),
  ].join("\n");
}

export function reportSection(result: ReportBenchResult): string {
  return `## Reports

A half-year report (2026-H1) as HTML for one municipality, the way the staff page's download and
\`luisterpost report --format html\` make it (\`reportFile\` in server/reports/reports.service.ts: settings, every
grouped query, the suppressed model, the charts and the template). The database holds the given number of
completed questionnaires over 2025–2026 for seven municipalities; the measured one holds 40 % of them, so a
tenth falls in its half year, with as many invitations again that were never answered, one delivery per
invitation, conversations and clients, a follow-up for one in fifty questionnaires (attempts, themes) and the
report facts the completion step writes. The first run warms the caches, as in a running server; the figure is
the median of the five runs after it. PostgreSQL is vacuumed and analysed after loading, as autovacuum keeps a
database in use; SQLite is analysed. "Model only" is the database work and the suppression without rendering;
PDF and XLSX are the rendering of that model. "One team only" is the same report filtered on a team: filtered
reports group the facts themselves instead of the monthly sums. Target (issue 8): under 2 s on SQLite and under 1 s on PostgreSQL
(${result.postgres ?? "not available"}) at 1,000,000. Only this part: \`npx tsx bench/report.bench.ts\`.

${reportTable(result)}
`;
}

/** Replaces (or appends) the Reports section of docs/benchmarks.md, leaving the other sections as they are. */
export function updateReportSection(section: string): void {
  const file = path.join(packageRoot, "docs", "benchmarks.md");
  const doc = readFileSync(file, "utf8");
  const start = doc.indexOf("## Reports\n");
  if (start === -1) {
    writeFileSync(file, `${doc.trimEnd()}\n\n${section}`);
    return;
  }
  const next = doc.indexOf("\n## ", start + 1);
  writeFileSync(file, `${doc.slice(0, start)}${section}${next === -1 ? "" : doc.slice(next + 1)}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
  benchReports(sizes.length ? sizes : SIZES).then(
    (result) => {
      const section = reportSection(result);
      if (sizes.length === 0) updateReportSection(section);
      process.stdout.write(section);
      for (const r of result.rows) process.stderr.write(`${r.dialect} ${r.responses}: runs ${r.htmlRuns.map((x) => x.toFixed(0)).join(", ")} ms\n`);
    },
    (err: unknown) => {
      process.stderr.write(`report benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
