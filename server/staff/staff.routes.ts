// The staff area under /staff: one router on which every staff feature registers its routes, each with a
// guard from auth.middleware.ts. Keeping them on one router lets the tenant-isolation test walk them all.
import { Router } from "express";
import { registerAccountRoutes } from "../accounts/account.routes.ts";
import { registerMemberRoutes } from "../accounts/members.routes.ts";
import { registerApiKeyRoutes } from "../apikeys/apikeys.routes.ts";
import { registerAuditRoutes } from "../audit/audit.routes.ts";
import { ANY_ROLE, requireRole, requireSession } from "../auth/auth.middleware.ts";
import { registerAuthRoutes } from "../auth/auth.routes.ts";
import { registerFollowupRoutes } from "../followups/followups.routes.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import type { Mailer } from "../mail/mail.service.ts";
import { registerOutboxRoutes } from "../mail/outbox.routes.ts";
import { registerConversationRoutes } from "../intake/conversations.routes.ts";
import { registerImportRoutes } from "../intake/imports.routes.ts";
import { registerInvitationRoutes } from "../invitations/invitations.routes.ts";
import { registerLetterRoutes } from "../letters/letters.routes.ts";
import { registerPlatformRoutes } from "../platform/platform.routes.ts";
import { registerStaffEntryRoutes } from "../respondent/staff-entry.routes.ts";
import { registerQuestionnaireRoutes } from "../surveys/questionnaires.routes.ts";
import { registerReportRoutes } from "../reports/reports.routes.ts";
import { registerRetentionRoutes } from "../retention/retention.routes.ts";
import type { SurveyCatalog } from "../surveys/surveys.loader.ts";

export type StaffDeps = { db: Db; config: Config; mailer: Mailer; catalog: SurveyCatalog };

export function createStaffRouter(deps: StaffDeps): Router {
  const router = Router();
  router.use((_req, res, next) => {
    // Staff pages hold personal data: never cache them, not even in the browser's history.
    res.set("Cache-Control", "no-store");
    next();
  });

  router.get("/", requireSession("active"), (req, res) => {
    const { memberships, user } = req.staff!;
    if (memberships.length === 1 && !user.isPlatformAdmin) return res.redirect(303, `/staff/m/${memberships[0]!.code}`);
    res.render("staff/home", { title: "Overzicht", memberships });
  });

  router.get("/m/:code", requireRole(...ANY_ROLE), (req, res) => {
    res.render("staff/municipality/index", { title: req.tenant!.name });
  });

  registerAuthRoutes(router, deps);
  registerAccountRoutes(router, deps);
  registerPlatformRoutes(router, deps);
  registerMemberRoutes(router, deps);
  registerApiKeyRoutes(router, deps);
  registerAuditRoutes(router, deps);
  registerOutboxRoutes(router, deps);
  registerConversationRoutes(router, deps);
  registerQuestionnaireRoutes(router, deps);
  registerImportRoutes(router, deps);
  registerStaffEntryRoutes(router, deps);
  registerInvitationRoutes(router, deps);
  registerLetterRoutes(router, deps);
  registerFollowupRoutes(router, deps);
  registerReportRoutes(router, deps);
  registerRetentionRoutes(router, deps);
  return router;
}
