// The CSV importer on a real database, and `luisterpost import conversations` as an operator runs it. Every
// data row must end up exactly once as accepted, unchanged or rejected (with line, column and a Dutch
// reason); the file as a whole is refused up front when it is not an intake CSV.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buffer } from "node:stream/consumers";
import { fileURLToPath } from "node:url";
import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CsvImportError, importConversationsCsv, rejectedRowsCsv, type ImportProgress } from "../../server/intake/csv-import.ts";
import { findImportById, listRejections } from "../../server/intake/imports.queries.ts";
import { fingerprintKey } from "../../server/intake/intake.service.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { makeMunicipality } from "../helpers/staff.ts";
import { chunked, csvText, HEADER, row, XLSX } from "./csv-fixtures.ts";

let database: TestDatabase;
let tmp: string;
const key = fingerprintKey("csv-import-test-secret-0123456789abcdef");
const db = () => database.db;

beforeAll(async () => {
  database = await createTestDatabase();
  tmp = mkdtempSync(path.join(tmpdir(), "luisterpost-csv-test-"));
});
afterAll(async () => {
  await database?.destroy();
  rmSync(tmp, { recursive: true, force: true });
});

async function run(m: MunicipalityRow, data: Buffer | string, chunkSize = 7, onProgress?: (p: ImportProgress) => void) {
  return importConversationsCsv({ db: db(), key, municipalityId: m.id, input: chunked(data, chunkSize), filename: "gesprekken.csv", createdByUserId: null, onProgress });
}

// makeMunicipality picks a random code; twenty of them in one database would now and then collide.
let codes = 0;
const municipality = () => makeMunicipality(db(), { code: `GM${9100 + ++codes}` });

const rejectionsOf = (importId: number) => listRejections(db(), importId, 1_000);

async function conversation(m: MunicipalityRow, externalId: string) {
  return db()("conversations as v")
    .join("clients as c", "c.id", "v.client_id")
    .leftJoin("client_contacts as k", "k.client_id", "c.id")
    .where({ "v.municipality_id": m.id, "v.external_id": externalId })
    .first("v.held_on", "v.law", "v.team", "v.source", "v.import_id", "c.external_id as client", "k.email", "k.mobile", "k.street", "k.postal_code");
}

const countOf = async (table: string, m: MunicipalityRow) => Number((await db()(table).where({ municipality_id: m.id }).count({ n: "*" }))[0]!.n);

