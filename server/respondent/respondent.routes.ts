// The respondent's pages: /s/:key (a link token, or the access key after a paper code) and /code.
// The questionnaire page loads its state from survey.json and saves through progress and complete.
import express, { Router, type Request, type Response } from "express";
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import { HttpError, tooManyRequests } from "../errors.ts";
import { refuseNulBytes } from "../middleware/nul-bytes.ts";
import { param } from "../middleware/params.ts";
import { getBrandingById } from "../municipalities/municipalities.service.ts";
import { readWindow } from "../ratelimit/ratelimit.queries.ts";
import { consumeGuess } from "../ratelimit/ratelimit.log.ts";
import type { Limit } from "../ratelimit/ratelimit.service.ts";
import {
  completeResponse,
  isCodeAccessKey,
  loadSurvey,
  openWithCode,
  openWithCodeAccess,
  openWithToken,
  saveProgress,
  signCodeAccess,
  submissionOf,
  type Access,
  type Opened,
} from "./respondent.service.ts";

/** Wrong links and codes per IP address: guessing at scale is stopped, a person's typos are not. */
export const RESPONDENT_LIMITS = {
  wrongCodes: { bucket: "code-ip", max: 50, windowSeconds: 60 * 60 },
  wrongTokens: { bucket: "token-ip", max: 100, windowSeconds: 60 * 60 },
} satisfies Record<string, Limit>;

const UNAVAILABLE_STATUS: Record<Exclude<Opened["kind"], "ok" | "completed">, number> = { unknown: 404, expired: 410, opted_out: 410 };

async function resolve(db: Db, config: Config, req: Request): Promise<Opened> {
  const key = param(req, "key");
  return isCodeAccessKey(key) ? openWithCodeAccess(db, config.sessionSecret, key) : openWithToken(db, key);
}

/** Whether the key has used up its hits in the current window (without counting one more). */
async function limitReached(db: Db, limit: Limit, key: string, at = new Date()): Promise<boolean> {
  const seconds = Math.floor(at.getTime() / 1000);
  const window = await readWindow(db, limit.bucket, key, seconds - (seconds % limit.windowSeconds));
  return (window?.hits ?? 0) >= limit.max;
}

function unprocessable(problems: Array<{ field: string; message: string }>): HttpError {
  return new HttpError(422, "invalid_answers", "Sommige antwoorden passen niet bij de vragenlijst. Er is niets opgeslagen.", problems);
}

