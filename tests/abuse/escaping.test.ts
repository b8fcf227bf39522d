// HTML, script and spreadsheet formulas in everything people type — CSV fields (conversation and client numbers,
// team, area, provision), free-text answers, follow-up notes, quotes and theme names — shown as text everywhere they
// appear: the staff pages, the report in HTML, PDF, CSV, XLSX and JSON, the legal export, the follow-up export and
// the rejected rows of an import. No page holds the markup unescaped; no export cell starts with =, +, -, @, a tab
// or a carriage return unless it is a number or guarded with an apostrophe; no workbook holds a formula; no PDF
// holds a script or a link. The data goes in the way it does in production: the CSV upload form, the completion
// of questionnaires (which runs the follow-up trigger and the report facts), the interviewer's notes and quotes.
import { execFileSync } from "node:child_process";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toDbTime } from "../../server/db.ts";
import { saveNotes } from "../../server/followups/followups.records.queries.ts";
import { FOLLOWUP_SETTINGS } from "../../server/followups/followups.settings.ts";
import { insertQuote } from "../../server/followups/quotes.queries.ts";
import { importsSettled } from "../../server/intake/imports.service.ts";
import { createInvitation } from "../../server/invitations/invitations.service.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { REPORT_SETTINGS } from "../../server/reports/reports.schema.ts";
import { completeResponse, openWithToken } from "../../server/respondent/respondent.service.ts";
import { readSettings, writeSettings } from "../../server/settings/settings.service.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { skipWithoutPoppler } from "../helpers/services.ts";
import { csrfFor, csrfOf, makeMunicipality, makeUser, signIn, type Agent } from "../helpers/staff.ts";
import { csvText, row } from "../intake/csv-fixtures.ts";
import { binary } from "../reports/helpers.ts";
import { makeDelivery } from "../reports/factories.ts";

