// /staff/m/:code/followups: the interviewers' queue and the work on one follow-up (claim, phone number, call
// attempts, the conversation, urgency, quotes). Interviewers and administrators only. Every form posts back and
// redirects with a notice; a refused form is shown again with what was typed and a Dutch message.
import type { Request, Response, Router } from "express";
import { auditContext } from "../audit/audit.service.ts";
import { requireRole } from "../auth/auth.middleware.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import { HttpError, notFound } from "../errors.ts";
import type { Mailer } from "../mail/mail.service.ts";
import { param } from "../middleware/params.ts";
import { readSettings } from "../settings/settings.service.ts";
import { registerFollowupAdminRoutes } from "./followups-admin.routes.ts";
import { acknowledge, escalationAddress, markUrgent, resendEscalation, type EscalationResult } from "./followups.escalation.ts";
import {
  LANGUAGE_LABELS,
  OUTCOME_LABELS,
  QUESTIONNAIRE_LABELS,
  RESULT_LABELS,
  STATUS_LABELS,
  URGENT_REASON_LABELS,
  GENERAL_TOPIC,
  formatDay,
} from "./followups.messages.ts";
import { countQueue, findVersionForRule, listFollowupStaff, listQueue, OUTCOMES, type FollowupRow } from "./followups.queries.ts";
import { listAttempts, listNotes, listThemes } from "./followups.records.queries.ts";
import { useSurveyCatalog, versionInfoOf } from "./followups.rule.ts";
import type { SurveyCatalog } from "../surveys/surveys.loader.ts";
import { bodyOf, idOf, parseAttemptForm, parseConversationForm, queueQuerySchema, textOf } from "./followups.schema.ts";
import { assign, claim, loadFollowup, logAttempt, release, reopen, revealPhone, saveConversation, topicsOf, type Who } from "./followups.service.ts";
import { FOLLOWUP_SETTINGS } from "./followups.settings.ts";
import { countUnacknowledgedUrgent, isOverdue } from "./followups.stats.ts";
import { FLAG_LABELS, highlightQuote } from "./quotes.check.ts";
import { listQuotesOfFollowup } from "./quotes.queries.ts";
import { addFollowupQuote, editFollowupQuote, removeFollowupQuote } from "./quotes.service.ts";
import { amsterdamLocalInput, workingDaysBetween } from "./working-days.ts";

const PAGE_SIZE = 50;

const NOTICES: Record<string, string> = {
  opgepakt: "U heeft dit gesprek opgepakt. Alleen u ziet nu het telefoonnummer.",
  teruggezet: "Het gesprek staat weer in de wachtrij voor iedereen.",
  toegewezen: "Het gesprek is toegewezen.",
  poging: "De poging is vastgelegd.",
  terugbellen: "De poging is vastgelegd. Het gesprek komt bovenaan de wachtrij op het moment van terugbellen.",
  "niet-bereikt": "De poging is vastgelegd. Na het maximale aantal mislukte pogingen op verschillende dagen is het gesprek afgesloten als niet bereikt. Wilt u het toch nog eens proberen, heropen het dan.",
  opgeslagen: "De notities en thema's zijn opgeslagen.",
  afgesloten: "Het gesprek is afgesloten met de gekozen uitkomst.",
  heropend: "Het gesprek is heropend; u kunt weer pogingen en notities vastleggen.",
  "urgent-verstuurd": "Urgent gemeld: de gemeente heeft nu een e-mail met een link naar dit gesprek.",
  "urgent-al": "Dit gesprek was al urgent gemeld; de gemeente heeft de e-mail al. Er is geen tweede e-mail verstuurd.",
  bevestigd: "Bevestigd: de gemeente pakt de urgente melding op.",
  "citaat-goedgekeurd": "Het citaat is opgeslagen en kan in rapporten verschijnen.",
  "citaat-controle": "Het citaat is opgeslagen, maar er staat mogelijk iets in waaraan iemand de cliënt kan herkennen (zie de markering). Pas het aan, of een beheerder beoordeelt het. Tot dan verschijnt het in geen enkel rapport.",
  "citaat-verwijderd": "Het citaat is verwijderd.",
};