describe("reading what Excel and case systems write", () => {
  it("imports a ;-separated file with Dutch dates, Dutch phone formats, loose postcodes, quotes and separators inside fields, odd-case headers", async () => {
    const m = await municipality();
    const header = HEADER.map((h, i) => (i % 2 === 0 ? h.toUpperCase() : ` ${h[0]!.toUpperCase()}${h.slice(1)} `));
    const data = csvText(
      [
        row(1, { gespreksdatum: "01-10-2025", mobiel: "06-12345678", postcode: "3831AB", team: 'Team "Noord"; wijk 3' }),
        row(2, { gespreksdatum: "1-9-2025", mobiel: "+31 6 1234 5678", postcode: "3831 ab", straat: "Dorpsstraat\nachterom" }),
        row(3, { gespreksdatum: "2025-08-15", mobiel: "0612345678", email: "" }),
      ],
      { header },
    );
    const summary = await run(m, data);
    expect(summary).toMatchObject({ totalRows: 3, accepted: 3, unchanged: 0, rejected: 0, separator: ";", encoding: "UTF-8" });
    expect(await conversation(m, "KTG-T-00001")).toMatchObject({ held_on: "2025-10-01", team: 'Team "Noord"; wijk 3', mobile: "+31612345678", postal_code: "3831 AB", source: "csv", import_id: summary.importId });
    expect(await conversation(m, "KTG-T-00002")).toMatchObject({ held_on: "2025-09-01", mobile: "+31612345678", postal_code: "3831 AB", street: "Dorpsstraat\nachterom" });
    expect(await conversation(m, "KTG-T-00003")).toMatchObject({ held_on: "2025-08-15", mobile: "+31612345678", email: null });
    expect(await findImportById(db(), summary.importId)).toMatchObject({ status: "done", totalRows: 3, accepted: 3, separator: ";" });
  });

  it("imports a ,-separated UTF-8 file with a BOM and ISO dates, and accepts the API's field names as headers", async () => {
    const m = await municipality();
    const header = ["externalId", "client.externalId", "law", "heldOn", "team", "area", "provision", "birthYear", "language", "email", "mobile", "street", "houseNumber", "postalCode", "city", "preferredChannel"];
    const data = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csvText([row(1, { team: "Wijkteam Zuidoost – Noord, café" }), row(2)], { separator: ",", header }))]);
    const summary = await run(m, data, 2);
    expect(summary).toMatchObject({ accepted: 2, rejected: 0, separator: ",", encoding: "UTF-8 met BOM" });
    expect((await conversation(m, "KTG-T-00001"))!.team).toBe("Wijkteam Zuidoost – Noord, café");
  });

  it("reads Windows-1252 (é, ë, –) when the file is not valid UTF-8, even when the first such byte comes late", async () => {
    const m = await municipality();
    const rows = Array.from({ length: 40 }, (_, i) => row(i + 1));
    rows.push(row(41, { straat: "Crèchepad", team: "Wijkteam Zuidoost – Noord", woonplaats: "Hoogeveen", email: "zoë@example.test" }));
    const data = iconv.encode(csvText(rows), "windows-1252");
    const summary = await run(m, data, 5);
    expect(summary).toMatchObject({ accepted: 41, rejected: 0, encoding: "Windows-1252" });
    expect(await conversation(m, "KTG-T-00041")).toMatchObject({ street: "Crèchepad", team: "Wijkteam Zuidoost – Noord", email: "zoë@example.test" });
  });

  it("imports nothing twice: the same file again is all unchanged and adds no rows", async () => {
    const m = await municipality();
    const data = csvText(Array.from({ length: 30 }, (_, i) => row(i + 1, { client_id: `C-T-${i % 10}` })));
    const first = await run(m, data);
    expect(first).toMatchObject({ accepted: 30, unchanged: 0, rejected: 0 });
    const before = { conversations: await countOf("conversations", m), clients: await countOf("clients", m) };
    expect(before).toEqual({ conversations: 30, clients: 10 });
    const again = await run(m, data, 1000);
    expect(again).toMatchObject({ totalRows: 30, accepted: 0, unchanged: 30, rejected: 0 });
    expect({ conversations: await countOf("conversations", m), clients: await countOf("clients", m) }).toEqual(before);
  });
});

