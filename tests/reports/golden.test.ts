// Acceptance 1, the golden test: the fixed synthetic data set (golden/fixture.json, written by the seeded
// golden/generate.ts) loaded into a real migrated database (SQLite, or PostgreSQL with TEST_DATABASE_URL), and
// the report for 2026-Q3 checked against figures worked out by hand from how the data set was designed —
// percentages, n, intervals, suppressed cells and follow-up counts — in the JSON, the CSV and the XLSX output.
//
// The hand calculations, for the record (Wmo, 120 completed questionnaires in 2026-Q3):
//   statement 1: 84 of 120 agree = 70.0 %; Wilson: centre (0.7 + 1.9208/120) / 1.03201 = 0.69379, half-width
//     1.95996 × sqrt(0.21/120 + 3.8415/57600) / 1.03201 = 0.08095 → 61.3–77.5 %. Q2: 55 of 100 = 55.0 %;
//     pooled 139/220, z = 0.15 / 0.06531 = 2.30 > 1.96: more than chance.
//   statement 2: 60 of 105 = 57.1 % (47.6–66.2 %); don't know 10 (shown: nobody's answer is derivable, as how
//     many skipped is not published); Q2 55.0 %, z = 0.31: chance.
//   themes: toegang (70.0 + 57.14 + 86.96 + 66.67) / 4 = 70.2; kwaliteit (78.26 + 73.91) / 2 = 76.1;
//     effect (60 + 66 + 55) / 3 = 60.3.
//   grade: 815 / 110 = 7.41 → 7.4; 100 of 110 a 6 or higher = 90.9 %; grades 1–5 and 10 fewer than 10 each.
//   teams: Noord 60, Zuid 41, Oost 12, Centrum 7 → Centrum "< 10", and Oost, the next smallest, "×".
//   funnel: e-mail 150 invited, 90 completed = 60.0 %; sms 62 / 42 = 67.7 %; phone 7 ("< 10") → letter, the
//     next smallest, hidden ("×") in every column; total 269 invited, 162 completed = 60.2 %.
//   follow-ups: 60, reached 45 = 75.0 %; on time 50, late 4 and not yet due 6 (both "< 10"); opgelost 20 =
//     33.3 %, doorverwezen 12 = 20.0 %; themes wachttijd 18 / 45 = 40.0 %, bereikbaarheid 15 = 33.3 %.
import ExcelJS from "exceljs";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePeriod } from "../../server/reports/period.ts";
import type { ReportModel } from "../../server/reports/reports.model.ts";
import { buildReport, renderReport } from "../../server/reports/reports.service.ts";
import { loadSurveyCatalog } from "../../server/surveys/surveys.loader.ts";
import { createTestDatabase, testDialect, type TestDatabase } from "../helpers/database.ts";
import { loadFixture, type Loaded } from "./golden/load.ts";

let database: TestDatabase;
let loaded: Loaded;
let model: ReportModel;
let csv: string[][];
let workbook: ExcelJS.Workbook;

const catalog = loadSurveyCatalog();

beforeAll(async () => {
  database = await createTestDatabase();
  loaded = await loadFixture(database.db, catalog);
  const period = parsePeriod("2026-Q3");
  if (!period.ok) throw new Error(period.message);
  model = await buildReport(database.db, catalog, loaded.municipality, period.period, {}, { now: new Date(loaded.fixture.now) });
  const json = JSON.parse((await renderReport(model, "json")).toString("utf8")) as ReportModel;
  // The JSON file is the model itself.
  expect(json).toEqual(JSON.parse(JSON.stringify(model)));
  model = json;
  const csvText = (await renderReport(model, "csv")).toString("utf8");
  expect(csvText.startsWith("\uFEFF")).toBe(true);
  csv = parse(csvText.slice(1), { delimiter: ";" }) as string[][];
  workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load((await renderReport(model, "xlsx")) as unknown as ArrayBuffer);
}, 120_000);

afterAll(async () => {
  await database?.destroy();
});

