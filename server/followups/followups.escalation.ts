// Urgent follow-ups (safety, a client without necessary care): the municipality hears at once, not at quarter
// end. The flag is stored first, so it is never lost when the e-mail cannot go out; the e-mail carries only a
// link to the follow-up, never the notes; the municipality confirms in the UI that it picked the signal up.
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import { badRequest, conflict, forbidden } from "../errors.ts";
import { MailNotConfiguredError, MailSendError, type Mailer } from "../mail/mail.service.ts";
import { renderMail } from "../mail/mail.templates.ts";
import { findMunicipalityById } from "../municipalities/municipalities.queries.ts";
import { readSettings } from "../settings/settings.service.ts";
import { recordAudit } from "../audit/audit.service.ts";
import { updateFollowup, URGENT_REASONS, type FollowupRow, type UrgentReason } from "./followups.queries.ts";
import { FOLLOWUP_SETTINGS } from "./followups.settings.ts";
import { loadFollowup, type Who } from "./followups.service.ts";

export type EscalationResult = { sent: true; to: "settings" | "municipality" } | { sent: false; reason: "no-address" | "send-failed"; message: string };

export type EscalationDeps = { db: Db; mailer: Mailer; config: Config };

/** Where urgent signals of a municipality go: its own setting, else the municipality's contact address. */
export async function escalationAddress(db: Db, municipalityId: number): Promise<{ address: string; from: "settings" | "municipality" } | undefined> {
  const settings = await readSettings(db, municipalityId, FOLLOWUP_SETTINGS);
  if (settings.escalationEmail) return { address: settings.escalationEmail, from: "settings" };
  const municipality = await findMunicipalityById(db, municipalityId);
  return municipality?.contactEmail ? { address: municipality.contactEmail, from: "municipality" } : undefined;
}

export function followupLink(config: Config, code: string, id: number): string {
  return `${config.baseUrl}/staff/m/${code}/followups/${id}`;
}

async function sendEscalation({ db, mailer, config }: EscalationDeps, who: Who, followup: FollowupRow, now: Date): Promise<EscalationResult> {
  const municipality = await findMunicipalityById(db, who.municipalityId);
  const target = await escalationAddress(db, who.municipalityId);
  if (!municipality || !target) {
    return {
      sent: false,
      reason: "no-address",
      message: "De urgente melding staat vast, maar er is geen e-mailadres van de gemeente ingesteld, dus er is geen e-mail verstuurd. Bel de gemeente nu, en vraag een beheerder een adres in te stellen bij de instellingen van de verdiepingsgesprekken.",
    };
  }
  const subject = `Urgente melding uit een verdiepingsgesprek – gemeente ${municipality.name}`;
  const { text, html } = await renderMail("followup-urgent", { subject, municipalityName: municipality.name, link: followupLink(config, municipality.code, followup.id) });
  try {
    await mailer.send({ to: target.address, subject, text, html, category: "followup-urgent", municipalityId: who.municipalityId, headers: { "X-Priority": "1", Importance: "high" } });
  } catch (err) {
    if (!(err instanceof MailSendError) && !(err instanceof MailNotConfiguredError)) throw err;
    return {
      sent: false,
      reason: "send-failed",
      message: `De urgente melding staat vast, maar de e-mail aan de gemeente is niet verstuurd (${err.message.replace(/\.$/, "")}). Probeer het opnieuw of bel de gemeente.`,
    };
  }
  await updateFollowup(db, who.municipalityId, followup.id, { escalatedAt: now }, now);
  await recordAudit(db, { action: "followup.escalated", municipalityId: who.municipalityId, subjectType: "followup", subjectId: followup.id, details: { to: target.from }, ...who.actor });
  return { sent: true, to: target.from };
}

/** Flags a follow-up as urgent and tells the municipality at once. A second flag sends nothing again. */
export async function markUrgent(deps: EscalationDeps, who: Who, id: number, reason: unknown, now = new Date()): Promise<EscalationResult | { sent: "already" }> {
  const followup = await loadFollowup(deps.db, who, id);
  const holder = followup.status === "claimed" && followup.claimedByUserId === who.userId;
  if (!holder && who.role !== "admin") throw forbidden("Alleen de interviewer die dit gesprek heeft opgepakt, of een beheerder, kan het urgent melden.");
  if (!followup.urgent && !URGENT_REASONS.includes(reason as UrgentReason)) {
    throw badRequest("Kies waarom dit urgent is.", [{ field: "reason", message: "Kies waarom dit urgent is." }]);
  }
  if (followup.urgent && followup.escalatedAt) return { sent: "already" };
  if (!followup.urgent) {
    await updateFollowup(deps.db, who.municipalityId, id, { urgent: true, urgentReason: reason as UrgentReason }, now);
    await recordAudit(deps.db, { action: "followup.urgent", municipalityId: who.municipalityId, subjectType: "followup", subjectId: id, details: { reason }, ...who.actor });
  }
  return sendEscalation(deps, who, { ...followup, urgent: true }, now);
}

/** Tries the e-mail again for an urgent follow-up whose e-mail did not go out. */
export async function resendEscalation(deps: EscalationDeps, who: Who, id: number, now = new Date()): Promise<EscalationResult | { sent: "already" }> {
  const followup = await loadFollowup(deps.db, who, id);
  if (!followup.urgent) throw conflict("Dit gesprek is niet urgent gemeld.");
  if (followup.escalatedAt) return { sent: "already" };
  const holder = followup.claimedByUserId === who.userId;
  if (!holder && who.role !== "admin") throw forbidden("Alleen de interviewer van dit gesprek, of een beheerder, kan de melding opnieuw versturen.");
  return sendEscalation(deps, who, followup, now);
}

/** The municipality confirms it has picked the urgent signal up. */
export async function acknowledge(db: Db, who: Who, id: number, now = new Date()): Promise<void> {
  if (who.role !== "admin") throw forbidden("Alleen een beheerder van de gemeente kan bevestigen dat de gemeente de melding oppakt.");
  const followup = await loadFollowup(db, who, id);
  if (!followup.urgent) throw conflict("Dit gesprek is niet urgent gemeld; er is niets te bevestigen.");
  if (followup.acknowledgedAt) return;
  await updateFollowup(db, who.municipalityId, id, { acknowledgedAt: now, acknowledgedByUserId: who.userId }, now);
  await recordAudit(db, { action: "followup.acknowledged", municipalityId: who.municipalityId, subjectType: "followup", subjectId: id, ...who.actor });
}
