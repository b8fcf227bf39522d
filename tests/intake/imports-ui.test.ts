// The CSV import pages as an administrator uses them: upload, preview (audited: it shows contact data),
// import in the background with a progress page, the result with the rejected rows to download. Bad files get
// a clear Dutch page and leave nothing behind; another municipality's imports do not exist.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findImportById, insertImport, updateImport } from "../../server/intake/imports.queries.ts";
import { importsSettled, uploadDir } from "../../server/intake/imports.service.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { csrfFor, csrfOf, makeMunicipality, makeUser, signIn, type Agent } from "../helpers/staff.ts";
import { csvText, HEADER, row, writeLargeCsv, XLSX } from "./csv-fixtures.ts";

let t: TestApp;
let a: MunicipalityRow;
let b: MunicipalityRow;
let adminA: Agent;
let adminB: Agent;
let readerA: Agent;
let tmp: string;
const db = () => t.database.db;

beforeAll(async () => {
  t = await createTestApp();
  tmp = mkdtempSync(path.join(tmpdir(), "luisterpost-upload-test-"));
  a = await makeMunicipality(db(), { code: "GM9301", name: "Merelveen" });
  b = await makeMunicipality(db(), { code: "GM9302", name: "Zwaluwkoog" });
  adminA = await signIn(t.app, await makeUser(db(), { memberships: [{ municipalityId: a.id, role: "admin" }] }));
  adminB = await signIn(t.app, await makeUser(db(), { memberships: [{ municipalityId: b.id, role: "admin" }] }));
  readerA = await signIn(t.app, await makeUser(db(), { memberships: [{ municipalityId: a.id, role: "reader" }] }));
});
afterAll(async () => {
  await importsSettled();
  // Uploads this file left waiting for "Importeren" (a real installation removes them after a day).
  if (t) for (const r of await db()("imports").whereNotNull("upload_file").select("upload_file")) rmSync(r.upload_file as string, { force: true });
  await t?.close();
  rmSync(tmp, { recursive: true, force: true });
});

type Upload = { data: Buffer | string; filename?: string } | { file: string };

/** Posts the upload form as public/js/import-upload.js does: multipart, CSRF token in the header. */
async function upload(agent: Agent, m: MunicipalityRow, what: Upload, options: { csrf?: boolean; headers?: Record<string, string> } = {}) {
  const token = await csrfFor(agent, `/staff/m/${m.code}/imports`);
  const req = agent.post(`/staff/m/${m.code}/imports`);
  if (options.csrf !== false) req.set("x-csrf-token", token);
  for (const [name, value] of Object.entries(options.headers ?? {})) req.set(name, value);
  if ("file" in what) return req.attach("bestand", what.file);
  const data = typeof what.data === "string" ? Buffer.from(what.data, "utf8") : what.data;
  return req.attach("bestand", data, { filename: what.filename ?? "gesprekken.csv", contentType: "text/csv" });
}

const idFrom = (location: unknown) => Number(/\/imports\/(\d+)$/.exec(String(location))?.[1]);

