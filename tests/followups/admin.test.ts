// The administrators' side, over HTTP: the rule with its preview (how many responses of the last 90 days it
// would have selected, nothing saved), themes and working agreements with their bad input; the service-level
// view; and the quarterly export in CSV and XLSX (no contact data, formula injection guarded, audited, readers
// may download it, interviewers may not).
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromJson } from "../../server/db.ts";
import { FOLLOWUP_SETTINGS } from "../../server/followups/followups.settings.ts";
import { parseQuarter } from "../../server/followups/followups.periods.ts";
import { followupResults } from "../../server/followups/followups.stats.ts";
import { logAttempt, saveConversation } from "../../server/followups/followups.service.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { updateMunicipalityContact } from "../../server/municipalities/municipalities.queries.ts";
import { readSettings } from "../../server/settings/settings.service.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeMunicipality } from "../helpers/staff.ts";
import { complete, DISSATISFIED, post, SATISFIED, staffOf, type Staff } from "./fixtures.ts";

let t: TestApp;
const db = () => t.database.db;
let m: MunicipalityRow;
let admin: Staff;
let iris: Staff;
let reader: Staff;
let dataEntry: Staff;
const settingsUrl = () => `/staff/m/${m.code}/followups/settings`;
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);
const whoIs = (s: Staff) => ({ municipalityId: m.id, userId: s.user.user.id, role: "interviewer" as const, actor: { actorUserId: s.user.user.id, actor: null, ip: null, requestId: null } });

beforeAll(async () => {
  t = await createTestApp();
  m = await makeMunicipality(db(), { name: "Lepelaarsveen" });
  await updateMunicipalityContact(db(), m.id, { phone: null, contactEmail: "info@lepelaarsveen.example.test" });
  admin = await staffOf(t, m, "admin");
  iris = await staffOf(t, m, "interviewer", "Iris Interviewer");
  reader = await staffOf(t, m, "reader");
  dataEntry = await staffOf(t, m, "data-entry");
});
afterAll(async () => {
  await t?.close();
});