const shown = (value: number) => ({ value, hidden: null });
const small = { value: null, hidden: "small" };
const other = { value: null, hidden: "complementary" };

/** The CSV's value for a figure: section, questionnaire, breakdown, group, subject, measure. */
function csvValue(section: string, questionnaire: string, breakdown: string, group: string, subject: string, measure: string): string | undefined {
  const rows = csv.filter((r) => r[0] === section && r[1] === questionnaire && r[2] === breakdown && r[3] === group && r[4] === subject && r[6] === measure);
  expect(rows.length, `${section}/${questionnaire}/${breakdown}/${group}/${subject}/${measure}`).toBeLessThanOrEqual(1);
  return rows[0]?.[7];
}

/** The row of a sheet whose cell in `column` (1-based) equals `key`, as plain values. */
function sheetRow(sheet: string, column: number, key: string, after?: string): unknown[] {
  const ws = workbook.getWorksheet(sheet)!;
  let started = after === undefined;
  let found: unknown[] | undefined;
  ws.eachRow((row) => {
    const values = (row.values as unknown[]).slice(1);
    if (!started && values[0] === after) started = true;
    if (started && !found && values[column - 1] === key) found = values;
  });
  expect(found, `${sheet}: row ${key}`).toBeDefined();
  return found!;
}

