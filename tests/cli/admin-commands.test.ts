// The administrative commands as an operator meets them: the real CLI in a child process with a clean
// environment, on a temporary SQLite file that the test then reads back. What a command is asked to produce
// goes to stdout and nothing else; every refusal is exit code 1 with a Dutch message and no stack trace;
// every change leaves an audit event with actor 'cli'.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueue } from "../../jobs/queue.ts";
import { hashToken, passwordMessages, verifyPassword } from "../../server/accounts/passwords.ts";
import { authenticateApiKey } from "../../server/apikeys/apikeys.service.ts";
import { createApp } from "../../server/app.ts";
import { loadConfig, parseDatabaseUrl } from "../../server/config.ts";
import { createDb, toBool, type Db } from "../../server/db.ts";
import { createMailer } from "../../server/mail/mail.service.ts";
import { loadSurveyCatalog } from "../../server/surveys/surveys.loader.ts";
import { captureLogger } from "../helpers/app.ts";
import { submitForm } from "../helpers/staff.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
// Node with tsx's loader rather than the tsx command: signals reach the server directly (the tsx command
// relays them and kills a child that does not confirm within 30 ms).
const nodeWithTsx = [process.execPath, "--import", "tsx"] as const;
const STACK_LINE = /^\s+at /m;
const STRONG_PASSWORD = "merel-kanaal-dijk-vijftien-lantaarn";

type Result = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

let tmpRoot: string;
let databaseUrl: string;
let db: Db;

/** Built from scratch: nothing from this process's environment (DATABASE_URL, BASE_URL…) leaks in. */
function cliEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: process.env.HOME ?? tmpRoot,
    NODE_ENV: "test",
    DATA_DIR: path.join(tmpRoot, "data"),
    DATABASE_URL: databaseUrl,
  };
}

