// Staff-assisted entry in the respondent's own questionnaire: an interviewer fills it in during a phone
// interview (mode `phone`), a data-entry worker types in a returned paper form found by its code (mode `paper`).
//
//   GET  /staff/m/:code/invitations/:invitationId/entry?modus=phone|paper   the questionnaire page
//   GET  /staff/m/:code/invitations/:invitationId/entry/<mode>/survey.json  its state  ┐ surveyBase of the page;
//   POST /staff/m/:code/invitations/:invitationId/entry/<mode>/progress     saves      │ one route set per mode,
//   POST /staff/m/:code/invitations/:invitationId/entry/<mode>/complete     completes  ┘ each with its own guard
//   GET  /staff/m/:code/paper, POST /staff/m/:code/paper                    find a paper form by its code
//
// An invitation of another municipality answers 404, as if it did not exist; a paper code of another
// municipality gets the same message as an unknown code.
import express, { type Request, type Response, type Router } from "express";
import type { Role } from "../accounts/accounts.schema.ts";
import { auditContext, recordAudit } from "../audit/audit.service.ts";
import { requireRole } from "../auth/auth.middleware.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import { forbidden, HttpError, notFound } from "../errors.ts";
import { checkPaperCode, hashSecret } from "../invitations/codes.ts";
import { findInvitationBySecret, findInvitationOfMunicipality, type InvitationRow } from "../invitations/invitations.queries.ts";
import { startPhoneInvitation } from "../invitations/invitations.service.ts";
import { param } from "../middleware/params.ts";
import { completeResponse, loadSurvey, openForStaff, saveProgress, submissionOf, type Access } from "./respondent.service.ts";

type Mode = "phone" | "paper";

/** Who may enter answers in each mode. */
export const ENTRY_ROLES: Record<Mode, Role[]> = { phone: ["admin", "interviewer"], paper: ["admin", "data-entry"] };
const MODE_LABELS: Record<Mode, string> = { phone: "Telefonisch interview", paper: "Papieren formulier invoeren" };

const PAPER_MESSAGES: Record<string, string> = {
  empty: "Vul de code in die op het formulier staat.",
  length: "De code heeft 9 tekens, bijvoorbeeld ABCD-EFGH-J.",
  characters: "In de code staan alleen de cijfers 2 tot en met 9 en letters (geen O en geen I).",
  check: "Deze code klopt niet; waarschijnlijk is er een teken verkeerd overgenomen.",
  unknown: "Er is geen uitnodiging van deze gemeente met deze code. Controleer de code op het formulier.",
  completed: "Deze vragenlijst is al ingevuld. De antwoorden kunnen niet nog een keer worden ingevoerd.",
  expired: "Deze uitnodiging is verlopen; er kunnen geen antwoorden meer worden ingevoerd.",
  opted_out: "Deze cliënt heeft zich afgemeld; er kunnen geen antwoorden worden ingevoerd.",
};