/** Markup that would run if a page put it in unescaped; the tag says where it came from. */
const markup = (tag: string) => `<script>alert("${tag}")</script><img src=x onerror=alert("${tag}")>`;
const RAW = [/<script>alert\(/, /<img src=x onerror/];
const escapedTag = (tag: string) => `&lt;script&gt;alert(&#34;${tag}&#34;)&lt;/script&gt;`;

// Every text starts like a formula and carries markup.
const TEAM = `=1+1 ${markup("team")}`;
const AREA = `+1+1 ${markup("area")}`;
const PROVISION = `-1+1 ${markup("provision")}`;
const conversationId = (i: number) => `@KTG-${i} <script>alert("ktg")</script>`;
const clientId = (i: number) => `=C-${i} <script>alert("client")</script>`;
const OPEN_ANSWER = `=HYPERLINK("http://evil.example/answer","klik") ${markup("answer")}`;
const NOTE = `@SUM(1+1)*cmd|' /C calc'!A0 ${markup("note")}`;
const QUOTE = `=HYPERLINK("http://evil.example/quote","klik") ${markup("quote")}`;
const PENDING_QUOTE = `+cmd|' /C calc'!A0 ${markup("pending")}`;
const THEME = `-${markup("theme")}`;
const REJECTED_ID = `=KTG-99 ${markup("rejected")}`;
const REJECTED_TEAM = `=cmd|' /C calc'!A0 ${markup("rejectedteam")}`;

/** The answers of a dissatisfied client who agreed to be called, with an open answer. */
const ANSWERS = { wmo_wist_waar: 2, wmo_snel_geholpen: 1, wmo_serieus: 4, wmo_kwaliteit: 5, rapportcijfer: 4, verbetering: OPEN_ANSWER, contact_toestemming: "ja" };
const RESPONDENTS = 6;
const COMPLETED_AT = new Date("2026-09-15T10:00:00Z");
const PERIOD = "2026-Q3";

let t: TestApp;
let m: MunicipalityRow;
let admin: Agent;
let interviewer: Agent;
let importId: number;
let followupIds: number[];
let clientIds: number[];
let previewPage: string;
const db = () => t.database.db;

/** Uploads the CSV through the admin form, as the page's script does, and starts the import from the preview. */
async function importCsv(csv: string): Promise<number> {
  const token = await csrfFor(admin, `/staff/m/${m.code}/imports`);
  const res = await admin.post(`/staff/m/${m.code}/imports`).set("x-csrf-token", token).attach("bestand", Buffer.from(csv, "utf8"), { filename: "gesprekken.csv", contentType: "text/csv" });
  expect([200, 201, 303], res.text).toContain(res.status);
  const location = String(res.headers.location ?? res.body?.location ?? res.body?.url ?? "");
  const id = Number(/\/imports\/(\d+)/.exec(location)?.[1]);
  expect(id, `no import id in ${location} ${res.text.slice(0, 200)}`).toBeGreaterThan(0);
  const preview = await admin.get(`/staff/m/${m.code}/imports/${id}`);
  previewPage = preview.text;
  const start = await admin.post(`/staff/m/${m.code}/imports/${id}/start`).type("form").send({ _csrf: csrfOf(preview.text) });
  expect(start.status, start.text).toBe(303);
  for (let i = 0; i < 300; i++) {
    const status = await admin.get(`/staff/m/${m.code}/imports/${id}/status`);
    if (status.body.finished) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await importsSettled();
  return id;
}

beforeAll(async () => {
  t = await createTestApp();
  m = await makeMunicipality(db(), { name: "Escapestad" });
  const adminUser = await makeUser(db(), { memberships: [{ municipalityId: m.id, role: "admin" }] });
  admin = await signIn(t.app, adminUser);
  const interviewerUser = await makeUser(db(), { memberships: [{ municipalityId: m.id, role: "interviewer" }] });
  interviewer = await signIn(t.app, interviewerUser);
  // The smallest threshold allowed, so a handful of respondents fills every part of the report.
  expect((await writeSettings(db(), m.id, REPORT_SETTINGS, { threshold: 5, shareRegionally: false, notifyDelayDays: 0 }, null)).ok).toBe(true);
  const followupSettings = await readSettings(db(), m.id, FOLLOWUP_SETTINGS);
  const themes = [...followupSettings.themes, { key: "eigen_thema", label: THEME, active: true }];
  expect((await writeSettings(db(), m.id, FOLLOWUP_SETTINGS, { ...followupSettings, themes }, null)).ok).toBe(true);

  // The CSV: six good rows full of markup and formulas, and one rejected row (a date that does not exist).
  const rows = Array.from({ length: RESPONDENTS }, (_, i) =>
    row(i + 1, { gesprek_id: conversationId(i + 1), client_id: clientId(i + 1), wet: "wmo", gespreksdatum: "01-09-2026", team: TEAM, wijk: AREA, voorziening: PROVISION, straat: `=Straat ${markup("street")}` }),
  );
  rows.push(row(99, { gesprek_id: REJECTED_ID, client_id: "C-99", gespreksdatum: "31-02-2026", team: REJECTED_TEAM, mobiel: "+31 6 1234 5678" }));
  importId = await importCsv(csvText(rows));

  // Each client is invited and answers (through the real completion, which makes the follow-up and report facts).
  const conversations = await db()("conversations").where({ municipality_id: m.id }).orderBy("id");
  expect(conversations).toHaveLength(RESPONDENTS);
  expect(conversations[0].team).toBe(TEAM);
  followupIds = [];
  clientIds = [];
  for (const conversation of conversations) {
    const made = await createInvitation(db(), t.catalog, { municipalityId: m.id, conversationId: conversation.id, clientId: conversation.client_id, questionnaire: "wmo", audience: "client", channel: "email" });
    const opened = await openWithToken(db(), made.token, COMPLETED_AT);
    if (opened.kind !== "ok") throw new Error(opened.kind);
    const done = await completeResponse(db(), opened.access, { answers: ANSWERS }, COMPLETED_AT);
    expect(done.kind).toBe("completed");
    const response = await db()("responses").where({ invitation_id: made.id }).first("id");
    const followup = await db()("followups").where({ response_id: response.id }).first("id");
    followupIds.push(followup.id);
    clientIds.push(conversation.client_id);
  }
  // The interviewer's work: notes, the municipality's own theme, quotes (one approved, one waiting for review).
  const interviewerId = interviewerUser.user.id;
  for (const id of followupIds) {
    await db()("followups").where({ id }).update({ status: "claimed", claimed_by_user_id: interviewerId, claimed_at: toDbTime(COMPLETED_AT) });
    await saveNotes(db(), id, [{ topic: "algemeen", text: NOTE }, { topic: "wmo_snel_geholpen", text: NOTE }], interviewerId, COMPLETED_AT);
    await db()("followup_themes").insert({ followup_id: id, theme: "eigen_thema" });
  }
  // Two more intakes of the imported clients: one on the interviewers' phone list, one whose e-mail failed.
  for (const [n, channel] of [[7, "phone"], [8, "email"]] as const) {
    const [extra] = await db()("conversations")
      .insert({ municipality_id: m.id, client_id: clientIds[n - 7]!, external_id: conversationId(n), law: "wmo", held_on: "2026-11-01", team: TEAM, source: "csv", created_at: toDbTime(new Date()) })
      .returning(["id"]);
    const made = await createInvitation(db(), t.catalog, { municipalityId: m.id, conversationId: extra.id, clientId: clientIds[n - 7]!, questionnaire: "wmo", audience: "client", channel });
    if (channel === "email") await makeDelivery(db(), { municipalityId: m.id, invitationId: made.id, channel: "email", status: "failed", at: new Date() });
  }
  await insertQuote(db(), { municipalityId: m.id, source: "followup", followupId: followupIds[0]!, text: QUOTE, flags: [], status: "approved", userId: interviewerId }, COMPLETED_AT);
  await insertQuote(db(), { municipalityId: m.id, source: "followup", followupId: followupIds[1]!, text: PENDING_QUOTE, flags: [{ kind: "name", match: "cmd", index: 0 }], status: "pending", userId: interviewerId }, COMPLETED_AT);
});

afterAll(async () => {
  await importsSettled();
  await t?.close();
});

// --- HTML ----------------------------------------------------------------------------------------------------------

function expectNoRawMarkup(where: string, html: string) {
  for (const raw of RAW) expect(raw.test(html), `${where} holds unescaped markup (${raw})`).toBe(false);
  expect(html, `${where} holds a raw formula link`).not.toMatch(/href="http:\/\/evil\.example/);
}

describe("staff pages", () => {
  it("show every text escaped: conversations, client, import, follow-ups, quotes, settings, funnel, report", async () => {
    const base = `/staff/m/${m.code}`;
    const pages: Array<{ path: string; agent?: Agent; shows: string[] }> = [
      { path: `${base}/conversations`, shows: ["ktg", "client", "team"] },
      { path: `${base}/conversations?team=${encodeURIComponent(TEAM)}`, shows: ["ktg", "team"] },
      { path: `${base}/conversations?zoek=${encodeURIComponent(markup("zoek"))}`, shows: ["zoek"] },
      { path: `${base}/clients/${clientIds[0]}`, shows: ["client", "ktg", "team"] },
      { path: `${base}/imports/${importId}`, shows: [] },
      { path: `${base}/followups`, shows: [] },
      { path: `${base}/followups?weergave=alle`, shows: [] },
      { path: `${base}/followups/${followupIds[0]}`, agent: interviewer, shows: ["note", "answer", "quote", "theme"] },
      // The other answers are for the interviewer who holds the follow-up; the administrator sees the notes.
      { path: `${base}/followups/${followupIds[1]}`, shows: ["note", "pending", "theme"] },
      { path: `${base}/followups/settings`, shows: ["theme"] },
      { path: `${base}/followups/service-level`, shows: [] },
      { path: `${base}/quotes`, shows: ["pending"] },
      { path: `${base}/quotes?status=approved`, shows: ["quote"] },
      { path: `${base}/quotes/answers?kwartaal=${PERIOD}`, shows: ["answer"] },
      { path: `${base}/invitations`, shows: [] },
      { path: `${base}/phone-list`, shows: ["ktg", "client"] },
      { path: `${base}/deliveries/failed`, shows: ["ktg", "client"] },
      { path: `${base}/reports?periode=${PERIOD}`, shows: ["team", "area", "provision", "quote", "theme"] },
      { path: `${base}/reports?periode=${PERIOD}&team=${encodeURIComponent(TEAM)}`, shows: ["team", "quote"] },
    ];
    const problems: string[] = [];
    for (const page of pages) {
      const res = await (page.agent ?? admin).get(page.path);
      if (res.status !== 200) {
        problems.push(`${page.path}: ${res.status}`);
        continue;
      }
      expectNoRawMarkup(page.path, res.text);
      for (const tag of page.shows) if (!res.text.includes(escapedTag(tag))) problems.push(`${page.path} does not show the ${tag} text (escaped)`);
    }
    expect(problems, problems.join("\n")).toEqual([]);
  });

  it("the import preview showed the uploaded fields escaped", () => {
    expectNoRawMarkup("the import preview", previewPage);
    expect(previewPage).toContain(escapedTag("team"));
  });
});

// --- files ---------------------------------------------------------------------------------------------------------

async function download(path: string): Promise<{ status: number; body: Buffer; type: string }> {
  const res = await admin.get(path).buffer(true).parse(binary);
  return { status: res.status, body: res.body as Buffer, type: String(res.headers["content-type"]) };
}

const DANGEROUS = /^[=+\-@\t\r]/;
const NUMBER = /^-?\d+([.,]\d+)?%?$/;

/** Cells a spreadsheet would run: starting like a formula, not a plain number, not guarded by an apostrophe. */
function unsafeCsvCells(csv: Buffer): string[] {
  const text = csv.toString("utf8").replace(/^\uFEFF/, "");
  const delimiter = text.split(/\r?\n/, 1)[0]!.includes(";") ? ";" : ",";
  const records = parse(text, { delimiter, relax_column_count: true }) as string[][];
  return records.flat().filter((cell) => DANGEROUS.test(cell) && !NUMBER.test(cell));
}

/** Every text in a workbook, to see that the tested texts are in it at all. */
async function workbookTexts(xlsx: Buffer): Promise<string[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(xlsx as unknown as ExcelJS.Buffer);
  const texts: string[] = [];
  workbook.eachSheet((sheet) => sheet.eachRow((r) => r.eachCell((cell) => void texts.push(cell.text))));
  return texts;
}

async function unsafeWorkbookCells(xlsx: Buffer): Promise<string[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(xlsx as unknown as ExcelJS.Buffer);
  const unsafe: string[] = [];
  workbook.eachSheet((sheet) => {
    sheet.eachRow((r) => {
      r.eachCell((cell) => {
        const where = `${sheet.name}!${cell.address}`;
        if (cell.type === ExcelJS.ValueType.Formula || cell.formula) unsafe.push(`${where}: formula ${cell.formula}`);
        if (cell.type === ExcelJS.ValueType.Hyperlink) unsafe.push(`${where}: hyperlink`);
        const text = cell.type === ExcelJS.ValueType.String ? String(cell.value) : cell.type === ExcelJS.ValueType.RichText ? cell.text : undefined;
        if (text !== undefined && DANGEROUS.test(text)) unsafe.push(`${where}: ${text.slice(0, 40)}`);
      });
    });
  });
  return unsafe;
}

const skipPdf = skipWithoutPoppler();
const textOfPdf = (pdf: Buffer) => execFileSync("pdftotext", ["-layout", "-", "-"], { input: pdf, encoding: "utf8" });

describe("the report files", () => {
  it("HTML: the standalone file shows the texts escaped", async () => {
    const file = await download(`/staff/m/${m.code}/reports/download?periode=${PERIOD}&formaat=html`);
    expect(file.status).toBe(200);
    const html = file.body.toString("utf8");
    expectNoRawMarkup("the report HTML", html);
    for (const tag of ["team", "area", "provision", "quote", "theme"]) expect(html, tag).toContain(escapedTag(tag));
  });

  it.skipIf(skipPdf)("PDF: the texts are printed as text, with no script or link in the file", async () => {
    const file = await download(`/staff/m/${m.code}/reports/download?periode=${PERIOD}&formaat=pdf`);
    expect(file.status).toBe(200);
    const raw = file.body.toString("latin1");
    expect(raw).not.toMatch(/\/JavaScript|\/JS\s|\/Launch|\/URI/);
    const text = textOfPdf(file.body).replace(/\s+/g, " ");
    expect(text).toContain('<script>alert("team")</script>');
    expect(text).toContain('<script>alert("quote")</script>');
  });

  it("CSV: no cell runs as a formula", async () => {
    const file = await download(`/staff/m/${m.code}/reports/download?periode=${PERIOD}&formaat=csv`);
    expect(file.status).toBe(200);
    expect(file.body.toString("utf8")).toContain("'=1+1 <script>");
    expect(unsafeCsvCells(file.body)).toEqual([]);
  });

  it("XLSX: no formula, no link, no cell that starts like one", async () => {
    const file = await download(`/staff/m/${m.code}/reports/download?periode=${PERIOD}&formaat=xlsx`);
    expect(file.status).toBe(200);
    expect(await unsafeWorkbookCells(file.body)).toEqual([]);
    const texts = await workbookTexts(file.body);
    for (const text of [TEAM, AREA, PROVISION, QUOTE]) expect(texts, text).toContain(`'${text}`);
  });

  it("JSON: the texts are data, served as JSON", async () => {
    const file = await download(`/staff/m/${m.code}/reports/download?periode=${PERIOD}&formaat=json`);
    expect(file.status).toBe(200);
    expect(file.type).toMatch(/^application\/json/);
    expect(file.body.toString("utf8")).toContain(JSON.stringify(TEAM).slice(1, -1));
  });

  it("the legal export (CSV and XLSX) holds no formula", async () => {
    const csv = await download(`/staff/m/${m.code}/reports/legal?jaar=2026&formaat=csv`);
    expect(csv.status).toBe(200);
    expect(unsafeCsvCells(csv.body)).toEqual([]);
    const xlsx = await download(`/staff/m/${m.code}/reports/legal?jaar=2026&formaat=xlsx`);
    expect(xlsx.status).toBe(200);
    expect(await unsafeWorkbookCells(xlsx.body)).toEqual([]);
  });
});

describe("the follow-up export", () => {
  it("guards notes, themes and quotes in CSV and XLSX", async () => {
    for (const kind of ["gesprekken", "citaten"]) {
      const csv = await download(`/staff/m/${m.code}/followups/export/${kind}-${PERIOD}.csv`);
      expect(csv.status, kind).toBe(200);
      expect(unsafeCsvCells(csv.body), kind).toEqual([]);
      const xlsx = await download(`/staff/m/${m.code}/followups/export/${kind}-${PERIOD}.xlsx`);
      expect(xlsx.status, kind).toBe(200);
      expect(await unsafeWorkbookCells(xlsx.body), kind).toEqual([]);
    }
    const notes = await download(`/staff/m/${m.code}/followups/export/gesprekken-${PERIOD}.csv`);
    expect(notes.body.toString("utf8")).toContain("'=1+1 <script>");
    expect(notes.body.toString("utf8")).toContain("Algemeen: @SUM(1+1)");
    const quotes = await download(`/staff/m/${m.code}/followups/export/citaten-${PERIOD}.csv`);
    expect(quotes.body.toString("utf8")).toContain(`'=HYPERLINK(`);
    const workbook = await workbookTexts((await download(`/staff/m/${m.code}/followups/export/gesprekken-${PERIOD}.xlsx`)).body);
    expect(workbook).toContain(`'${TEAM}`);
    expect(workbook).toContain(`'${QUOTE}`);
  });
});

describe("the rejected rows of an import", () => {
  it("come back as a CSV whose cells cannot run as formulas", async () => {
    const file = await download(`/staff/m/${m.code}/imports/${importId}/rejected.csv`);
    expect(file.status).toBe(200);
    const text = file.body.toString("utf8");
    expect(text).toContain("rejectedteam");
    expect(unsafeCsvCells(file.body)).toEqual([]);
    expect(text).toContain(";'+31 6 1234 5678;");
  });

  it("fixed and uploaded again as they are (not through Excel), the guarded cells mean what they meant", async () => {
    const file = await download(`/staff/m/${m.code}/imports/${importId}/rejected.csv`);
    const again = await importCsv(file.body.toString("utf8").replace("31-02-2026", "28-02-2026"));
    const summary = await db()("imports").where({ id: again }).first("accepted", "rejected");
    expect(summary).toMatchObject({ accepted: 1, rejected: 0 });
    const conversation = await db()("conversations").where({ municipality_id: m.id, external_id: REJECTED_ID }).first();
    expect(conversation.team).toBe(REJECTED_TEAM);
    expect((await db()("client_contacts").where({ client_id: conversation.client_id }).first()).mobile).toBe("+31612345678");
  });
});

describe("the respondent's own page", () => {
  it("gives the saved open answer back as JSON data, never as markup in the page", async () => {
    const conversation = await db()("conversations").where({ municipality_id: m.id }).first("id", "client_id");
    const other = await db()("conversations").insert({ municipality_id: m.id, client_id: conversation.client_id, external_id: "KTG-los", law: "wmo", held_on: "2026-11-01", source: "api", created_at: toDbTime(new Date()) }).returning(["id"]);
    const made = await createInvitation(db(), t.catalog, { municipalityId: m.id, conversationId: other[0].id, clientId: conversation.client_id, questionnaire: "wmo", audience: "client", channel: "email" });
    const page = await request(t.app).get(`/s/${made.token}`);
    expect(page.status).toBe(200);
    const csrf = /data-csrf-token="([^"]+)"/.exec(page.text)![1]!;
    const cookie = String(page.headers["set-cookie"]).split(";")[0]!;
    const saved = await request(t.app).post(`/s/${made.token}/progress`).set("Cookie", cookie).set("x-csrf-token", csrf).set("accept", "application/json").send({ answers: { verbetering: OPEN_ANSWER } });
    expect(saved.status).toBe(204);
    const again = await request(t.app).get(`/s/${made.token}`).set("Cookie", cookie);
    expectNoRawMarkup("the questionnaire page", again.text);
    expect(again.text).not.toContain("evil.example");
    const json = await request(t.app).get(`/s/${made.token}/survey.json`).set("Cookie", cookie);
    expect(json.type).toMatch(/json/);
    expect(json.body.answers.verbetering).toBe(OPEN_ANSWER);
  });
});
