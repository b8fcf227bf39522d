// Removes what has expired in the access layer: idle or old sessions, password links that can no longer
// be used, and rate-limit windows that no longer count.
import { purgeExpiredSessions } from "../server/auth/sessions.service.ts";
import { deleteStaleAuthTokens } from "../server/accounts/accounts.queries.ts";
import type { Db } from "../server/db.ts";
import { deleteWindowsBefore } from "../server/ratelimit/ratelimit.queries.ts";

// The longest window in use is a day (failed logins per account); two days leaves a margin.
const RATE_LIMIT_RETENTION_S = 2 * 24 * 60 * 60;
const TOKEN_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export type PurgeCounts = { sessions: number; tokens: number; rateLimitWindows: number };

export async function purgeExpiredAuth(db: Db, now = new Date()): Promise<PurgeCounts> {
  return {
    sessions: await purgeExpiredSessions(db, now),
    tokens: await deleteStaleAuthTokens(db, new Date(now.getTime() - TOKEN_RETENTION_MS)),
    rateLimitWindows: await deleteWindowsBefore(db, Math.floor(now.getTime() / 1000) - RATE_LIMIT_RETENTION_S),
  };
}
