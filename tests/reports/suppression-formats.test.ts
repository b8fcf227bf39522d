// Acceptance 2: small-number suppression holds in every format (JSON, CSV, XLSX, HTML, PDF, the charts and the
// legal export) and in every breakdown, including the complementary rule. The data set has a team of 3 next to
// teams of 25 and 12, a mode of 9 next to one of 31, a statement only 5 people answered, and a "who filled it
// in" question with 20 / 14 / 6; everything is downloaded the way a reader downloads it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { lastEndedQuarter, periodContaining, previousPeriod, type Period } from "../../server/reports/period.ts";
import type { Figure, ReportModel } from "../../server/reports/reports.model.ts";
import { REPORT_SETTINGS } from "../../server/reports/reports.schema.ts";
import { buildReport } from "../../server/reports/reports.service.ts";
import { writeSettings } from "../../server/settings/settings.service.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { skipWithoutPoppler } from "../helpers/services.ts";
import { makeMunicipality, type Agent } from "../helpers/staff.ts";
import { makeFollowup } from "./factories.ts";
import { binary, respondents, staffOf, within } from "./helpers.ts";

let t: TestApp;
let m: MunicipalityRow;
let reader: Agent;
let period: Period;
let model: ReportModel;
const files: Record<string, Buffer> = {};
const db = () => t.database.db;

beforeAll(async () => {
  t = await createTestApp();
  m = await makeMunicipality(db(), { name: "Kleinwijk" });
  period = lastEndedQuarter(new Date());
  const made = await respondents(db(), t.catalog, m, period, 40, (i) => ({
    team: i < 25 ? "Team A" : i < 37 ? "Team B" : "Team C",
    mode: i < 31 ? "online" : "phone",
    channel: i < 31 ? "email" : "phone",
    answers: {
      wmo_wist_waar: i % 4 === 0 ? 2 : 4,
      wmo_snel_geholpen: 5,
      ...(i < 5 ? { wmo_kwaliteit_leven: 4 } : {}),
      rapportcijfer: i < 3 ? 2 : 7,
      ingevuld_door: i < 20 ? "ikzelf" : i < 34 ? "ikzelf_met_hulp" : "iemand_anders",
    },
  }));
  for (let i = 0; i < 12; i++) {
    const r = made[i]!;
    await makeFollowup(db(), {
      municipalityId: m.id,
      responseId: r.responseId!,
      invitationId: r.invitationId,
      clientId: r.clientId,
      outcome: i < 8 ? "opgelost" : "doorverwezen",
      createdAt: within(period, 0.3),
      deadlineAt: within(period, 0.4),
      attempts: [{ at: within(period, 0.35), result: "reached" }],
      themes: i < 11 ? ["wachttijd"] : ["bejegening"],
    });
  }
  reader = await staffOf(t, m, "reader");
  for (const format of ["json", "csv", "xlsx", "html", "pdf"]) {
    const res = await reader.get(`/staff/m/${m.code}/reports/download`).query({ periode: period.key, formaat: format }).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    files[format] = res.body as Buffer;
  }
  const legal = await reader.get(`/staff/m/${m.code}/reports/legal`).query({ jaar: String(period.year), formaat: "csv" }).buffer(true).parse(binary);
  expect(legal.status).toBe(200);
  files.legal = legal.body as Buffer;
  model = JSON.parse(files.json!.toString("utf8")) as ReportModel;
});

afterAll(async () => {
  await t?.close();
});

/** Every Figure in the model, with where it sits. */
function figures(value: unknown, at = "model"): Array<{ at: string; figure: Figure }> {
  if (Array.isArray(value)) return value.flatMap((v, i) => figures(v, `${at}[${i}]`));
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if ("hidden" in o && "value" in o && Object.keys(o).length === 2) return [{ at, figure: o as unknown as Figure }];
    return Object.entries(o).flatMap(([k, v]) => figures(v, `${at}.${k}`));
  }
  return [];
}

const hiddenCount = (cells: Figure[]) => cells.filter((c) => c.hidden !== null).length;

const skipPdf = skipWithoutPoppler();