async function waitUntilFinished(agent: Agent, m: MunicipalityRow, id: number) {
  for (let i = 0; i < 300; i++) {
    const res = await agent.get(`/staff/m/${m.code}/imports/${id}/status`);
    expect(res.status).toBe(200);
    if (res.body.finished) {
      // The row says finished a moment before the background job has removed the uploaded file.
      await importsSettled();
      return res.body as Record<string, unknown>;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the import did not finish");
}

async function startImport(agent: Agent, m: MunicipalityRow, id: number) {
  const preview = await agent.get(`/staff/m/${m.code}/imports/${id}`);
  const res = await agent.post(`/staff/m/${m.code}/imports/${id}/start`).type("form").send({ _csrf: csrfOf(preview.text) });
  expect(res.status, res.text).toBe(303);
  return res;
}

const uploadsNow = () => new Set(readdirSync(uploadDir()));
/** Files in the upload folder that were not there before. */
const addedSince = (before: Set<string>) => [...uploadsNow()].filter((f) => !before.has(f));

describe("upload, preview, import, result", () => {
  it("shows how the file is read, audits the preview, imports in the background and offers the rejected rows", async () => {
    const header = [...HEADER.map((h) => h.toUpperCase()), "Opmerking"];
    const rows = Array.from({ length: 12 }, (_, i) => row(i + 1));
    rows[11] = row(12, { gespreksdatum: "01-01-2099" });
    // An extra column the case system exports: shown as not used, kept in the rejected rows.
    const fileLines = csvText(rows, { header: header.slice(0, -1) }).trim().split("\r\n");
    const text = `${fileLines.map((line, i) => `${line};${i === 0 ? "Opmerking" : "vrije tekst"}`).join("\r\n")}\r\n`;
    const uploaded = await upload(adminA, a, { data: text, filename: "week 42.csv" });
    expect(uploaded.status, uploaded.text).toBe(303);
    const id = idFrom(uploaded.headers.location);
    const pending = await findImportById(db(), id);
    expect(pending).toMatchObject({ status: "pending", filename: "week 42.csv", municipalityId: a.id });
    expect(existsSync(pending!.uploadFile!)).toBe(true);
    expect(path.dirname(pending!.uploadFile!)).toBe(uploadDir());

    const preview = await adminA.get(String(uploaded.headers.location));
    expect(preview.status).toBe(200);
    expect(preview.text).toContain("puntkomma (;)");
    expect(preview.text).toContain("UTF-8");
    expect(preview.text).toMatch(/Opmerking<\/td>\s*<td[^>]*><span class="lp-muted">wordt niet gebruikt/);
    expect(preview.text).toContain("Datum van het keukentafelgesprek (gespreksdatum)");
    expect(preview.text).toContain("client10@example.test");
    expect(preview.text).not.toContain("client11@example.test");
    expect(preview.text).toContain("Importeren");
    const viewed = await db()("audit_events").where({ action: "contact.viewed", municipality_id: a.id, subject_type: "import", subject_id: String(id) });
    expect(viewed).toHaveLength(1);
    expect(JSON.parse(viewed[0].details as string)).toMatchObject({ via: "import-preview", rows: 10 });

    await startImport(adminA, a, id);
    const status = await waitUntilFinished(adminA, a, id);
    expect(status).toMatchObject({ status: "done", rowsDone: 12, accepted: 11, unchanged: 0, rejected: 1, percent: 100 });
    const done = await findImportById(db(), id);
    expect(done!.uploadFile).toBeNull();
    expect(existsSync(pending!.uploadFile!)).toBe(false);

    const result = await adminA.get(`/staff/m/${a.code}/imports/${id}`);
    expect(result.status).toBe(200);
    expect(result.text).toContain("Klaar. 12 regels verwerkt.");
    expect(result.text).toMatch(/<td class="utrecht-table__cell">13<\/td>\s*<td class="utrecht-table__cell">gespreksdatum<\/td>\s*<td class="utrecht-table__cell">De gespreksdatum ligt in de toekomst.<\/td>/);
    expect(result.text).toContain(`href="/staff/m/${a.code}/imports/${id}/rejected.csv"`);
    expect(result.text).not.toContain("client12@example.test");

    const csv = await adminA.get(`/staff/m/${a.code}/imports/${id}/rejected.csv`).buffer(true);
    expect(csv.status).toBe(200);
    expect(csv.headers["content-type"]).toMatch(/^text\/csv/);
    expect(csv.headers["content-disposition"]).toMatch(/attachment; filename="week 42\.afgekeurd\.csv"/);
    const body = csv.text;
    expect(body.startsWith("\uFEFF")).toBe(true);
    const lines = body.slice(1).trim().split("\r\n");
    expect(lines[0]).toBe(`regel;reden;${header.join(";")}`);
    expect(lines.slice(1)).toEqual([expect.stringMatching(/^13;De gespreksdatum ligt in de toekomst\.;KTG-T-00012;.*client12@example\.test/)]);
    expect(await db()("audit_events").where({ action: "export.downloaded", municipality_id: a.id, subject_id: String(id) })).toHaveLength(1);

    const list = await adminA.get(`/staff/m/${a.code}/imports`);
    expect(list.text).toContain("week 42.csv");
    expect(list.text).toMatch(/Klaar<\/td>\s*<td class="utrecht-table__cell">11<\/td>\s*<td class="utrecht-table__cell">0<\/td>\s*<td class="utrecht-table__cell">1<\/td>/);
  });

  it("the upload script gets 201 with the preview's address, so the preview is rendered (and audited) once", async () => {
    const res = await upload(adminA, a, { data: csvText([row(101)]) }, { headers: { "x-upload": "1" } });
    expect(res.status).toBe(201);
    expect(res.body.location).toMatch(new RegExp(`^/staff/m/${a.code}/imports/\\d+$`));
    expect(res.headers.location).toBe(res.body.location);
    const id = idFrom(res.body.location);
    expect(await db()("audit_events").where({ action: "contact.viewed", subject_id: String(id) })).toHaveLength(0);
  });

  it("a running import shows a real progress bar that a script updates, and refreshes itself without JavaScript", async () => {
    const id = await insertImport(db(), { municipalityId: a.id, filename: "groot.csv", status: "running", sizeBytes: 4_000, uploadFile: null, createdByUserId: null });
    await updateImport(db(), id, { processedBytes: 1_000, totalRows: 250, accepted: 240, rejected: 10 });
    const page = await adminA.get(`/staff/m/${a.code}/imports/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<progress id="import-progress" max="100" value="25" data-status-url="/staff/m/${a.code}/imports/${id}/status">`);
    expect(page.text).toContain('<noscript><meta http-equiv="refresh" content="5"></noscript>');
    expect(page.text).toMatch(/<script src="\/assets\/js\/import-progress\.js\?v=[^"]+" defer><\/script>/);
    expect(page.text).toContain("Vernieuw de pagina");
    const status = await adminA.get(`/staff/m/${a.code}/imports/${id}/status`);
    expect(status.body).toEqual({ id, status: "running", finished: false, rowsDone: 250, accepted: 240, unchanged: 0, rejected: 10, processedBytes: 1_000, sizeBytes: 4_000, percent: 25, error: null });
    const script = await adminA.get("/assets/js/import-progress.js");
    expect(script.status).toBe(200);
    expect(script.text).toContain("data-status-url");
    await updateImport(db(), id, { status: "failed", error: "Testimport gestopt." });
  });

  it("an import cut off by a restart (no progress for ten minutes) is shown as failed, not as running forever", async () => {
    const id = await insertImport(db(), { municipalityId: a.id, filename: "afgebroken.csv", status: "running", sizeBytes: 4_000, uploadFile: null, createdByUserId: null });
    await db()("imports").where({ id }).update({ total_rows: 1_500, updated_at: new Date(Date.now() - 11 * 60_000).toISOString() });
    const status = await adminA.get(`/staff/m/${a.code}/imports/${id}/status`);
    expect(status.body).toMatchObject({ status: "failed", finished: true, error: expect.stringMatching(/afgebroken na 1\.500 regels/) });
  });

  it("cancelling deletes the uploaded file and the waiting import", async () => {
    const uploaded = await upload(adminA, a, { data: csvText([row(201)]) });
    const id = idFrom(uploaded.headers.location);
    const file = (await findImportById(db(), id))!.uploadFile!;
    const preview = await adminA.get(String(uploaded.headers.location));
    const res = await adminA.post(`/staff/m/${a.code}/imports/${id}/cancel`).type("form").send({ _csrf: csrfOf(preview.text) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/staff/m/${a.code}/imports?melding=geannuleerd`);
    expect(existsSync(file)).toBe(false);
    expect(await findImportById(db(), id)).toBeUndefined();
  });

  it("deletes the uploaded file when the import fails too", async () => {
    const uploaded = await upload(adminA, a, { data: csvText([row(301)]) });
    const id = idFrom(uploaded.headers.location);
    const file = (await findImportById(db(), id))!.uploadFile!;
    const preview = await adminA.get(String(uploaded.headers.location));
    writeFileSync(file, XLSX()); // the file changed on disk between preview and import
    const res = await adminA.post(`/staff/m/${a.code}/imports/${id}/start`).type("form").send({ _csrf: csrfOf(preview.text) });
    expect(res.status).toBe(303);
    const status = await waitUntilFinished(adminA, a, id);
    expect(status).toMatchObject({ status: "failed", error: expect.stringMatching(/Excel-bestand/) });
    expect(existsSync(file)).toBe(false);
    const page = await adminA.get(`/staff/m/${a.code}/imports/${id}`);
    expect(page.text).toContain("Excel-bestand");
  });
});

describe("bad uploads get a clear page and leave nothing behind", () => {
  const cases: Array<[string, Upload, number, RegExp]> = [
    ["an empty file", { data: "" }, 400, /Het bestand is leeg\./],
    ["an .xlsx renamed to .csv", { data: XLSX(), filename: "export.csv" }, 400, /Dit is geen CSV-bestand maar een Excel-bestand \(\.xlsx\)/],
    ["a header without rows", { data: `${HEADER.join(";")}\r\n;;;;;;;;;;;;;;;\r\n` }, 400, /een kopregel, maar geen regels met gesprekken/],
    ["a file without required columns", { data: csvText([row(1)], { header: ["gesprek_id", "client_id", "email", "team"] }) }, 400, /De verplichte kolommen wet en gespreksdatum ontbreken/],
  ];
  for (const [what, file, status, message] of cases) {
    it(`refuses ${what} (${status})`, async () => {
      const before = await db()("imports").count({ n: "*" });
      const files = uploadsNow();
      const res = await upload(adminA, a, file);
      expect(res.status).toBe(status);
      expect(res.text).toMatch(message);
      expect(await db()("imports").count({ n: "*" })).toEqual(before);
      expect(addedSince(files)).toEqual([]);
    });
  }

  it("shows the missing required columns in the column mapping", async () => {
    const res = await upload(adminA, a, { data: csvText([row(1)], { header: ["gesprek_id", "client_id", "email", "team"] }) });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/<strong>wet<\/strong><\/td>\s*<td[^>]*><strong>Ontbreekt: deze kolom is verplicht<\/strong>/);
    expect(res.text).not.toContain(">Importeren<");
  });

  it("refuses a file over 25 MB with 413 and keeps none of it", async () => {
    const big = path.join(tmp, "groot.csv");
    await writeLargeCsv(big, 25 * 1024 * 1024 + 64 * 1024);
    const files = uploadsNow();
    const res = await upload(adminA, a, { file: big });
    expect(res.status).toBe(413);
    expect(res.text).toContain("Het bestand is groter dan 25 MB.");
    expect(addedSince(files)).toEqual([]);
  });

  it("refuses no file, two files, and an upload without the CSRF token", async () => {
    const token = await csrfFor(adminA, `/staff/m/${a.code}/imports`);
    const none = await adminA.post(`/staff/m/${a.code}/imports`).set("x-csrf-token", token).field("iets", "anders");
    expect(none.status).toBe(400);
    expect(none.text).toContain("Kies een CSV-bestand om te importeren.");
    const two = await adminA
      .post(`/staff/m/${a.code}/imports`)
      .set("x-csrf-token", token)
      .attach("bestand", Buffer.from(csvText([row(1)])), "een.csv")
      .attach("bestand", Buffer.from(csvText([row(2)])), "twee.csv");
    expect(two.status).toBe(400);
    expect(two.text).toContain("Kies één CSV-bestand");
    const files = uploadsNow();
    const forged = await upload(adminA, a, { data: csvText([row(1)]) }, { csrf: false });
    expect(forged.status).toBe(403);
    expect(addedSince(files)).toEqual([]);
  });
});

describe("who may import, and whose imports exist", () => {
  it("is for administrators of the municipality; another municipality's import is 404", async () => {
    const uploaded = await upload(adminB, b, { data: csvText([row(1)]) });
    expect(uploaded.status).toBe(303);
    const bId = idFrom(uploaded.headers.location);

    expect((await readerA.get(`/staff/m/${a.code}/imports`)).status).toBe(403);
    expect((await adminA.get(`/staff/m/${b.code}/imports`)).status).toBe(404);
    expect((await adminA.get(`/staff/m/${b.code}/imports/${bId}`)).status).toBe(404);
    for (const suffix of ["", "/status", "/rejected.csv"]) {
      const res = await adminA.get(`/staff/m/${a.code}/imports/${bId}${suffix}`);
      expect(res.status, suffix).toBe(404);
      expect(res.text).not.toContain("client1@example.test");
    }
    const token = await csrfFor(adminA, `/staff/m/${a.code}/imports`);
    for (const action of ["start", "cancel"]) {
      const res = await adminA.post(`/staff/m/${a.code}/imports/${bId}/${action}`).type("form").send({ _csrf: token });
      expect(res.status, action).toBe(404);
    }
    expect(await findImportById(db(), bId)).toMatchObject({ status: "pending", municipalityId: b.id });
    expect(await db()("audit_events").where({ action: "contact.viewed", subject_id: String(bId) })).toHaveLength(0);
  });
});
