// Guessing at scale (link tokens, paper codes, unsubscribe keys) must be visible to whoever runs Luisterpost,
// without putting personal data in the log: the line names the limit and a keyed fingerprint of the address
// (the same address gives the same fingerprint, so an attack can be followed), never the IP itself or a token.
import { createHmac } from "node:crypto";
import type { Request } from "express";
import type { Db } from "../db.ts";
import { addHit } from "./ratelimit.queries.ts";
import type { Limit } from "./ratelimit.service.ts";

/** A keyed, shortened hash of an IP address: stable per installation, not reversible without SESSION_SECRET. */
export function addressFingerprint(secret: string, ip: string): string {
  return createHmac("sha256", secret).update(`ip:${ip}`).digest("hex").slice(0, 16);
}

/**
 * Counts a wrong guess from the request's address, as consume() does; returns false when the limit is exceeded.
 * The guess that uses up the limit is logged, once per window and address, so an attack does not flood the log
 * (the paper-code form stops counting once the limit is used up: it looks nothing up any more).
 */
export async function consumeGuess(db: Db, limit: Limit, req: Request, secret: string, at = new Date()): Promise<boolean> {
  const address = req.ip ?? "unknown";
  const seconds = Math.floor(at.getTime() / 1000);
  const hits = await addHit(db, limit.bucket, address, seconds - (seconds % limit.windowSeconds), at);
  if (hits === limit.max) {
    req.log.warn({ rateLimit: limit.bucket, max: limit.max, windowSeconds: limit.windowSeconds, address: addressFingerprint(secret, address) }, "rate limit reached: guessing stopped");
  }
  return hits <= limit.max;
}
