// Signing in and out, and choosing a password through an e-mailed link.
import type { Router } from "express";
import { auditContext, recordAudit } from "../audit/audit.service.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import { tooManyRequests } from "../errors.ts";
import type { Mailer } from "../mail/mail.service.ts";
import { param } from "../middleware/params.ts";
import { consume, LIMITS } from "../ratelimit/ratelimit.service.ts";
import { publicAccess, requireSession, safeReturnPath } from "./auth.middleware.ts";
import { choosePasswordForm, codeForm, forgotForm, loginForm } from "./auth.schema.ts";
import { choosePassword, inspectPasswordLink, requestPasswordReset, signInWithCode, signInWithPassword } from "./auth.service.ts";
import { clearSessionCookie, endSession, setSessionCookie } from "./sessions.service.ts";

const NOTICES: Record<string, string> = {
  verlopen: "U was 30 minuten niet actief. Log opnieuw in.",
  uitgelogd: "U bent uitgelogd.",
  "wachtwoord-ingesteld": "Uw wachtwoord is ingesteld. Log in met uw nieuwe wachtwoord.",
};

function waitMessage(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  return seconds < 60
    ? `Te veel mislukte pogingen. Probeer het over ${seconds} seconden opnieuw.`
    : `Te veel mislukte pogingen. Probeer het over ${minutes} ${minutes === 1 ? "minuut" : "minuten"} opnieuw.`;
}

export function registerAuthRoutes(router: Router, { db, config, mailer }: { db: Db; config: Config; mailer: Mailer }): void {
  router.get("/login", publicAccess, (req, res) => {
    if (req.staff?.stage === "active") return res.redirect(303, "/staff");
    const notice = NOTICES[String(req.query.melding ?? "")] ?? (res.locals.sessionExpired ? NOTICES.verlopen : undefined);
    res.render("staff/auth/login", { title: "Inloggen", notice, email: "", terug: safeReturnPath(req.query.terug) ?? "" });
  });

  router.post("/login", publicAccess, async (req, res) => {
    const form = loginForm.parse(req.body ?? {});
    const terug = safeReturnPath(form.terug) ?? "";
    if (!(await consume(db, LIMITS.loginPerIp, req.ip ?? "unknown"))) throw tooManyRequests();
    const render = (status: number, error: string) =>
      res.status(status).render("staff/auth/login", { title: "Inloggen", error, email: form.email, terug });
    if (!form.email || !form.password) return render(400, "Vul uw e-mailadres en wachtwoord in.");

    const result = await signInWithPassword(db, form, { ...auditContext(req) });
    if (result.kind === "throttled") return render(429, waitMessage(result.waitSeconds));
    if (result.kind === "invalid") return render(401, "Het e-mailadres of het wachtwoord klopt niet.");
    // A session from before this login (someone else's on a shared computer) ends; the new one gets a fresh id.
    if (req.staff) await endSession(db, req.staff.sessionIdHash);
    setSessionCookie(res, result.token, config);
    if (result.stage === "code") return res.redirect(303, `/staff/login/code${terug ? `?terug=${encodeURIComponent(terug)}` : ""}`);
    if (result.stage === "totp-setup") return res.redirect(303, "/staff/account/totp");
    res.redirect(303, terug || "/staff");
  });

  router.get("/login/code", requireSession("code"), (req, res) => {
    res.render("staff/auth/code", { title: "Inlogcode", terug: safeReturnPath(req.query.terug) ?? "" });
  });

  router.post("/login/code", requireSession("code"), async (req, res) => {
    const { code } = codeForm.parse(req.body ?? {});
    const terug = safeReturnPath((req.body as { terug?: unknown })?.terug) ?? "";
    if (!(await consume(db, LIMITS.loginPerIp, req.ip ?? "unknown"))) throw tooManyRequests();
    const render = (status: number, error: string) => res.status(status).render("staff/auth/code", { title: "Inlogcode", error, terug });
    if (!code.trim()) return render(400, "Vul de code van 6 cijfers uit uw app in, of een herstelcode.");
    const result = await signInWithCode(db, req.staff!.user.id, req.staff!.sessionIdHash, code, auditContext(req));
    if (result.kind === "throttled") return render(429, waitMessage(result.waitSeconds));
    if (result.kind === "invalid") return render(401, "Deze code klopt niet. Kijk in uw app naar de code die nu zichtbaar is, of gebruik een herstelcode.");
    setSessionCookie(res, result.token, config);
    res.redirect(303, terug || "/staff");
  });

  router.post("/logout", requireSession("code", "totp-setup", "active"), async (req, res) => {
    await endSession(db, req.staff!.sessionIdHash);
    await recordAudit(db, { action: "logout", ...auditContext(req) });
    clearSessionCookie(res, config);
    res.redirect(303, "/staff/login?melding=uitgelogd");
  });

  router.get("/password/forgot", publicAccess, (_req, res) => {
    res.render("staff/auth/forgot", { title: "Wachtwoord vergeten", email: "" });
  });

  router.post("/password/forgot", publicAccess, async (req, res) => {
    const { email } = forgotForm.parse(req.body ?? {});
    if (!(await consume(db, LIMITS.resetPerIp, req.ip ?? "unknown"))) throw tooManyRequests();
    if (!email.trim()) {
      return res.status(400).render("staff/auth/forgot", { title: "Wachtwoord vergeten", email, error: "Vul uw e-mailadres in." });
    }
    await requestPasswordReset(db, mailer, config, email, auditContext(req));
    res.render("staff/auth/forgot-sent", { title: "Kijk in uw e-mail" });
  });

  const linkProblem = {
    used: { status: 410, message: "Deze link is al gebruikt. Een link werkt maar één keer." },
    expired: { status: 410, message: "Deze link is verlopen." },
    unknown: { status: 404, message: "Deze link kennen wij niet. Misschien is hij niet helemaal overgenomen." },
  } as const;

  router.get("/password/:token", publicAccess, async (req, res) => {
    const state = await inspectPasswordLink(db, param(req, "token"));
    if (state.kind !== "valid") {
      const problem = linkProblem[state.kind];
      return res.status(problem.status).render("staff/auth/link-invalid", { title: "Link werkt niet", message: problem.message });
    }
    res.render("staff/auth/choose-password", { title: "Wachtwoord kiezen", purpose: state.purpose, email: state.user.email });
  });

  router.post("/password/:token", publicAccess, async (req, res) => {
    const form = choosePasswordForm.parse(req.body ?? {});
    const result = await choosePassword(db, param(req, "token"), form.password, form.confirmation, auditContext(req));
    if (result.kind === "invalid-link") {
      const problem = linkProblem[result.state === "valid" ? "unknown" : result.state];
      return res.status(problem.status).render("staff/auth/link-invalid", { title: "Link werkt niet", message: problem.message });
    }
    if (result.kind === "rejected") {
      const state = await inspectPasswordLink(db, param(req, "token"));
      return res.status(400).render("staff/auth/choose-password", {
        title: "Wachtwoord kiezen",
        purpose: state.kind === "valid" ? state.purpose : "password-reset",
        email: state.kind === "valid" ? state.user.email : "",
        error: result.message,
      });
    }
    if (req.staff) clearSessionCookie(res, config);
    res.redirect(303, "/staff/login?melding=wachtwoord-ingesteld");
  });
}
