// The administrators' follow-up pages: settings (rule with preview, themes, working agreements), the
// service-level view, the review of quotes and the choice of open answers as quotes; and the quarterly export,
// which readers may download too.
//
//   GET  /staff/m/:code/followups/settings                 POST …/settings/rule | …/settings/themes | …/settings/work
//   GET  /staff/m/:code/followups/service-level?kwartaal=2026-Q3
//   GET  /staff/m/:code/followups/export                   GET  …/export/<gesprekken|citaten>-<2026-Q3>.<csv|xlsx>
//   GET  /staff/m/:code/quotes?status=pending|approved|rejected      POST /staff/m/:code/quotes/:quoteId
//   GET  /staff/m/:code/quotes/answers?kwartaal=2026-Q3    POST /staff/m/:code/quotes/answers
import type { Request, Response, Router } from "express";
import { auditContext, recordAudit } from "../audit/audit.service.ts";
import { requireRole } from "../auth/auth.middleware.ts";
import type { Db } from "../db.ts";
import { HttpError, notFound, type FieldProblem } from "../errors.ts";
import { findMunicipalityById } from "../municipalities/municipalities.queries.ts";
import { param } from "../middleware/params.ts";
import { readSettings } from "../settings/settings.service.ts";
import { PREVIEW_DAYS, previewRule, saveRule, saveThemes, saveWork, type Preview } from "./followups.admin.service.ts";
import { buildExport, parseExportFile } from "./followups.export.ts";
import { formatDay, OUTCOME_LABELS, QUESTIONNAIRE_LABELS } from "./followups.messages.ts";
import { hasEnded, parseQuarter, quarterOf, recentQuarters } from "./followups.periods.ts";
import { findVersionForRule } from "./followups.queries.ts";
import { listCompletedResponses } from "./followups.report.queries.ts";
import { openQuestionsOf, selectableStatements, versionInfoOf, type VersionInfo } from "./followups.rule.ts";
import { bodyOf, idOf, parseRuleForm, parseThemesForm, parseWorkForm, textOf } from "./followups.schema.ts";
import type { Who } from "./followups.service.ts";
import { FOLLOWUP_SETTINGS, ruleOf, type FollowupSettings } from "./followups.settings.ts";
import { serviceLevel } from "./followups.stats.ts";
import { FLAG_LABELS, highlightQuote } from "./quotes.check.ts";
import { countQuotes, listQuotes, selectedAnswers, type QuoteStatus } from "./quotes.queries.ts";
import { reviewQuote, selectAnswerQuote } from "./quotes.service.ts";

const NOTICES: Record<string, string> = {
  regel: "De regel is opgeslagen. Hij geldt voor vragenlijsten die vanaf nu worden ingevuld; bestaande gesprekken blijven zoals ze zijn.",
  themas: "De thema's zijn opgeslagen.",
  afspraken: "De werkafspraken zijn opgeslagen. Een nieuwe termijn geldt voor nieuwe gesprekken.",
  goedgekeurd: "Het citaat is goedgekeurd en kan in rapporten verschijnen.",
  afgewezen: "Het citaat is afgewezen en verschijnt in geen enkel rapport.",
  gekozen: "Het antwoord is als citaat opgeslagen.",
  "gekozen-controle": "Het antwoord is als citaat opgeslagen, maar de controle vond iets waaraan iemand herkenbaar kan zijn. Beoordeel het bij 'Te beoordelen'.",
};

const QUOTE_STATUSES: QuoteStatus[] = ["pending", "approved", "rejected"];
const ANSWER_PAGE = 25;

function whoOf(req: Request): Who {
  return { municipalityId: req.tenant!.municipalityId, userId: req.staff!.user.id, role: req.tenant!.role, actor: auditContext(req) };
}

const problemMap = (problems: FieldProblem[]) => Object.fromEntries(problems.map((p) => [p.field.split(".")[0], p.message]));

