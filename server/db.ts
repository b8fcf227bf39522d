// The knex instance and the few helpers that hide the differences between SQLite and PostgreSQL.
// Queries call these helpers instead of branching on the dialect themselves.
import { mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import knexPkg, { type Knex } from "knex";
import pg from "pg";
import type { DatabaseConfig } from "./config.ts";
import { migrationsDir } from "./paths.ts";

export type Db = Knex;
export type { Knex };

// node-postgres turns DATE into a JavaScript Date at local midnight (a day off in some time zones) and
// BIGINT (what count() returns) into a string. Dates stay 'YYYY-MM-DD' strings, as SQLite returns them,
// and counts become numbers.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number.parseInt(value, 10));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value: string) => Number.parseFloat(value));

/** Raised when the database cannot be reached or opened; the message names DATABASE_URL and the cause. */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = "DatabaseUnavailableError";
  }
}

// knex prints its warnings with console.log: on stdout, and a failed connection with its stack trace. Its
// warnings go to stderr instead; connection failures are left to the callers, which report them in plain
// words (assertDatabaseReachable, pingDatabase) or as the failed query's error.
const knexLog = {
  warn(message: unknown) {
    const text = String(message);
    if (!text.startsWith("Acquire connection error")) process.stderr.write(`knex: ${text}\n`);
  },
};

export function createDb(config: DatabaseConfig): Db {
  if (config.client === "sqlite") {
    if (config.filename !== ":memory:") mkdirSync(path.dirname(config.filename), { recursive: true });
    return knexPkg({
      client: "sqlite3",
      connection: { filename: config.filename },
      useNullAsDefault: true,
      // SQLite has one writer at a time. A single connection avoids SQLITE_BUSY on lock upgrades inside
      // transactions; WAL keeps that writer from blocking readers of the file in other processes.
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: { exec(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, conn: unknown) => void) {
          conn.exec(
            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;",
            (err) => done(err, conn),
          );
        },
      },
      acquireConnectionTimeout: 30_000,
      log: knexLog,
    });
  }
  return knexPkg({
    client: "pg",
    connection: { connectionString: config.connectionString, connectionTimeoutMillis: 5_000 },
    pool: { min: 0, max: 10 },
    acquireConnectionTimeout: 10_000,
    log: knexLog,
  });
}

export function isPostgres(db: Db): boolean {
  return db.client.config.client === "pg";
}

function describeTarget(config: DatabaseConfig): string {
  if (config.client === "sqlite") return `SQLite-bestand ${config.filename}`;
  try {
    const url = new URL(config.connectionString);
    return `PostgreSQL op ${url.hostname}:${url.port || "5432"}, database ${url.pathname.slice(1)}`;
  } catch {
    return "PostgreSQL";
  }
}

/** Turns a driver error into a plain Dutch cause, without credentials. */
export function describeConnectionError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  switch (e?.code) {
    case "ECONNREFUSED":
      return "verbinding geweigerd (draait de server?)";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "servernaam niet gevonden";
    case "ETIMEDOUT":
      return "geen antwoord binnen de wachttijd";
    case "3D000":
      return "de database bestaat niet";
    case "28P01":
    case "28000":
      return "inloggen geweigerd (gebruiker of wachtwoord klopt niet)";
    case "SQLITE_CANTOPEN":
      return "het bestand kan niet worden geopend of aangemaakt";
    case "SQLITE_NOTADB":
      return "het bestand is geen SQLite-database";
    default:
      if (e?.message?.includes("Knex: Timeout acquiring a connection")) return "geen verbinding binnen de wachttijd";
      if (e?.message?.toLowerCase().includes("timeout")) return "geen antwoord binnen de wachttijd";
      return (e?.message ?? String(err)).split("\n", 1)[0]!.replace(/\/\/[^@/]*@/, "//***@").slice(0, 200);
  }
}

/**
 * Waits until no connection of the pool is in use and none is being waited for, or `ms` has passed. A request
 * whose client went away still runs to its end; destroying the pool under it would abort its transaction.
 * Returns whether the pool became idle.
 */