export function registerStaffEntryRoutes(router: Router, { db }: { db: Db; config: Config }): void {
  const json = express.json({ limit: "256kb" });
  const entryPath = "/m/:code/invitations/:invitationId/entry";
  const backUrl = (req: Request) => `/staff/m/${req.tenant!.code}`;

  async function invitationOf(req: Request): Promise<InvitationRow> {
    const id = Number(param(req, "invitationId"));
    if (!Number.isSafeInteger(id) || id <= 0) throw notFound();
    const invitation = await findInvitationOfMunicipality(db, req.tenant!.municipalityId, id);
    if (!invitation) throw notFound();
    return invitation;
  }

  /** The access for a staff entry, or an HttpError saying why there is none (for the JSON routes). */
  async function accessFor(req: Request, mode: Mode): Promise<Access> {
    const opened = await openForStaff(db, await invitationOf(req), mode, req.staff!.user.id);
    if (opened.kind === "ok") return opened.access;
    if (opened.kind === "completed") throw new HttpError(409, "completed", PAPER_MESSAGES.completed!);
    throw new HttpError(410, opened.kind, PAPER_MESSAGES[opened.kind] ?? "Deze uitnodiging kan niet worden geopend.");
  }

  router.get(entryPath, requireRole("admin", "interviewer", "data-entry"), async (req, res) => {
    const invitation = await invitationOf(req);
    const role = req.tenant!.role;
    const asked = req.query.modus;
    const allowed = (Object.keys(ENTRY_ROLES) as Mode[]).filter((m) => ENTRY_ROLES[m].includes(role));
    if (asked !== "phone" && asked !== "paper") {
      // No mode chosen (an old bookmark, a hand-typed address): offer the ones this role may use.
      return res.render("staff/municipality/entry-choice", { title: "Antwoorden invoeren", invitationId: invitation.id, modes: allowed, modeLabels: MODE_LABELS });
    }
    if (!allowed.includes(asked)) throw forbidden(asked === "phone" ? "Alleen interviewers en beheerders kunnen een telefonisch interview invoeren." : "Alleen invoerders en beheerders kunnen een papieren formulier invoeren.");
    const opened = await openForStaff(db, invitation, asked, req.staff!.user.id);
    if (opened.kind === "completed") return res.render("respondent/thanks", { title: "Al ingevuld", already: true, staffEntry: true, backUrl: backUrl(req) });
    if (opened.kind !== "ok") return res.status(410).render("respondent/unavailable", { title: "Kan niet worden ingevoerd", reason: opened.kind, staffEntry: true, backUrl: backUrl(req) });
    await recordAudit(db, {
      action: "response.entered",
      municipalityId: req.tenant!.municipalityId,
      subjectType: "invitation",
      subjectId: invitation.id,
      details: { mode: asked, step: "opened" },
      ...auditContext(req),
    });
    // A phone invitation is "sent" when the interviewer starts the call: from then its clock runs.
    if (asked === "phone" && invitation.channel === "phone") await startPhoneInvitation(db, invitation.id);
    res.render("respondent/questionnaire", {
      title: `${MODE_LABELS[asked]} – vragenlijst`,
      surveyBase: `/staff/m/${req.tenant!.code}/invitations/${invitation.id}/entry/${asked}`,
      staffEntry: true,
      entryMode: asked,
      invitationId: invitation.id,
      backUrl: backUrl(req),
    });
  });

  for (const mode of Object.keys(ENTRY_ROLES) as Mode[]) {
    const guard = () => requireRole(...ENTRY_ROLES[mode]);
    const base = `${entryPath}/${mode}`;

    router.get(`${base}/survey.json`, guard(), async (req, res) => {
      res.json(await loadSurvey(db, await accessFor(req, mode)));
    });

    router.post(`${base}/progress`, guard(), json, async (req, res) => {
      const result = await saveProgress(db, await accessFor(req, mode), submissionOf(req.body));
      if (result.kind === "invalid") throw new HttpError(422, "invalid_answers", "Sommige antwoorden passen niet bij de vragenlijst. Er is niets opgeslagen.", result.problems);
      if (result.kind === "closed") throw new HttpError(409, "completed", PAPER_MESSAGES.completed!);
      res.status(204).end();
    });

    router.post(`${base}/complete`, guard(), json, async (req, res) => {
      const access = await accessFor(req, mode).catch((err: unknown) => {
        // A retried or double "Versturen" after the first one went through: the same answer as the first.
        if (err instanceof HttpError && err.status === 409) return undefined;
        throw err;
      });
      if (access) {
        const result = await completeResponse(db, access, submissionOf(req.body));
        if (result.kind === "invalid") throw new HttpError(422, "invalid_answers", "Sommige antwoorden passen niet bij de vragenlijst. Er is niets opgeslagen.", result.problems);
        if (result.kind === "completed") {
          await recordAudit(db, {
            action: "response.entered",
            municipalityId: req.tenant!.municipalityId,
            subjectType: "invitation",
            subjectId: access.invitation.id,
            details: { mode, step: "completed" },
            ...auditContext(req),
          });
        }
      }
      res.json({ status: "completed", thanks: backUrl(req) });
    });
  }

  // --- a returned paper form, found by its code -------------------------------------------------------------

  const paperGuard = () => requireRole(...ENTRY_ROLES.paper);
  const renderPaper = (req: Request, res: Response, status: number, code: string, error?: string) =>
    res.status(status).render("staff/municipality/paper", { title: `Papieren formulier invoeren – ${req.tenant!.name}`, code, error });

  router.get("/m/:code/paper", paperGuard(), (req, res) => {
    renderPaper(req, res, 200, "");
  });

  router.post("/m/:code/paper", paperGuard(), async (req, res) => {
    const body = req.body as { code?: unknown } | undefined;
    const typed = typeof body?.code === "string" ? body.code.slice(0, 40) : "";
    const checked = checkPaperCode(typed);
    if (!checked.ok) return renderPaper(req, res, 400, typed, PAPER_MESSAGES[checked.reason]);
    const found = await findInvitationBySecret(db, hashSecret(checked.code), "code");
    if (!found || found.municipalityId !== req.tenant!.municipalityId) return renderPaper(req, res, 404, typed, PAPER_MESSAGES.unknown);
    const opened = await openForStaff(db, found, "paper", req.staff!.user.id);
    if (opened.kind !== "ok") return renderPaper(req, res, opened.kind === "completed" ? 409 : 410, typed, PAPER_MESSAGES[opened.kind]);
    res.redirect(303, `/staff/m/${req.tenant!.code}/invitations/${found.id}/entry?modus=paper`);
  });
}
