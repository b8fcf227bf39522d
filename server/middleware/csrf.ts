// CSRF protection for every state-changing form. A random value lives in an HttpOnly cookie; forms carry
// an HMAC of it made with SESSION_SECRET, which another site can neither read nor compute. The API is
// exempt: it authenticates with bearer keys, not cookies.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import { generateToken } from "../accounts/passwords.ts";
import type { Config } from "../config.ts";
import { HttpError } from "../errors.ts";

export const CSRF_COOKIE = "lp_csrf";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const COOKIE_VALUE = /^[A-Za-z0-9_-]{32,64}$/;

export function csrfTokenFor(secret: string, cookieValue: string): string {
  return createHmac("sha256", secret).update(`csrf:${cookieValue}`).digest("base64url");
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function csrfProtection(config: Config): RequestHandler {
  return (req, res, next) => {
    // The API uses bearer keys; provider webhooks are signed (Twilio) or carry a token; an unsubscribe link is
    // itself the secret, and RFC 8058's one-click POST comes from a mail program without our cookie.
    if (req.path.startsWith("/api/") || req.path.startsWith("/hooks/") || req.path.startsWith("/afmelden/")) {
      next();
      return;
    }
    const existing: unknown = req.cookies?.[CSRF_COOKIE];
    const hadCookie = typeof existing === "string" && COOKIE_VALUE.test(existing);
    const value = hadCookie ? existing : generateToken(32);
    if (!hadCookie) res.cookie(CSRF_COOKIE, value, { httpOnly: true, sameSite: "lax", secure: config.isProduction, path: "/" });
    const expected = csrfTokenFor(config.sessionSecret, value);
    res.locals.csrfToken = expected;
    if (SAFE_METHODS.has(req.method)) {
      next();
      return;
    }
    const body = req.body as Record<string, unknown> | undefined;
    const sent = typeof body?._csrf === "string" ? body._csrf : req.get("x-csrf-token");
    if (!hadCookie || !sent || !sameToken(sent, expected)) {
      next(new HttpError(403, "csrf", "Dit formulier is verlopen of niet via deze website verstuurd. Laad de pagina opnieuw en probeer het nog een keer."));
      return;
    }
    next();
  };
}