describe("bad rows: reported with line, column and reason; the good rows still go in", () => {
  it("rejects a short row, a future date, no contact, a bad postcode and duplicates, each on its physical line", async () => {
    const m = await municipality();
    const data = [
      HEADER.join(";"),
      csvText([row(1, { straat: "Lange\nweg" })], { header: [] }).trim(), // lines 2–3
      "KTG-T-00002;C-T-2;wmo;01-10-2025;Team", // 4: short
      csvText([row(3, { gespreksdatum: "01-01-2099" })], { header: [] }).trim(), // 5: future
      csvText([row(4, { email: "", mobiel: "", straat: "", postcode: "" })], { header: [] }).trim(), // 6: no contact
      csvText([row(5, { postcode: "38311AB" })], { header: [] }).trim(), // 7: postcode
      "", // 8: empty line
      csvText([row(1, { straat: "Lange\nweg" })], { header: [] }).trim(), // 9–10: same as line 2
      csvText([row(1, { team: "Ander team" })], { header: [] }).trim(), // 11: same id, other data
      ";;;;;;;;;;;;;;;", // 12: an empty row as Excel leaves them
      csvText([row(6)], { header: [] }).trim(), // 13
    ].join("\r\n");
    const summary = await run(m, data);
    expect(summary).toMatchObject({ totalRows: 8, accepted: 2, unchanged: 0, rejected: 6 });
    const rejected = await rejectionsOf(summary.importId);
    expect(rejected.map((r) => [r.line, r.column])).toEqual([
      [4, "wijk"],
      [5, "gespreksdatum"],
      [6, "email, mobiel, straat, huisnummer, postcode, woonplaats"],
      [7, "postcode"],
      [9, "gesprek_id"],
      [11, "gesprek_id"],
    ]);
    const reason = (line: number) => rejected.find((r) => r.line === line)!.reason;
    expect(reason(4)).toMatch(/5 kolommen en de kopregel 16/);
    expect(reason(5)).toBe("De gespreksdatum ligt in de toekomst.");
    expect(reason(6)).toMatch(/geen manier om de cliënt te bereiken/);
    expect(reason(7)).toMatch(/postcode zoals 1234 AB/);
    expect(reason(9)).toBe("Dit gesprek staat al op regel 2.");
    expect(reason(11)).toBe("Dit gesprek-id staat al op regel 2, met andere gegevens.");
    expect(rejected.find((r) => r.line === 4)!.raw).toBe("KTG-T-00002;C-T-2;wmo;01-10-2025;Team");
    expect(await conversation(m, "KTG-T-00006")).toBeDefined();
  });

  it("rejects a conversation known with other data, naming the columns that differ", async () => {
    const m = await municipality();
    await run(m, csvText([row(1), row(2)]));
    const summary = await run(m, csvText([row(1, { team: "Ander team", email: "ander@example.test" }), row(2), row(3)]));
    expect(summary).toMatchObject({ accepted: 1, unchanged: 1, rejected: 1 });
    const [conflict] = await rejectionsOf(summary.importId);
    expect(conflict).toMatchObject({ line: 2, column: "team, email" });
    expect(conflict!.reason).toMatch(/al eerder aangemeld met andere gegevens in team, email/);
  });

  it("keeps reading after an unclosed quote and reports the line it starts on", async () => {
    const m = await municipality();
    const lines = csvText([row(1), row(2), row(3), row(4)]).trim().split("\r\n");
    lines[2] = lines[2]!.replace("Sociaal Team Noord", '"Sociaal Team Noord');
    const summary = await run(m, `${lines.join("\r\n")}\r\n`);
    expect(summary).toMatchObject({ totalRows: 4, accepted: 3, rejected: 1 });
    const [broken] = await rejectionsOf(summary.importId);
    expect(broken).toMatchObject({ line: 3, column: null });
    expect(broken!.reason).toMatch(/aanhalingsteken/);
  });

  it("3 bad rows among many: the good ones are imported, the rejected CSV holds exactly the bad ones, and fixed it imports", async () => {
    const m = await municipality();
    const rows = Array.from({ length: 1_200 }, (_, i) => row(i + 1, { team: i % 2 ? "Team Oost; Zuid" : "Team West" }));
    rows[99] = row(100, { wet: "participatiewet", team: "Team Oost; Zuid" }); // line 101
    rows[599] = row(600, { geboortejaar: "19x8" }); // line 601
    rows[1_149] = row(1_150, { email: "geen-adres", mobiel: "" }); // line 1151
    const progress: ImportProgress[] = [];
    const summary = await run(m, csvText(rows), 4096, (p) => progress.push(p));
    expect(summary).toMatchObject({ totalRows: 1_200, accepted: 1_197, rejected: 3 });
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)).toMatchObject({ rowsDone: 1_200, accepted: 1_197, rejected: 3 });

    const bytes = await buffer(rejectedRowsCsv(db(), summary.importId));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.toString("utf8");
    const lines = csv.slice(1).trim().split("\r\n");
    expect(lines[0]).toBe(`regel;reden;${HEADER.join(";")}`);
    expect(lines).toHaveLength(4);
    expect(lines.slice(1).map((l) => l.split(";")[0])).toEqual(["101", "601", "1151"]);
    expect(lines[1]).toContain("De wet moet wmo of jeugd zijn.");
    expect(lines[2]).toContain("Het geboortejaar is geen jaartal");
    expect(lines[3]).toContain("Het e-mailadres is geen geldig e-mailadres.");
    expect(lines[1]).toContain('"Team Oost; Zuid"');

    // Fixed in "Excel" and uploaded again: regel and reden are ignored, the three rows go in.
    const fixed = csv.replace("participatiewet", "wmo").replace(";19x8;", ";1948;").replace("geen-adres", "client1150@example.test");
    const again = await run(m, fixed);
    expect(again).toMatchObject({ totalRows: 3, accepted: 3, rejected: 0, encoding: "UTF-8 met BOM" });
    expect(await countOf("conversations", m)).toBe(1_200);
  });
});

