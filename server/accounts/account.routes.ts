// /staff/account: the signed-in user's own settings.
import type { Router } from "express";
import { z } from "zod";
import { auditContext } from "../audit/audit.service.ts";
import { requireSession } from "../auth/auth.middleware.ts";
import { completeSignIn } from "../auth/auth.service.ts";
import { advanceSession, setSessionCookie, startSession } from "../auth/sessions.service.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import { findUserById } from "./accounts.queries.ts";
import { changeOwnPassword, confirmTotpSetup, getTotpSetup, regenerateRecoveryCodes } from "./account.service.ts";

const text = (max: number) => z.string().max(max).catch("");
const passwordForm = z.object({ current: text(1000), password: text(1000), confirmation: text(1000) });
const codeForm = z.object({ code: text(40) });

export function registerAccountRoutes(router: Router, { db, config }: { db: Db; config: Config }): void {
  const active = requireSession("active");

  router.get("/account", active, async (req, res) => {
    const setup = await getTotpSetup(db, req.staff!.user.id);
    const notice = req.query.melding === "wachtwoord" ? "Uw wachtwoord is gewijzigd." : undefined;
    res.render("staff/account/index", { title: "Mijn account", totpEnabled: setup.enabled, unusedRecoveryCodes: setup.enabled ? setup.unusedRecoveryCodes : 0, notice, errors: {} });
  });

  router.post("/account/password", active, async (req, res) => {
    const form = passwordForm.parse(req.body ?? {});
    const result = await changeOwnPassword(db, req.staff!.user.id, form, auditContext(req));
    if (!result.ok) {
      const setup = await getTotpSetup(db, req.staff!.user.id);
      return res.status(400).render("staff/account/index", {
        title: "Mijn account",
        totpEnabled: setup.enabled,
        unusedRecoveryCodes: setup.enabled ? setup.unusedRecoveryCodes : 0,
        errors: { [result.field]: result.message },
      });
    }
    setSessionCookie(res, await startSession(db, req.staff!.user.id, "active"), config);
    res.redirect(303, "/staff/account?melding=wachtwoord");
  });

  // Reachable while signing in, when the role demands two-factor authentication and it is not set up yet.
  const settingUp = requireSession("totp-setup", "active");

  router.get("/account/totp", settingUp, async (req, res) => {
    const setup = await getTotpSetup(db, req.staff!.user.id);
    if (setup.enabled) return res.redirect(303, "/staff/account");
    res.render("staff/account/totp", { title: "Tweestapsverificatie instellen", setup, forced: req.staff!.stage === "totp-setup" });
  });

  router.post("/account/totp", settingUp, async (req, res) => {
    const { code } = codeForm.parse(req.body ?? {});
    const result = await confirmTotpSetup(db, req.staff!.user.id, code, auditContext(req));
    if (!result.ok) {
      const setup = await getTotpSetup(db, req.staff!.user.id);
      if (setup.enabled) return res.redirect(303, "/staff/account");
      return res.status(400).render("staff/account/totp", {
        title: "Tweestapsverificatie instellen",
        setup,
        forced: req.staff!.stage === "totp-setup",
        error: "Deze code klopt niet. Typ de code van 6 cijfers die de app nu laat zien.",
      });
    }
    if (req.staff!.stage === "totp-setup") {
      const user = await findUserById(db, req.staff!.user.id);
      await completeSignIn(db, user!, "password+totp-setup", auditContext(req));
      setSessionCookie(res, await advanceSession(db, req.staff!.sessionIdHash, "active"), config);
    }
    res.render("staff/account/recovery-codes", { title: "Uw herstelcodes", codes: result.recoveryCodes, staffStageOverride: "active" });
  });

  router.post("/account/recovery-codes", active, async (req, res) => {
    const codes = await regenerateRecoveryCodes(db, req.staff!.user.id, auditContext(req));
    res.render("staff/account/recovery-codes", { title: "Uw herstelcodes", codes });
  });
}
