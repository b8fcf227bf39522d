// Staff pages of the invitations: the funnel (admin, reader), the invitation policy (admin), failed messages
// with their reasons and the bounce action (admin), the phone list (interviewer, admin), and the dev outbox
// of the municipality (admin, outside production).
import type { Request, Response, Router } from "express";
import { z } from "zod";
import { auditContext, recordAudit } from "../audit/audit.service.ts";
import { requireRole } from "../auth/auth.middleware.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import { notFound } from "../errors.ts";
import { findContact } from "../intake/intake.queries.ts";
import { param } from "../middleware/params.ts";
import { findOutboxMessage, listOutboxMessages } from "../mail/mail.queries.ts";
import { readSettings, writeSettings } from "../settings/settings.service.ts";
import { addDays, amsterdamDate, startOfAmsterdamDay } from "../time.ts";
import { findDelivery } from "./deliveries.queries.ts";
import { failAndFallBack } from "./fallback.service.ts";
import { countConversations, countWaitingDeliveries, funnelByChannel, listFailedDeliveries, listPhoneInvitations } from "./funnel.queries.ts";
import { AUTOMATIC_CHANNELS, CHANNEL_LABELS, invitationSettings, type InvitationPolicy } from "./invitations.schema.ts";
import { SKIP_LABELS } from "./planner.service.ts";

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const rangeSchema = z.object({
  van: z.string().regex(DAY).optional().catch(undefined),
  tot: z.string().regex(DAY).optional().catch(undefined),
});

export const WEEKDAY_LABELS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"];

/** The settings form as the policy's shape: numbers from text fields, checkboxes as booleans and lists. */
export function policyFromForm(body: Record<string, unknown>): unknown {
  const number = (name: string) => {
    const raw = typeof body[name] === "string" ? (body[name] as string).trim() : "";
    return raw === "" ? undefined : /^-?\d+$/.test(raw) ? Number(raw) : raw;
  };
  const list = (name: string) => ([] as unknown[]).concat(body[name] ?? []).map(String);
  const reminders = [number("reminder1"), number("reminder2"), number("reminder3")].filter((v) => v !== undefined);
  const order = [body.order1, body.order2, body.order3].filter((v): v is string => typeof v === "string" && v !== "");
  const enabled = new Set(list("channels"));
  return {
    waitDays: number("waitDays"),
    maxLateDays: number("maxLateDays"),
    fatigueMonths: number("fatigueMonths"),
    reminderDays: reminders,
    expiryDays: number("expiryDays"),
    channelOrder: order,
    enabledChannels: { email: enabled.has("email"), sms: enabled.has("sms"), letter: enabled.has("letter"), phone: enabled.has("phone") },
    smsWindow: { start: body.smsStart, end: body.smsEnd, days: list("smsDays").map(Number) },
    letterIncludesForm: body.letterIncludesForm === "on",
  };
}

