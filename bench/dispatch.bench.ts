// How fast 100,000 due e-mail invitations go out, and how much memory the process needs: a database with
// 100,000 conversations whose wait has passed, a real SMTP server (smtp-server, in this process) counting
// what arrives, and the platform's own process started as an operator would start it — `luisterpost serve`
// (in-process queue) or `luisterpost worker` (Bull on Redis). The clock runs from the process start (migrate,
// plan 100,000 invitations, dispatch) until the SMTP server has every message; the process's resident memory
// is sampled from /proc meanwhile. Target (issue 6): under 5 minutes with either driver; under 300 MB RSS
// (issue 9).
//
//   npx tsx bench/dispatch.bench.ts [rows]   runs it and prints the results as JSON
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import knexPkg from "knex";
import { SMTPServer } from "smtp-server";
import { parseDatabaseUrl } from "../server/config.ts";
import { createDb, migrateToLatest, toDbTime, type Db } from "../server/db.ts";
import { insertMunicipality } from "../server/municipalities/municipalities.queries.ts";
import { packageRoot } from "../server/paths.ts";
import { addDays, amsterdamDate } from "../server/time.ts";

export type DispatchBenchResult = {
  setup: string;
  invitations: number;
  received: number;
  planSeconds: number;
  totalSeconds: number;
  perSecond: number;
  peakRssMegabytes: number;
  duplicates: number;
};

const ROWS = 100_000;
const BASE_URL = "https://enquete.example.test";
const REDIS_DB_URL = `${(process.env.REDIS_URL || "redis://127.0.0.1:6379").replace(/\/\d*$/, "")}/13`;

async function seed(db: Db, rows: number): Promise<void> {
  const m = await insertMunicipality(db, { code: "GM9998", name: "Benchmarkgemeente" });
  const now = toDbTime(new Date());
  const heldOn = addDays(amsterdamDate(new Date()), -25);
  for (let start = 0; start < rows; start += 500) {
    const size = Math.min(500, rows - start);
    const ids = Array.from({ length: size }, (_, i) => start + i);
    await db.transaction(async (trx) => {
      const clients = await trx("clients")
        .insert(ids.map((i) => ({ municipality_id: m.id, external_id: `C-${i}`, birth_year: 1940 + (i % 50), language: "nl", created_at: now, updated_at: now })))
        .returning(["id", "external_id"]);
      const idOf = new Map(clients.map((c) => [c.external_id as string, c.id as number]));
      await trx("client_contacts").insert(ids.map((i) => ({ client_id: idOf.get(`C-${i}`), email: `client${i}@example.test`, updated_at: now })));
      await trx("conversations").insert(
        ids.map((i) => ({ municipality_id: m.id, client_id: idOf.get(`C-${i}`), external_id: `KTG-${i}`, law: "wmo", held_on: heldOn, team: "Sociaal Team Noord", source: "csv", created_at: now })),
      );
    });
  }
}

