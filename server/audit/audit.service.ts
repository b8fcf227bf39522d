// Recording and reading the audit trail. Every feature records through recordAudit(); the labels below
// are what administrators read.
import type { Request } from "express";
import type { Db } from "../db.ts";
import { insertAuditEvent, listAuditEvents, type AuditEventInput, type AuditEventRow, type AuditFilter } from "./audit.queries.ts";

export const AUDIT_ACTIONS = {
  "login.succeeded": "Ingelogd",
  "login.failed": "Inloggen mislukt",
  logout: "Uitgelogd",
  "password.reset_requested": "Nieuw wachtwoord aangevraagd",
  "password.changed": "Wachtwoord ingesteld",
  "totp.enabled": "Tweestapsverificatie ingesteld",
  "totp.reset": "Tweestapsverificatie teruggezet",
  "recovery_codes.generated": "Herstelcodes gemaakt",
  "recovery_code.used": "Herstelcode gebruikt",
  "user.created": "Gebruiker aangemaakt",
  "user.invited": "Uitnodiging verstuurd",
  "user.deactivated": "Gebruiker uitgeschakeld",
  "user.activated": "Gebruiker weer ingeschakeld",
  "membership.added": "Rol gegeven",
  "membership.role_changed": "Rol gewijzigd",
  "membership.removed": "Toegang ingetrokken",
  "municipality.created": "Gemeente toegevoegd",
  "questionnaire.customised": "Vragenlijst aangepast",
  "apikey.created": "API-sleutel gemaakt",
  "apikey.revoked": "API-sleutel ingetrokken",
  "contact.viewed": "Contactgegevens bekeken",
  "export.downloaded": "Export gedownload",
  "report.downloaded": "Rapport gedownload",
  "report.period_closed": "Rapportperiode afgesloten",
  "report.settings_changed": "Instellingen rapporten gewijzigd",
  "region_reader.granted": "Toegang tot de regiovergelijking gegeven",
  "region_reader.revoked": "Toegang tot de regiovergelijking ingetrokken",
  "response.entered": "Antwoorden ingevoerd namens cliënt",
  "client.opted_out": "Cliënt afgemeld voor het onderzoek",
  "client.erased": "Gegevens van cliënt gewist op verzoek (AVG)",
  "contact.purged": "Contactgegevens verwijderd na de bewaartermijn",
  "retention.settings_changed": "Bewaartermijn contactgegevens gewijzigd",
  "invitations.settings_changed": "Uitnodigingsbeleid gewijzigd",
  "delivery.bounced": "Bericht als onbestelbaar gemeld",
  "letters.downloaded": "Brieven gedownload",
  "letters.posted": "Brieven als verstuurd gemarkeerd",
  "followup.claimed": "Verdiepingsgesprek opgepakt",
  "followup.released": "Verdiepingsgesprek teruggezet in de wachtrij",
  "followup.assigned": "Verdiepingsgesprek toegewezen",
  "followup.closed": "Verdiepingsgesprek afgesloten",
  "followup.reopened": "Verdiepingsgesprek heropend",
  "followup.urgent": "Verdiepingsgesprek urgent gemeld",
  "followup.escalated": "Urgente melding gemaild aan de gemeente",
  "followup.acknowledged": "Urgente melding bevestigd door de gemeente",
  "followups.settings_changed": "Instellingen verdiepingsgesprekken gewijzigd",
  "quote.reviewed": "Citaat beoordeeld",
  "quote.selected": "Open antwoord gekozen als citaat",
} as const;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export type AuditEvent = Omit<AuditEventInput, "action"> & { action: AuditAction };

export async function recordAudit(db: Db, event: AuditEvent): Promise<void> {
  await insertAuditEvent(db, event);
}

/** Who and where, from a request: the signed-in user (if any), the client IP and the request id. */
export function auditContext(req: Request): Pick<AuditEventInput, "actorUserId" | "actor" | "ip" | "requestId"> {
  return {
    actorUserId: req.staff?.user.id ?? null,
    actor: req.staff?.user.email ?? null,
    ip: req.ip ?? null,
    requestId: typeof req.id === "string" ? req.id : String(req.id ?? ""),
  };
}

export type AuditPage = { rows: Array<AuditEventRow & { label: string }>; total: number; page: number; pageSize: number };

export async function readAuditTrail(db: Db, filter: Omit<AuditFilter, "limit" | "offset">, page: number, pageSize = 50): Promise<AuditPage> {
  const { rows, total } = await listAuditEvents(db, { ...filter, limit: pageSize, offset: (page - 1) * pageSize });
  return {
    rows: rows.map((row) => ({ ...row, label: AUDIT_ACTIONS[row.action as AuditAction] ?? row.action })),
    total,
    page,
    pageSize,
  };
}
