// Runs against SQLite by default and against PostgreSQL when TEST_DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  countOf,
  fromDbTime,
  fromJson,
  isPostgres,
  migrateToLatest,
  pendingMigrations,
  rollbackAll,
  toBool,
  toDbTime,
  toJson,
  waitForIdlePool,
  whereContains,
} from "../../server/db.ts";
import { createTestDatabase, testDialect, type TestDatabase } from "../helpers/database.ts";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase({ migrate: false });
  await database.db.schema.createTable("dialect_probe", (t) => {
    t.increments("id");
    t.string("name");
    t.boolean("flag");
    t.timestamp("at", { useTz: true });
    t.date("day");
    t.text("payload");
  });
});

afterAll(async () => {
  await database.destroy();
});

describe(`database (${testDialect})`, () => {
  it("connects with the dialect the URL names", () => {
    expect(isPostgres(database.db)).toBe(testDialect === "postgres");
  });

  // Defined only for SQLite rather than skipped on PostgreSQL: a CI run reports no skipped tests.
  if (testDialect === "sqlite") it("sets the SQLite pragmas on the connection", async () => {
    const journal = await database.db.raw("PRAGMA journal_mode");
    const foreignKeys = await database.db.raw("PRAGMA foreign_keys");
    const busy = await database.db.raw("PRAGMA busy_timeout");
    expect(journal[0].journal_mode).toBe("wal");
    expect(foreignKeys[0].foreign_keys).toBe(1);
    expect(Object.values(busy[0])[0]).toBe(5000);
  });

  it("migrates up, records names without extension, rolls back and migrates again", async () => {
    const db = database.db;
    expect((await pendingMigrations(db)).length).toBeGreaterThan(0);
    const applied = await migrateToLatest(db);
    expect(applied.length).toBeGreaterThan(0);
    expect(applied.every((name) => /^\d{14}_[a-z0-9_-]+$/.test(name))).toBe(true);
    const recorded = await db("knex_migrations").pluck("name");
    expect(recorded).toEqual(applied);
    expect(await migrateToLatest(db)).toEqual([]);
    expect(await pendingMigrations(db)).toEqual([]);
    expect(await db.schema.hasTable("municipalities")).toBe(true);

    await rollbackAll(db);
    expect(await db.schema.hasTable("municipalities")).toBe(false);
    expect(await migrateToLatest(db)).toEqual(applied);
  });

  it("enforces a unique municipality code", async () => {
    const now = toDbTime(new Date());
    const row = { code: "GM0327", name: "Leusden", theme: "{}", created_at: now, updated_at: now };
    await database.db("municipalities").insert(row);
    await expect(database.db("municipalities").insert(row)).rejects.toThrow();
  });

  it("round-trips moments through toDbTime and fromDbTime", async () => {
    const moment = new Date("2026-10-01T07:30:15.123Z");
    const [{ id }] = await database.db("dialect_probe").insert({ at: toDbTime(moment) }).returning("id");
    const row = await database.db("dialect_probe").where({ id }).first();
    expect(fromDbTime(row.at)?.toISOString()).toBe(moment.toISOString());
    const later = await database.db("dialect_probe").where("at", ">", toDbTime(new Date("2026-10-01T07:30:15.000Z"))).pluck("id");
    expect(later).toContain(id);
  });

  it("returns DATE columns as YYYY-MM-DD strings", async () => {
    const [{ id }] = await database.db("dialect_probe").insert({ day: "2026-10-01" }).returning("id");
    const row = await database.db("dialect_probe").where({ id }).first();
    expect(row.day).toBe("2026-10-01");
  });

  it("normalises booleans, JSON and counts", async () => {
    await database.db("dialect_probe").insert([
      { name: "a", flag: true, payload: toJson({ answers: [5, 4], note: "é" }) },
      { name: "b", flag: false, payload: toJson(null) },
    ]);
    const rows = await database.db("dialect_probe").whereIn("name", ["a", "b"]).orderBy("name");
    expect(rows.map((r) => toBool(r.flag))).toEqual([true, false]);
    expect(fromJson(rows[0].payload)).toEqual({ answers: [5, 4], note: "é" });
    expect(fromJson(rows[1].payload)).toBeNull();
    const count = countOf(await database.db("dialect_probe").whereIn("name", ["a", "b"]).count({ count: "*" }));
    expect(count).toBe(2);
    expect(typeof count).toBe("number");
  });

  it("searches case-insensitively and treats wildcards in the term literally", async () => {
    await database.db("dialect_probe").insert([{ name: "Sociaal Team Noord" }, { name: "sociaal team zuid" }, { name: "Team 100%" }, { name: "Team 1000" }]);
    const find = async (term: string) => (await whereContains(database.db("dialect_probe").select("name"), "name", term).orderBy("name")).map((r: { name: string }) => r.name);
    expect(await find("SOCIAAL team")).toEqual(["Sociaal Team Noord", "sociaal team zuid"]);
    expect(await find("100%")).toEqual(["Team 100%"]);
    expect(await find("_eam")).toEqual([]);
  });
});

describe(`waiting for the pool (${testDialect})`, () => {
  it("waits while a transaction holds a connection and says when the pool is idle", async () => {
    const db = database.db;
    expect(await waitForIdlePool(db, 100)).toBe(true);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const transaction = db.transaction(async (trx) => {
      await trx("dialect_probe").insert({ name: "pool" });
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await waitForIdlePool(db, 100), "a running transaction keeps the pool busy").toBe(false);
    const waiting = waitForIdlePool(db, 5_000);
    setTimeout(release, 100);
    expect(await waiting).toBe(true);
    await transaction;
  });
});

describe("dialect helpers", () => {
  it("reads every shape a driver returns for a moment", () => {
    expect(fromDbTime(null)).toBeNull();
    expect(fromDbTime(1_790_000_000_000)?.getTime()).toBe(1_790_000_000_000);
    expect(fromDbTime("2026-10-01 07:30:15")?.toISOString()).toBe("2026-10-01T07:30:15.000Z");
    expect(fromDbTime("2026-10-01T07:30:15.000Z")?.toISOString()).toBe("2026-10-01T07:30:15.000Z");
    expect(() => fromDbTime({})).toThrow(TypeError);
  });

  it("reads booleans from either dialect", () => {
    expect([1, true, "1", "t", "true"].map(toBool)).toEqual([true, true, true, true, true]);
    expect([0, false, null, undefined, "0", "f"].map(toBool)).toEqual([false, false, false, false, false, false]);
  });
});
