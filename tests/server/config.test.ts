import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseDatabaseUrl, redactUrl } from "../../server/config.ts";

const tempDir = () => mkdtempSync(path.join(tmpdir(), "luisterpost-config-"));

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ DATA_DIR: tempDir(), ...env }, "/srv/app");
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("uses the documented defaults", () => {
    const config = loadConfig({ DATA_DIR: tempDir() }, "/srv/app");
    expect(config.database).toEqual({ client: "sqlite", url: "sqlite:./data/luisterpost.sqlite", filename: "/srv/app/data/luisterpost.sqlite" });
    expect(config.redisUrl).toBeUndefined();
    expect(config.smtpUrl).toBeUndefined();
    expect(config.twilio).toBeUndefined();
    expect(config.mailFrom).toBe("Luisterpost <noreply@localhost>");
    expect(config.baseUrl).toBe("http://localhost:3000");
    expect(config.port).toBe(3000);
    expect(config.nodeEnv).toBe("development");
    expect(config.isProduction).toBe(false);
  });

  it("is frozen", () => {
    const config = loadConfig({ DATA_DIR: tempDir() });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.database)).toBe(true);
  });

  it("reads every variable", () => {
    const config = loadConfig(
      {
        DATA_DIR: tempDir(),
        DATABASE_URL: "postgres://lp:secret@db.internal:5433/luisterpost",
        REDIS_URL: "redis://cache:6379",
        SMTP_URL: "smtp://user:pass@mail.example.nl:587",
        MAIL_FROM: "Gemeente Voorbeeldstad <onderzoek@example.nl>",
        TWILIO_ACCOUNT_SID: "AC123",
        TWILIO_AUTH_TOKEN: "token",
        TWILIO_MESSAGING_SERVICE_SID: "MG123",
        TWILIO_API_BASE: "http://127.0.0.1:4010/",
        BASE_URL: "https://luisterpost.example.nl/",
        PORT: "8080",
        SESSION_SECRET: "x".repeat(40),
      },
      "/srv/app",
    );
    expect(config.database).toEqual({
      client: "postgres",
      url: "postgres://lp:secret@db.internal:5433/luisterpost",
      connectionString: "postgres://lp:secret@db.internal:5433/luisterpost",
    });
    expect(config.redisUrl).toBe("redis://cache:6379");
    expect(config.smtpUrl).toBe("smtp://user:pass@mail.example.nl:587");
    expect(config.mailFrom).toBe("Gemeente Voorbeeldstad <onderzoek@example.nl>");
    expect(config.twilio).toEqual({ accountSid: "AC123", authToken: "token", from: undefined, messagingServiceSid: "MG123", apiBase: "http://127.0.0.1:4010" });
    expect(config.baseUrl).toBe("https://luisterpost.example.nl");
    expect(config.port).toBe(8080);
    expect(config.sessionSecret).toBe("x".repeat(40));
  });

  it("treats empty variables as unset", () => {
    const config = loadConfig({ DATA_DIR: tempDir(), REDIS_URL: "", SMTP_URL: "  " });
    expect(config.redisUrl).toBeUndefined();
    expect(config.smtpUrl).toBeUndefined();
  });

  it("lists every problem at once, naming each variable", () => {
    const problems = problemsOf({
      DATABASE_URL: "mysql://root@localhost/lp",
      REDIS_URL: "http://cache",
      SMTP_URL: "mail.example.nl",
      BASE_URL: "localhost:3000",
      PORT: "eighty",
      TWILIO_ACCOUNT_SID: "AC1",
    });
    const named = problems.map((p) => p.split(":", 1)[0]);
    expect(named).toEqual(
      expect.arrayContaining(["DATABASE_URL", "REDIS_URL", "SMTP_URL", "BASE_URL", "PORT", "TWILIO_AUTH_TOKEN", "TWILIO_FROM of TWILIO_MESSAGING_SERVICE_SID"]),
    );
    expect(problems).toHaveLength(7);
  });

  it("never repeats a password from a bad URL in its message", () => {
    const [problem] = problemsOf({ DATABASE_URL: "mysql://root:hunter2@localhost/lp" });
    expect(problem).toContain("DATABASE_URL");
    expect(problem).not.toContain("hunter2");
  });

  it("rejects an unknown NODE_ENV and an unknown LOG_LEVEL", () => {
    const problems = problemsOf({ NODE_ENV: "staging", LOG_LEVEL: "loud", PORT: "-1" });
    expect(problems).toEqual([
      "NODE_ENV: moet development, production of test zijn",
      "LOG_LEVEL: moet fatal, error, warn, info, debug, trace of silent zijn",
      "PORT: moet een poortnummer zijn (0–65535)",
    ]);
  });

  it("requires SESSION_SECRET and an https BASE_URL in production", () => {
    const problems = problemsOf({ NODE_ENV: "production" });
    expect(problems.some((p) => p.startsWith("SESSION_SECRET"))).toBe(true);
    expect(problems.some((p) => p.startsWith("BASE_URL"))).toBe(true);
    const ok = loadConfig({ NODE_ENV: "production", SESSION_SECRET: "s".repeat(32), BASE_URL: "https://lp.example.nl", DATA_DIR: tempDir() });
    expect(ok.isProduction).toBe(true);
  });

  it("refuses a short SESSION_SECRET", () => {
    expect(problemsOf({ SESSION_SECRET: "short" })[0]).toMatch(/^SESSION_SECRET/);
  });

  it("generates a session secret once outside production and keeps it in the data folder", () => {
    const dataDir = tempDir();
    const first = loadConfig({ DATA_DIR: dataDir });
    const second = loadConfig({ DATA_DIR: dataDir });
    expect(first.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(second.sessionSecret).toBe(first.sessionSecret);
    const file = path.join(dataDir, "session-secret");
    expect(readFileSync(file, "utf8").trim()).toBe(first.sessionSecret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const other = loadConfig({ DATA_DIR: tempDir() });
    expect(other.sessionSecret).not.toBe(first.sessionSecret);
  });
});

describe("parseDatabaseUrl", () => {
  it("resolves SQLite paths against the working directory", () => {
    expect(parseDatabaseUrl("sqlite:data/x.sqlite", "/srv/app")).toMatchObject({ filename: "/srv/app/data/x.sqlite" });
    expect(parseDatabaseUrl("sqlite:/var/lib/lp.sqlite", "/srv/app")).toMatchObject({ filename: "/var/lib/lp.sqlite" });
    expect(parseDatabaseUrl("sqlite:///var/lib/lp.sqlite", "/srv/app")).toMatchObject({ filename: "/var/lib/lp.sqlite" });
    expect(parseDatabaseUrl("sqlite::memory:", "/srv/app")).toMatchObject({ filename: ":memory:" });
  });

  it("explains what is wrong", () => {
    expect(parseDatabaseUrl("sqlite:", "/")).toMatch(/bestandsnaam/);
    expect(parseDatabaseUrl("postgres://127.0.0.1:5432", "/")).toMatch(/databasenaam/);
    expect(parseDatabaseUrl("postgres://[bad", "/")).toMatch(/geen geldige/);
    expect(parseDatabaseUrl("mongodb://x/y", "/")).toMatch(/sqlite: of postgres:\/\//);
  });
});

describe("redactUrl", () => {
  it("hides passwords", () => {
    expect(redactUrl("postgres://lp:geheim@db/x")).toBe("postgres://lp:***@db/x");
    expect(redactUrl("not a url://lp:geheim@db")).not.toContain("geheim");
  });
});
