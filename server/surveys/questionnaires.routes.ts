// /staff/m/:code/questionnaires: a municipality's administrator switches optional blocks off and adds its own
// questions. The ten standard Wmo questions cannot be touched; every change becomes a new immutable version
// for invitations from then on.
import type { Request, Response, Router } from "express";
import { auditContext, recordAudit } from "../audit/audit.service.ts";
import { requireRole } from "../auth/auth.middleware.ts";
import type { Db } from "../db.ts";
import { notFound } from "../errors.ts";
import { findCustomisation, saveCustomisation } from "../invitations/invitations.queries.ts";
import { param } from "../middleware/params.ts";
import { SurveyCustomisationError, type SurveyCatalog } from "./surveys.loader.ts";

type Element = { name?: string; type?: string; title?: unknown };

function titleOf(element: Element): string {
  const title = element.title;
  if (typeof title === "string") return title;
  if (title && typeof title === "object" && "default" in title) return String((title as { default: unknown }).default);
  return element.name ?? "";
}

/** The questions of a definition in order, for the preview: key, type and Dutch title. */
function questionsOf(definition: unknown): Array<{ name: string; type: string; title: string; page: string }> {
  const pages = (definition as { pages?: Array<{ name?: string; elements?: Element[] }> }).pages ?? [];
  return pages.flatMap((page) => (page.elements ?? []).map((e) => ({ name: e.name ?? "", type: e.type ?? "", title: titleOf(e), page: page.name ?? "" })));
}

export function registerQuestionnaireRoutes(router: Router, { db, catalog }: { db: Db; catalog: SurveyCatalog }): void {
  const admin = requireRole("admin");
  const questionnaires = () => [...new Set(catalog.entries.map((e) => e.id))];

  const render = async (req: Request, res: Response, id: string, extra: Record<string, unknown> = {}) => {
    const latest = catalog.latest(id)!;
    const stored = (await findCustomisation(db, req.tenant!.municipalityId, id)) as { disabledBlocks?: string[]; extraQuestions?: unknown[] };
    let preview: ReturnType<typeof questionsOf> = [];
    try {
      preview = questionsOf(catalog.forMunicipality(id, latest.version, stored).definition);
    } catch {
      preview = questionsOf(latest.definition);
    }
    res.render("staff/municipality/questionnaire", {
      title: `Vragenlijst ${id} – ${req.tenant!.name}`,
      id,
      questionnaires: questionnaires(),
      blocks: latest.meta.blocks.map((b) => b.id),
      disabled: stored.disabledBlocks ?? [],
      extraJson: JSON.stringify(stored.extraQuestions ?? [], null, 2),
      preview,
      problems: [],
      ...extra,
    });
  };

  router.get("/m/:code/questionnaires", admin, async (req, res) => {
    await render(req, res, questionnaires()[0]!);
  });

  router.get("/m/:code/questionnaires/:questionnaire", admin, async (req, res) => {
    const id = param(req, "questionnaire");
    if (!catalog.latest(id)) throw notFound();
    await render(req, res, id, { notice: req.query.melding === "opgeslagen" ? "Opgeslagen. Nieuwe uitnodigingen krijgen deze versie van de vragenlijst." : undefined });
  });

  router.post("/m/:code/questionnaires/:questionnaire", admin, async (req, res) => {
    const id = param(req, "questionnaire");
    const latest = catalog.latest(id);
    if (!latest) throw notFound();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const blocks = latest.meta.blocks.map((b) => b.id);
    // Checkboxes say which blocks stay on; everything else is switched off.
    const kept = new Set(([] as unknown[]).concat(body.blocks ?? []).map(String));
    const disabledBlocks = blocks.filter((b) => !kept.has(b));
    const extraJson = typeof body.extra === "string" ? body.extra.slice(0, 100_000) : "[]";
    let extraQuestions: unknown;
    try {
      extraQuestions = extraJson.trim() === "" ? [] : JSON.parse(extraJson);
    } catch {
      return render(req, res.status(400), id, { disabled: disabledBlocks, extraJson, problems: ["De eigen vragen zijn geen geldige JSON. Controleer haakjes, komma's en aanhalingstekens."] });
    }
    const customisation = { disabledBlocks, extraQuestions };
    try {
      catalog.forMunicipality(id, latest.version, customisation);
    } catch (err) {
      if (!(err instanceof SurveyCustomisationError)) throw err;
      return render(req, res.status(400), id, { disabled: disabledBlocks, extraJson, problems: err.problems });
    }
    await saveCustomisation(db, req.tenant!.municipalityId, id, customisation);
    await recordAudit(db, {
      action: "questionnaire.customised",
      municipalityId: req.tenant!.municipalityId,
      subjectType: "questionnaire",
      subjectId: id,
      details: { disabledBlocks, extraQuestions: Array.isArray(extraQuestions) ? extraQuestions.length : 0 },
      ...auditContext(req),
    });
    res.redirect(303, `/staff/m/${req.tenant!.code}/questionnaires/${id}?melding=opgeslagen`);
  });
}