export function registerInvitationRoutes(router: Router, { db, config }: { db: Db; config: Config }): void {
  const base = (req: Request) => `/staff/m/${req.tenant!.code}`;

  router.get("/m/:code/invitations", requireRole("admin", "reader"), async (req, res) => {
    const query = rangeSchema.parse(req.query);
    const today = amsterdamDate(new Date());
    const from = query.van ?? addDays(today, -90);
    const to = query.tot ?? today;
    const range = { from: startOfAmsterdamDay(from), to: startOfAmsterdamDay(addDays(to, 1)) };
    const municipalityId = req.tenant!.municipalityId;
    res.render("staff/invitations/funnel", {
      title: `Uitnodigingen – ${req.tenant!.name}`,
      from,
      to,
      conversations: await countConversations(db, municipalityId, range),
      channels: await funnelByChannel(db, municipalityId, range),
      waiting: await countWaitingDeliveries(db, municipalityId),
      channelLabels: CHANNEL_LABELS,
      skipLabels: SKIP_LABELS,
      isAdmin: req.tenant!.role === "admin",
    });
  });

  const renderSettings = async (req: Request, res: Response, policy: InvitationPolicy | Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    res.render("staff/invitations/settings", {
      title: `Uitnodigingsbeleid – ${req.tenant!.name}`,
      policy,
      channels: AUTOMATIC_CHANNELS,
      channelLabels: CHANNEL_LABELS,
      weekdays: WEEKDAY_LABELS,
      problems: [],
      ...extra,
    });
  };

  router.get("/m/:code/invitations/settings", requireRole("admin"), async (req, res) => {
    await renderSettings(req, res, await readSettings(db, req.tenant!.municipalityId, invitationSettings), {
      notice: req.query.melding === "opgeslagen" ? "Opgeslagen. Het nieuwe beleid geldt vanaf nu voor de planner." : undefined,
    });
  });

  router.post("/m/:code/invitations/settings", requireRole("admin"), async (req, res) => {
    const input = policyFromForm((req.body ?? {}) as Record<string, unknown>);
    const saved = await writeSettings(db, req.tenant!.municipalityId, invitationSettings, input, req.staff!.user.id);
    if (!saved.ok) {
      const current = await readSettings(db, req.tenant!.municipalityId, invitationSettings);
      return renderSettings(req, res.status(400), { ...current, ...(input as object) }, { problems: saved.problems });
    }
    await recordAudit(db, {
      action: "invitations.settings_changed",
      municipalityId: req.tenant!.municipalityId,
      subjectType: "settings",
      subjectId: "invitations",
      details: { ...saved.value },
      ...auditContext(req),
    });
    res.redirect(303, `${base(req)}/invitations/settings?melding=opgeslagen`);
  });

  router.get("/m/:code/deliveries/failed", requireRole("admin"), async (req, res) => {
    res.render("staff/invitations/failed", {
      title: `Niet aangekomen berichten – ${req.tenant!.name}`,
      rows: await listFailedDeliveries(db, req.tenant!.municipalityId),
      channelLabels: CHANNEL_LABELS,
      notice: req.query.melding === "bounce" ? "Gemeld als onbestelbaar. Het bericht gaat nu via het volgende kanaal, als dat er is." : undefined,
    });
  });

  // An administrator records a bounce that reached the municipality some other way (a returned e-mail in a
  // shared mailbox): the same fallback as the provider's webhook.
  router.post("/m/:code/deliveries/:deliveryId/bounce", requireRole("admin"), async (req, res) => {
    const id = Number(param(req, "deliveryId"));
    const delivery = Number.isSafeInteger(id) && id > 0 ? await findDelivery(db, req.tenant!.municipalityId, id) : undefined;
    if (!delivery || delivery.channel !== "email") throw notFound();
    const outcome = await failAndFallBack(db, delivery, { status: "bounced", error: "Door een beheerder gemeld als onbestelbaar (bounce).", code: "bounce" });
    await recordAudit(db, { action: "delivery.bounced", municipalityId: req.tenant!.municipalityId, subjectType: "delivery", subjectId: id, details: { outcome }, ...auditContext(req) });
    const back = typeof req.body?.terug === "string" && /^\/staff\/m\/[A-Z0-9]+\/clients\/\d+$/.test(req.body.terug) ? req.body.terug : `${base(req)}/deliveries/failed`;
    res.redirect(303, `${back}?melding=bounce`);
  });

  router.get("/m/:code/phone-list", requireRole("admin", "interviewer"), async (req, res) => {
    res.render("staff/invitations/phone-list", { title: `Bellijst – ${req.tenant!.name}`, rows: await listPhoneInvitations(db, req.tenant!.municipalityId), shown: undefined });
  });

  // The number only after an explicit, audited click, as on the client page.
  router.post("/m/:code/phone-list/:clientId/number", requireRole("admin", "interviewer"), async (req, res) => {
    const clientId = Number(param(req, "clientId"));
    const rows = await listPhoneInvitations(db, req.tenant!.municipalityId);
    const row = rows.find((r) => r.clientId === clientId);
    if (!row) throw notFound();
    const contact = await findContact(db, req.tenant!.municipalityId, clientId);
    await recordAudit(db, { action: "contact.viewed", municipalityId: req.tenant!.municipalityId, subjectType: "client", subjectId: clientId, details: { via: "phone-list" }, ...auditContext(req) });
    res.render("staff/invitations/phone-list", { title: `Bellijst – ${req.tenant!.name}`, rows, shown: { clientId, mobile: contact?.mobile ?? null } });
  });

  // Outside production, without SMTP or Twilio: the messages this municipality's clients would have had.
  router.get("/m/:code/outbox", requireRole("admin"), async (req, res) => {
    if (config.isProduction) throw notFound();
    res.render("staff/outbox/index", {
      title: `Outbox – ${req.tenant!.name}`,
      messages: await listOutboxMessages(db, { municipalityId: req.tenant!.municipalityId, limit: 200 }),
      messageBase: `${base(req)}/outbox`,
    });
  });

  router.get("/m/:code/outbox/:messageId", requireRole("admin"), async (req, res) => {
    if (config.isProduction) throw notFound();
    const id = Number(param(req, "messageId"));
    const message = Number.isSafeInteger(id) && id > 0 ? await findOutboxMessage(db, id) : undefined;
    if (!message || message.municipalityId !== req.tenant!.municipalityId) throw notFound();
    res.render("staff/outbox/message", { title: message.subject ?? "Bericht", message, backUrl: `${base(req)}/outbox` });
  });
}
