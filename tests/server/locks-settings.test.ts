// Leases and per-municipality settings on the real database (SQLite, or PostgreSQL with TEST_DATABASE_URL).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { acquireLease, withLease } from "../../server/locks/locks.service.ts";
import { defineSection, readSettings, readSettingsOfAll, writeSettings } from "../../server/settings/settings.service.ts";
import { saveSection } from "../../server/settings/settings.queries.ts";
import { createTestDatabase, testDialect, type TestDatabase } from "../helpers/database.ts";
import { makeMunicipality } from "../helpers/staff.ts";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database.destroy();
});

describe(`leases (${testDialect})`, () => {
  it("gives a lease to one holder at a time, and to the next once released", async () => {
    const first = await acquireLease(database.db, "planner", 60_000);
    expect(first).toBeDefined();
    expect(await acquireLease(database.db, "planner", 60_000)).toBeUndefined();
    expect(await first!.renew()).toBe(true);
    await first!.release();
    const second = await acquireLease(database.db, "planner", 60_000);
    expect(second).toBeDefined();
    await second!.release();
  });

  it("lets another holder take a lease that ran out, and the old holder notices", async () => {
    let now = new Date("2026-12-01T10:00:00Z");
    const clock = () => now;
    const stale = await acquireLease(database.db, "dispatch:email", 1_000, clock);
    now = new Date(now.getTime() + 5_000);
    const fresh = await acquireLease(database.db, "dispatch:email", 60_000, clock);
    expect(fresh).toBeDefined();
    expect(await stale!.renew()).toBe(false);
    await fresh!.release();
  });

  it("runs the work under withLease only when the lease is free", async () => {
    const held = await acquireLease(database.db, "busy", 60_000);
    expect(await withLease(database.db, "busy", 60_000, async () => "ran")).toBeUndefined();
    await held!.release();
    expect(await withLease(database.db, "busy", 60_000, async () => "ran")).toBe("ran");
    expect(await withLease(database.db, "busy", 60_000, async () => "again")).toBe("again");
  });

  it("hands one lease to exactly one of many simultaneous takers", async () => {
    const leases = await Promise.all(Array.from({ length: 8 }, () => acquireLease(database.db, "race", 60_000)));
    expect(leases.filter(Boolean)).toHaveLength(1);
  });
});

describe(`settings (${testDialect})`, () => {
  const section = defineSection(
    "example",
    z.object({
      waitDays: z.number().int().min(0).max(180).default(21),
      channels: z.array(z.enum(["email", "sms"])).default(["email", "sms"]),
    }),
  );

  it("gives the defaults until something is stored, then the stored value", async () => {
    const m = await makeMunicipality(database.db);
    expect(await readSettings(database.db, m.id, section)).toEqual({ waitDays: 21, channels: ["email", "sms"] });
    const saved = await writeSettings(database.db, m.id, section, { waitDays: 14 }, null);
    expect(saved).toEqual({ ok: true, value: { waitDays: 14, channels: ["email", "sms"] } });
    expect(await readSettings(database.db, m.id, section)).toEqual({ waitDays: 14, channels: ["email", "sms"] });
  });

  it("refuses a wrong value naming the field, and keeps what was stored", async () => {
    const m = await makeMunicipality(database.db);
    await writeSettings(database.db, m.id, section, { waitDays: 30 }, null);
    const refused = await writeSettings(database.db, m.id, section, { waitDays: -1, channels: ["fax"] }, null);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.problems.map((p) => p.field).sort()).toEqual(["channels.0", "waitDays"]);
    expect((await readSettings(database.db, m.id, section)).waitDays).toBe(30);
  });

  it("falls back to the default for a stored field that no longer fits, keeping the others", async () => {
    const m = await makeMunicipality(database.db);
    await saveSection(database.db, m.id, "example", { waitDays: "veel", channels: ["sms"] }, null);
    expect(await readSettings(database.db, m.id, section)).toEqual({ waitDays: 21, channels: ["sms"] });
    const all = await readSettingsOfAll(database.db, section);
    expect(all(m.id)).toEqual({ waitDays: 21, channels: ["sms"] });
    expect(all(999_999)).toEqual({ waitDays: 21, channels: ["email", "sms"] });
  });
});