export function registerFollowupAdminRoutes(router: Router, { db }: { db: Db }): void {
  const admin = requireRole("admin");
  const base = (req: Request) => `/staff/m/${req.tenant!.code}`;

  // --- settings ---------------------------------------------------------------------------------------------

  type SettingsView = { status?: number; form?: "rule" | "themes" | "work"; errors?: Record<string, string>; values?: Partial<FollowupSettings> & Record<string, unknown>; preview?: Preview; notice?: string };

  async function renderSettings(req: Request, res: Response, view: SettingsView = {}) {
    const municipalityId = req.tenant!.municipalityId;
    const settings = await readSettings(db, municipalityId, FOLLOWUP_SETTINGS);
    const municipality = await findMunicipalityById(db, municipalityId);
    const shown = { ...settings, ...(view.values ?? {}) } as FollowupSettings;
    res.status(view.status ?? 200).render("staff/followups/settings", {
      title: `Instellingen verdiepingsgesprekken – ${req.tenant!.name}`,
      settings,
      shown,
      form: view.form,
      errors: view.errors ?? {},
      preview: view.preview ?? (await previewRule(db, municipalityId, ruleOf(settings))),
      previewIsDraft: view.preview !== undefined,
      previewDays: PREVIEW_DAYS,
      statements: selectableStatements(),
      questionnaireLabels: QUESTIONNAIRE_LABELS,
      municipalityEmail: municipality?.contactEmail ?? null,
      notice: view.notice ?? (typeof req.query.melding === "string" ? NOTICES[req.query.melding] : undefined),
    });
  }

  router.get("/m/:code/followups/settings", admin, async (req, res) => {
    await renderSettings(req, res);
  });

  router.post("/m/:code/followups/settings/rule", admin, async (req, res) => {
    const parsed = parseRuleForm(req.body);
    if (!parsed.ok) return renderSettings(req, res, { status: 400, form: "rule", errors: problemMap(parsed.problems) });
    const values = parsed.value;
    if (textOf(bodyOf(req.body).action, 20) === "preview") {
      return renderSettings(req, res, { form: "rule", values, preview: await previewRule(db, req.tenant!.municipalityId, values) });
    }
    const saved = await saveRule(db, whoOf(req), values);
    if (!saved.ok) return renderSettings(req, res, { status: 400, form: "rule", values, errors: problemMap(saved.problems) });
    res.redirect(303, `${base(req)}/followups/settings?melding=regel`);
  });

  router.post("/m/:code/followups/settings/themes", admin, async (req, res) => {
    const input = parseThemesForm(req.body);
    const saved = await saveThemes(db, whoOf(req), input);
    if (!saved.ok) return renderSettings(req, res, { status: 400, form: "themes", errors: problemMap(saved.problems), values: { newThemeLabel: input.newLabel } });
    res.redirect(303, `${base(req)}/followups/settings?melding=themas#themas`);
  });

  router.post("/m/:code/followups/settings/work", admin, async (req, res) => {
    const parsed = parseWorkForm(req.body);
    const body = bodyOf(req.body);
    const typed = { slaWorkingDays: textOf(body.slaWorkingDays, 10), maxAttempts: textOf(body.maxAttempts, 10), escalationEmail: textOf(body.escalationEmail, 400) };
    if (!parsed.ok) return renderSettings(req, res, { status: 400, form: "work", errors: problemMap(parsed.problems), values: typed as unknown as Partial<FollowupSettings> });
    const saved = await saveWork(db, whoOf(req), parsed.value);
    if (!saved.ok) return renderSettings(req, res, { status: 400, form: "work", errors: problemMap(saved.problems), values: typed as unknown as Partial<FollowupSettings> });
    res.redirect(303, `${base(req)}/followups/settings?melding=afspraken#afspraken`);
  });

  // --- service level ----------------------------------------------------------------------------------------

  router.get("/m/:code/followups/service-level", admin, async (req, res) => {
    const now = new Date();
    const quarter = parseQuarter(req.query.kwartaal) ?? quarterOf(now);
    res.render("staff/followups/service-level", {
      title: `Servicelevel verdiepingsgesprekken – ${req.tenant!.name}`,
      quarter,
      quarters: recentQuarters(now, 8),
      level: await serviceLevel(db, req.tenant!.municipalityId, quarter, now),
      now,
      formatDay,
      outcomeLabels: OUTCOME_LABELS,
    });
  });

  // --- the quarterly export ---------------------------------------------------------------------------------

  const exporters = requireRole("admin", "reader");

  router.get("/m/:code/followups/export", exporters, async (req, res) => {
    const now = new Date();
    res.render("staff/followups/export", {
      title: `Export verdiepingsgesprekken – ${req.tenant!.name}`,
      quarters: recentQuarters(now, 8).map((q) => ({ ...q, ended: hasEnded(q, now) })),
    });
  });

  router.get("/m/:code/followups/export/:file", exporters, async (req, res) => {
    const request = parseExportFile(param(req, "file"));
    if (!request) throw notFound("Deze export bestaat niet. Kies een kwartaal en een bestandssoort op de exportpagina.");
    const file = await buildExport(db, { id: req.tenant!.municipalityId, code: req.tenant!.code }, request);
    await recordAudit(db, {
      action: "export.downloaded",
      municipalityId: req.tenant!.municipalityId,
      subjectType: "followups",
      subjectId: request.quarter.key,
      details: { kind: request.kind, format: request.format, rows: file.rows },
      ...auditContext(req),
    });
    res.set("Content-Type", file.contentType);
    res.set("Content-Disposition", `attachment; filename="${file.filename}"`);
    res.send(file.body);
  });

  // --- quotes -------------------------------------------------------------------------------------------------

  router.get("/m/:code/quotes", admin, async (req, res) => {
    const status = QUOTE_STATUSES.includes(req.query.status as QuoteStatus) ? (req.query.status as QuoteStatus) : "pending";
    const municipalityId = req.tenant!.municipalityId;
    const { rows, total } = await listQuotes(db, municipalityId, { status, limit: 100, offset: 0 });
    res.render("staff/followups/quotes", {
      title: `Citaten – ${req.tenant!.name}`,
      status,
      total,
      pendingCount: await countQuotes(db, municipalityId, "pending"),
      quotes: rows.map((q) => ({ ...q, pieces: highlightQuote(q.text, q.flags) })),
      flagLabels: FLAG_LABELS,
      notice: typeof req.query.melding === "string" ? NOTICES[req.query.melding] : undefined,
      error: undefined,
    });
  });

  async function renderAnswers(req: Request, res: Response, extra: { status?: number; error?: string; errorKey?: string } = {}) {
    const now = new Date();
    const quarter = parseQuarter(req.query.kwartaal ?? bodyOf(req.body).kwartaal) ?? quarterOf(now);
    const page = Math.max(1, Math.min(10_000, Number(req.query.pagina) || 1));
    const municipalityId = req.tenant!.municipalityId;
    const { rows, total } = await listCompletedResponses(db, municipalityId, quarter, { limit: ANSWER_PAGE, offset: (page - 1) * ANSWER_PAGE });
    const taken = await selectedAnswers(db, municipalityId, rows.map((r) => r.id));
    const infos = new Map<number, VersionInfo | undefined>();
    const answers: Array<{ responseId: number; key: string; title: string; text: string; completedAt: Date; selected: boolean }> = [];
    for (const response of rows) {
      if (!infos.has(response.versionId)) {
        const stored = await findVersionForRule(db, response.versionId);
        infos.set(response.versionId, stored ? versionInfoOf(stored) : undefined);
      }
      const info = infos.get(response.versionId);
      if (!info) continue;
      for (const question of openQuestionsOf(info)) {
        const text = response.answers[question.key];
        if (typeof text !== "string" || text.trim() === "") continue;
        answers.push({ responseId: response.id, key: question.key, title: question.title, text, completedAt: response.completedAt, selected: taken.get(response.id)?.has(question.key) ?? false });
      }
    }
    res.status(extra.status ?? 200).render("staff/followups/answers", {
      title: `Open antwoorden als citaat – ${req.tenant!.name}`,
      quarter,
      quarters: recentQuarters(now, 8),
      answers,
      page,
      pages: Math.max(1, Math.ceil(total / ANSWER_PAGE)),
      error: extra.error,
      errorKey: extra.errorKey,
      notice: typeof req.query.melding === "string" ? NOTICES[req.query.melding] : undefined,
    });
  }

  router.get("/m/:code/quotes/answers", admin, async (req, res) => {
    await renderAnswers(req, res);
  });

  router.post("/m/:code/quotes/answers", admin, async (req, res) => {
    const body = bodyOf(req.body);
    try {
      const result = await selectAnswerQuote(db, whoOf(req), textOf(body.responseId, 20), textOf(body.questionKey, 100), { text: textOf(body.text, 5000), confirmed: body.confirmed });
      const quarter = parseQuarter(body.kwartaal);
      res.redirect(303, `${base(req)}/quotes/answers?melding=${result.status === "approved" ? "gekozen" : "gekozen-controle"}${quarter ? `&kwartaal=${quarter.key}` : ""}`);
    } catch (err) {
      if (!(err instanceof HttpError) || err.status === 404) throw err;
      await renderAnswers(req, res, { status: err.status, error: err.message, errorKey: `${textOf(body.responseId, 20)}-${textOf(body.questionKey, 100)}` });
    }
  });

  router.post("/m/:code/quotes/:quoteId", admin, async (req, res) => {
    const quoteId = idOf(param(req, "quoteId"));
    if (quoteId === undefined) throw notFound("Dit citaat bestaat niet (meer).");
    const body = bodyOf(req.body);
    const decision = textOf(body.decision, 10);
    try {
      const status = await reviewQuote(db, whoOf(req), quoteId, { decision, text: body.text === undefined ? undefined : textOf(body.text, 5000), confirmed: body.confirmed });
      res.redirect(303, `${base(req)}/quotes?melding=${status === "approved" ? "goedgekeurd" : "afgewezen"}`);
    } catch (err) {
      if (!(err instanceof HttpError) || err.status === 404) throw err;
      const { rows, total } = await listQuotes(db, req.tenant!.municipalityId, { status: "pending", limit: 100, offset: 0 });
      res.status(err.status).render("staff/followups/quotes", {
        title: `Citaten – ${req.tenant!.name}`,
        status: "pending",
        total,
        pendingCount: total,
        quotes: rows.map((q) => ({ ...q, pieces: highlightQuote(q.text, q.flags) })),
        flagLabels: FLAG_LABELS,
        notice: undefined,
        error: err.message,
        errorQuote: quoteId,
      });
    }
  });
}