function rssOf(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return { rss: kb("VmRSS"), peak: kb("VmHWM") };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

type Setup = "in-process + SQLite (npm start: tsx)" | "in-process + SQLite (built: node dist)" | "Bull + SQLite" | "Bull + PostgreSQL";

/** The compiled build an operator runs in production (`npm run build`, then `node dist/server/cli.js`). */
function build(): void {
  const result = spawnSync(process.execPath, [path.join(packageRoot, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: packageRoot, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`npm run build failed (${result.status ?? result.signal})`);
}

export async function measureDispatch(setup: Setup, rows: number): Promise<DispatchBenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), "luisterpost-dispatch-bench-"));
  let databaseUrl = `sqlite:${path.join(dir, "bench.sqlite")}`;
  let dropPostgres: (() => Promise<void>) | undefined;
  if (setup === "Bull + PostgreSQL") {
    const base = process.env.BENCH_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/test";
    const name = `lp_bench_dispatch_${process.pid}`;
    const admin = knexPkg({ client: "pg", connection: base, pool: { min: 0, max: 1 } });
    await admin.raw(`drop database if exists ${name} with (force)`);
    await admin.raw(`create database ${name}`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropPostgres = async () => {
      await admin.raw(`drop database if exists ${name} with (force)`);
      await admin.destroy();
    };
  }
  const config = parseDatabaseUrl(databaseUrl, dir);
  if (typeof config === "string") throw new Error(config);
  const db = createDb(config);
  const received = new Map<string, number>();
  let count = 0;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    disableReverseLookup: true,
    logger: false,
    onRcptTo(address, _session, callback) {
      received.set(address.address, (received.get(address.address) ?? 0) + 1);
      callback();
    },
    onData(stream, _session, callback) {
      stream.on("data", () => undefined);
      stream.on("end", () => {
        count += 1;
        callback();
      });
    },
  });
  let child: ChildProcess | undefined;
  try {
    await migrateToLatest(db);
    await seed(db, rows);
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    const bull = setup.startsWith("Bull");
    if (bull) await new Redis(REDIS_DB_URL).flushdb().then(() => undefined);
    const started = performance.now();
    const built = setup.includes("built");
    const command = built ? ["dist/server/cli.js"] : ["--import", "tsx", "server/cli.ts"];
    child = spawn(process.execPath, [...command, bull ? "worker" : "serve"], {
      cwd: packageRoot,
      stdio: ["ignore", "ignore", "inherit"],
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? dir,
        // The built process runs as in production; the others as `npm start` does on a laptop.
        NODE_ENV: built ? "production" : "development",
        LOG_LEVEL: "warn",
        DATA_DIR: dir,
        DATABASE_URL: databaseUrl,
        SMTP_URL: `smtp://127.0.0.1:${port}`,
        MAIL_FROM: "Luisterpost <noreply@example.test>",
        BASE_URL,
        PORT: "0",
        SESSION_SECRET: "bench-secret-bench-secret-bench-secret-0123",
        // The providers' limit is a setting; here it is set high, to measure what the platform itself can do.
        MAIL_RATE_PER_SECOND: "5000",
        ...(bull ? { REDIS_URL: REDIS_DB_URL } : {}),
      },
    });
    let peak = 0;
    let planSeconds = 0;
    const deadline = started + 15 * 60_000;
    while (count < rows) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      peak = Math.max(peak, rssOf(child.pid!).rss, rssOf(child.pid!).peak);
      if (!planSeconds) {
        const [row] = await db("invitations").count({ n: "*" });
        if (Number(row?.n) >= rows) planSeconds = (performance.now() - started) / 1000;
      }
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the ${bull ? "worker" : "serve"} process exited (${child.exitCode ?? child.signalCode})`);
      if (performance.now() > deadline) throw new Error(`only ${count} of ${rows} messages after 15 minutes`);
    }
    const totalSeconds = (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const duplicates = [...received.values()].reduce((sum, n) => sum + (n - 1), 0);
    return { setup, invitations: rows, received: count, planSeconds, totalSeconds, perSecond: rows / totalSeconds, peakRssMegabytes: peak / 1024, duplicates };
  } finally {
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await Promise.race([once(child, "exit"), new Promise((resolve) => setTimeout(resolve, 20_000))]);
    }
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await db.destroy();
    await dropPostgres?.();
    if (setup.startsWith("Bull")) await new Redis(REDIS_DB_URL).flushdb().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchDispatch(rows = ROWS): Promise<DispatchBenchResult[]> {
  build();
  const results = [
    await measureDispatch("in-process + SQLite (built: node dist)", rows),
    await measureDispatch("in-process + SQLite (npm start: tsx)", rows),
    await measureDispatch("Bull + SQLite", rows),
  ];
  try {
    results.push(await measureDispatch("Bull + PostgreSQL", rows));
  } catch (err) {
    process.stderr.write(`dispatch on PostgreSQL skipped: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  return results;
}

export function dispatchTable(results: DispatchBenchResult[]): string {
  return [
    "| setup | invitations | received | planned after | all sent after | messages/s | peak RSS | duplicates |",
    "|---|---|---|---|---|---|---|---|",
    ...results.map(
      (r) =>
        `| ${r.setup} | ${r.invitations.toLocaleString("en")} | ${r.received.toLocaleString("en")} | ${r.planSeconds.toFixed(1)} s | ${r.totalSeconds.toFixed(1)} s | ${r.perSecond.toFixed(0)} | ${r.peakRssMegabytes.toFixed(0)} MB | ${r.duplicates} |`,
    ),
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const rows = Number(process.argv[2] ?? ROWS);
  benchDispatch(rows).then(
    (results) => process.stdout.write(`${JSON.stringify(results, null, 2)}\n${dispatchTable(results)}\n`),
    (err: unknown) => {
      process.stderr.write(`dispatch benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