export async function waitForIdlePool(db: Db, ms: number): Promise<boolean> {
  const pool = (db.client as { pool?: { numUsed(): number; numPendingAcquires(): number } }).pool;
  if (!pool) return true;
  const deadline = Date.now() + ms;
  while (pool.numUsed() > 0 || pool.numPendingAcquires() > 0) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/** Checks that the database answers; throws DatabaseUnavailableError naming DATABASE_URL and the cause. */
export async function assertDatabaseReachable(db: Db, config: DatabaseConfig): Promise<void> {
  try {
    await db.raw("select 1 as ok");
  } catch (err) {
    throw new DatabaseUnavailableError(`DATABASE_URL: ${describeTarget(config)} is niet bereikbaar: ${describeConnectionError(err)}`, err);
  }
}

export async function pingDatabase(db: Db): Promise<{ ok: true } | { ok: false; error: string }> {
  try {
    await db.raw("select 1 as ok");
    return { ok: true };
  } catch (err) {
    return { ok: false, error: describeConnectionError(err) };
  }
}

// --- Migrations --------------------------------------------------------------------------------------

const MIGRATION_FILE = /^(\d{14}_[a-z0-9_-]+)\.(ts|js)$/;

/**
 * Lists migrations by name without extension, so a database migrated from source (.ts, tsx) and one
 * migrated by the built package (.js) record the same names.
 */
class MigrationSource implements Knex.MigrationSource<string> {
  constructor(private readonly dir: string) {}

  async getMigrations(): Promise<string[]> {
    const names = new Set<string>();
    for (const file of readdirSync(this.dir)) {
      const match = MIGRATION_FILE.exec(file);
      if (match && !file.endsWith(".d.ts")) names.add(match[1]!);
    }
    return [...names].sort();
  }

  getMigrationName(name: string): string {
    return name;
  }

  async getMigration(name: string): Promise<Knex.Migration> {
    const files = readdirSync(this.dir);
    const file = files.find((f) => f === `${name}.ts`) ?? files.find((f) => f === `${name}.js`);
    if (!file) throw new Error(`Migration ${name} not found in ${this.dir}`);
    return (await import(pathToFileURL(path.join(this.dir, file)).href)) as Knex.Migration;
  }
}

function migratorConfig(): Knex.MigratorConfig {
  return { migrationSource: new MigrationSource(migrationsDir), tableName: "knex_migrations" };
}

/**
 * Runs pending migrations. Several processes may start at once against one PostgreSQL database: knex's
 * migration lock lets one of them migrate, and the others wait here until it has finished.
 */
export async function migrateToLatest(db: Db, { waitForLockMs = 60_000 } = {}): Promise<string[]> {
  const started = Date.now();
  for (;;) {
    try {
      const [, applied] = (await db.migrate.latest(migratorConfig())) as [number, string[]];
      return applied;
    } catch (err) {
      const locked = err instanceof Error && err.name === "MigrationLocked";
      if (!locked || Date.now() - started > waitForLockMs) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

export async function rollbackAll(db: Db): Promise<void> {
  await db.migrate.rollback(migratorConfig(), true);
}

export async function pendingMigrations(db: Db): Promise<string[]> {
  const [, pending] = (await db.migrate.list(migratorConfig())) as [unknown[], Array<{ file: string } | string>];
  return pending.map((m) => (typeof m === "string" ? m : m.file));
}

// --- Immutable rows ------------------------------------------------------------------------------------

/**
 * A process-wide memo for rows that never change once written (questionnaire versions, invariant 7), kept per
 * database: ids repeat across databases (test runs, a second installation in one process), rows do not.
 */
export function immutableRowCache<T>(limit = 500): { get(db: Db | Knex.Transaction, id: number, load: () => Promise<T | undefined>): Promise<T | undefined> } {
  const entries = new Map<string, T>();
  return {
    async get(db, id, load) {
      const key = `${JSON.stringify(db.client.config.connection)}#${id}`;
      const kept = entries.get(key);
      if (kept !== undefined) return kept;
      const value = await load();
      if (value === undefined) return undefined;
      if (entries.size >= limit) entries.delete(entries.keys().next().value!);
      entries.set(key, value);
      return value;
    },
  };
}

// --- Dialect helpers ---------------------------------------------------------------------------------

/** A moment as stored: ISO 8601 in UTC. PostgreSQL parses it into timestamptz; SQLite compares it as text. */
export function toDbTime(date: Date): string {
  return date.toISOString();
}

const SQLITE_DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/;

/** PostgreSQL returns Date, SQLite a string (or an epoch number when a Date was bound directly). */
export function fromDbTime(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === "number") return new Date(value);
  if (typeof value === "string") {
    // SQLite's CURRENT_TIMESTAMP is UTC without a zone designator.
    return new Date(SQLITE_DATETIME.test(value) ? `${value.replace(" ", "T")}Z` : value);
  }
  throw new TypeError(`Not a database time: ${typeof value}`);
}

/** SQLite stores booleans as 0/1, PostgreSQL returns true/false. */
export function toBool(value: unknown): boolean {
  return value === true || value === 1 || value === "1" || value === "t" || value === "true";
}

/** Both dialects accept JSON text on insert (PostgreSQL casts it to json/jsonb). */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

/** PostgreSQL returns json columns parsed, SQLite returns the text. */
export function fromJson<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return JSON.parse(value) as T;
  return value as T;
}

/** count() comes back as a number (SQLite, or PostgreSQL with the INT8 parser above) or a string. */
export function toCount(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string") return Number.parseInt(value, 10);
  if (typeof value === "bigint") return Number(value);
  return 0;
}

/** Reads the single count from `select count(*) as count …`. */
export function countOf(rows: Array<{ count?: unknown }>): number {
  return toCount(rows[0]?.count);
}

function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Case-insensitive "contains" on both dialects. PostgreSQL's LIKE is case-sensitive and SQLite's is not,
 * so both sides are lowered; wildcards in the search term are escaped.
 */
export function whereContains(builder: Knex.QueryBuilder, column: string, term: string): Knex.QueryBuilder {
  const pattern = `%${escapeLike(term.toLowerCase())}%`;
  return builder.whereRaw("lower(??) like ? escape '\\'", [column, pattern]);
}

/**
 * Row locks for claiming work: PostgreSQL skips rows another transaction holds (FOR UPDATE SKIP LOCKED);
 * SQLite has a single writer, so a claim inside one statement or transaction is already exclusive.
 */
export function skipLocked(db: Db, builder: Knex.QueryBuilder): Knex.QueryBuilder {
  return isPostgres(db) ? builder.forUpdate().skipLocked() : builder;
}

/** whereContains joined with OR, for searching several columns at once. */
export function orWhereContains(builder: Knex.QueryBuilder, column: string, term: string): Knex.QueryBuilder {
  const pattern = `%${escapeLike(term.toLowerCase())}%`;
  return builder.orWhereRaw("lower(??) like ? escape '\\'", [column, pattern]);
}
