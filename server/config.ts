// The one place that reads the environment. Everything else receives the frozen Config object.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

export type DatabaseConfig =
  | { client: "sqlite"; url: string; filename: string }
  | { client: "postgres"; url: string; connectionString: string };

export type TwilioConfig = {
  accountSid: string;
  authToken: string;
  from: string | undefined;
  messagingServiceSid: string | undefined;
  apiBase: string | undefined;
};

export type Config = Readonly<{
  nodeEnv: "development" | "production" | "test";
  isProduction: boolean;
  database: Readonly<DatabaseConfig>;
  redisUrl: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  twilio: Readonly<TwilioConfig> | undefined;
  baseUrl: string;
  port: number;
  sessionSecret: string;
  dataDir: string;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Express "trust proxy": false, a hop count, or a list of addresses/subnets of the reverse proxies. */
  trustProxy: false | number | string;
  /** The providers' limits: messages per second the dispatchers send at most, per channel, cluster-wide. */
  rateLimits: Readonly<{ email: number; sms: number }>;
  /** Bearer token a mail provider's bounce webhook must send; unset: the webhook is off. */
  mailWebhookToken: string | undefined;
}>;

/** Thrown when the environment is unusable; `problems` lists every problem, one line each. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`De configuratie klopt niet:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export const DEFAULT_DATABASE_URL = "sqlite:./data/luisterpost.sqlite";
/** Conservative defaults that common SMTP relays and a Twilio alphanumeric sender accept. */
export const DEFAULT_RATE_LIMITS = { email: 50, sms: 10 } as const;
const SESSION_SECRET_FILE = "session-secret";

const optional = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const envSchema = z.object({
  NODE_ENV: z
    .enum(["development", "production", "test"], { error: "moet development, production of test zijn" })
    .default("development"),
  DATABASE_URL: optional,
  REDIS_URL: optional,
  SMTP_URL: optional,
  MAIL_FROM: optional,
  TWILIO_ACCOUNT_SID: optional,
  TWILIO_AUTH_TOKEN: optional,
  TWILIO_FROM: optional,
  TWILIO_MESSAGING_SERVICE_SID: optional,
  TWILIO_API_BASE: optional,
  BASE_URL: optional,
  PORT: optional,
  SESSION_SECRET: optional,
  DATA_DIR: optional,
  TRUST_PROXY: optional,
  MAIL_RATE_PER_SECOND: optional,
  SMS_RATE_PER_SECOND: optional,
  MAIL_WEBHOOK_TOKEN: optional,
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      error: "moet fatal, error, warn, info, debug, trace of silent zijn",
    })
    .optional(),
});