type Deps = { db: Db; config: Config; mailer: Mailer; catalog: SurveyCatalog };

/** A form handler that rendered the page itself (instead of redirecting with a notice). */
const RENDERED = Symbol("rendered");

export function whoOf(req: Request): Who {
  return { municipalityId: req.tenant!.municipalityId, userId: req.staff!.user.id, role: req.tenant!.role, actor: auditContext(req) };
}

function followupId(req: Request): number {
  const id = idOf(param(req, "id"));
  if (id === undefined) throw notFound("Dit verdiepingsgesprek bestaat niet (meer).");
  return id;
}

/** The answers the client gave besides the triggering ones, as the client saw them (for the holder, on request). */
async function otherAnswers(db: Db, followup: FollowupRow): Promise<Array<{ title: string; answer: string; open: boolean }>> {
  const version = await findVersionForRule(db, followup.versionId);
  const info = version ? versionInfoOf(version) : undefined;
  if (!info) return [];
  const triggered = new Set(followup.triggers.map((t) => t.key));
  const consent = info.meta.roles.consent;
  return info.meta.questions
    .filter((q) => !triggered.has(q.key) && q.key !== consent && q.kind !== "phone" && q.kind !== "info" && followup.answers[q.key] !== undefined && followup.answers[q.key] !== "")
    .map((q) => {
      const value = followup.answers[q.key];
      const text = info.texts.get(q.key);
      const answer = Array.isArray(value) ? value.map((v) => text?.labels.get(v) ?? String(v)).join(", ") : (text?.labels.get(value) ?? String(value));
      return { title: text?.title ?? q.key, answer, open: q.kind === "open" };
    });
}

