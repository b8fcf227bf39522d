// Structured logs that never carry personal data: no e-mail addresses, phone numbers, names, addresses or
// answers. Requests are logged by method, a cleaned path and status only; errors by type, code and message.
import { pino, type Logger } from "pino";
import type { Config } from "./config.ts";

export type { Logger };

// Staff password links (/staff/password/<token>) set a password; /staff/password/forgot is the form. An
// unsubscribe link (/afmelden/<client id>.<signature>) opts a client out, so it is as secret as a token.
const TOKEN_PATH = /^\/(s|u|unsubscribe|afmelden|staff\/password)\/(?!forgot(?:\/|$))[^/]+/;
const EMAIL_LIKE = /[^/@\s]+@[^/@\s]+/g;
const PHONE_LIKE = /\+?\d[\d\s-]{7,}\d/g;

/**
 * The path of a request as it may be logged: no query string (searches may hold names), personal
 * link tokens masked, and anything shaped like an e-mail address or phone number replaced.
 */
export function sanitizePath(url: string): string {
  const pathOnly = url.split(/[?#]/, 1)[0] ?? "";
  let decoded = pathOnly;
  try {
    decoded = decodeURIComponent(pathOnly);
  } catch {
    // keep the raw path when it is not valid percent-encoding
  }
  return decoded
    .replace(TOKEN_PATH, (_m, prefix: string) => `/${prefix}/:token`)
    .replace(EMAIL_LIKE, ":email")
    .replace(PHONE_LIKE, ":number")
    .slice(0, 200);
}

type ErrorLike = { name?: unknown; code?: unknown; message?: unknown; stack?: unknown; status?: unknown };

/**
 * Database drivers attach the offending values to errors (PostgreSQL's `detail`, knex's bindings);
 * keep only the fields that describe the failure, never its data.
 */
export function serializeError(err: unknown): Record<string, unknown> {
  if (!err || typeof err !== "object") return { message: String(err) };
  const e = err as ErrorLike;
  return {
    type: typeof e.name === "string" ? e.name : "Error",
    code: e.code,
    status: e.status,
    message: typeof e.message === "string" ? e.message.replace(EMAIL_LIKE, ":email").slice(0, 500) : undefined,
    stack: typeof e.stack === "string" ? e.stack.replace(EMAIL_LIKE, ":email") : undefined,
  };
}

export function createLogger(config: Pick<Config, "logLevel" | "isProduction">, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level: config.logLevel,
    base: undefined,
    serializers: { err: serializeError, error: serializeError },
    redact: { paths: ["req.headers", "res.headers", "*.password", "*.email", "*.mobile", "*.phone"], remove: true },
  };
  if (destination) return pino(options, destination);
  // Messages go to stderr so that what a command produces on stdout stays clean.
  if (!config.isProduction && process.stderr.isTTY) {
    return pino({
      ...options,
      transport: { target: "pino-pretty", options: { destination: 2, translateTime: "HH:MM:ss", ignore: "pid,hostname" } },
    });
  }
  return pino(options, pino.destination({ fd: 2, sync: false }));
}