/** A URL as it may appear in a message: never with its password. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return raw.replace(/\/\/([^:/@]*):[^@/]*@/, "//$1:***@");
  }
}

export function parseDatabaseUrl(raw: string, cwd: string): DatabaseConfig | string {
  if (raw.startsWith("sqlite:")) {
    const rest = raw.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (rest === "" || rest === "//") return "sqlite: heeft een bestandsnaam nodig, bijvoorbeeld sqlite:./data/luisterpost.sqlite";
    if (rest === ":memory:") return { client: "sqlite", url: raw, filename: ":memory:" };
    return { client: "sqlite", url: raw, filename: path.resolve(cwd, rest) };
  }
  if (raw.startsWith("postgres://") || raw.startsWith("postgresql://")) {
    try {
      const url = new URL(raw);
      if (!url.hostname && !url.searchParams.get("host")) return "postgres-URL zonder server (host)";
      if (url.pathname.length <= 1) return "postgres-URL zonder databasenaam, bijvoorbeeld postgres://127.0.0.1:5432/luisterpost";
      return { client: "postgres", url: raw, connectionString: raw };
    } catch {
      return "geen geldige postgres-URL";
    }
  }
  return `moet beginnen met sqlite: of postgres:// (gekregen: ${JSON.stringify(redactUrl(raw).slice(0, 60))})`;
}

function checkUrl(value: string, protocols: string[]): URL | undefined {
  try {
    const url = new URL(value);
    return protocols.includes(url.protocol) ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads and checks the environment once. Throws ConfigError listing every problem at once, so an operator
 * fixes them in one go. Outside production a missing SESSION_SECRET is generated once and kept in the data
 * folder, so sessions survive restarts.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const problems: string[] = [];
  let parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    // Report the bad values, then carry on without them so every other problem is listed too.
    const withoutBad = { ...env };
    for (const issue of parsed.error.issues) {
      problems.push(`${issue.path.join(".")}: ${issue.message}`);
      delete withoutBad[String(issue.path[0])];
    }
    parsed = envSchema.safeParse(withoutBad);
    if (!parsed.success) throw new ConfigError(problems);
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === "production";

  const databaseUrl = e.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const database = parseDatabaseUrl(databaseUrl, cwd);
  if (typeof database === "string") problems.push(`DATABASE_URL: ${database}`);

  if (e.REDIS_URL && !checkUrl(e.REDIS_URL, ["redis:", "rediss:"])) {
    problems.push("REDIS_URL: moet een redis://- of rediss://-URL zijn, bijvoorbeeld redis://127.0.0.1:6379");
  }
  if (e.SMTP_URL && !checkUrl(e.SMTP_URL, ["smtp:", "smtps:"])) {
    problems.push("SMTP_URL: moet een smtp://- of smtps://-URL zijn, bijvoorbeeld smtp://gebruiker:wachtwoord@mail.example.nl:587");
  }

  const baseUrlRaw = e.BASE_URL ?? "http://localhost:3000";
  const baseUrl = checkUrl(baseUrlRaw, ["http:", "https:"]);
  if (!baseUrl) problems.push("BASE_URL: moet een http://- of https://-URL zijn");
  else if (isProduction && baseUrl.protocol !== "https:") {
    problems.push("BASE_URL: moet in productie met https:// beginnen (links in berichten en veilige cookies)");
  }

  let port = 3000;
  if (e.PORT !== undefined) {
    port = Number(e.PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push("PORT: moet een poortnummer zijn (0–65535)");
  }

  let twilio: TwilioConfig | undefined;
  const twilioVars = [e.TWILIO_ACCOUNT_SID, e.TWILIO_AUTH_TOKEN, e.TWILIO_FROM, e.TWILIO_MESSAGING_SERVICE_SID];
  if (twilioVars.some((v) => v !== undefined)) {
    if (!e.TWILIO_ACCOUNT_SID) problems.push("TWILIO_ACCOUNT_SID: ontbreekt (nodig zodra Twilio is ingesteld)");
    if (!e.TWILIO_AUTH_TOKEN) problems.push("TWILIO_AUTH_TOKEN: ontbreekt (nodig zodra Twilio is ingesteld)");
    if (!e.TWILIO_FROM && !e.TWILIO_MESSAGING_SERVICE_SID) {
      problems.push("TWILIO_FROM of TWILIO_MESSAGING_SERVICE_SID: één van beide is nodig om sms te versturen");
    }
    if (e.TWILIO_ACCOUNT_SID && e.TWILIO_AUTH_TOKEN) {
      twilio = {
        accountSid: e.TWILIO_ACCOUNT_SID,
        authToken: e.TWILIO_AUTH_TOKEN,
        from: e.TWILIO_FROM,
        messagingServiceSid: e.TWILIO_MESSAGING_SERVICE_SID,
        apiBase: e.TWILIO_API_BASE?.replace(/\/+$/, ""),
      };
    }
  }
  if (e.TWILIO_API_BASE && !checkUrl(e.TWILIO_API_BASE, ["http:", "https:"])) {
    problems.push("TWILIO_API_BASE: moet een http://- of https://-URL zijn");
  }

  // Behind a reverse proxy the client's address (rate limits, audit log) comes from X-Forwarded-For, which
  // may only be believed from the proxy itself.
  let trustProxy: false | number | string = false;
  if (e.TRUST_PROXY !== undefined && e.TRUST_PROXY !== "false") {
    if (/^\d+$/.test(e.TRUST_PROXY)) trustProxy = Number(e.TRUST_PROXY);
    else if (/^[0-9a-fA-F.:/, ]+$|^(loopback|linklocal|uniquelocal)(,\s*(loopback|linklocal|uniquelocal))*$/.test(e.TRUST_PROXY)) trustProxy = e.TRUST_PROXY;
    else problems.push("TRUST_PROXY: moet false, een aantal proxy's (bijvoorbeeld 1) of een lijst van adressen zijn");
  }

  const rate = (name: "MAIL_RATE_PER_SECOND" | "SMS_RATE_PER_SECOND", fallback: number): number => {
    const raw = e[name];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0 || value > 100_000) {
      problems.push(`${name}: moet een positief aantal berichten per seconde zijn (bijvoorbeeld 50)`);
      return fallback;
    }
    return value;
  };
  const rateLimits = { email: rate("MAIL_RATE_PER_SECOND", DEFAULT_RATE_LIMITS.email), sms: rate("SMS_RATE_PER_SECOND", DEFAULT_RATE_LIMITS.sms) };
  if (e.MAIL_WEBHOOK_TOKEN !== undefined && e.MAIL_WEBHOOK_TOKEN.length < 24) {
    problems.push("MAIL_WEBHOOK_TOKEN: moet minstens 24 tekens lang zijn");
  }

  const dataDir = path.resolve(cwd, e.DATA_DIR ?? "./data");
  let sessionSecret = e.SESSION_SECRET;
  if (sessionSecret !== undefined && sessionSecret.length < 32) {
    problems.push("SESSION_SECRET: moet minstens 32 tekens lang zijn");
  }
  if (sessionSecret === undefined && isProduction) {
    problems.push("SESSION_SECRET: is verplicht in productie (minstens 32 willekeurige tekens)");
  }

  if (problems.length > 0) throw new ConfigError(problems);
  sessionSecret ??= readOrCreateSessionSecret(dataDir);

  return Object.freeze({
    nodeEnv: e.NODE_ENV,
    isProduction,
    database: Object.freeze(database as DatabaseConfig),
    redisUrl: e.REDIS_URL,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM ?? "Luisterpost <noreply@localhost>",
    twilio: twilio && Object.freeze(twilio),
    baseUrl: baseUrlRaw.replace(/\/+$/, ""),
    port,
    sessionSecret,
    dataDir,
    logLevel: e.LOG_LEVEL ?? (e.NODE_ENV === "test" ? "silent" : "info"),
    trustProxy,
    rateLimits: Object.freeze(rateLimits),
    mailWebhookToken: e.MAIL_WEBHOOK_TOKEN,
  });
}

function readOrCreateSessionSecret(dataDir: string): string {
  const file = path.join(dataDir, SESSION_SECRET_FILE);
  if (existsSync(file)) {
    const stored = readFileSync(file, "utf8").trim();
    if (stored.length >= 32) return stored;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}
