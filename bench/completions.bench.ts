// Respondent completions per second over HTTP: the all-in-one process (`luisterpost serve`, SQLite, in-process
// queue, NODE_ENV=production) takes `POST /s/<token>/complete` from autocannon (50 connections), each request
// a different invitation with a full, valid Wmo questionnaire — server-side validation (survey-core plus our
// checks), the completing transaction and its steps (cancelled reminders, follow-up rule, report facts) all
// run. A bare Express endpoint (JSON body in, 200 out) is measured in the same run for comparison. Afterwards
// the database is counted: every 200 is exactly one completed response. Target (issue 9): at least 1,000
// completions/s with p99 under 100 ms.
//
//   npx tsx bench/completions.bench.ts      runs it and prints the results as JSON
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import autocannon from "autocannon";
import { parseDatabaseUrl } from "../server/config.ts";
import { countOf, createDb, migrateToLatest } from "../server/db.ts";
import { csrfTokenFor } from "../server/middleware/csrf.ts";
import { packageRoot } from "../server/paths.ts";
import { seedSentInvitations, wmoAnswers } from "../tests/helpers/seed.ts";

export type CompletionBenchResult = {
  name: string;
  connections: number;
  durationS: number;
  requestsPerSecond: number;
  p50Ms: number;
  p97_5Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  /** Completed responses counted in the database afterwards (the completion endpoint only). */
  stored?: number;
};

const CONNECTIONS = 50;
const DURATION_S = 15;
const INVITATIONS = 60_000;
const SECRET = "bench-secret-bench-secret-bench-secret-0123";
const CSRF_COOKIE_VALUE = "b".repeat(43);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function waitFor(url: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function load(name: string, url: string, setup: (n: number) => { path: string; body: string }, headers: Record<string, string>, durationS = DURATION_S): Promise<CompletionBenchResult & { used: number }> {
  let n = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: durationS,
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    requests: [
      {
        setupRequest: (req) => {
          const next = setup(n++);
          return { ...req, path: next.path, body: next.body };
        },
      },
    ],
  });
  return {
    name,
    used: n,
    connections: CONNECTIONS,
    durationS,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p97_5Ms: result.latency.p97_5,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill("SIGTERM");
  await Promise.race([once(child, "exit"), new Promise((resolve) => setTimeout(resolve, 15_000))]);
}

export async function benchCompletions(): Promise<CompletionBenchResult[]> {
  const dir = mkdtempSync(path.join(tmpdir(), "luisterpost-completions-"));
  const databaseUrl = `sqlite:${path.join(dir, "bench.sqlite")}`;
  const config = parseDatabaseUrl(databaseUrl, dir);
  if (typeof config === "string") throw new Error(config);
  const db = createDb(config);
  const children: ChildProcess[] = [];
  try {
    await migrateToLatest(db);
    const { tokens } = await seedSentInvitations(db, INVITATIONS);
    await db.destroy();

    const barePort = await freePort();
    const bare = spawn(process.execPath, ["--import", "tsx", "bench/bare-express.ts", String(barePort)], { cwd: packageRoot, stdio: ["ignore", "ignore", "inherit"] });
    children.push(bare);
    const port = await freePort();
    const serve = spawn(process.execPath, ["--import", "tsx", "server/cli.ts", "serve"], {
      cwd: packageRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", LOG_LEVEL: "warn", PORT: String(port), DATABASE_URL: databaseUrl, DATA_DIR: dir, SESSION_SECRET: SECRET, BASE_URL: "https://bench.invalid" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    children.push(serve);
    await waitFor(`http://127.0.0.1:${barePort}/`);
    await waitFor(`http://127.0.0.1:${port}/healthz`);

    const body = (n: number) => JSON.stringify({ answers: wmoAnswers(n), locale: "nl" });
    const bareResult = await load("bare Express: POST with a JSON body, 200", `http://127.0.0.1:${barePort}`, (n) => ({ path: `/complete/${n}`, body: body(n) }), {});
    const headers = { cookie: `lp_csrf=${CSRF_COOKIE_VALUE}`, "x-csrf-token": csrfTokenFor(SECRET, CSRF_COOKIE_VALUE) };
    // A short warm-up on the first tokens (the JIT, SQLite's page cache), then the measurement on fresh ones.
    const warmUp = await load("warm-up", `http://127.0.0.1:${port}`, (n) => ({ path: `/s/${tokens[n]}/complete`, body: body(n) }), headers, 3);
    const first = warmUp.used;
    const check = createDb(config);
    const completedBefore = countOf(await check("responses").where({ status: "completed" }).count({ count: "*" }));
    const completions = await load(
      "POST /s/<token>/complete (validation, transaction, follow-up rule, report facts)",
      `http://127.0.0.1:${port}`,
      (n) => {
        const token = tokens[first + n];
        if (!token) throw new Error("the benchmark ran out of invitations; raise INVITATIONS");
        return { path: `/s/${token}/complete`, body: body(n) };
      },
      headers,
    );
    await stop(serve);
    completions.stored = countOf(await check("responses").where({ status: "completed" }).count({ count: "*" })) - completedBefore;
    await check.destroy();
    return [bareResult, completions].map(({ used: _used, ...r }) => r);
  } finally {
    for (const child of children) await stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

export function completionsTable(results: CompletionBenchResult[]): string {
  return [
    "| endpoint | connections | duration | requests/s | p50 | p97.5 | p99 | errors | non-2xx | stored |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...results.map(
      (r) => `| ${r.name} | ${r.connections} | ${r.durationS} s | ${r.requestsPerSecond.toFixed(0)} | ${r.p50Ms} ms | ${r.p97_5Ms} ms | ${r.p99Ms} ms | ${r.errors} | ${r.non2xx} | ${r.stored ?? ""} |`,
    ),
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  benchCompletions().then(
    (results) => process.stdout.write(`${JSON.stringify(results, null, 2)}\n${completionsTable(results)}\n`),
    (err: unknown) => {
      process.stderr.write(`completions benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
