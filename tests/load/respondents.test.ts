// Load: 200 simulated respondents at the same time, for 60 s, against the all-in-one process (`luisterpost
// serve`, SQLite, in-process queue) in its own process. Each opens the questionnaire page, loads its state,
// saves progress twice and completes; one in ten clicks "complete" twice at once. Nothing may fail, and the
// database is counted afterwards: every completion that was answered 200 is exactly one completed response
// with the answers sent, nothing is lost and nothing doubled. Runs in the SQLite pass of CI (this is the
// all-in-one setup); the figures it prints are for information, the benchmarks measure throughput.
import { createServer } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../server/config.ts";
import { countOf, createDb, fromJson, migrateToLatest, type Db } from "../../server/db.ts";
import { createCliRunner, until, type Cli } from "../helpers/cli.ts";
import { seedSentInvitations, wmoAnswers } from "../helpers/seed.ts";

const RESPONDENTS = 200;
const DURATION_MS = 60_000;
const INVITATIONS = 30_000;

const runner = createCliRunner();
let db: Db;
let server: Cli;
let base = "";
let tokens: string[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

beforeAll(async () => {
  const url = `sqlite:${path.join(runner.freshDir(), "load.sqlite")}`;
  const config = parseDatabaseUrl(url, process.cwd());
  if (typeof config === "string") throw new Error(config);
  db = createDb(config);
  await migrateToLatest(db);
  tokens = (await seedSentInvitations(db, INVITATIONS)).tokens;
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = runner.start(["serve"], runner.env({ DATABASE_URL: url, PORT: String(port), BASE_URL: base, SESSION_SECRET: "l".repeat(40), LOG_LEVEL: "warn" }));
  await until(server, () => "the server to answer /healthz", 60_000, async () => {
    try {
      return (await fetch(`${base}/healthz`)).ok ? true : undefined;
    } catch {
      return undefined;
    }
  });
}, 120_000);

afterAll(async () => {
  await runner.cleanup();
  await db?.destroy();
  runner.remove();
});

type Tally = { completed: Map<string, number>; progress: number; failures: string[]; requests: number; doubleClicks: number; latencies: number[] };

async function respondent(tally: Tally, next: () => number | undefined, deadline: number): Promise<void> {
  for (;;) {
    if (Date.now() > deadline) return;
    const n = next();
    if (n === undefined) return;
    const token = tokens[n]!;
    const started = Date.now();
    const fail = (what: string, status: number | string) => tally.failures.push(`${what}: ${status}`);
    try {
      const page = await fetch(`${base}/s/${token}`);
      tally.requests += 1;
      const html = await page.text();
      if (page.status !== 200) {
        fail("page", page.status);
        continue;
      }
      const csrf = /data-csrf-token="([^"]+)"/.exec(html)?.[1] ?? "";
      const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0]!;
      const headers = { "content-type": "application/json", accept: "application/json", "x-csrf-token": csrf, cookie };
      const state = await fetch(`${base}/s/${token}/survey.json`, { headers: { cookie } });
      tally.requests += 1;
      if (state.status !== 200) fail("survey.json", state.status);
      await state.arrayBuffer();
      const answers = wmoAnswers(n);
      const keys = Object.keys(answers);
      for (const [i, part] of [keys.slice(0, 5), keys.slice(0, 10)].entries()) {
        const saved = await fetch(`${base}/s/${token}/progress`, { method: "POST", headers, body: JSON.stringify({ answers: Object.fromEntries(part.map((k) => [k, answers[k]])), currentPage: i + 1 }) });
        tally.requests += 1;
        if (saved.status !== 204) fail("progress", saved.status);
        else tally.progress += 1;
        await saved.arrayBuffer();
      }
      const complete = () => fetch(`${base}/s/${token}/complete`, { method: "POST", headers, body: JSON.stringify({ answers, locale: "nl" }) });
      const double = n % 10 === 3;
      if (double) tally.doubleClicks += 1;
      const results = await Promise.all(double ? [complete(), complete()] : [complete()]);
      tally.requests += results.length;
      const statuses = results.map((r) => r.status);
      for (const r of results) await r.arrayBuffer();
      // A double click: one completes, the other is told it is done already (200 or 409, never a second response).
      if (!statuses.includes(200) || statuses.some((s) => s !== 200 && s !== 409)) fail("complete", statuses.join("+"));
      else tally.completed.set(token, n);
      tally.latencies.push(Date.now() - started);
    } catch (err) {
      fail("network", err instanceof Error ? err.message : String(err));
    }
  }
}

describe("200 respondents at once for 60 s on the all-in-one process (SQLite)", () => {
  it("answers every request, and stores every completed questionnaire exactly once", { timeout: 180_000 }, async () => {
    const tally: Tally = { completed: new Map(), progress: 0, failures: [], requests: 0, doubleClicks: 0, latencies: [] };
    let cursor = 0;
    const next = () => (cursor < tokens.length ? cursor++ : undefined);
    const deadline = Date.now() + DURATION_MS;
    await Promise.all(Array.from({ length: RESPONDENTS }, () => respondent(tally, next, deadline)));
    const sorted = [...tally.latencies].sort((a, b) => a - b);
    const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    console.log(
      `[load] ${RESPONDENTS} respondents, ${DURATION_MS / 1000} s: ${tally.completed.size} questionnaires completed (${tally.doubleClicks} double clicks), ` +
        `${tally.requests} requests, ${(tally.requests / (DURATION_MS / 1000)).toFixed(0)} requests/s; one respondent's whole visit p50 ${p(0.5)} ms, p99 ${p(0.99)} ms; failures ${tally.failures.length}`,
    );
    expect(tally.failures.slice(0, 10)).toEqual([]);
    expect(tally.completed.size).toBeGreaterThan(RESPONDENTS);

    // Counted in the database: one completed response per completed visit, none for anything else.
    const rows = await db("responses as r")
      .join("invitation_secrets as s", "s.invitation_id", "r.invitation_id")
      .select("r.invitation_id", "r.status", "r.answers", "s.secret_hash");
    expect(rows.filter((r) => r.status === "completed")).toHaveLength(tally.completed.size);
    expect(new Set(rows.map((r) => r.invitation_id)).size).toBe(rows.length);
    const { hashSecret } = await import("../../server/invitations/codes.ts");
    const byHash = new Map(rows.map((r) => [r.secret_hash as string, r]));
    for (const [token, n] of tally.completed) {
      const row = byHash.get(hashSecret(token));
      expect(row?.status, `response of visit ${n}`).toBe("completed");
      const stored = fromJson<Record<string, unknown>>(row!.answers)!;
      expect(stored.wmo_past).toBe(wmoAnswers(n).wmo_past);
    }
    const inProgress = rows.filter((r) => r.status !== "completed").length;
    // Only visits cut off by the end of the minute can be in progress.
    expect(inProgress).toBeLessThanOrEqual(RESPONDENTS);
    const invitationsCompleted = countOf(await db("invitations").where({ status: "completed" }).count({ count: "*" }));
    expect(invitationsCompleted).toBe(tally.completed.size);
    const followups = countOf(await db("followups").count({ count: "*" }));
    expect(followups).toBe([...tally.completed.values()].filter((n) => n % 10 === 9).length);
  });
});
