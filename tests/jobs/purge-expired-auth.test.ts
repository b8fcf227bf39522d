import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { purgeExpiredAuth } from "../../jobs/purge-expired-auth.job.ts";
import { SCHEDULES } from "../../jobs/schedules.ts";
import { createQueue } from "../../jobs/queue.ts";
import { defineJobs, installSchedules } from "../../jobs/index.ts";
import { makeJobDeps } from "../helpers/jobs.ts";
import { toDbTime } from "../../server/db.ts";
import { createLogger } from "../../server/logger.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { makeMunicipality, makeUser } from "../helpers/staff.ts";
import { purgeImportRejections } from "../../jobs/purge-import-rejections.job.ts";
import { insertImport, insertRejections, updateImport } from "../../server/intake/imports.queries.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.destroy();
});

const minutesAgo = (now: Date, minutes: number) => toDbTime(new Date(now.getTime() - minutes * 60_000));

describe("purge-expired-auth job", () => {
  it("removes idle and expired sessions, dead links and old rate-limit windows, and keeps the rest", async () => {
    const db = database.db;
    const now = new Date();
    const { user } = await makeUser(db);
    const session = (id: string, lastSeenMinutesAgo: number, expiresInMinutes: number) => ({
      id_hash: id.padEnd(64, "0"),
      user_id: user.id,
      stage: "active",
      created_at: minutesAgo(now, 60),
      last_seen_at: minutesAgo(now, lastSeenMinutesAgo),
      expires_at: minutesAgo(now, -expiresInMinutes),
    });
    await db("sessions").insert([session("a", 5, 600), session("b", 31, 600), session("c", 1, -1)]);
    const token = (hash: string, expiresMinutesAgo: number, usedMinutesAgo: number | null) => ({
      user_id: user.id,
      purpose: "password-reset",
      token_hash: hash.padEnd(64, "0"),
      expires_at: minutesAgo(now, expiresMinutesAgo),
      used_at: usedMinutesAgo === null ? null : minutesAgo(now, usedMinutesAgo),
      created_at: minutesAgo(now, expiresMinutesAgo + 60),
    });
    const month = 31 * 24 * 60;
    await db("auth_tokens").insert([token("d", -30, null), token("e", month, null), token("f", -30, month), token("g", 10, null)]);
    const nowS = Math.floor(now.getTime() / 1000);
    await db("rate_limits").insert([
      { bucket: "login-ip", key: "127.0.0.1", window_start: nowS - 60, hits: 3, last_hit_at: toDbTime(now) },
      { bucket: "login-ip", key: "127.0.0.1", window_start: nowS - 3 * 86_400, hits: 9, last_hit_at: toDbTime(now) },
    ]);

    expect(await purgeExpiredAuth(db, now)).toEqual({ sessions: 2, tokens: 2, rateLimitWindows: 1 });
    expect((await db("sessions").pluck("id_hash")).map((h: string) => h[0])).toEqual(["a"]);
    expect((await db("auth_tokens").orderBy("token_hash").pluck("token_hash")).map((h: string) => h[0])).toEqual(["d", "g"]);
    expect(await db("rate_limits").pluck("hits")).toEqual([3]);
  });

  it("is scheduled and runs through the queue", async () => {
    expect(SCHEDULES.map((s) => s.name)).toContain("purge-expired-auth");
    const logger = createLogger({ logLevel: "silent", isProduction: false });
    const queue = createQueue({ logger });
    defineJobs(queue, makeJobDeps(database.db, database.url, logger));
    await installSchedules(queue);
    await queue.start();
    const { user } = await makeUser(database.db);
    await database.db("sessions").insert({
      id_hash: "z".repeat(64),
      user_id: user.id,
      stage: "active",
      created_at: toDbTime(new Date(Date.now() - 3_600_000)),
      last_seen_at: toDbTime(new Date(Date.now() - 3_600_000)),
      expires_at: toDbTime(new Date(Date.now() + 3_600_000)),
    });
    await queue.add("purge-expired-auth", {});
    for (let i = 0; i < 100 && (await database.db("sessions").where({ id_hash: "z".repeat(64) })).length > 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await database.db("sessions").where({ id_hash: "z".repeat(64) })).toHaveLength(0);
    await queue.close();
  });
});

describe("purge-import-rejections job", () => {
  it("deletes rejected rows of imports finished more than 30 days ago, and keeps recent ones", async () => {
    const db = database.db;
    const m = await makeMunicipality(db);
    const now = new Date();
    const old = await insertImport(db, { municipalityId: m.id, filename: "oud.csv", status: "done", sizeBytes: 1, uploadFile: null, createdByUserId: null });
    const recent = await insertImport(db, { municipalityId: m.id, filename: "nieuw.csv", status: "done", sizeBytes: 1, uploadFile: null, createdByUserId: null });
    await updateImport(db, old, { finishedAt: new Date(now.getTime() - 31 * 86_400_000) });
    await updateImport(db, recent, { finishedAt: new Date(now.getTime() - 86_400_000) });
    await insertRejections(db, old, [{ line: 2, column: "email", reason: "Het e-mailadres is geen geldig e-mailadres.", raw: "KTG-1;C-1;wmo" }]);
    await insertRejections(db, recent, [{ line: 3, column: "email", reason: "Het e-mailadres is geen geldig e-mailadres.", raw: "KTG-2;C-2;wmo" }]);
    expect(await purgeImportRejections(db, now)).toBe(1);
    expect(await db("import_rejections").pluck("import_id")).toEqual([recent]);
    expect(SCHEDULES.map((s) => s.name)).toContain("purge-import-rejections");
  });
});