export function registerFollowupRoutes(router: Router, { db, config, mailer, catalog }: Deps): void {
  useSurveyCatalog(catalog);
  const work = requireRole("admin", "interviewer");
  const base = (req: Request) => `/staff/m/${req.tenant!.code}/followups`;

  // The administrators' pages first: /followups/settings must not be read as a follow-up id.
  registerFollowupAdminRoutes(router, { db });

  router.get("/m/:code/followups", work, async (req, res) => {
    const query = queueQuerySchema.parse(req.query);
    const now = new Date();
    const who = whoOf(req);
    const { rows, total } = await listQueue(db, who.municipalityId, { view: query.weergave, userId: who.userId, now, limit: PAGE_SIZE, offset: (query.pagina - 1) * PAGE_SIZE });
    const counts = { todo: await countQueue(db, who.municipalityId, "todo", who.userId), mine: await countQueue(db, who.municipalityId, "mine", who.userId) };
    res.render("staff/followups/queue", {
      title: `Verdiepingsgesprekken – ${req.tenant!.name}`,
      view: query.weergave,
      page: query.pagina,
      pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
      total,
      counts,
      rows: rows.map((f) => ({
        ...f,
        overdue: isOverdue(f, now),
        daysLeft: f.firstAttemptAt ? null : workingDaysBetween(now, f.deadlineAt),
        callbackDue: f.callbackAt !== null && f.callbackAt.getTime() <= now.getTime(),
      })),
      userId: who.userId,
      urgentWaiting: who.role === "admin" ? await countUnacknowledgedUrgent(db, who.municipalityId) : 0,
      labels: { outcome: OUTCOME_LABELS, questionnaire: QUESTIONNAIRE_LABELS, language: LANGUAGE_LABELS },
      formatDay,
      notice: typeof req.query.melding === "string" ? NOTICES[req.query.melding] : undefined,
    });
  });

  type ShowExtra = {
    status?: number;
    error?: string;
    errorFields?: string[];
    warning?: string;
    phone?: { callbackPhone: string | null; mobile: string | null };
    values?: Record<string, unknown>;
    notice?: string;
  };

  async function show(req: Request, res: Response, id: number, extra: ShowExtra = {}): Promise<void> {
    const who = whoOf(req);
    const followup = await loadFollowup(db, who, id);
    const [attempts, notes, themes, quotes, settings, escalation] = await Promise.all([
      listAttempts(db, id),
      listNotes(db, id),
      listThemes(db, id),
      listQuotesOfFollowup(db, who.municipalityId, id),
      readSettings(db, who.municipalityId, FOLLOWUP_SETTINGS),
      escalationAddress(db, who.municipalityId),
    ]);
    const holder = followup.status === "claimed" && followup.claimedByUserId === who.userId;
    const now = new Date();
    const noteText = new Map(notes.map((n) => [n.topic, n.text]));
    const values = extra.values ?? {};
    const topicTitles = new Map<string, string>(followup.triggers.map((t) => [t.key, t.title]));
    res.status(extra.status ?? 200).render("staff/followups/show", {
      title: `Verdiepingsgesprek ${id} – ${req.tenant!.name}`,
      f: followup,
      holder,
      isAdmin: who.role === "admin",
      now,
      overdue: isOverdue(followup, now),
      attempts,
      topics: topicsOf(followup).map((topic) => ({
        key: topic,
        title: topic === GENERAL_TOPIC ? "Algemeen (wat verder ter sprake kwam)" : (topicTitles.get(topic) ?? topic),
        trigger: followup.triggers.find((t) => t.key === topic),
        text: typeof values[`note_${topic}`] === "string" ? (values[`note_${topic}`] as string) : (noteText.get(topic) ?? ""),
      })),
      themeOptions: settings.themes.filter((t) => t.active || themes.includes(t.key)),
      selectedThemes: values.themes !== undefined ? ([] as unknown[]).concat(values.themes).map(String) : themes,
      quotes: quotes.map((q) => ({ ...q, pieces: highlightQuote(q.text, q.flags) })),
      staffOptions: who.role === "admin" ? await listFollowupStaff(db, who.municipalityId) : [],
      others: holder ? await otherAnswers(db, followup) : [],
      hasEscalationAddress: escalation !== undefined,
      maxAttempts: settings.maxAttempts,
      unsuccessfulSoFar: attempts.filter((a) => ["no_answer", "voicemail", "wrong_number"].includes(a.result)).length,
      minCallback: amsterdamLocalInput(new Date(now.getTime() + 5 * 60_000)),
      nowInput: amsterdamLocalInput(now),
      values,
      labels: { outcome: OUTCOME_LABELS, result: RESULT_LABELS, status: STATUS_LABELS, urgent: URGENT_REASON_LABELS, questionnaire: QUESTIONNAIRE_LABELS, language: LANGUAGE_LABELS, flag: FLAG_LABELS },
      outcomes: OUTCOMES,
      formatDay,
      phone: extra.phone,
      error: extra.error,
      errorFields: extra.errorFields ?? [],
      warning: extra.warning,
      notice: extra.notice ?? (typeof req.query.melding === "string" ? NOTICES[req.query.melding] : undefined),
    });
  }

  /** Runs a form's work; a refusal (HttpError) shows the page again with the message and what was typed. */
  async function handle(req: Request, res: Response, run: (id: number) => Promise<string | typeof RENDERED>): Promise<void> {
    const id = followupId(req);
    try {
      const notice = await run(id);
      if (notice === RENDERED) return;
      res.redirect(303, `${base(req)}/${id}${notice ? `?melding=${notice}` : ""}#${notice === "poging" || notice === "terugbellen" ? "pogingen" : "melding"}`);
    } catch (err) {
      if (!(err instanceof HttpError) || err.status === 404) throw err;
      await show(req, res, id, { status: err.status, error: err.message, errorFields: err.fields.map((f) => f.field), values: bodyOf(req.body) });
    }
  }

  router.get("/m/:code/followups/:id", work, async (req, res) => {
    await show(req, res, followupId(req));
  });

  router.post("/m/:code/followups/:id/claim", work, async (req, res) => {
    await handle(req, res, async (id) => {
      await claim(db, whoOf(req), id);
      return "opgepakt";
    });
  });

  router.post("/m/:code/followups/:id/release", work, async (req, res) => {
    await handle(req, res, async (id) => {
      await release(db, whoOf(req), id);
      return "teruggezet";
    });
  });

  router.post("/m/:code/followups/:id/assign", work, async (req, res) => {
    await handle(req, res, async (id) => {
      await assign(db, whoOf(req), id, textOf(bodyOf(req.body).user, 20));
      return "toegewezen";
    });
  });

  // A POST, not a link: the number is shown only on purpose, and each showing is in the audit log.
  router.post("/m/:code/followups/:id/contact", work, async (req, res) => {
    await handle(req, res, async (id) => {
      const phone = await revealPhone(db, whoOf(req), id);
      await show(req, res, id, { phone });
      return RENDERED;
    });
  });

  router.post("/m/:code/followups/:id/attempts", work, async (req, res) => {
    await handle(req, res, async (id) => {
      const form = parseAttemptForm(req.body);
      const outcome = await logAttempt(db, whoOf(req), id, form);
      return outcome.closedAsNotReached ? "niet-bereikt" : form.result === "callback" ? "terugbellen" : "poging";
    });
  });

  router.post("/m/:code/followups/:id/conversation", work, async (req, res) => {
    await handle(req, res, async (id) => {
      const form = parseConversationForm(req.body);
      await saveConversation(db, whoOf(req), id, form);
      return form.outcome ? "afgesloten" : "opgeslagen";
    });
  });

  router.post("/m/:code/followups/:id/reopen", work, async (req, res) => {
    await handle(req, res, async (id) => {
      await reopen(db, whoOf(req), id);
      return "heropend";
    });
  });

  const escalated = async (req: Request, res: Response, id: number, result: EscalationResult | { sent: "already" }) => {
    if (result.sent === "already") return "urgent-al";
    if (result.sent) return "urgent-verstuurd";
    await show(req, res, id, { status: result.reason === "send-failed" ? 503 : 200, warning: result.message });
    return RENDERED;
  };

  router.post("/m/:code/followups/:id/urgent", work, async (req, res) => {
    await handle(req, res, async (id) => escalated(req, res, id, await markUrgent({ db, mailer, config }, whoOf(req), id, textOf(bodyOf(req.body).reason, 20))));
  });

  router.post("/m/:code/followups/:id/urgent/resend", work, async (req, res) => {
    await handle(req, res, async (id) => escalated(req, res, id, await resendEscalation({ db, mailer, config }, whoOf(req), id)));
  });

  router.post("/m/:code/followups/:id/acknowledge", work, async (req, res) => {
    await handle(req, res, async (id) => {
      await acknowledge(db, whoOf(req), id);
      return "bevestigd";
    });
  });

  router.post("/m/:code/followups/:id/quotes", work, async (req, res) => {
    await handle(req, res, async (id) => {
      const body = bodyOf(req.body);
      const result = await addFollowupQuote(db, whoOf(req), id, { text: textOf(body.text, 5000), consent: body.consent, confirmed: body.confirmed });
      return result.status === "approved" ? "citaat-goedgekeurd" : "citaat-controle";
    });
  });

  router.post("/m/:code/followups/:id/quotes/:quoteId", work, async (req, res) => {
    await handle(req, res, async (id) => {
      const quoteId = idOf(param(req, "quoteId"));
      if (quoteId === undefined) throw notFound("Dit citaat bestaat niet (meer).");
      const body = bodyOf(req.body);
      if (textOf(body.action, 10) === "delete") {
        await removeFollowupQuote(db, whoOf(req), id, quoteId);
        return "citaat-verwijderd";
      }
      const result = await editFollowupQuote(db, whoOf(req), id, quoteId, { text: textOf(body.text, 5000), confirmed: body.confirmed });
      return result.status === "approved" ? "citaat-goedgekeurd" : "citaat-controle";
    });
  });
}