describe("suppression in every format and breakdown", () => {
  it("never shows a count under the threshold anywhere in the model (the JSON)", () => {
    const all = figures(model);
    expect(all.length).toBeGreaterThan(150);
    const leaks = all.filter(({ figure }) => figure.hidden === null && figure.value !== null && figure.value < 10);
    expect(leaks.map((l) => `${l.at} = ${l.figure.value}`)).toEqual([]);
    expect(all.filter(({ figure }) => figure.hidden !== null).every(({ figure }) => figure.value === null)).toBe(true);
  });

  it("hides the small team, the next smallest team beside it, and everything of both", () => {
    const wmo = model.questionnaires.find((q) => q.id === "wmo")!;
    const teams = wmo.breakdowns.find((b) => b.dimension === "team")!.rows;
    expect(teams.map((r) => [r.label, r.respondents])).toEqual([
      ["Team A", { value: 25, hidden: null }],
      ["Team B", { value: null, hidden: "complementary" }],
      ["Team C", { value: null, hidden: "small" }],
    ]);
    for (const row of teams.slice(1)) {
      expect(row.statements.every((s) => s.pct === null && s.n.value === null)).toBe(true);
      expect(Object.values(row.themes).every((v) => v === null)).toBe(true);
      expect(row.grade).toEqual({ n: { value: null, hidden: row.respondents.hidden }, mean: null });
    }
    const modes = wmo.breakdowns.find((b) => b.dimension === "mode")!.rows;
    expect(modes.map((r) => [r.key, r.respondents.hidden])).toEqual([
      ["online", "complementary"],
      ["phone", "small"],
    ]);
    const who = wmo.otherQuestions.find((o) => o.key === "ingevuld_door")!;
    expect(who.options.map((o) => [o.value, o.count])).toEqual([
      ["ikzelf", { value: 20, hidden: null }],
      ["ikzelf_met_hulp", { value: null, hidden: "complementary" }],
      ["iemand_anders", { value: null, hidden: "small" }],
    ]);
    const statement = wmo.statements.find((s) => s.key === "wmo_kwaliteit_leven")!;
    expect(statement).toMatchObject({ pct: null, ci: null, n: { value: null, hidden: "small" } });
  });

  it("never leaves exactly one hidden cell in a breakdown whose total is shown", () => {
    const problems: string[] = [];
    const check = (where: string, cells: Figure[], total: Figure) => {
      if (total.hidden === null && hiddenCount(cells) === 1) problems.push(where);
    };
    for (const q of model.questionnaires) {
      for (const b of q.breakdowns) {
        check(`${q.id} ${b.dimension} respondents`, b.rows.map((r) => r.respondents), q.respondents);
        q.statements.forEach((s, i) => check(`${q.id} ${b.dimension} ${s.key}`, b.rows.map((r) => r.statements[i]!.n), s.n));
      }
      if (q.grade) check(`${q.id} grade distribution`, q.grade.distribution.map((d) => d.count), q.grade.n);
      for (const o of q.otherQuestions) if (o.kind === "choice") check(`${q.id} ${o.key}`, o.options.map((x) => x.count), o.n);
    }
    for (const stage of ["invited", "delivered", "bounced", "opened", "started", "completed"] as const) {
      check(`funnel ${stage}`, model.funnel.channels.map((c) => c[stage]), model.funnel.total[stage]);
    }
    for (const d of model.nonResponse) {
      check(`non-response ${d.dimension} invited`, d.rows.map((r) => r.invited), model.funnel.total.invited);
      check(`non-response ${d.dimension} completed`, d.rows.map((r) => r.completed), model.funnel.total.completed);
    }
    check("outcomes", model.followups.outcomes.map((o) => o.count), model.followups.triggered);
    check("questionnaires", model.byQuestionnaire.map((q) => q.respondents), model.respondents);
    expect(problems).toEqual([]);
    // The follow-up outcomes here: 8 and 4 of 12, both small.
    expect(model.followups.triggered).toEqual({ value: 12, hidden: null });
    expect(model.followups.outcomes.filter((o) => o.outcome === "opgelost" || o.outcome === "doorverwezen").map((o) => o.count.hidden)).toEqual(["small", "small"]);
    expect(model.followups.themes.map((th) => [th.theme, th.count])).toEqual([
      ["wachttijd", { value: 11, hidden: null }],
      ["bejegening", { value: null, hidden: "small" }],
    ]);
  });

  it("writes only labels, never small numbers, in the CSV", () => {
    const rows = parse(files.csv!.toString("utf8").slice(1), { delimiter: ";" }) as string[][];
    const counts = rows.filter((r) => ["aantal", "n", "weet niet", "n vorige periode"].includes(r[6]!) && r[0] !== "rapport");
    expect(counts.length).toBeGreaterThan(100);
    const leaks = counts.filter((r) => !["< 10", "×", ""].includes(r[7]!) && !(Number(r[7]) >= 10));
    expect(leaks).toEqual([]);
    const team = (group: string, subject: string, measure: string) => rows.find((r) => r[0] === "uitsplitsing" && r[2] === "team" && r[3] === group && r[4] === subject && r[6] === measure)?.[7];
    expect(team("Team C", "ingevuld", "aantal")).toBe("< 10");
    expect(team("Team B", "ingevuld", "aantal")).toBe("×");
    expect(team("Team B", "wmo_wist_waar", "percentage eens")).toBe("");
    expect(team("Team B", "toegang", "percentage eens")).toBe("");
    expect(team("Team A", "ingevuld", "aantal")).toBe("25");
  });

  it("writes only labels, never small numbers, in the workbook", async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(files.xlsx as unknown as ArrayBuffer);
    const rowsOf = (sheet: string) => {
      const rows: unknown[][] = [];
      workbook.getWorksheet(sheet)!.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
      return rows;
    };
    const breakdowns = rowsOf("Uitsplitsingen");
    for (const label of ["Team B", "Team C", "Online (link in e-mail)", "Telefonisch"]) {
      const row = breakdowns.find((r) => r[0] === label)!;
      expect(row, label).toBeDefined();
      expect(row.slice(1).filter((v) => v !== null && v !== undefined).every((v) => v === "< 10" || v === "×"), `${label}: ${JSON.stringify(row)}`).toBe(true);
    }
    const other = rowsOf("Overige vragen");
    expect(other.find((r) => r[0] === "Ikzelf met hulp")).toEqual(["Ikzelf met hulp", "×"]);
    expect(other.find((r) => r[0] === "Iemand anders namens mij")).toEqual(["Iemand anders namens mij", "< 10"]);
    const statements = rowsOf("Stellingen");
    expect(statements.find((r) => r[2] === "wmo_kwaliteit_leven")!.slice(5, 9)).toEqual([undefined, undefined, undefined, "< 10"]);
  });

  it("shows only labels in the HTML tables and draws no bar for a hidden statement", () => {
    const html = files.html!.toString("utf8");
    const rowOf = (label: string, after: string) => {
      const start = html.indexOf(after);
      const at = html.indexOf(`>${label}</th>`, start);
      expect(at, label).toBeGreaterThan(-1);
      return html.slice(at, html.indexOf("</tr>", at));
    };
    for (const label of ["Team B", "Team C"]) {
      const row = rowOf(label, "per team");
      expect(row.replace(/<[^>]+>/g, " ").replace(/&lt; 10/g, "").replace(/minder dan 10/g, "")).not.toMatch(/\d/);
    }
    expect(rowOf("Team C", "per team")).toContain("&lt; 10");
    expect(rowOf("Team B", "per team")).toContain("×");
    // The chart: statement 10 has no bar, only the label; its description gives no percentage for it.
    const chart = html.slice(html.indexOf('<svg xmlns="http://www.w3.org/2000/svg"'), html.indexOf("</svg>") + 6);
    expect(chart).toContain("&lt; 10 antwoorden: niet getoond");
    expect(chart).not.toMatch(/vraag 10: /);
    expect(chart.match(/<rect /g)!.length).toBe(1 + model.questionnaires[0]!.statements.filter((s) => s.pct !== null).length);
  });

  it.skipIf(skipPdf)("shows only labels in the PDF", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "luisterpost-pdf-"));
    const file = path.join(dir, "rapport.pdf");
    writeFileSync(file, files.pdf!);
    const text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
    const lines = text.split("\n");
    const line = (label: string) => lines.find((l) => l.trim().startsWith(label))!;
    expect(line("Team C")).toMatch(/< 10/);
    expect(line("Team B")).toMatch(/×/);
    for (const label of ["Team B", "Team C", "Telefonisch"]) expect(line(label).replace(label, "").replace(/< 10/g, ""), label).not.toMatch(/\d/);
    expect(text).toContain("Ikzelf met hulp");
  });

  it("hides the small statement in the legal export", () => {
    const rows = parse(files.legal!.toString("utf8").slice(1), { delimiter: ";" }) as string[][];
    const row = rows.find((r) => r[6] === "wmo_kwaliteit_leven")!;
    // The year so far has only this quarter's answers for this municipality.
    expect(row[9]).toBe("");
    expect(row[10]).toBe("< 10");
    expect(rows.find((r) => r[6] === "wmo_wist_waar")![10]).toBe("40");
    // Jeugd has no answers: every statement is listed, hidden.
    expect(rows.filter((r) => r[3] === "Jeugd").every((r) => r[10] === "< 10" && r[9] === "")).toBe(true);
  });

  it("follows the municipality's own threshold, never below 5", async () => {
    expect((await writeSettings(db(), m.id, REPORT_SETTINGS, { threshold: 15, shareRegionally: false, notifyDelayDays: 0 }, null)).ok).toBe(true);
    const strict = await buildReport(db(), t.catalog, m, period, {});
    expect(strict.threshold).toBe(15);
    expect(strict.hiddenLabels.small).toBe("< 15");
    const teams = strict.questionnaires[0]!.breakdowns.find((b) => b.dimension === "team")!.rows;
    expect(teams.map((r) => r.respondents.hidden)).toEqual([null, "small", "small"]);
    const refused = await writeSettings(db(), m.id, REPORT_SETTINGS, { threshold: 4, shareRegionally: false, notifyDelayDays: 0 }, null);
    expect(refused.ok).toBe(false);
    // A stored value below the minimum (a hand edit) is never used.
    await db()("municipality_settings").where({ municipality_id: m.id, section: "reports" }).update({ value: JSON.stringify({ threshold: 2 }) });
    expect((await buildReport(db(), t.catalog, m, period, {})).threshold).toBe(10);
    void periodContaining;
    void previousPeriod;
  });
});
