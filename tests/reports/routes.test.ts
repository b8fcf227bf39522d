// The reports in the staff UI: who may open what (readers and administrators; interviewers and data-entry
// staff get 403, another municipality 404), the page with its period and filters, every download with its type
// and an audit event, the legal export, the settings, and a clear Dutch message with the right status for
// every bad input.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { lastEndedQuarter, nextPeriod, periodContaining, periodLabel, type Period } from "../../server/reports/period.ts";
import { REPORT_SETTINGS } from "../../server/reports/reports.schema.ts";
import { readSettings } from "../../server/settings/settings.service.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { csrfFor, makeMunicipality, type Agent } from "../helpers/staff.ts";
import { binary, respondents, staffOf } from "./helpers.ts";

let t: TestApp;
let m: MunicipalityRow;
let other: MunicipalityRow;
let period: Period;
let reader: Agent;
let admin: Agent;
const db = () => t.database.db;
const base = () => `/staff/m/${m.code}/reports`;

beforeAll(async () => {
  t = await createTestApp();
  m = await makeMunicipality(db(), { name: "Leesdorp" });
  other = await makeMunicipality(db(), { name: "Anderdorp" });
  period = lastEndedQuarter(new Date());
  await respondents(db(), t.catalog, m, period, 30, (i) => ({ team: i < 18 ? "Team Noord" : "Team Zuid", mode: i < 20 ? "online" : "paper" }));
  reader = await staffOf(t, m, "reader");
  admin = await staffOf(t, m, "admin");
});

afterAll(async () => {
  await t?.close();
});

describe("the reports page", () => {
  it("shows a reader the last quarter that ended, with filters and downloads, without the administrator's controls", async () => {
    const res = await reader.get(base());
    expect(res.status).toBe(200);
    expect(res.text).toContain(`Gemeente Leesdorp – ${periodLabel(period)}`);
    expect(res.text).toContain('<article class="lp-report"');
    for (const format of ["html", "pdf", "csv", "xlsx", "json"]) expect(res.text).toContain(`formaat=${format}`);
    expect(res.text).toContain('<option value="Team Zuid">Team Zuid</option>');
    expect(res.text).toContain("Voor de wettelijke rapportage");
    expect(res.text).not.toContain(`${base()}/close`);
    expect(res.text).not.toContain(`${base()}/settings`);
    expect(res.headers["cache-control"]).toBe("no-store");
  });

  it("filters by team and mode, and says it is a cut", async () => {
    const res = await reader.get(base()).query({ periode: period.key, team: "Team Zuid", manier: "paper" });
    expect(res.status).toBe(200);
    expect(res.text).toContain("Uitsnede:");
    expect(res.text).toContain("team Team Zuid");
    const json = await reader.get(`${base()}/download`).query({ periode: period.key, team: "Team Zuid", formaat: "json" }).buffer(true).parse(binary);
    expect(JSON.parse(json.body.toString("utf8")).respondents).toEqual({ value: 12, hidden: null });
    expect(json.headers["content-disposition"]).toContain("-uitsnede.json");
  });

  it("gives an administrator the close button for an ended period and explains a running one", async () => {
    const ended = await admin.get(base()).query({ periode: period.key });
    expect(ended.text).toContain(`${base()}/close`);
    const running = await admin.get(base()).query({ periode: periodContaining("quarter", new Date()).key });
    expect(running.status).toBe(200);
    expect(running.text).not.toContain(`${base()}/close`);
    expect(running.text).toContain("Deze periode is nog niet voorbij");
    expect(running.text).toContain("Voorlopige cijfers");
  });

  it("answers bad input with 400 and a Dutch message", async () => {
    const cases: Array<[Record<string, string | string[]>, RegExp]> = [
      [{ periode: "2026-Q5" }, /geen periode/],
      [{ periode: "1999" }, /kies een jaar van 2015/],
      [{ periode: nextPeriod(periodContaining("quarter", new Date())).key }, /is nog niet begonnen/],
      [{ periode: period.key, wet: "participatiewet" }, /Kies wet Wmo of Jeugd/],
      [{ periode: period.key, manier: "fax" }, /Kies een manier van invullen/],
      [{ periode: period.key, team: ["A", "B"] }, /kan maar één waarde hebben/],
      [{ periode: period.key, team: "x".repeat(201) }, /Hoogstens 200 tekens/],
    ];
    for (const [query, message] of cases) {
      const res = await reader.get(base()).query(query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.text).toMatch(message);
    }
    const badFormat = await reader.get(`${base()}/download`).query({ periode: period.key, formaat: "docx" });
    expect(badFormat.status).toBe(400);
    expect(badFormat.text).toContain("Kies een formaat: html, pdf, csv, xlsx, json.");
    const json = await reader.get(`${base()}/download`).set("accept", "application/json").query({ periode: "morgen" });
    expect(json.status).toBe(400);
    expect(json.headers["content-type"]).toContain("application/problem+json");
    expect(json.body.errors).toEqual([{ field: "periode", message: expect.stringContaining("geen periode") }]);
  });
});

