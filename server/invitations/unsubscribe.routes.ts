// /afmelden/:key — the unsubscribe link in every invitation e-mail. GET shows a confirmation page (a mail
// scanner that follows links must not opt anyone out); POST opts out, both from the page's button and as the
// RFC 8058 one-click request a mail program sends (body "List-Unsubscribe=One-Click").
import { Router, type Request } from "express";
import { auditContext } from "../audit/audit.service.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import { param } from "../middleware/params.ts";
import { getBrandingById } from "../municipalities/municipalities.service.ts";
import { consumeGuess } from "../ratelimit/ratelimit.log.ts";
import { tooManyRequests } from "../errors.ts";
import { findClientMunicipality } from "./optout.queries.ts";
import { clientOfUnsubscribeKey, optOutClient } from "./optout.service.ts";

const WRONG_KEYS = { bucket: "unsubscribe-ip", max: 100, windowSeconds: 60 * 60 };

export function unsubscribeRoutes({ db, config }: { db: Db; config: Config }): Router {
  const router = Router();

  async function clientOf(req: Request): Promise<{ clientId: number; municipalityId: number } | undefined> {
    const clientId = clientOfUnsubscribeKey(config.sessionSecret, param(req, "key"));
    const municipalityId = clientId === undefined ? undefined : await findClientMunicipality(db, clientId);
    if (clientId === undefined || municipalityId === undefined) {
      if (!(await consumeGuess(db, WRONG_KEYS, req, config.sessionSecret))) throw tooManyRequests();
      return undefined;
    }
    return { clientId, municipalityId };
  }

  router.get("/afmelden/:key", async (req, res) => {
    res.set("Cache-Control", "no-store");
    const found = await clientOf(req);
    if (!found) return res.status(404).render("respondent/unsubscribe", { title: "Link werkt niet", state: "unknown" });
    res.locals.municipality = await getBrandingById(db, found.municipalityId);
    res.render("respondent/unsubscribe", { title: "Afmelden", state: "confirm", key: param(req, "key") });
  });

  router.post("/afmelden/:key", async (req, res) => {
    res.set("Cache-Control", "no-store");
    const found = await clientOf(req);
    const oneClick = (req.body as Record<string, unknown> | undefined)?.["List-Unsubscribe"] === "One-Click";
    if (!found) {
      if (oneClick) return res.status(404).type("text/plain").send("Onbekende afmeldlink.");
      return res.status(404).render("respondent/unsubscribe", { title: "Link werkt niet", state: "unknown" });
    }
    const { ip, requestId } = auditContext(req);
    await optOutClient(db, found.clientId, oneClick ? "one-click" : "email-link", { ip, requestId });
    if (oneClick) return res.status(200).type("text/plain").send("U bent afgemeld.");
    res.locals.municipality = await getBrandingById(db, found.municipalityId);
    res.render("respondent/unsubscribe", { title: "Afgemeld", state: "done" });
  });

  return router;
}
