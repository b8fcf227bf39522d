// /staff/m/:code/retention: the municipality's retention policy for contact data (administrators).
// /staff/m/:code/clients/:clientId/erase: erasing a client's data on request (AVG), after a confirmation step
// that says what happens; administrators only.
import type { Request, Response, Router } from "express";
import { auditContext, readAuditTrail, recordAudit } from "../audit/audit.service.ts";
import { requireRole } from "../auth/auth.middleware.ts";
import type { Db } from "../db.ts";
import { notFound } from "../errors.ts";
import { param } from "../middleware/params.ts";
import { readSettings, writeSettings } from "../settings/settings.service.ts";
import { eraseClient, previewErasure } from "./erasure.service.ts";
import { countClientsWithContact } from "./retention.queries.ts";
import { formInteger, MAX_CONTACT_DAYS, MIN_CONTACT_DAYS, OUTBOX_RETENTION_DAYS, RETENTION_SETTINGS } from "./retention.schema.ts";

function clientIdOf(req: Request): number {
  const id = Number(param(req, "clientId"));
  if (!/^\d{1,10}$/.test(param(req, "clientId")) || !Number.isSafeInteger(id) || id <= 0) throw notFound();
  return id;
}

const confirmed = (value: unknown) => value === "ja";

export function registerRetentionRoutes(router: Router, { db }: { db: Db }): void {
  const admins = requireRole("admin");

  const renderSettings = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const municipalityId = req.tenant!.municipalityId;
    const settings = await readSettings(db, municipalityId, RETENTION_SETTINGS);
    const last = (await readAuditTrail(db, { municipalityId, action: "contact.purged" }, 1, 1)).rows[0];
    res.render("staff/municipality/retention", {
      title: `Bewaartermijn contactgegevens – ${req.tenant!.name}`,
      values: settings,
      errors: {},
      limits: { min: MIN_CONTACT_DAYS, max: MAX_CONTACT_DAYS, outboxDays: OUTBOX_RETENTION_DAYS },
      clientsWithContact: await countClientsWithContact(db, municipalityId),
      lastPurge: last ? { at: last.occurredAt, contacts: Number(last.details.contacts ?? 0) } : undefined,
      ...extra,
    });
  };

  router.get("/m/:code/retention", admins, async (req, res) => {
    await renderSettings(req, res, { notice: req.query.melding === "opgeslagen" ? "De bewaartermijn is opgeslagen. Hij geldt vanaf de volgende nacht." : undefined });
  });

  router.post("/m/:code/retention", admins, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const saved = await writeSettings(db, req.tenant!.municipalityId, RETENTION_SETTINGS, { contactDays: formInteger(body.contactDays) }, req.staff!.user.id);
    if (!saved.ok) {
      res.status(400);
      return renderSettings(req, res, {
        values: { contactDays: typeof body.contactDays === "string" ? body.contactDays.slice(0, 20) : "" },
        errors: Object.fromEntries(saved.problems.map((p) => [p.field, p.message])),
      });
    }
    await recordAudit(db, { action: "retention.settings_changed", municipalityId: req.tenant!.municipalityId, subjectType: "settings", subjectId: "retention", details: saved.value, ...auditContext(req) });
    res.redirect(303, `/staff/m/${req.tenant!.code}/retention?melding=opgeslagen`);
  });

  const renderErasure = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const clientId = clientIdOf(req);
    const plan = await previewErasure(db, req.tenant!.municipalityId, clientId);
    if (!plan) throw notFound("Deze cliënt bestaat niet (meer).");
    // Not "scope": EJS reads that local as its own (deprecated) option.
    res.render("staff/municipality/client-erase", { title: "Gegevens van cliënt wissen", clientId, plan, error: undefined, ...extra });
  };

  router.get("/m/:code/clients/:clientId/erase", admins, async (req, res) => {
    await renderErasure(req, res);
  });

  router.post("/m/:code/clients/:clientId/erase", admins, async (req, res) => {
    const clientId = clientIdOf(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!confirmed(body.bevestig)) {
      res.status(400);
      return renderErasure(req, res, { error: "Niets gewist. Zet eerst een vinkje om te bevestigen dat de cliënt om het wissen heeft gevraagd." });
    }
    const { actorUserId, actor, ip, requestId } = auditContext(req);
    const who = { actorUserId: actorUserId ?? null, actor: actor ?? null, ip: ip ?? null, requestId: requestId ?? null };
    const result = await eraseClient(db, req.tenant!.municipalityId, clientId, who);
    if (result.kind === "unknown") throw notFound("Deze cliënt bestaat niet (meer).");
    res.redirect(303, `/staff/m/${req.tenant!.code}/clients/${clientId}?melding=${result.kind === "erased" ? "gewist" : "al-gewist"}`);
  });
}
