// /staff/m/:code/conversations and /clients/:clientId: the intakes of a municipality, without contact data;
// contact data only after an explicit, audited click.
import type { Request, Router } from "express";
import { z } from "zod";
import { auditContext, recordAudit } from "../audit/audit.service.ts";
import { ANY_ROLE, requireRole } from "../auth/auth.middleware.ts";
import type { Db } from "../db.ts";
import { notFound } from "../errors.ts";
import { param } from "../middleware/params.ts";
import { findClient, findContact, listConversations, listConversationsOfClient, listTeams } from "./intake.queries.ts";
import { LAWS } from "./intake.normalize.ts";
import { findInvitationStates, MEASUREMENT_LABELS, measurementOf } from "../invitations/measurement.ts";
import { SKIP_LABELS } from "../invitations/planner.service.ts";
import { listInvitationsOfClient } from "../invitations/funnel.queries.ts";
import { CHANNEL_LABELS } from "../invitations/invitations.schema.ts";
import { findErasedAt } from "../retention/erasure.queries.ts";

const PAGE_SIZE = 50;
const filterSchema = z.object({
  zoek: z.string().trim().max(100).optional().catch(undefined),
  wet: z.enum(LAWS).optional().catch(undefined),
  team: z.string().trim().max(200).optional().catch(undefined),
  pagina: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
});

const ERASURE_NOTICES: Record<string, string> = {
  gewist: "De gegevens van deze cliënt zijn gewist. Alleen antwoorden op gesloten vragen, uitkomsten en thema's blijven, zonder verband met het zaaksysteem.",
  "al-gewist": "De gegevens van deze cliënt waren al gewist. Er is niets veranderd.",
};

/** Roles whose work needs clients' contact data (see ROLES_REQUIRING_TOTP). */
const CONTACT_ROLES = ["admin", "interviewer", "data-entry"] as const;

function clientId(req: Request): number {
  const id = Number(param(req, "clientId"));
  if (!Number.isSafeInteger(id) || id <= 0) throw notFound();
  return id;
}

export function registerConversationRoutes(router: Router, { db }: { db: Db }): void {
  router.get("/m/:code/conversations", requireRole(...ANY_ROLE), async (req, res) => {
    const filter = filterSchema.parse(req.query);
    const municipalityId = req.tenant!.municipalityId;
    const { rows, total } = await listConversations(db, municipalityId, {
      search: filter.zoek || undefined,
      law: filter.wet,
      team: filter.team || undefined,
      limit: PAGE_SIZE,
      offset: (filter.pagina - 1) * PAGE_SIZE,
    });
    const query = new URLSearchParams(
      Object.entries({ zoek: filter.zoek, wet: filter.wet, team: filter.team }).flatMap(([k, v]): Array<[string, string]> => (v ? [[k, v]] : [])),
    ).toString();
    const states = await findInvitationStates(db, rows.map((r) => r.id));
    res.render("staff/municipality/conversations", {
      title: `Gesprekken – ${req.tenant!.name}`,
      rows: rows.map((r) => ({ ...r, measurement: measurementOf(r.planStatus, r.planReason, states.get(r.id) ?? []) })),
      measurementLabels: MEASUREMENT_LABELS,
      skipLabels: SKIP_LABELS,
      total,
      filter,
      query,
      pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
      teams: await listTeams(db, municipalityId),
      canSeeClients: (CONTACT_ROLES as readonly string[]).includes(req.tenant!.role),
    });
  });

  const showClient = async (req: Request, contactShown: boolean) => {
    const municipalityId = req.tenant!.municipalityId;
    const client = await findClient(db, municipalityId, clientId(req));
    if (!client) throw notFound();
    const contact = contactShown ? await findContact(db, municipalityId, client.id) : undefined;
    // Not "client": EJS reads that local as its own option (compile for the browser) and breaks includes.
    return {
      clientInfo: client,
      contact,
      conversations: await listConversationsOfClient(db, municipalityId, client.id),
      contactShown,
      invitations: await listInvitationsOfClient(db, municipalityId, client.id),
      channelLabels: CHANNEL_LABELS,
      canReportBounce: req.tenant!.role === "admin",
      notice: req.query.melding === "bounce" ? "Gemeld als onbestelbaar. Het bericht gaat nu via het volgende kanaal, als dat er is." : undefined,
      // Erasure on request (AVG): administrators only, see server/retention/.
      erasure: {
        canErase: req.tenant!.role === "admin",
        erasedAt: await findErasedAt(db, municipalityId, client.id),
        notice: ERASURE_NOTICES[String(req.query.melding ?? "")],
      },
    };
  };

  router.get("/m/:code/clients/:clientId", requireRole(...CONTACT_ROLES), async (req, res) => {
    res.render("staff/municipality/client", { title: "Cliënt", ...(await showClient(req, false)) });
  });

  // A POST, not a link: nothing (a prefetch, a crawler, a shared URL) shows contact data by accident, and
  // every showing is in the audit log.
  router.post("/m/:code/clients/:clientId/contact", requireRole(...CONTACT_ROLES), async (req, res) => {
    const view = await showClient(req, true);
    await recordAudit(db, {
      action: "contact.viewed",
      municipalityId: req.tenant!.municipalityId,
      subjectType: "client",
      subjectId: view.clientInfo.id,
      details: { via: "client-page" },
      ...auditContext(req),
    });
    res.render("staff/municipality/client", { title: "Cliënt", ...view });
  });
}
