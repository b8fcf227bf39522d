// Property test: random and mutated CSV rows. Every data row is either imported (or recognised as known) or
// reported with its line number — never both, never neither — and the importer never throws on a CSV.
import { Readable } from "node:stream";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importConversationsCsv } from "../../server/intake/csv-import.ts";
import { fingerprintKey } from "../../server/intake/intake.service.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { makeMunicipality } from "../helpers/staff.ts";

let database: TestDatabase;
const key = fingerprintKey("p".repeat(40));

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.destroy();
});

const HEADER = ["gesprek_id", "client_id", "wet", "gespreksdatum", "team", "wijk", "voorziening", "geboortejaar", "taal", "email", "mobiel", "straat", "huisnummer", "postcode", "woonplaats", "voorkeur_kanaal"];

const messy = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.constantFrom("", " ", 'met "aanhalingstekens"', "met ; puntkomma", "met, komma", "twee\nregels", "Crèche – Noord", "x".repeat(300)),
);
const cell = (good: fc.Arbitrary<string>) => fc.oneof({ arbitrary: good, weight: 5 }, { arbitrary: messy, weight: 1 });

const row = fc.tuple(
  cell(fc.stringMatching(/^KTG-[0-9]{1,3}$/)),
  cell(fc.stringMatching(/^C-[0-9]{1,2}$/)),
  cell(fc.constantFrom("wmo", "Wmo", "jeugd", "jeugdwet")),
  cell(fc.constantFrom("01-10-2026", "2026-10-01", "1-9-2026", "31-02-2026", "2099-01-01")),
  cell(fc.constantFrom("Team Noord", "Team Zuid", "")),
  cell(fc.constantFrom("Centrum", "")),
  cell(fc.constantFrom("huishoudelijke hulp", "begeleiding", "")),
  cell(fc.constantFrom("1948", "1975", "", "48")),
  cell(fc.constantFrom("nl", "", "en")),
  cell(fc.constantFrom("client.een@example.test", "client.twee@example.test", "", "geen-adres")),
  cell(fc.constantFrom("06-12345678", "+31 6 1234 5678", "", "030-1234567")),
  cell(fc.constantFrom("Dorpsstraat", "")),
  cell(fc.constantFrom("12A", "")),
  cell(fc.constantFrom("3831AB", "3831 ab", "", "1234")),
  cell(fc.constantFrom("Leusden", "")),
  cell(fc.constantFrom("email", "brief", "", "duif")),
);

/** CSV with correct quoting, or a row cut short or padded (the mutations case systems produce). */
const line = fc.tuple(row, fc.constantFrom("whole", "whole", "whole", "short", "long")).map(([cells, shape]) => {
  const quote = (v: string) => (/[;"\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const used = shape === "short" ? cells.slice(0, 5) : shape === "long" ? [...cells, "extra"] : cells;
  return used.map(quote).join(";");
});

describe("the CSV importer under random and mutated rows", () => {
  it("accounts for every row exactly once and never throws", async () => {
    const seen = { accepted: 0, unchanged: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 40 }), async (lines) => {
        const m = await makeMunicipality(database.db);
        const text = `${HEADER.join(";")}\r\n${lines.join("\r\n")}\r\n`;
        const runImport = () =>
          importConversationsCsv({
            db: database.db,
            key,
            municipalityId: m.id,
            input: Readable.from([Buffer.from(text, "utf8")]),
            filename: "willekeurig.csv",
            createdByUserId: null,
          });
        const summary = await runImport();
        // Every data row is counted once.
        expect(summary.totalRows).toBe(lines.length);
        expect(summary.accepted + summary.unchanged + summary.rejected).toBe(summary.totalRows);
        seen.accepted += summary.accepted;
        seen.unchanged += summary.unchanged;
        seen.rejected += summary.rejected;

        // Reported rows: one rejection per row, on distinct lines, each with a reason.
        const rejections = await database.db("import_rejections").where({ import_id: summary.importId }).select("line", "reason");
        expect(rejections).toHaveLength(summary.rejected);
        expect(new Set(rejections.map((r) => r.line)).size).toBe(rejections.length);
        for (const r of rejections) expect(String(r.reason).length).toBeGreaterThan(0);

        // Imported rows: as many new conversations as rows accepted; nothing half-stored.
        const conversations = await database.db("conversations").where({ municipality_id: m.id }).count({ n: "*" });
        expect(Number(conversations[0]!.n)).toBe(summary.accepted);
        const orphans = await database.db("clients as c").leftJoin("conversations as v", "v.client_id", "c.id").where("c.municipality_id", m.id).whereNull("v.id").count({ n: "*" });
        expect(Number(orphans[0]!.n)).toBe(0);

        // The same file again changes nothing: what was imported is now known, what was reported still is.
        const again = await runImport();
        expect({ accepted: again.accepted, unchanged: again.unchanged, rejected: again.rejected }).toEqual({
          accepted: 0,
          unchanged: summary.accepted + summary.unchanged,
          rejected: summary.rejected,
        });
        seen.unchanged += again.unchanged;
        const after = await database.db("conversations").where({ municipality_id: m.id }).count({ n: "*" });
        expect(Number(after[0]!.n)).toBe(summary.accepted);
      }),
      { numRuns: 60 },
    );
    // The generator reaches every outcome, so the property was not satisfied vacuously.
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.unchanged).toBeGreaterThan(0);
    expect(seen.rejected).toBeGreaterThan(0);
  });
});
