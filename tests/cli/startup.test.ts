// The luisterpost command as an operator meets it: the real CLI in a child process with a clean environment.
// Start-up problems end with exit code 1 and one plain message naming the setting to fix (never a stack
// trace); a running process stops cleanly on SIGTERM with exit code 0.
import { readdirSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import knexPkg from "knex";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createCliRunner, root, until, type Env, type Result } from "../helpers/cli.ts";
import { createPostgresDatabase } from "../helpers/database.ts";
import { canReachRedis, skipWithout, testPostgresUrl, testRedisUrl } from "../helpers/services.ts";

const STACK_LINE = /^\s+at /m;
// A user in the URL: the child and the test workers may have no USER to fall back on (as in .ci/run).
const postgresUrl = testPostgresUrl ?? "postgres://postgres@127.0.0.1:5432/test";

const runner = createCliRunner();
afterEach(() => runner.cleanup());
afterAll(() => runner.remove());

const sqliteUrl = runner.sqliteUrl;
const cliEnv = runner.env;
const startCli = runner.start;
const runCli = runner.run;

/** pino writes JSON lines to stderr when it is not a terminal. */
function logLines(stderr: string): Array<Record<string, unknown>> {
  return stderr.split("\n").flatMap((line) => {
    try {
      return line.startsWith("{") ? [JSON.parse(line) as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

function listenOn(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => resolve((server.address() as net.AddressInfo).port));
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  const port = await listenOn(server, 0);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Exit code 1, one message naming every variable, nothing on stdout, no stack trace anywhere. */
function expectStartupFailure(result: Result, variables: string[]): void {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(/^Luisterpost kan niet verder\./);
  for (const variable of variables) expect(result.stderr).toContain(`${variable}:`);
  expect(result.stderr).not.toMatch(STACK_LINE);
  expect(result.stdout).toBe("");
}

describe("luisterpost start-up errors", () => {
  it("rejects a malformed DATABASE_URL without a stack trace", async () => {
    const result = await runCli(["serve"], cliEnv({ DATABASE_URL: "mysql://x" }));
    expectStartupFailure(result, ["DATABASE_URL"]);
    expect(result.stderr).toContain("sqlite: of postgres://");
  });

  it("lists every configuration problem at once", async () => {
    const result = await runCli(["serve"], cliEnv({ DATABASE_URL: "mysql://x", PORT: "abc", REDIS_URL: "http://x" }));
    expectStartupFailure(result, ["DATABASE_URL", "PORT", "REDIS_URL"]);
    expect(result.stderr.match(/^ {2}- /gm)).toHaveLength(3);
  });

  it("requires SESSION_SECRET in production", async () => {
    const env = cliEnv({ NODE_ENV: "production", BASE_URL: "https://example.test", DATABASE_URL: sqliteUrl() });
    const result = await runCli(["serve"], env);
    expectStartupFailure(result, ["SESSION_SECRET"]);
    expect(result.stderr.match(/^ {2}- /gm)).toHaveLength(1);
  });

  it("reports an unreachable PostgreSQL quickly, naming DATABASE_URL and the cause", async () => {
    const result = await runCli(["serve"], cliEnv({ DATABASE_URL: "postgres://127.0.0.1:1/luisterpost" }));
    expectStartupFailure(result, ["DATABASE_URL"]);
    expect(result.stderr).toContain("verbinding geweigerd");
  });

  it("reports an unreachable Redis, naming REDIS_URL", async () => {
    const result = await runCli(["serve"], cliEnv({ DATABASE_URL: sqliteUrl(), REDIS_URL: "redis://127.0.0.1:1" }));
    expectStartupFailure(result, ["REDIS_URL"]);
    expect(result.stderr).toContain("Redis op 127.0.0.1:1 is niet bereikbaar: verbinding geweigerd");
  });

  it("refuses the web role without REDIS_URL", async () => {
    const result = await runCli(["web"], cliEnv({ DATABASE_URL: sqliteUrl() }));
    expectStartupFailure(result, ["REDIS_URL"]);
    expect(result.stderr).toContain('"web"');
  });

  it("names PORT when the port is already in use", async () => {
    const blocker = net.createServer();
    const port = await listenOn(blocker, 0);
    try {
      const result = await runCli(["serve"], cliEnv({ DATABASE_URL: sqliteUrl(), PORT: String(port) }));
      expectStartupFailure(result, ["PORT"]);
      expect(result.stderr).toContain(`poort ${port} is al in gebruik`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("prints the usage for an unknown command and for help", async () => {
    const unknown = await runCli(["bogus"], cliEnv({}));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Onbekende opdracht "bogus"');
    expect(unknown.stderr).toContain("Gebruik: luisterpost <opdracht>");
    expect(unknown.stderr).not.toMatch(STACK_LINE);
    expect(unknown.stdout).toBe("");

    const help = await runCli(["help"], cliEnv({}));
    expect(help.code).toBe(0);
    expect(help.stderr).toContain("Gebruik: luisterpost <opdracht>");
    expect(help.stderr).not.toContain("Onbekende opdracht");
    expect(help.stdout).toBe("");
  });
});

describe("luisterpost migrate", () => {
  it("prints one JSON line with the applied migration names on stdout, and nothing the second time", async () => {
    const names = readdirSync(path.join(root, "migrations"))
      .filter((file) => /^\d{14}_.*\.ts$/.test(file) && !file.endsWith(".d.ts"))
      .map((file) => file.replace(/\.ts$/, ""))
      .sort();
    expect(names.length).toBeGreaterThan(0);
    const env = cliEnv({ DATABASE_URL: sqliteUrl() });

    const first = await runCli(["migrate", "--json"], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(`${JSON.stringify({ applied: names })}\n`);
    expect(first.stdout).not.toMatch(/\.(ts|js)"/);
    expect(first.stderr).toContain(`${names.length} migratie(s) uitgevoerd`);

    const second = await runCli(["migrate", "--json"], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe('{"applied":[]}\n');
    expect(second.stderr).toContain("geen openstaande migraties");
  });
});

/** Starts serve, waits for a healthy /healthz, checks it, then stops it with SIGTERM. */
async function serveHealthyThenStop(vars: Env, expected: { dialect: string; driver: string }): Promise<void> {
  const port = await freePort();
  const cli = startCli(["serve"], cliEnv({ NODE_ENV: "development", PORT: String(port), ...vars }));
  let last = "no answer";
  const health = await until(cli, () => `GET /healthz → 200 (last: ${last})`, 45_000, async () => {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    if (!res) return undefined;
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    last = `${res.status} ${JSON.stringify(body)}`;
    return res.status === 200 ? body : undefined;
  });
  expect(health).toMatchObject({
    status: "ok",
    database: { status: "ok", dialect: expected.dialect },
    queue: { status: "ok", driver: expected.driver },
  });
  const listening = logLines(cli.stderr()).find((line) => line.msg === `Luisterpost luistert op http://localhost:${port}`);
  expect(listening, cli.stderr()).toMatchObject({ role: "serve", port, queue: expected.driver });

  // A browser may hold a connection open that never sends a request (a preconnect): it must not keep
  // the server from stopping.
  const silent = net.connect(port, "127.0.0.1");
  silent.on("error", () => undefined);
  await new Promise((resolve) => silent.once("connect", resolve));
  try {
    cli.child.kill("SIGTERM"); // to tsx, which passes it on to the server process
    const exit = await cli.waitForExit(15_000);
    expect(exit, cli.stderr()).toEqual({ code: 0, signal: null });
  } finally {
    silent.destroy();
  }
  expect(logLines(cli.stderr()).map((line) => line.msg)).toContain("stopped");
  expect(cli.stderr()).not.toMatch(STACK_LINE);
}

describe("luisterpost serve on SQLite", () => {
  it("answers /healthz and exits 0 on SIGTERM", async () => {
    await serveHealthyThenStop({ DATABASE_URL: sqliteUrl() }, { dialect: "sqlite", driver: "in-process" });
  });
});

async function canReachPostgres(url: string): Promise<boolean> {
  const db = knexPkg({
    client: "pg",
    connection: { connectionString: url, connectionTimeoutMillis: 1_000 },
    pool: { min: 0, max: 1 },
    acquireConnectionTimeout: 2_000,
    log: { warn: () => undefined },
  });
  try {
    await db.raw("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await db.destroy();
  }
}

/** A new, empty database beside the test database; dropped afterwards. */
const freshPostgresDatabase = () => createPostgresDatabase(postgresUrl);

describe("luisterpost with PostgreSQL and Redis", () => {
  let redisOk = false;
  let postgresOk = false;
  beforeAll(async () => {
    [redisOk, postgresOk] = await Promise.all([canReachRedis(), canReachPostgres(postgresUrl)]);
  });
  const redisHint = `start Redis on ${testRedisUrl} or set REDIS_URL`;

  it("serve answers /healthz and exits 0 on SIGTERM", async (ctx) => {
    const noRedis = skipWithout("Redis", redisOk, redisHint);
    const noPostgres = skipWithout("PostgreSQL", postgresOk, `start PostgreSQL on ${new URL(postgresUrl).host} or set TEST_DATABASE_URL`);
    if (noRedis || noPostgres) return ctx.skip();
    const database = await freshPostgresDatabase();
    try {
      await serveHealthyThenStop({ DATABASE_URL: database.url, REDIS_URL: testRedisUrl }, { dialect: "postgres", driver: "bull" });
    } finally {
      await database.drop();
    }
  });

  it("worker runs and exits 0 on SIGTERM", async (ctx) => {
    if (skipWithout("Redis", redisOk, redisHint)) return ctx.skip();
    const cli = startCli(["worker"], cliEnv({ NODE_ENV: "development", DATABASE_URL: sqliteUrl(), REDIS_URL: testRedisUrl }));
    const running = await until(cli, () => "the worker's start-up log line", 45_000, () =>
      logLines(cli.stderr()).find((line) => typeof line.msg === "string" && line.msg.includes("worker")),
    );
    expect(running).toMatchObject({ role: "worker", queue: "bull" });

    cli.child.kill("SIGTERM");
    const exit = await cli.waitForExit(10_000);
    expect(exit, cli.stderr()).toEqual({ code: 0, signal: null });
    expect(logLines(cli.stderr()).map((line) => line.msg)).toContain("stopped");
  });
});