describe(`the golden report for 2026-Q3 (${testDialect})`, () => {
  it("counts the respondents and the questionnaires", () => {
    expect(model.period).toMatchObject({ key: "2026-Q3", label: "3e kwartaal 2026", firstDay: "2026-07-01", lastDay: "2026-09-30" });
    expect(model.status).toBe("open");
    expect(model.threshold).toBe(10);
    expect(model.respondents).toEqual(shown(162));
    expect(model.byQuestionnaire.map((q) => [q.id, q.respondents])).toEqual([
      ["wmo", shown(120)],
      ["jeugd-ouders", shown(30)],
      ["jeugd-jongeren", shown(12)],
    ]);
    expect(csvValue("respons", "", "", "", "ingevuld", "aantal")).toBe("162");
    expect(sheetRow("Samenvatting", 1, "ingevulde vragenlijsten")[1]).toBe(162);
  });

  it("has the funnel per channel with the response rate, and hides the letters to protect the small phone row", () => {
    const line = (channel: string) => model.funnel.channels.find((c) => c.channel === channel)!;
    expect(line("email")).toMatchObject({ invited: shown(150), delivered: shown(140), bounced: shown(10), opened: shown(110), started: shown(95), completed: shown(90), rate: 60 });
    expect(line("sms")).toMatchObject({ invited: shown(62), delivered: shown(60), bounced: small, opened: shown(48), started: shown(45), completed: shown(42), rate: 67.7 });
    expect(line("letter")).toMatchObject({ invited: other, delivered: other, bounced: small, opened: other, started: other, completed: other, rate: null });
    expect(line("phone")).toMatchObject({ invited: small, delivered: small, bounced: small, opened: small, started: small, completed: small, rate: null });
    expect(model.funnel.total).toMatchObject({ invited: shown(269), delivered: shown(257), bounced: shown(12), opened: shown(192), started: shown(172), completed: shown(162), rate: 60.2 });

    expect(csvValue("kanalen", "", "kanaal", "E-mail", "respons", "percentage")).toBe("60,0");
    expect(csvValue("kanalen", "", "kanaal", "E-mail", "completed", "aantal")).toBe("90");
    expect(csvValue("kanalen", "", "kanaal", "Brief", "invited", "aantal")).toBe("×");
    expect(csvValue("kanalen", "", "kanaal", "Telefoon", "invited", "aantal")).toBe("< 10");
    expect(csvValue("kanalen", "", "kanaal", "Totaal", "respons", "percentage")).toBe("60,2");
    expect(sheetRow("Respons", 1, "E-mail")).toEqual(["E-mail", 150, 140, 10, 110, 95, 90, 60]);
    expect(sheetRow("Respons", 1, "Brief")).toEqual(["Brief", "×", "×", "< 10", "×", "×", "×"]);
    expect(sheetRow("Respons", 1, "Totaal")).toEqual(["Totaal", 269, 257, 12, 192, 172, 162, 60.2]);
  });

  it("has the population of the period", () => {
    expect(model.population.conversations).toEqual(shown(290));
    expect(model.population.invited).toEqual(shown(269));
    expect(model.population.skipped.map((s) => [s.reason, s.count])).toEqual([
      ["fatigue", shown(12)],
      ["opted_out", small],
      ["unreachable", small],
    ]);
  });

  it("has every Wmo statement with its percentage, n, don't know, interval and the change against 2026-Q2", () => {
    const wmo = model.questionnaires.find((q) => q.id === "wmo")!;
    const rows = wmo.statements.map((s) => [s.number, s.pct, s.n, s.dontKnow, s.ci, s.previous.pct, s.change, s.significant]);
    expect(rows).toEqual([
      [1, 70, shown(120), small, { low: 61.3, high: 77.5 }, 55, 15, true],
      [2, 57.1, shown(105), shown(10), { low: 47.6, high: 66.2 }, 55, 2.1, false],
      [3, 87, shown(115), small, { low: 79.6, high: 91.9 }, 55, 32, true],
      [4, 66.7, shown(108), shown(12), { low: 57.3, high: 74.8 }, 55, 11.7, false],
      [5, 39.1, shown(115), null, { low: 30.7, high: 48.3 }, 40, -0.9, false],
      [6, 78.3, shown(115), small, { low: 69.9, high: 84.8 }, 55, 23.3, true],
      [7, 73.9, shown(115), small, { low: 65.2, high: 81.1 }, 55, 18.9, true],
      [8, 60, shown(100), shown(15), { low: 50.2, high: 69.1 }, 55, 5, false],
      [9, 66, shown(100), shown(20), { low: 56.3, high: 74.5 }, 55, 11, false],
      [10, 55, shown(100), shown(20), { low: 45.2, high: 64.4 }, 55, 0, false],
    ]);
    expect(wmo.statements[0]!.text).toBe("Ik wist waar ik moest zijn met mijn hulpvraag.");

    expect(csvValue("stelling", "wmo", "", "", "wmo_wist_waar", "percentage eens")).toBe("70,0");
    expect(csvValue("stelling", "wmo", "", "", "wmo_wist_waar", "n")).toBe("120");
    expect(csvValue("stelling", "wmo", "", "", "wmo_wist_waar", "weet niet")).toBe("< 10");
    expect(csvValue("stelling", "wmo", "", "", "wmo_wist_waar", "ondergrens")).toBe("61,3");
    expect(csvValue("stelling", "wmo", "", "", "wmo_wist_waar", "bovengrens")).toBe("77,5");
    expect(csvValue("stelling", "wmo", "", "", "wmo_wist_waar", "meer dan toeval")).toBe("ja");
    expect(csvValue("stelling", "wmo", "", "", "wmo_clientondersteuner", "percentage ja")).toBe("39,1");
    expect(csvValue("stelling", "wmo", "", "", "wmo_snel_geholpen", "verschil")).toBe("2,1");

    // vragenlijst, nr, sleutel, stelling, thema, eens, ondergrens, bovengrens, n, weet niet, vorige, n vorige, verschil, toeval
    expect(sheetRow("Stellingen", 3, "wmo_wist_waar")).toEqual(["Wmo", 1, "wmo_wist_waar", "Ik wist waar ik moest zijn met mijn hulpvraag.", "Toegang", 70, 61.3, 77.5, 120, "< 10", 55, 100, 15, "ja"]);
    expect(sheetRow("Stellingen", 3, "wmo_snel_geholpen")).toEqual(["Wmo", 2, "wmo_snel_geholpen", "Ik werd snel geholpen.", "Toegang", 57.1, 47.6, 66.2, 105, 10, 55, 100, 2.1, "nee"]);
  });

  it("averages the themes over their statements", () => {
    const wmo = model.questionnaires.find((q) => q.id === "wmo")!;
    expect(wmo.themes.map((t) => [t.theme, t.pct, t.previousPct, t.change])).toEqual([
      ["toegang", 70.2, 55, 15.2],
      ["kwaliteit", 76.1, 55, 21.1],
      ["effect", 60.3, 55, 5.3],
    ]);
    expect(csvValue("thema", "wmo", "", "", "toegang", "percentage eens")).toBe("70,2");
    expect(sheetRow("Stellingen", 2, "Effect", "Thema's (gemiddelde van hun stellingen)")).toEqual(["Wmo", "Effect", 60.3, 55, 5.3]);
  });

  it("has the report grade with its distribution, small grades hidden", () => {
    const grade = model.questionnaires.find((q) => q.id === "wmo")!.grade!;
    expect(grade).toMatchObject({ n: shown(110), mean: 7.4, sufficientPct: 90.9, previous: { n: shown(100), mean: 7 }, change: 0.4, significant: true });
    expect(grade.distribution.map((d) => [d.grade, d.count, d.pct])).toEqual([
      [1, small, null],
      [2, small, null],
      [3, small, null],
      [4, small, null],
      [5, small, null],
      [6, shown(10), 9.1],
      [7, shown(30), 27.3],
      [8, shown(40), 36.4],
      [9, shown(15), 13.6],
      [10, small, null],
    ]);
    expect(csvValue("rapportcijfer", "wmo", "", "", "rapportcijfer", "gemiddelde")).toBe("7,4");
    expect(csvValue("rapportcijfer", "wmo", "", "", "rapportcijfer", "gemiddelde vorige periode")).toBe("7,0");
    expect(csvValue("rapportcijfer", "wmo", "", "", "rapportcijfer", "meer dan toeval")).toBe("ja");
    expect(csvValue("rapportcijfer", "wmo", "cijfer", "8", "rapportcijfer", "percentage")).toBe("36,4");
    expect(csvValue("rapportcijfer", "wmo", "cijfer", "3", "rapportcijfer", "aantal")).toBe("< 10");
  });

  it("has the other questions, with the complementary rule inside a distribution", () => {
    const wmo = model.questionnaires.find((q) => q.id === "wmo")!;
    const by = Object.fromEntries(wmo.otherQuestions.map((o) => [o.key, o]));
    expect(by.ingevuld_door!.n).toEqual(shown(115));
    expect(by.ingevuld_door!.options.map((o) => [o.value, o.count, o.pct])).toEqual([
      ["ikzelf", shown(83), 72.2],
      ["ikzelf_met_hulp", other, null],
      ["iemand_anders", small, null],
    ]);
    expect(by.gemeente_wachttijd_bekend!.title).toBe("Wist u hoe lang het zou duren voordat u hulp kreeg?");
    expect(by.gemeente_wachttijd_bekend!.options.map((o) => [o.label, o.count, o.pct])).toEqual([
      ["Ja", shown(70), 63.6],
      ["Nee", shown(40), 36.4],
    ]);
    expect(csvValue("overige vraag", "wmo", "antwoord", "Ikzelf met hulp", "ingevuld_door", "aantal")).toBe("×");
    expect(sheetRow("Overige vragen", 1, "Iemand anders namens mij")).toEqual(["Iemand anders namens mij", "< 10"]);
  });

  it("breaks the Wmo results down by team, area, provision, age band and mode, suppressed", () => {
    const wmo = model.questionnaires.find((q) => q.id === "wmo")!;
    const dim = (d: string) => Object.fromEntries(wmo.breakdowns.find((b) => b.dimension === d)!.rows.map((r) => [r.label, r.respondents]));
    expect(dim("team")).toEqual({ "Sociaal Team Noord": shown(60), "Sociaal Team Zuid": shown(41), "Wijkteam Centrum": small, "Wijkteam Oost": other });
    expect(dim("area")).toEqual({ Buitengebied: shown(30), Centrum: shown(50), Dorp: shown(40) });
    expect(dim("provision")).toEqual({ begeleiding: shown(40), "huishoudelijke hulp": shown(55), vervoer: shown(25) });
    expect(dim("age_band")).toEqual({ "tot 65 jaar": shown(20), "65 tot 75 jaar": shown(35), "75 tot 85 jaar": shown(45), "85 jaar en ouder": shown(20) });
    expect(dim("mode")).toEqual({ "Online (link in e-mail)": shown(70), "Online (link in sms)": shown(20), "Online (code uit brief)": shown(18), "Papieren vragenlijst": small, Telefonisch: small });
    const hiddenTeam = wmo.breakdowns.find((b) => b.dimension === "team")!.rows.find((r) => r.label === "Wijkteam Oost")!;
    expect(hiddenTeam.statements.every((s) => s.pct === null && s.n.value === null)).toBe(true);
    expect(Object.values(hiddenTeam.themes)).toEqual([null, null, null]);

    expect(csvValue("uitsplitsing", "wmo", "team", "Wijkteam Centrum", "ingevuld", "aantal")).toBe("< 10");
    expect(csvValue("uitsplitsing", "wmo", "team", "Wijkteam Oost", "ingevuld", "aantal")).toBe("×");
    expect(csvValue("uitsplitsing", "wmo", "team", "Wijkteam Oost", "toegang", "percentage eens")).toBe("");
    expect(csvValue("uitsplitsing", "wmo", "team", "Sociaal Team Noord", "ingevuld", "aantal")).toBe("60");
    expect(sheetRow("Uitsplitsingen", 1, "Wijkteam Oost")[1]).toBe("×");
    expect(sheetRow("Uitsplitsingen", 1, "Wijkteam Centrum")[1]).toBe("< 10");
  });

  it("has the Jeugd questionnaires apart, a small statement hidden", () => {
    const ouders = model.questionnaires.find((q) => q.id === "jeugd-ouders")!;
    expect(ouders.statements.map((s) => [s.key, s.pct, s.n])).toEqual([
      ["jeugd_makkelijk_hulp", 60, shown(30)],
      ["jeugd_hulp_past", 71.4, shown(28)],
      ["jeugd_veilig_gezond", 60, shown(25)],
      ["jeugd_zelfstandig", 50, shown(24)],
      ["jeugd_beter_omgaan", 70, shown(30)],
      ["jeugd_meedoen", 45, shown(20)],
    ]);
    expect(ouders.grade).toBeNull();
    const jongeren = model.questionnaires.find((q) => q.id === "jeugd-jongeren")!;
    expect(jongeren.statements.find((s) => s.key === "jeugd_hulp_past")).toMatchObject({ pct: null, n: small, ci: null });
    expect(jongeren.statements.find((s) => s.key === "jeugd_makkelijk_hulp")).toMatchObject({ pct: 66.7, n: shown(12) });
    // The quality theme has only that statement: hidden with it.
    expect(jongeren.themes.find((t) => t.theme === "kwaliteit")!.pct).toBeNull();
    expect(csvValue("stelling", "jeugd-jongeren", "", "", "jeugd_hulp_past", "n")).toBe("< 10");
  });

  it("shows the trend over eight quarters, with a gap where a quarter had too few answers", () => {
    const trend = model.questionnaires.find((q) => q.id === "wmo")!.trend;
    expect(trend.map((p) => [p.quarter, p.respondents, p.themes.toegang, p.grade])).toEqual([
      ["2024-Q4", shown(40), 60, 7],
      ["2025-Q1", small, null, null],
      ["2025-Q2", shown(40), 60, 7],
      ["2025-Q3", shown(40), 60, 7],
      ["2025-Q4", shown(40), 60, 7],
      ["2026-Q1", shown(40), 60, 7],
      ["2026-Q2", shown(100), 55, 7],
      ["2026-Q3", shown(120), 70.2, 7.4],
    ]);
    expect(csvValue("trend", "wmo", "kwartaal", "K1 2025", "2025-Q1", "aantal")).toBe("< 10");
    expect(sheetRow("Trend", 1, "K3 2026")).toEqual(["K3 2026", 120, 70.2, 76.1, 60.3, 7.4]);
  });

  it("has the follow-up section: triggered, reached, service level, outcomes and themes", () => {
    const f = model.followups;
    expect(f).toMatchObject({
      triggered: shown(60),
      reached: shown(45),
      reachedPct: 75,
      withinSla: shown(50),
      withinSlaPct: null,
      lateSla: small,
      pendingSla: small,
      open: small,
      escalated: small,
    });
    expect(f.outcomes.map((o) => [o.outcome, o.count, o.pct])).toEqual([
      ["opgelost", shown(20), 33.3],
      ["doorverwezen", shown(12), 20],
      ["signaal", small, null],
      ["geen_actie", small, null],
      ["wil_niet", small, null],
      ["niet_bereikt", small, null],
      ["open", small, null],
    ]);
    expect(f.themes.map((t) => [t.theme, t.label, t.count, t.pct])).toEqual([
      ["wachttijd", "Wachttijd", shown(18), 40],
      ["bereikbaarheid", "Bereikbaarheid", shown(15), 33.3],
      ["bejegening", "Bejegening", shown(12), 26.7],
      ["communicatie", "Communicatie", small, null],
      ["eigen_bijdrage", "Eigen bijdrage", small, null],
    ]);
    expect(csvValue("verdiepingsgesprekken", "", "", "", "aangemaakt", "aantal")).toBe("60");
    expect(csvValue("verdiepingsgesprekken", "", "", "", "bereikt", "percentage")).toBe("75,0");
    expect(csvValue("verdiepingsgesprekken", "", "", "", "te_laat", "aantal")).toBe("< 10");
    expect(csvValue("verdiepingsgesprekken", "", "uitkomst", "Opgelost", "opgelost", "percentage")).toBe("33,3");
    expect(sheetRow("Verdiepingsgesprekken", 1, "cliënt bereikt")).toEqual(["cliënt bereikt", 45, 75]);
    expect(sheetRow("Verdiepingsgesprekken", 1, "Wachttijd")).toEqual(["Wachttijd", 18, 40]);
  });

  it("has only the reviewed quotes, with a formula guarded in the CSV and the workbook", () => {
    expect(model.quotes.map((q) => q.text).sort()).toEqual([
      '=HYPERLINK("http://example.test") zonder opmaak graag',
      "De hulp thuis is fijn, maar de wachttijd was lang.",
      "Ik moest drie keer bellen voordat iemand terugbelde.",
    ]);
    const quoteLines = csv.filter((r) => r[0] === "uitspraak");
    expect(quoteLines).toHaveLength(3);
    expect(quoteLines.some((r) => r[7] === `'=HYPERLINK("http://example.test") zonder opmaak graag`)).toBe(true);
    expect(csv.flat().some((cell) => /^[=+\-@]/.test(cell))).toBe(false);
    const quoteCell = sheetRow("Verdiepingsgesprekken", 1, `'=HYPERLINK("http://example.test") zonder opmaak graag`);
    expect(quoteCell).toHaveLength(1);
  });

  it("gives the same report from the monthly sums as from the facts themselves", async () => {
    for (const key of ["2026-Q3", "2026-H2", "2026"]) {
      const parsed = parsePeriod(key);
      if (!parsed.ok) throw new Error(parsed.message);
      const p = parsed.period;
      const fromSummary = await buildReport(database.db, catalog, loaded.municipality, p, {}, { now: new Date(loaded.fixture.now) });
      const fromFacts = await buildReport(database.db, catalog, loaded.municipality, p, {}, { now: new Date(loaded.fixture.now), source: "facts" });
      expect(fromSummary).toEqual(fromFacts);
    }
  });

  it("writes the method note", () => {
    expect(model.method.join(" ")).toMatch(/Wilson/);
    expect(model.method.join(" ")).toMatch(/minder dan 10 personen/);
    expect(model.method.join(" ")).toMatch(/290 gesprekken, waarvan 269 met een uitnodiging/);
    expect(csv.filter((r) => r[0] === "toelichting").length).toBe(model.method.length);
  });
});
