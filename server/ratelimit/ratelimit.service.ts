// Fixed-window rate limits kept in the database, so every web process counts the same hits.
import { createHash } from "node:crypto";
import type { Db } from "../db.ts";
import { addHit, clearKey, readWindow } from "./ratelimit.queries.ts";

export type Limit = { bucket: string; max: number; windowSeconds: number };

export const LIMITS = {
  loginPerIp: { bucket: "login-ip", max: 30, windowSeconds: 15 * 60 },
  resetPerIp: { bucket: "reset-ip", max: 10, windowSeconds: 15 * 60 },
  resetPerAccount: { bucket: "reset-account", max: 3, windowSeconds: 60 * 60 },
} satisfies Record<string, Limit>;

/** Failed logins per account (or per typed e-mail address, so unknown addresses behave the same). */
const LOGIN_FAILURES = { bucket: "login-account", windowSeconds: 24 * 60 * 60 };
const FREE_FAILURES = 5;
const FIRST_DELAY_SECONDS = 30;
const MAX_DELAY_SECONDS = 15 * 60;

function windowStart(at: Date, windowSeconds: number): number {
  const seconds = Math.floor(at.getTime() / 1000);
  return seconds - (seconds % windowSeconds);
}

/** Counts a hit; returns false when the limit is exceeded. */
export async function consume(db: Db, limit: Limit, key: string, at = new Date()): Promise<boolean> {
  const hits = await addHit(db, limit.bucket, key, windowStart(at, limit.windowSeconds), at);
  return hits <= limit.max;
}

/** A key for an e-mail address that keeps the address itself out of the table. */
export function emailKey(email: string): string {
  return createHash("sha256").update(email.trim().toLowerCase()).digest("hex");
}

/**
 * Seconds the account must still wait before the next login attempt: none for the first five failures,
 * then 30 s, doubling with every further failure up to 15 minutes.
 */
export async function loginDelaySeconds(db: Db, email: string, at = new Date()): Promise<number> {
  const window = await readWindow(db, LOGIN_FAILURES.bucket, emailKey(email), windowStart(at, LOGIN_FAILURES.windowSeconds));
  if (!window || window.hits < FREE_FAILURES) return 0;
  const delay = Math.min(FIRST_DELAY_SECONDS * 2 ** (window.hits - FREE_FAILURES), MAX_DELAY_SECONDS);
  const waited = (at.getTime() - window.lastHitAt.getTime()) / 1000;
  return Math.max(0, Math.ceil(delay - waited));
}

export async function recordLoginFailure(db: Db, email: string, at = new Date()): Promise<void> {
  await addHit(db, LOGIN_FAILURES.bucket, emailKey(email), windowStart(at, LOGIN_FAILURES.windowSeconds), at);
}

export async function clearLoginFailures(db: Db, email: string): Promise<void> {
  await clearKey(db, LOGIN_FAILURES.bucket, emailKey(email));
}