describe("files that are not an intake CSV are refused as a whole, with the reason recorded", () => {
  const refusals: Array<[string, Buffer | string, RegExp]> = [
    ["an empty file", "", /Het bestand is leeg/],
    ["a file with only blank lines", "\r\n\r\n  \r\n", /Het bestand is leeg/],
    ["an .xlsx renamed to .csv", XLSX(), /geen CSV-bestand maar een Excel-bestand \(\.xlsx\)/],
    ["a binary file", Buffer.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x00, 0x00, 0x01]), /geen CSV-bestand/],
    ["a file without the required columns", csvText([row(1)], { header: ["gesprek_id", "client_id", "Wet_x", "datum_gesprek", "team"] }), /De verplichte kolommen wet en gespreksdatum ontbreken in de kopregel \(regel 1\)/],
    ["a file without any way to reach clients", "gesprek_id;client_id;wet;gespreksdatum\r\nK-1;C-1;wmo;2025-10-01\r\n", /geen kolom om cliënten te bereiken/],
    ["a header without rows", `${HEADER.join(";")}\r\n`, /geen regels met gesprekken/],
    ["a header with an unclosed quote", `"${HEADER.join(";")}\r\n${csvText([row(1)], { header: [] }).trim()}\r\n`, /De kopregel kan niet worden gelezen/],
  ];
  for (const [what, data, message] of refusals) {
    it(`refuses ${what}`, async () => {
      const m = await municipality();
      const error = await run(m, data).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(CsvImportError);
      expect((error as CsvImportError).message).toMatch(message);
      expect(await findImportById(db(), (error as CsvImportError).importId)).toMatchObject({ status: "failed", error: expect.stringMatching(message) });
      expect(await countOf("conversations", m)).toBe(0);
    });
  }
});

// --- the command line ---------------------------------------------------------------------------------

const root = fileURLToPath(new URL("../..", import.meta.url));

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmp, NODE_ENV: "test", DATA_DIR: path.join(tmp, "data"), DATABASE_URL: database.url };
    const child = spawn(process.execPath, ["--import", "tsx", "server/cli.ts", ...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("luisterpost import conversations FILE --municipality CODE", () => {
  it("imports a clean file: counts on stdout, exit 0, no file of rejected rows", async () => {
    const m = await municipality();
    const file = path.join(tmp, "schoon.csv");
    writeFileSync(file, csvText([row(1), row(2), row(3)]));
    const result = await runCli(["import", "conversations", file, "--municipality", m.code.toLowerCase()]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("geïmporteerd 3\nongewijzigd 0\nafgekeurd 0\n");
    expect(result.stderr).toMatch(/Klaar: 3 regels verwerkt/);
    expect(existsSync(path.join(tmp, "schoon.afgekeurd.csv"))).toBe(false);

    const again = await runCli(["import", "conversations", file, "--municipality", m.code, "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ totalRows: 3, accepted: 0, unchanged: 3, rejected: 0, rejectedFile: null });
  });

  it("writes the rejected rows with reasons next to FILE and exits 1", async () => {
    const m = await municipality();
    const file = path.join(tmp, "week42.csv");
    writeFileSync(file, csvText([row(1), row(2, { gespreksdatum: "31-02-2025" }), row(3)]));
    const result = await runCli(["import", "conversations", file, "--municipality", m.code, "--json"]);
    expect(result.code, result.stderr).toBe(1);
    const rejectedFile = path.join(tmp, "week42.afgekeurd.csv");
    expect(JSON.parse(result.stdout)).toEqual({ importId: expect.any(Number), totalRows: 3, accepted: 2, unchanged: 0, rejected: 1, rejectedFile });
    expect(result.stderr).toMatch(/1 afgekeurde regels staan met de reden in .*week42\.afgekeurd\.csv/);
    const written = readFileSync(rejectedFile, "utf8").slice(1).trim().split("\r\n");
    expect(written).toHaveLength(2);
    expect(written[1]).toMatch(/^3;De gespreksdatum is geen bestaande datum/);
  });

  it("refuses a file that is not CSV, and unknown municipalities and files, with exit 1 and no stack trace", async () => {
    const m = await municipality();
    const xlsx = path.join(tmp, "export.csv");
    writeFileSync(xlsx, XLSX());
    const notCsv = await runCli(["import", "conversations", xlsx, "--municipality", m.code]);
    expect(notCsv.code).toBe(1);
    expect(notCsv.stdout).toBe("");
    expect(notCsv.stderr).toMatch(/export\.csv is niet geïmporteerd\. Dit is geen CSV-bestand maar een Excel-bestand/);
    expect(notCsv.stderr).not.toMatch(/^\s+at /m);

    const unknown = await runCli(["import", "conversations", xlsx, "--municipality", "GM0000"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/gemeente GM0000 bestaat niet/);
    const missing = await runCli(["import", "conversations", path.join(tmp, "bestaat-niet.csv"), "--municipality", m.code]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/bestaat-niet\.csv bestaat niet/);
  });
});