/** Runs `luisterpost …` to the end; `input` is written to its stdin, which is then closed. */
function runCli(args: string[], input = "", timeoutMs = 25_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(nodeWithTsx[0], [...nodeWithTsx.slice(1), "server/cli.ts", ...args], { cwd: root, env: cliEnv(), stdio: "pipe", detached: true });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
      reject(new Error(`luisterpost ${args.join(" ")} did not exit within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

function expectSuccess(result: Result): void {
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).not.toMatch(STACK_LINE);
}

/** Exit code 1, nothing on stdout, the reason on stderr, no stack trace. */
function expectRefusal(result: Result, reason: string | RegExp): void {
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
  expect(result.stdout).toBe("");
  if (typeof reason === "string") expect(result.stderr).toContain(reason);
  else expect(result.stderr).toMatch(reason);
  expect(result.stderr).not.toMatch(STACK_LINE);
}

const auditRows = () => db("audit_events").select("action", "actor", "actor_user_id", "municipality_id", "subject_id").orderBy("id");

beforeAll(async () => {
  tmpRoot = mkdtempSync(path.join(tmpdir(), "luisterpost-admin-cli-"));
  databaseUrl = `sqlite:${path.join(tmpRoot, "luisterpost.sqlite")}`;
  // The commands migrate the database themselves; the test opens the same file after they have run.
  const config = parseDatabaseUrl(databaseUrl, root);
  if (typeof config === "string") throw new Error(config);
  db = createDb(config);
});

afterAll(async () => {
  await db?.destroy();
  rmSync(tmpRoot, { recursive: true, force: true });
});

// The tests build on each other, in order: a municipality, then users and a key in it.
describe("luisterpost municipality / user / apikey", { timeout: 120_000 }, () => {
  let leusdenId: number;

  it("municipality add prints the new municipality as JSON, and refuses a duplicate or malformed code", async () => {
    const added = await runCli(["municipality", "add", "--code", "GM0327", "--name", "Leusden", "--json"]);
    expectSuccess(added);
    expect(added.stdout.endsWith("\n")).toBe(true);
    expect(added.stdout.trimEnd().split("\n")).toHaveLength(1);
    const json = JSON.parse(added.stdout) as { id: number; code: string; name: string };
    expect(json).toEqual({ id: expect.any(Number), code: "GM0327", name: "Leusden" });
    expect(added.stderr).toContain("Gemeente Leusden (GM0327) is toegevoegd.");
    leusdenId = json.id;
    expect(await db("municipalities").select("id", "code", "name")).toEqual([{ id: leusdenId, code: "GM0327", name: "Leusden" }]);

    const duplicate = await runCli(["municipality", "add", "--code", "GM0327", "--name", "Leusden opnieuw", "--json"]);
    expectRefusal(duplicate, "Gemeente GM0327 bestaat al.");
    expect(duplicate.stderr).toContain("--code:");

    const malformed = await runCli(["municipality", "add", "--code", "GM327", "--name", "Leusden"]);
    expectRefusal(malformed, "--code: De gemeentecode moet GM gevolgd door vier cijfers zijn");

    // Neither refusal left anything behind.
    expect(await db("municipalities").count({ n: "*" })).toEqual([{ n: 1 }]);
    expect((await auditRows()).filter((r) => r.action === "municipality.created")).toEqual([
      { action: "municipality.created", actor: "cli", actor_user_id: null, municipality_id: leusdenId, subject_id: "GM0327" },
    ]);
  });

  it("user add --role admin --password-stdin makes a platform administrator who can log in", async () => {
    const result = await runCli(["user", "add", "--email", "Beheer@Example.test", "--role", "admin", "--password-stdin"], `${STRONG_PASSWORD}\n`);
    expectSuccess(result);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("Gebruiker aangemaakt: platformbeheerder.");
    expect(result.stderr).not.toContain(STRONG_PASSWORD);

    const user = await db("users").where({ email: "beheer@example.test" }).first();
    expect(user).toBeDefined();
    expect(toBool(user.is_platform_admin)).toBe(true);
    expect(toBool(user.active)).toBe(true);
    expect(user.password_hash).toMatch(/^scrypt\$/);
    expect(user.password_hash).not.toContain(STRONG_PASSWORD);
    // The trailing newline of the piped input is not part of the password.
    expect(await verifyPassword(STRONG_PASSWORD, user.password_hash)).toBe(true);
    expect(await db("memberships").where({ user_id: user.id })).toEqual([]);
    // A password was given: no invitation link was made.
    expect(await db("auth_tokens").where({ user_id: user.id })).toEqual([]);
    expect((await auditRows()).filter((r) => r.subject_id === String(user.id))).toEqual([
      { action: "user.created", actor: "cli", actor_user_id: null, municipality_id: null, subject_id: String(user.id) },
    ]);

    // And through the real login form of the web app on the same database file: the password is accepted
    // and, as for every platform administrator, the next step is setting up two-factor authentication.
    const config = loadConfig({ NODE_ENV: "test", DATA_DIR: path.join(tmpRoot, "web-data"), DATABASE_URL: databaseUrl });
    const { logger } = captureLogger(config, "silent");
    const queue = createQueue({ logger });
    const mailer = createMailer({ config, db, logger });
    try {
      const app = createApp({ config, db, queue, logger, mailer, catalog: loadSurveyCatalog() });
      const agent = request.agent(app);
      const login = await submitForm(agent, "/staff/login", "/staff/login", { email: "beheer@example.test", password: STRONG_PASSWORD });
      expect(login.status, login.text).toBe(303);
      expect(login.headers.location).toBe("/staff/account/totp");
      const wrong = await submitForm(agent, "/staff/login", "/staff/login", { email: "beheer@example.test", password: `${STRONG_PASSWORD}x` });
      expect(wrong.status).toBe(401);
    } finally {
      await queue.close();
      await mailer.close();
    }
  });

  it("user add refuses a weak password with a Dutch reason and creates no one", async () => {
    const short = await runCli(["user", "add", "--email", "zwak@example.test", "--role", "admin", "--password-stdin"], "kort\n");
    expectRefusal(short, passwordMessages.tooShort);

    const common = await runCli(["user", "add", "--email", "zwak@example.test", "--role", "admin", "--password-stdin"], "wachtwoord123\n");
    expectRefusal(common, /Dit wachtwoord (komt te vaak voor|is te makkelijk te raden)/);

    expect(await db("users").where({ email: "zwak@example.test" })).toEqual([]);
  });

  it("user add without a password prints only the invitation link, and the membership exists", async () => {
    const result = await runCli(["user", "add", "--email", "interviewer@example.test", "--name", "Ilse Interviewer", "--role", "interviewer", "--municipality", "GM0327"]);
    expectSuccess(result);
    // Exactly one line: the link, with the default BASE_URL.
    expect(result.stdout).toMatch(/^http:\/\/localhost:3000\/staff\/password\/[A-Za-z0-9_-]{43}\n$/);
    expect(result.stderr).toContain("Gebruiker aangemaakt: interviewer bij Leusden.");

    const user = await db("users").where({ email: "interviewer@example.test" }).first();
    expect(user).toMatchObject({ name: "Ilse Interviewer", password_hash: null });
    expect(toBool(user.is_platform_admin)).toBe(false);
    expect(await db("memberships").where({ user_id: user.id }).select("municipality_id", "role")).toEqual([{ municipality_id: leusdenId, role: "interviewer" }]);

    // The link is a working, single-use invitation for this user; only its hash is stored.
    const token = result.stdout.trim().split("/").pop()!;
    const stored = await db("auth_tokens").where({ user_id: user.id }).select("purpose", "token_hash", "used_at");
    expect(stored).toEqual([{ purpose: "invitation", token_hash: hashToken(token), used_at: null }]);

    const actions = (await auditRows()).filter((r) => r.subject_id === String(user.id));
    expect(actions).toEqual([
      { action: "user.created", actor: "cli", actor_user_id: null, municipality_id: leusdenId, subject_id: String(user.id) },
      { action: "membership.added", actor: "cli", actor_user_id: null, municipality_id: leusdenId, subject_id: String(user.id) },
    ]);
  });

  it("user add refuses a municipal role without --municipality, and an unknown municipality", async () => {
    const withoutMunicipality = await runCli(["user", "add", "--email", "lezer@example.test", "--role", "reader"]);
    expectRefusal(withoutMunicipality, "--municipality: de rol reader hoort bij een gemeente.");

    const unknown = await runCli(["user", "add", "--email", "lezer@example.test", "--role", "reader", "--municipality", "GM9999"]);
    expectRefusal(unknown, "--municipality: gemeente GM9999 bestaat niet.");

    const badRole = await runCli(["user", "add", "--email", "lezer@example.test", "--role", "baas", "--municipality", "GM0327"]);
    expectRefusal(badRole, "--role: Kies een rol");

    expect(await db("users").where({ email: "lezer@example.test" })).toEqual([]);
  });

  it("apikey create prints the key alone, and the key authenticates against the same database", async () => {
    const result = await runCli(["apikey", "create", "--municipality", "GM0327"]);
    expectSuccess(result);
    expect(result.stdout).toMatch(/^lp_[A-Za-z0-9_-]{43}\n$/);
    const key = result.stdout.trimEnd();
    expect(result.stderr).not.toContain(key);

    expect(await authenticateApiKey(db, key)).toEqual({ municipalityId: leusdenId, keyId: expect.any(Number) });
    expect(await authenticateApiKey(db, `${key.slice(0, -1)}${key.endsWith("A") ? "B" : "A"}`)).toBeUndefined();

    const rows = await db("api_keys").select("*");
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(key.slice(3));
    expect(rows[0]).toMatchObject({ municipality_id: leusdenId, key_hash: hashToken(key), created_by_user_id: null });

    const unknown = await runCli(["apikey", "create", "--municipality", "GM9999"]);
    expectRefusal(unknown, "--municipality: gemeente GM9999 bestaat niet.");
    expect(await db("api_keys").count({ n: "*" })).toEqual([{ n: 1 }]);

    expect((await auditRows()).filter((r) => r.action === "apikey.created")).toEqual([
      { action: "apikey.created", actor: "cli", actor_user_id: null, municipality_id: leusdenId, subject_id: String(rows[0].id) },
    ]);
  });

  it("recorded every change, and only the changes, with actor 'cli'", async () => {
    const byCli = (await auditRows()).filter((r) => r.actor === "cli");
    expect(byCli.map((r) => r.action)).toEqual(["municipality.created", "user.created", "user.created", "membership.added", "apikey.created"]);
    expect(byCli.every((r) => r.actor_user_id === null)).toBe(true);
    // Everything else in the trail came from the web login above, not from a command.
    const others = (await auditRows()).filter((r) => r.actor !== "cli");
    expect(others.map((r) => r.action)).toEqual(["login.failed"]);
  });
});
