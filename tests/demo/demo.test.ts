import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../server/config.ts";
import { createDemo, DemoRefusedError, describeDemo } from "../../server/demo/demo.service.ts";
import { openWithCode, openWithToken } from "../../server/respondent/respondent.service.ts";
import { loadSurveyCatalog } from "../../server/surveys/surveys.loader.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

let database: TestDatabase;
const catalog = loadSurveyCatalog();
const config = () => loadConfig({ NODE_ENV: "development", DATA_DIR: mkdtempSync(path.join(tmpdir(), "lp-demo-")), DATABASE_URL: database.url });

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.destroy();
});

describe("demo municipality", () => {
  it("fills an empty database with Voorbeeldstad, staff with known sign-ins, intakes and working invitations", async () => {
    const summary = await createDemo(database.db, config(), catalog);
    const db = database.db;
    expect(await db("municipalities").pluck("code")).toEqual(["GM9999"]);
    expect(summary.accounts.map((a) => a.role)).toEqual(["platformbeheerder", "admin", "interviewer", "reader", "data-entry"]);
    expect(await db("conversations").count({ n: "*" })).toEqual([{ n: 40 }]);
    expect(summary.invitations).toHaveLength(6);
    for (const invitation of summary.invitations) {
      const token = invitation.link.split("/s/")[1]!;
      expect((await openWithToken(db, token)).kind).toBe("ok");
      expect((await openWithCode(db, invitation.code)).kind).toBe("ok");
    }
    const text = describeDemo(summary, "http://localhost:3000");
    expect(text).toContain("http://localhost:3000/code");
    for (const account of summary.accounts) expect(text).toContain(account.password);
    // Synthetic only: no real-looking addresses.
    const emails = await db("client_contacts").pluck("email");
    expect(emails.every((e: string) => e.endsWith("@example.test"))).toBe(true);
  });

  it("refuses a database that is not empty, and production", async () => {
    await expect(createDemo(database.db, config(), catalog)).rejects.toBeInstanceOf(DemoRefusedError);
    const production = loadConfig({ NODE_ENV: "production", SESSION_SECRET: "s".repeat(40), BASE_URL: "https://lp.example.test", DATA_DIR: mkdtempSync(path.join(tmpdir(), "lp-demo-")), DATABASE_URL: database.url });
    await expect(createDemo(database.db, production, catalog)).rejects.toThrow(/productie/);
  });
});