describe("settings", () => {
  beforeAll(async () => {
    // The last 90 days: one selected by the default rule, one only with "neutral" included, one without consent;
    // and one from before the preview window.
    await complete(t, m, DISSATISFIED, { at: daysAgo(10) });
    await complete(t, m, { wmo_kwaliteit: 3, rapportcijfer: 7, contact_toestemming: "ja" }, { at: daysAgo(20) });
    await complete(t, m, { ...DISSATISFIED, contact_toestemming: "nee" }, { at: daysAgo(30) });
    await complete(t, m, SATISFIED, { at: daysAgo(40) });
    await complete(t, m, DISSATISFIED, { at: daysAgo(120) });
  });

  it("is for administrators only", async () => {
    for (const s of [iris, reader, dataEntry]) expect((await s.agent.get(settingsUrl())).status).toBe(403);
    expect((await post(iris, `${settingsUrl()}/rule`, { scope: "all", answerCodes: "1" })).status).toBe(403);
  });

  it("shows the defaults of DOMAIN.md and what the rule in force selected in the last 90 days", async () => {
    const page = await admin.agent.get(settingsUrl());
    expect(page.status).toBe(200);
    expect(page.text).toContain("De huidige regel: in de afgelopen 90 dagen zijn 4 vragenlijsten ingevuld, 3 met toestemming. Deze regel had <strong>1</strong> cliënt gekozen");
    for (const theme of ["Bereikbaarheid", "Wachttijd", "Bejegening", "Communicatie", "Kwaliteit zorgaanbieder", "Eigen bijdrage", "Passendheid"]) expect(page.text).toContain(theme);
    expect(page.text).toContain("Leeg laten: het contactadres van de gemeente (info@lepelaarsveen.example.test).");
    expect(page.text).toMatch(/id="field-slaWorkingDays" name="slaWorkingDays"\s+type="number" value="5"/);
  });

  it("previews a changed rule without saving it", async () => {
    const res = await post(admin, `${settingsUrl()}/rule`, { action: "preview", enabled: "on", scope: "all", answerCodes: ["1", "2", "3"], gradeThreshold: "5" });
    expect(res.status).toBe(200);
    expect(res.text).toContain("Voorbeeld van deze regel: in de afgelopen 90 dagen zijn 4 vragenlijsten ingevuld, 3 met toestemming. Deze regel had <strong>3</strong> cliënten gekozen voor een gesprek; de regel die nu geldt koos er 1.");
    // (the satisfied respondent answered one statement "neutral", which now counts)
    // The form shows the rule being previewed.
    expect(res.text).toMatch(/id="code-3" name="answerCodes" value="3" checked/);
    expect((await readSettings(db(), m.id, FOLLOWUP_SETTINGS)).answerCodes).toEqual([1, 2]);
    expect(await db()("audit_events").where({ action: "followups.settings_changed" })).toHaveLength(0);
  });

  it("saves a rule, audited, for new responses only", async () => {
    const res = await post(admin, `${settingsUrl()}/rule`, { action: "save", enabled: "on", scope: "selected", questions: ["wmo_kwaliteit", "jeugd_hulp_past"], answerCodes: ["3", "1", "2"], gradeThreshold: "" });
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain("melding=regel");
    const settings = await readSettings(db(), m.id, FOLLOWUP_SETTINGS);
    expect(settings).toMatchObject({ enabled: true, questions: ["wmo_kwaliteit", "jeugd_hulp_past"], answerCodes: [1, 2, 3], gradeThreshold: null });
    expect(await db()("audit_events").where({ action: "followups.settings_changed", municipality_id: m.id })).toHaveLength(1);
    const before = await db()("followups").where({ municipality_id: m.id }).count({ n: "*" });
    expect((await complete(t, m, { wmo_kwaliteit: 3, contact_toestemming: "ja" })).followupId).toBeDefined();
    expect((await complete(t, m, { wmo_snel_geholpen: 1, rapportcijfer: 2, contact_toestemming: "ja" })).followupId).toBeUndefined();
    expect(Number((await db()("followups").where({ municipality_id: m.id }).count({ n: "*" }))[0]!.n)).toBe(Number(before[0]!.n) + 1);
    await post(admin, `${settingsUrl()}/rule`, { action: "save", enabled: "on", scope: "all", answerCodes: ["1", "2"], gradeThreshold: "5" });
  });

  it("refuses a rule that selects nothing or has impossible values, with a clear message, saving nothing", async () => {
    const cases: Array<[Record<string, string | string[]>, string]> = [
      [{ scope: "selected", answerCodes: "1", gradeThreshold: "" }, "Kies ten minste één stelling, of een grens voor het rapportcijfer."],
      [{ scope: "all", answerCodes: "7", gradeThreshold: "5" }, "Kies antwoorden uit 1 tot en met 5."],
      [{ scope: "all", answerCodes: "1", gradeThreshold: "12" }, "Kies een grens van 1 tot en met 9, of geen grens."],
      [{ scope: "all", gradeThreshold: "5" }, "Kies bij welke antwoorden op de stellingen een gesprek volgt."],
      [{ scope: "selected", questions: "wmo_bestaat_niet", answerCodes: "1" }, "Kies stellingen uit de lijst."],
      [{ answerCodes: "1" }, "Kies of alle stellingen meetellen of alleen de gekozen stellingen."],
    ];
    for (const [fields, message] of cases) {
      const res = await post(admin, `${settingsUrl()}/rule`, { action: "save", enabled: "on", ...fields });
      expect(res.status, message).toBe(400);
      expect(res.text).toContain(message);
    }
    expect(await readSettings(db(), m.id, FOLLOWUP_SETTINGS)).toMatchObject({ questions: "all", answerCodes: [1, 2], gradeThreshold: 5 });
  });

  it("renames, switches off and adds themes, keeping the keys", async () => {
    const res = await post(admin, `${settingsUrl()}/themes`, {
      label_wachttijd: "Wachttijd tot de indicatie",
      active: ["bereikbaarheid", "wachttijd", "bejegening", "communicatie", "kwaliteit_zorgaanbieder", "passendheid"],
      newLabel: "Wmo-vervoer",
    });
    expect(res.status).toBe(303);
    const { themes } = await readSettings(db(), m.id, FOLLOWUP_SETTINGS);
    expect(themes.find((x) => x.key === "wachttijd")).toEqual({ key: "wachttijd", label: "Wachttijd tot de indicatie", active: true });
    expect(themes.find((x) => x.key === "eigen_bijdrage")).toMatchObject({ active: false });
    expect(themes[themes.length - 1]).toEqual({ key: "wmo_vervoer", label: "Wmo-vervoer", active: true });

    const duplicate = await post(admin, `${settingsUrl()}/themes`, { active: ["wachttijd"], newLabel: "wmo-VERVOER" });
    expect(duplicate.status).toBe(400);
    expect(duplicate.text).toContain("Er is al een thema met deze naam.");
    const empty = await post(admin, `${settingsUrl()}/themes`, { label_wachttijd: "  ", active: ["wachttijd"] });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain("Geef elk thema een naam.");
    expect((await readSettings(db(), m.id, FOLLOWUP_SETTINGS)).themes).toEqual(themes);
  });

  it("saves the working agreements and refuses impossible ones", async () => {
    for (const [fields, message] of [
      [{ slaWorkingDays: "0", maxAttempts: "3", escalationEmail: "" }, "Vul een termijn in van 1 tot en met 20 werkdagen."],
      [{ slaWorkingDays: "vijf", maxAttempts: "3", escalationEmail: "" }, "Vul een termijn in van 1 tot en met 20 werkdagen."],
      [{ slaWorkingDays: "5", maxAttempts: "11", escalationEmail: "" }, "Vul een aantal pogingen in van 1 tot en met 10."],
      [{ slaWorkingDays: "5", maxAttempts: "3", escalationEmail: "zorg@" }, "Vul een geldig e-mailadres in"],
    ] as const) {
      const res = await post(admin, `${settingsUrl()}/work`, fields);
      expect(res.status).toBe(400);
      expect(res.text).toContain(message);
      // What was typed stays in the form.
      expect(res.text).toContain(`value="${fields.slaWorkingDays}"`);
    }
    expect((await post(admin, `${settingsUrl()}/work`, { slaWorkingDays: "3", maxAttempts: "4", escalationEmail: " Zorg@Lepelaarsveen.example.test " })).status).toBe(303);
    expect(await readSettings(db(), m.id, FOLLOWUP_SETTINGS)).toMatchObject({ slaWorkingDays: 3, maxAttempts: 4, escalationEmail: "zorg@lepelaarsveen.example.test" });
    // A new follow-up gets the new term; earlier ones keep theirs.
    const done = await complete(t, m, DISSATISFIED, { at: new Date("2026-10-05T08:00:00Z") });
    expect((await db()("followups").where({ id: done.followupId }).first()).deadline_at).toBeDefined();
    const deadline = (await db()("followups").where({ id: done.followupId }).first()).deadline_at;
    expect(new Date(deadline).toISOString()).toBe("2026-10-08T21:59:59.999Z");
    expect((await post(admin, `${settingsUrl()}/work`, { slaWorkingDays: "5", maxAttempts: "3", escalationEmail: "" })).status).toBe(303);
    expect((await readSettings(db(), m.id, FOLLOWUP_SETTINGS)).escalationEmail).toBeNull();
  });
});

