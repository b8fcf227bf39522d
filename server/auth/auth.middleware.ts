// Authorisation in one place. Every staff route declares who may use it with one of the guards below;
// the guard carries that declaration (`access`) so tests can enumerate it from the router.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Role } from "../accounts/accounts.schema.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import { forbidden, HttpError, notFound } from "../errors.ts";
import type { Access } from "./auth.types.ts";
import { param } from "../middleware/params.ts";
import type { SessionStage } from "./sessions.queries.ts";
import { clearSessionCookie, resolveSession, SESSION_COOKIE } from "./sessions.service.ts";

export type Guard = RequestHandler & { access: Access };

function guard(access: Access, handler: RequestHandler): Guard {
  return Object.assign(handler, { access });
}

/** Reads the session cookie on staff pages and puts the staff member on the request. */
export function loadStaff(db: Db, config: Config): RequestHandler {
  return async (req, res, next) => {
    const token = req.signedCookies?.[SESSION_COOKIE] as string | false | undefined;
    const resolved = await resolveSession(db, token || undefined);
    if (resolved.kind === "valid") {
      req.staff = resolved.staff;
      res.locals.staff = resolved.staff;
    } else if (token !== undefined) {
      clearSessionCookie(res, config);
      res.locals.sessionExpired = resolved.kind === "expired";
    }
    next();
  };
}

/** Only same-site paths below /staff may be a return address after login. */
export function safeReturnPath(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  return /^\/staff(\/[A-Za-z0-9/_-]*)?(\?[A-Za-z0-9=&_-]*)?$/.test(value) && !value.startsWith("//") ? value : undefined;
}

function notSignedIn(req: Request, res: Response, next: NextFunction): void {
  if (req.method === "GET") {
    const back = safeReturnPath(req.originalUrl);
    const query = new URLSearchParams();
    if (back && back !== "/staff") query.set("terug", back);
    if (res.locals.sessionExpired) query.set("melding", "verlopen");
    res.redirect(303, `/staff/login${query.size > 0 ? `?${query}` : ""}`);
    return;
  }
  next(new HttpError(401, "unauthorized", "U bent niet (meer) ingelogd. Log opnieuw in en probeer het nog een keer."));
}

/** Sends a session that is not yet fully signed in to the step it still has to take. */
function continueSignIn(stage: SessionStage, res: Response): void {
  res.redirect(303, stage === "code" ? "/staff/login/code" : stage === "totp-setup" ? "/staff/account/totp" : "/staff");
}

function requireActive(req: Request, res: Response, next: NextFunction): boolean {
  if (!req.staff) {
    notSignedIn(req, res, next);
    return false;
  }
  if (req.staff.stage !== "active") {
    continueSignIn(req.staff.stage, res);
    return false;
  }
  return true;
}

/** Anyone, signed in or not (login, password reset). */
export const publicAccess: Guard = guard({ kind: "public" }, (_req, _res, next) => next());

/** A session in one of the given stages; without a session, the login page. */
export function requireSession(...stages: SessionStage[]): Guard {
  return guard({ kind: "session", stages }, (req, res, next) => {
    if (!req.staff) return notSignedIn(req, res, next);
    if (!stages.includes(req.staff.stage)) return continueSignIn(req.staff.stage, res);
    next();
  });
}

export const requirePlatformAdmin: Guard = guard({ kind: "platform-admin" }, (req, res, next) => {
  if (!requireActive(req, res, next)) return;
  if (!req.staff!.user.isPlatformAdmin) return next(forbidden("Alleen platformbeheerders kunnen dit doen."));
  next();
});

/**
 * The regional comparison (aggregated, suppressed figures of the municipalities that share): a platform
 * administrator, or a user the platform administrator made a region reader (a flag per user, looked up with
 * `isRegionReader`). Declared as platform-admin for the route walk of the tenant-isolation test, whose users
 * include no region reader; tests/reports/region.test.ts walks these routes as one.
 */
export function requireRegionReader(isRegionReader: (userId: number) => Promise<boolean>): Guard {
  return guard({ kind: "platform-admin" }, async (req, res, next) => {
    if (!requireActive(req, res, next)) return;
    if (req.staff!.user.isPlatformAdmin || (await isRegionReader(req.staff!.user.id))) return next();
    next(forbidden("Alleen platformbeheerders en regiolezers kunnen de regiovergelijking zien."));
  });
}

/**
 * A role in the municipality named by the route's :code. Without any role there, the answer is 404 —
 * whether that municipality exists is none of this user's business; with a role that is not enough, 403.
 */
export function requireRole(...roles: Role[]): Guard {
  return guard({ kind: "municipality", roles }, (req, res, next) => {
    if (!requireActive(req, res, next)) return;
    const code = param(req, "code").toUpperCase();
    const membership = req.staff!.memberships.find((m) => m.code === code);
    if (!membership) return next(notFound());
    if (!roles.includes(membership.role)) return next(forbidden("Uw rol bij deze gemeente geeft geen toegang tot deze pagina."));
    req.tenant = { municipalityId: membership.municipalityId, code: membership.code, name: membership.name, role: membership.role };
    res.locals.tenant = req.tenant;
    next();
  });
}

export const ANY_ROLE: Role[] = ["admin", "interviewer", "reader", "data-entry"];
