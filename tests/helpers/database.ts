// A fresh, migrated database per test file: a temporary SQLite file by default, or a new PostgreSQL
// database next to TEST_DATABASE_URL, dropped afterwards.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import knexPkg from "knex";
import { parseDatabaseUrl, type DatabaseConfig } from "../../server/config.ts";
import { createDb, migrateToLatest, type Db } from "../../server/db.ts";
import { testPostgresUrl } from "./services.ts";

export type TestDatabase = { db: Db; url: string; config: DatabaseConfig; destroy(): Promise<void> };

export const testDialect: "sqlite" | "postgres" = testPostgresUrl ? "postgres" : "sqlite";

/** A new, empty PostgreSQL database next to `baseUrl`, with a function that drops it. */
export async function createPostgresDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `lp_t_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = knexPkg({ client: "pg", connection: baseUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.raw(`drop database if exists ${name} with (force)`);
      await admin.destroy();
    },
  };
}

export async function createTestDatabase({ migrate = true } = {}): Promise<TestDatabase> {
  let url: string;
  let cleanup: () => Promise<void>;
  if (testPostgresUrl) {
    const created = await createPostgresDatabase(testPostgresUrl);
    url = created.url;
    cleanup = created.drop;
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), "luisterpost-test-"));
    url = `sqlite:${path.join(dir, "test.sqlite")}`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  const config = parseDatabaseUrl(url, process.cwd());
  if (typeof config === "string") throw new Error(config);
  const db = createDb(config);
  if (migrate) await migrateToLatest(db);
  return {
    db,
    url,
    config,
    async destroy() {
      await db.destroy();
      await cleanup();
    },
  };
}