describe("the service-level view and the quarterly export", () => {
  const Q2 = parseQuarter("2026-Q2")!;
  let closedReached: number;
  let closedNotReached: number;
  let overdue: number;

  beforeAll(async () => {
    const q = await makeMunicipality(db(), { name: "Kwartaalstad" });
    m = q;
    admin = await staffOf(t, m, "admin");
    iris = await staffOf(t, m, "interviewer", "Iris Interviewer");
    reader = await staffOf(t, m, "reader");
    dataEntry = await staffOf(t, m, "data-entry");
    const who = whoIs(iris);
    // Three follow-ups of responses completed in the second quarter of 2026.
    const a = await complete(t, m, DISSATISFIED, { at: new Date("2026-04-14T09:00:00Z"), phone: "06 11112222", mobile: false });
    const b = await complete(t, m, DISSATISFIED, { at: new Date("2026-05-12T09:00:00Z") });
    const c = await complete(t, m, DISSATISFIED, { at: new Date("2026-06-29T09:00:00Z") });
    // And one of the third quarter, which is not in the second quarter's file.
    await complete(t, m, DISSATISFIED, { at: new Date("2026-07-01T09:00:00Z") });
    closedReached = a.followupId!;
    closedNotReached = b.followupId!;
    overdue = c.followupId!;
    for (const id of [closedReached, closedNotReached]) await post(iris, `/staff/m/${m.code}/followups/${id}/claim`);
    // A: reached on the second day, notes with a formula-looking text, a theme, an approved quote.
    await logAttempt(db(), who, closedReached, { result: "reached" }, new Date("2026-04-15T10:00:00Z"));
    await saveConversation(db(), who, closedReached, { notes: { wmo_snel_geholpen: "=HYPERLINK(\"http://example.test\",\"klik\")", algemeen: "Wil graag een vaste contactpersoon." }, themes: ["wachttijd"], outcome: "opgelost" }, new Date("2026-04-15T10:30:00Z"));
    await post(iris, `/staff/m/${m.code}/followups/${closedReached}/reopen`);
    await post(iris, `/staff/m/${m.code}/followups/${closedReached}/quotes`, { text: "-- het duurde allemaal veel te lang.", consent: "on", confirmed: "on" });
    await post(iris, `/staff/m/${m.code}/followups/${closedReached}/conversation`, { action: "close", outcome: "opgelost", note_wmo_snel_geholpen: "=HYPERLINK(\"http://example.test\",\"klik\")", note_algemeen: "Wil graag een vaste contactpersoon.", themes: "wachttijd" });
    // B: three failures on different days, the first one after the deadline.
    for (const day of ["2026-05-25T09:00:00Z", "2026-05-26T09:00:00Z", "2026-05-27T09:00:00Z"]) await logAttempt(db(), who, closedNotReached, { result: "no_answer" }, new Date(day));
  });

  it("shows open work by age with the overdue ones, attempts, the reached rate and each interviewer", async () => {
    for (const s of [iris, reader, dataEntry]) expect((await s.agent.get(`/staff/m/${m.code}/followups/service-level`)).status).toBe(403);
    const page = await admin.agent.get(`/staff/m/${m.code}/followups/service-level?kwartaal=2026-Q2`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("2 open, waarvan 2 nog door niemand opgepakt");
    expect(page.text).toContain(`followups/${overdue}">Nr. ${overdue}`);
    expect(page.text).toContain("meer dan 10 werkdagen");
    expect(page.text).toContain("1 op tijd, 2 te laat");
    expect(page.text).toContain("Bereikt</dt><dd class=\"utrecht-data-list__item-value\">1 van 2 afgesloten gesprekken (50%)");
    expect(page.text).toContain("Iris Interviewer");
    const results = await followupResults(db(), m.id, Q2);
    expect(results).toMatchObject({ total: 3, closed: 2, reached: 1, onTime: 1, late: 2, urgent: 0 });
    expect(results.outcomes).toMatchObject({ opgelost: 1, niet_bereikt: 1, doorverwezen: 0 });
    expect(results.themes).toEqual([{ key: "wachttijd", label: "Wachttijd", count: 1 }]);
    expect(results.quotes).toEqual([expect.objectContaining({ source: "followup", text: "-- het duurde allemaal veel te lang." })]);
  });

  it("exports the quarter as CSV for Dutch Excel, without contact data and with formulas defused, audited", async () => {
    for (const s of [iris, dataEntry]) expect((await s.agent.get(`/staff/m/${m.code}/followups/export/gesprekken-2026-Q2.csv`)).status).toBe(403);
    expect((await reader.agent.get(`/staff/m/${m.code}/followups/export`)).status).toBe(200);
    const res = await reader.agent.get(`/staff/m/${m.code}/followups/export/gesprekken-2026-Q2.csv`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on("data", (c: Buffer) => chunks.push(c));
      r.on("end", () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(res.headers["content-disposition"]).toBe(`attachment; filename="gesprekken-${m.code}-2026-Q2.csv"`);
    const text = (res.body as Buffer).toString("utf8");
    expect(text.startsWith("\uFEFFNummer;Vragenlijst;Team;")).toBe(true);
    const lines = text.slice(1).split("\r\n").filter(Boolean);
    expect(lines[0]).toBe("Nummer;Vragenlijst;Team;Vragenlijst ingevuld op;Aanleiding;Status;Uitkomst;Termijn eerste poging;Eerste poging;Binnen termijn;Pogingen;Bereikt;Thema's;Urgent;Notities;Afgesloten op");
    expect(text).toContain(`${closedReached};Wmo;;2026-04-14;`);
    expect(text).toContain("Opgelost");
    expect(text).toContain("Niet bereikt");
    // The formula-looking note is inside a cell that starts with its topic, so it cannot run.
    expect(text).toContain("Ik werd snel geholpen.: =HYPERLINK(");
    expect(text).not.toMatch(/(^|;|")[=+\-@]/m);
    // A quote that starts like a formula gets an apostrophe.
    const quotes = await reader.agent.get(`/staff/m/${m.code}/followups/export/citaten-2026-Q2.csv`);
    expect(quotes.status).toBe(200);
    expect(quotes.text).toContain(";'-- het duurde allemaal veel te lang.");
    // No contact data: not the number the client typed, not the intake's mobile or e-mail.
    for (const contact of ["11112222", "+316", "@example.test"]) expect(text.includes(contact), contact).toBe(false);
    // The third quarter's follow-up is not in the second quarter.
    expect(lines).toHaveLength(4);
    const audit = await db()("audit_events").where({ action: "export.downloaded", municipality_id: m.id, actor_user_id: reader.user.user.id }).first();
    expect(audit).toMatchObject({ subject_type: "followups", subject_id: "2026-Q2" });
    expect(fromJson(audit.details)).toEqual({ kind: "gesprekken", format: "csv", rows: 3 });
  });

  it("exports the quarter as XLSX with a summary, the follow-ups and the approved quotes", async () => {
    const res = await admin.agent.get(`/staff/m/${m.code}/followups/export/gesprekken-2026-Q2.xlsx`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on("data", (c: Buffer) => chunks.push(c));
      r.on("end", () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as unknown as Parameters<typeof workbook.xlsx.load>[0]);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(["Samenvatting", "Verdiepingsgesprekken", "Citaten"]);
    const summary = workbook.getWorksheet("Samenvatting")!;
    const values = new Map<string, unknown>();
    summary.eachRow((row) => values.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(values.get("Verdiepingsgesprekken")).toBe(3);
    expect(values.get("Cliënt gesproken")).toBe(1);
    expect(values.get("Kwartaal afgerond")).toBe("ja");
    const rows = workbook.getWorksheet("Verdiepingsgesprekken")!;
    expect(rows.rowCount).toBe(4);
    expect(String(rows.getRow(2).getCell(15).value)).toContain("Ik werd snel geholpen.: =HYPERLINK(");
    // No cell is a formula, and no text starts like one.
    for (const sheet of workbook.worksheets) {
      sheet.eachRow((row) =>
        row.eachCell((cell) => {
          expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
          if (typeof cell.value === "string") expect(cell.value).not.toMatch(/^[=+\-@\t\r]/);
        }),
      );
    }
    const quotes = workbook.getWorksheet("Citaten")!;
    expect(quotes.getRow(2).getCell(5).value).toBe("'-- het duurde allemaal veel te lang.");
  });

  it("answers 404 for an export that does not exist", async () => {
    for (const file of ["gesprekken-2026-Q5.csv", "gesprekken-2026-Q2.pdf", "adressen-2026-Q2.csv", "..%2Fsecrets"]) {
      expect((await admin.agent.get(`/staff/m/${m.code}/followups/export/${file}`)).status, file).toBe(404);
    }
  });
});