describe("downloads", () => {
  it("sends every format as an attachment of the right type, and audits each download", async () => {
    const types: Record<string, string> = {
      html: "text/html",
      pdf: "application/pdf",
      csv: "text/csv",
      xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      json: "application/json",
    };
    const starts: Record<string, string> = { pdf: "%PDF", xlsx: "PK", html: "<!doctype html>", json: "{", csv: "\uFEFFsectie" };
    for (const [format, type] of Object.entries(types)) {
      const res = await reader.get(`${base()}/download`).query({ periode: period.key, formaat: format }).buffer(true).parse(binary);
      expect(res.status, format).toBe(200);
      expect(res.headers["content-type"]).toContain(type);
      expect(res.headers["content-disposition"]).toBe(`attachment; filename="luisterpost-${m.code}-${period.key}.${format}"`);
      expect((res.body as Buffer).toString("utf8", 0, 20).startsWith(starts[format]!), format).toBe(true);
    }
    const events = await db()("audit_events").where({ municipality_id: m.id, action: "report.downloaded", subject_id: period.key }).orderBy("id");
    expect(events.length).toBeGreaterThanOrEqual(5);
    const details = events.map((e) => (typeof e.details === "string" ? JSON.parse(e.details) : e.details));
    expect(details.map((d) => d.format)).toEqual(expect.arrayContaining(["html", "pdf", "csv", "xlsx", "json"]));
    expect(details.find((d) => d.format === "pdf")).toMatchObject({ period: period.key, snapshot: false, filters: {} });
  });

  it("has the yearly legal export as CSV and XLSX, for years only", async () => {
    const csv = await reader.get(`${base()}/legal`).query({ jaar: String(period.year) }).buffer(true).parse(binary);
    expect(csv.status).toBe(200);
    expect(csv.headers["content-disposition"]).toContain(`${period.year}-wettelijke-rapportage.csv`);
    const lines = csv.body.toString("utf8").split("\r\n");
    expect(lines[0]).toContain("percentage (helemaal) mee eens of ja");
    expect(lines.filter((l: string) => l.includes(";Wmo;"))).toHaveLength(10);
    expect(lines.filter((l: string) => l.includes(";Jeugd;"))).toHaveLength(12);
    const xlsx = await reader.get(`${base()}/legal`).query({ jaar: String(period.year), formaat: "xlsx" }).buffer(true).parse(binary);
    expect(xlsx.status).toBe(200);
    expect((xlsx.body as Buffer).subarray(0, 2).toString()).toBe("PK");
    expect((await reader.get(`${base()}/legal`).query({ jaar: period.key })).text).toContain("gaat over een heel jaar");
    expect((await reader.get(`${base()}/legal`).query({ jaar: String(period.year), formaat: "pdf" })).status).toBe(400);
    expect(await db()("audit_events").where({ municipality_id: m.id, action: "report.downloaded", subject_type: "legal-report" })).toHaveLength(2);
  });
});

describe("access", () => {
  it("refuses interviewers and data-entry staff (403) and other municipalities (404)", async () => {
    for (const role of ["interviewer", "data-entry"] as const) {
      const agent = await staffOf(t, m, role);
      for (const path of ["", "/download", "/legal", "/settings"]) {
        expect((await agent.get(`${base()}${path}`)).status, `${role} ${path}`).toBe(403);
      }
    }
    const outsider = await staffOf(t, other, "admin");
    expect((await outsider.get(base())).status).toBe(404);
    expect((await outsider.get(`${base()}/download?formaat=pdf`)).status).toBe(404);
    expect((await reader.get(`${base()}/settings`)).status).toBe(403);
  });
});

describe("settings", () => {
  it("refuses a threshold below 5 with a Dutch message and keeps the old value", async () => {
    const csrf = await csrfFor(admin, `${base()}/settings`);
    const res = await admin.post(`${base()}/settings`).type("form").send({ _csrf: csrf, threshold: "3", notifyDelayDays: "0" });
    expect(res.status).toBe(400);
    expect(res.text).toContain("De grens is ten minste 5");
    const nonsense = await admin.post(`${base()}/settings`).type("form").send({ _csrf: csrf, threshold: "tien", notifyDelayDays: "99" });
    expect(nonsense.status).toBe(400);
    expect(nonsense.text).toContain("Vul een getal in van 5 tot en met 100.");
    expect(nonsense.text).toContain("Vul een aantal dagen in van 0 tot en met 60.");
    expect((await readSettings(db(), m.id, REPORT_SETTINGS)).threshold).toBe(10);
  });

  it("saves the threshold, the regional sharing and the mail delay, audited", async () => {
    const csrf = await csrfFor(admin, `${base()}/settings`);
    const res = await admin.post(`${base()}/settings`).type("form").send({ _csrf: csrf, threshold: "12", shareRegionally: "ja", notifyDelayDays: "7" });
    expect(res.status).toBe(303);
    expect(await readSettings(db(), m.id, REPORT_SETTINGS)).toEqual({ threshold: 12, shareRegionally: true, notifyDelayDays: 7 });
    expect(await db()("audit_events").where({ municipality_id: m.id, action: "report.settings_changed" })).toHaveLength(1);
    const page = await admin.get(`${base()}/settings?melding=opgeslagen`);
    expect(page.text).toContain("De instellingen zijn opgeslagen.");
    expect(page.text).toMatch(/name="threshold"[\s\S]*value="12"/);
    const report = await reader.get(`${base()}/download`).query({ periode: period.key, formaat: "json" }).buffer(true).parse(binary);
    expect(JSON.parse(report.body.toString("utf8")).hiddenLabels.small).toBe("< 12");
  });
});
