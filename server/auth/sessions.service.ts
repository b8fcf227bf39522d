// Staff sessions: a random id in a signed cookie, its hash in the database. Idle sessions end after
// 30 minutes, any session after 12 hours; the id is renewed whenever the session gains rights.
import type { Response } from "express";
import { listMembershipsOfUser } from "../accounts/accounts.queries.ts";
import { findUserById } from "../accounts/accounts.queries.ts";
import { ROLES_REQUIRING_TOTP } from "../accounts/accounts.schema.ts";
import { generateToken, hashToken } from "../accounts/passwords.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import type { StaffContext } from "./auth.types.ts";
import {
  deleteExpiredSessions,
  deleteSession,
  findSession,
  insertSession,
  renewSession,
  touchSession,
  type SessionStage,
} from "./sessions.queries.ts";

export const SESSION_COOKIE = "lp_sid";
export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
const MAX_AGE_MS = 12 * 60 * 60 * 1000;
// Writing last_seen_at on every request would turn each page view into a write; once a minute is enough
// for a 30-minute idle timeout.
const TOUCH_AFTER_MS = 60 * 1000;

export async function startSession(db: Db, userId: number, stage: SessionStage, now = new Date()): Promise<string> {
  const token = generateToken();
  await insertSession(db, { idHash: hashToken(token), userId, stage, expiresAt: new Date(now.getTime() + MAX_AGE_MS) });
  return token;
}

/** Moves the session to a new stage under a new id; returns the new cookie value. */
export async function advanceSession(db: Db, oldIdHash: string, stage: SessionStage): Promise<string> {
  const token = generateToken();
  await renewSession(db, oldIdHash, hashToken(token), stage);
  return token;
}

export async function endSession(db: Db, idHash: string): Promise<void> {
  await deleteSession(db, idHash);
}

export async function purgeExpiredSessions(db: Db, now = new Date()): Promise<number> {
  return deleteExpiredSessions(db, now, new Date(now.getTime() - IDLE_TIMEOUT_MS));
}

export type ResolvedSession = { kind: "valid"; staff: StaffContext } | { kind: "expired" } | { kind: "none" };

export async function resolveSession(db: Db, token: string | undefined, now = new Date()): Promise<ResolvedSession> {
  if (!token) return { kind: "none" };
  const idHash = hashToken(token);
  const session = await findSession(db, idHash);
  if (!session) return { kind: "none" };
  if (session.expiresAt <= now || now.getTime() - session.lastSeenAt.getTime() > IDLE_TIMEOUT_MS) {
    await deleteSession(db, idHash);
    return { kind: "expired" };
  }
  const user = await findUserById(db, session.userId);
  if (!user || !user.active) {
    await deleteSession(db, idHash);
    return { kind: "none" };
  }
  if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_AFTER_MS) await touchSession(db, idHash, now);
  const memberships = await listMembershipsOfUser(db, user.id);
  const requiresTotp = user.isPlatformAdmin || memberships.some((m) => ROLES_REQUIRING_TOTP.includes(m.role));
  return {
    kind: "valid",
    staff: {
      user: {
        id: user.id,
        email: user.email,
        name: user.name,
        isPlatformAdmin: user.isPlatformAdmin,
        totpEnabled: user.totpEnabled,
        requiresTotp,
      },
      sessionIdHash: idHash,
      // A role that needs two-factor authentication, gained while signed in without it: set it up first.
      stage: session.stage === "active" && requiresTotp && !user.totpEnabled ? "totp-setup" : session.stage,
      memberships,
    },
  };
}

export function setSessionCookie(res: Response, token: string, config: Config): void {
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: "lax", secure: config.isProduction, signed: true, path: "/" });
}

export function clearSessionCookie(res: Response, config: Config): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: "lax", secure: config.isProduction, signed: true, path: "/" });
}