export function respondentRoutes({ db, config }: { db: Db; config: Config }): Router {
  const router = Router();
  router.use("/s", express.json({ limit: "256kb" }), refuseNulBytes);

  /** The access for a request, or a rendered page / problem saying why there is none. */
  async function accessOr(req: Request, res: Response, asJson: boolean, resolved?: Opened): Promise<Access | undefined> {
    const opened = resolved ?? (await resolve(db, config, req));
    if (opened.kind === "ok") {
      // The municipality's name and logo are for pages; the page's own JSON calls do without.
      if (!asJson) res.locals.municipality = await getBrandingById(db, opened.access.invitation.municipalityId);
      return opened.access;
    }
    if (opened.kind === "unknown" && !(await consumeGuess(db, RESPONDENT_LIMITS.wrongTokens, req, config.sessionSecret))) throw tooManyRequests();
    if (opened.kind !== "unknown" && opened.municipalityId) res.locals.municipality = await getBrandingById(db, opened.municipalityId);
    if (asJson) {
      const status = opened.kind === "completed" ? 409 : UNAVAILABLE_STATUS[opened.kind];
      throw new HttpError(status, opened.kind, opened.kind === "completed" ? "Deze vragenlijst is al ingevuld. Dank u wel!" : "Deze link werkt niet (meer).");
    }
    if (opened.kind === "completed") {
      res.render("respondent/thanks", { title: "Dank u wel", already: true });
      return undefined;
    }
    res.status(UNAVAILABLE_STATUS[opened.kind]).render("respondent/unavailable", { title: "Deze link werkt niet", reason: opened.kind });
    return undefined;
  }

  router.get("/s/:key", async (req, res) => {
    res.set("Cache-Control", "no-store");
    const access = await accessOr(req, res, false);
    if (!access) return;
    res.render("respondent/questionnaire", { title: "Vragenlijst", surveyBase: `/s/${encodeURIComponent(param(req, "key"))}`, staffEntry: false });
  });

  router.get("/s/:key/survey.json", async (req, res) => {
    res.set("Cache-Control", "no-store");
    const access = await accessOr(req, res, true);
    res.json(await loadSurvey(db, access!));
  });

  router.post("/s/:key/progress", async (req, res) => {
    const access = await accessOr(req, res, true);
    const result = await saveProgress(db, access!, submissionOf(req.body));
    if (result.kind === "invalid") throw unprocessable(result.problems);
    if (result.kind === "closed") throw new HttpError(409, "completed", "Deze vragenlijst is al ingevuld. Dank u wel!");
    res.status(204).end();
  });

  router.post("/s/:key/complete", async (req, res) => {
    const done = () => res.json({ status: "completed", thanks: `${req.baseUrl}/s/${encodeURIComponent(param(req, "key"))}` });
    const opened = await resolve(db, config, req);
    // Completing is idempotent: a double click or a retried request after the first succeeded gets the same answer.
    if (opened.kind === "completed") return done();
    const access = await accessOr(req, res, true, opened);
    const result = await completeResponse(db, access!, submissionOf(req.body));
    if (result.kind === "invalid") throw unprocessable(result.problems);
    done();
  });

  router.get("/code", (_req, res) => {
    res.render("respondent/code", { title: "Code invullen", code: "" });
  });

  const CODE_MESSAGES: Record<string, string> = {
    empty: "Vul de code in die in uw brief staat.",
    length: "De code heeft 9 tekens, bijvoorbeeld ABCD-EFGH-J. Kijk nog eens in uw brief.",
    characters: "In de code staan alleen de cijfers 2 tot en met 9 en letters (geen O en geen I). Kijk nog eens in uw brief.",
    check: "Deze code klopt niet. Misschien is er een teken verkeerd overgenomen. Kijk nog eens in uw brief.",
    unknown: "Deze code kennen wij niet. Kijk nog eens in uw brief.",
  };

  router.post("/code", async (req, res) => {
    const typed = typeof (req.body as { code?: unknown })?.code === "string" ? String((req.body as { code: string }).code).slice(0, 40) : "";
    const limited = () =>
      res.status(429).render("respondent/code", {
        title: "Code invullen",
        code: typed,
        error: "U heeft te vaak een code geprobeerd. Probeer het over een uur opnieuw, of bel uw gemeente.",
      });
    // Once an address has used up its wrong codes, nothing is looked up any more: otherwise guessing could go
    // on, with every wrong guess answered 429 and a right one still let through.
    if (await limitReached(db, RESPONDENT_LIMITS.wrongCodes, req.ip ?? "unknown")) return limited();
    const opened = await openWithCode(db, typed);
    if (opened.kind === "ok") {
      return res.redirect(303, `/s/${signCodeAccess(config.sessionSecret, opened.access.invitation.id)}`);
    }
    if (opened.kind === "typo" || opened.kind === "unknown") {
      if (!(await consumeGuess(db, RESPONDENT_LIMITS.wrongCodes, req, config.sessionSecret))) return limited();
      const message = CODE_MESSAGES[opened.kind === "typo" ? opened.reason : "unknown"]!;
      return res.status(opened.kind === "typo" ? 400 : 404).render("respondent/code", { title: "Code invullen", code: typed, error: message });
    }
    if (opened.municipalityId) res.locals.municipality = await getBrandingById(db, opened.municipalityId);
    if (opened.kind === "completed") return res.render("respondent/thanks", { title: "Dank u wel", already: true });
    res.status(410).render("respondent/unavailable", { title: "Deze code werkt niet meer", reason: opened.kind });
  });

  return router;
}
