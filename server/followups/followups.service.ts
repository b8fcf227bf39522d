// The work on a follow-up: claiming it, the phone number for the one who claimed it, call attempts, the
// conversation (notes per topic, themes, outcome), reopening. Only the interviewer who holds a follow-up changes
// it; an administrator can hand it to someone else. Escalation and quotes are in their own files.
import type { Role } from "../accounts/accounts.schema.ts";
import { recordAudit, type AuditEvent } from "../audit/audit.service.ts";
import type { Db } from "../db.ts";
import { badRequest, conflict, forbidden, notFound } from "../errors.ts";
import { readSettings } from "../settings/settings.service.ts";
import {
  assignFollowup,
  claimFollowup,
  findFollowup,
  findPhone,
  listFollowupStaff,
  releaseFollowup,
  updateFollowup,
  UNSUCCESSFUL_RESULTS,
  type AttemptResult,
  type FollowupRow,
  type Outcome,
} from "./followups.queries.ts";
import { insertAttempt, listAttempts, listNotes, listThemes, replaceThemes, saveNotes } from "./followups.records.queries.ts";
import { GENERAL_TOPIC } from "./followups.messages.ts";
import { FOLLOWUP_SETTINGS, type FollowupSettings } from "./followups.settings.ts";
import { amsterdamDate } from "./working-days.ts";

export type Actor = Pick<AuditEvent, "actorUserId" | "actor" | "ip" | "requestId">;
/** The staff member doing the work, in the municipality of the page (req.tenant). */
export type Who = { municipalityId: number; userId: number; role: Role; actor: Actor };

/** How far ahead a call-back may be planned. */
export const MAX_CALLBACK_DAYS = 60;
export const MAX_NOTE_LENGTH = 10_000;

async function audit(db: Db, who: Who, action: AuditEvent["action"], followupId: number, details: Record<string, unknown> = {}) {
  await recordAudit(db, { action, municipalityId: who.municipalityId, subjectType: "followup", subjectId: followupId, details, ...who.actor });
}

export async function loadFollowup(db: Db, who: Pick<Who, "municipalityId">, id: number): Promise<FollowupRow> {
  const followup = await findFollowup(db, who.municipalityId, id);
  if (!followup) throw notFound("Dit verdiepingsgesprek bestaat niet (meer).");
  return followup;
}

/** Refuses unless the user holds the follow-up (claimed by them, not closed). */
export function assertHolder(followup: FollowupRow, who: Who): void {
  if (followup.status === "closed") throw conflict("Dit gesprek is afgesloten. Heropen het als u er nog iets aan wilt veranderen.");
  if (followup.status === "open") throw conflict("Pak dit gesprek eerst op; dan ziet u het telefoonnummer en kunt u pogingen en notities vastleggen.");
  if (followup.claimedByUserId !== who.userId) {
    throw forbidden(`Dit gesprek is opgepakt door ${followup.claimedByName ?? "een collega"}. Alleen die kan pogingen, notities en de uitkomst vastleggen. Vraag een beheerder om het aan u toe te wijzen.`);
  }
}

export async function claim(db: Db, who: Who, id: number, now = new Date()): Promise<void> {
  const followup = await loadFollowup(db, who, id);
  if (followup.status === "closed") throw conflict("Dit gesprek is al afgesloten.");
  if (followup.status === "claimed" && followup.claimedByUserId === who.userId) return;
  if (!(await claimFollowup(db, who.municipalityId, id, who.userId, now))) {
    const current = await loadFollowup(db, who, id);
    if (current.claimedByUserId === who.userId) return;
    throw conflict(`Dit gesprek is net opgepakt door ${current.claimedByName ?? "een collega"}. Kies een ander gesprek uit de lijst.`);
  }
  await audit(db, who, "followup.claimed", id);
}

export async function release(db: Db, who: Who, id: number, now = new Date()): Promise<void> {
  const followup = await loadFollowup(db, who, id);
  if (followup.status !== "claimed") throw conflict("Dit gesprek is niet opgepakt; er is niets terug te zetten.");
  if (who.role !== "admin" && followup.claimedByUserId !== who.userId) throw forbidden("Alleen wie het gesprek heeft opgepakt, of een beheerder, kan het terugzetten.");
  if (!(await releaseFollowup(db, who.municipalityId, id, who.role === "admin" ? undefined : who.userId, now))) throw conflict("Het gesprek is intussen veranderd. Bekijk het opnieuw.");
  await audit(db, who, "followup.released", id);
}

export async function assign(db: Db, who: Who, id: number, targetUserId: unknown, now = new Date()): Promise<string> {
  if (who.role !== "admin") throw forbidden("Alleen een beheerder kan een gesprek aan iemand anders geven.");
  const followup = await loadFollowup(db, who, id);
  if (followup.status === "closed") throw conflict("Dit gesprek is afgesloten; heropen het eerst.");
  const staff = await listFollowupStaff(db, who.municipalityId);
  const target = staff.find((s) => String(s.id) === String(targetUserId));
  if (!target) throw badRequest("Kies een interviewer of beheerder van deze gemeente.", [{ field: "user", message: "Kies een interviewer of beheerder van deze gemeente." }]);
  if (!(await assignFollowup(db, who.municipalityId, id, target.id, now))) throw conflict("Het gesprek is intussen afgesloten.");
  await audit(db, who, "followup.assigned", id, { toUserId: target.id });
  return target.name;
}

/** The numbers to call, for the holder only; every showing is in the audit log. */
export async function revealPhone(db: Db, who: Who, id: number): Promise<{ callbackPhone: string | null; mobile: string | null }> {
  const followup = await loadFollowup(db, who, id);
  if (followup.status !== "claimed" || followup.claimedByUserId !== who.userId) {
    throw forbidden("Alleen de interviewer die dit gesprek heeft opgepakt, ziet het telefoonnummer.");
  }
  const phone = await findPhone(db, who.municipalityId, followup.clientId);
  await recordAudit(db, {
    action: "contact.viewed",
    municipalityId: who.municipalityId,
    subjectType: "client",
    subjectId: followup.clientId,
    details: { via: "followup", followupId: id },
    ...who.actor,
  });
  return phone;
}

// --- attempts -----------------------------------------------------------------------------------------------

export type AttemptInput = { result: AttemptResult; attemptedAt?: Date; callbackAt?: Date; keepOpen?: boolean };
export type AttemptOutcome = { closedAsNotReached: boolean; unsuccessfulDays: number };

/** Distinct Amsterdam days with an unsuccessful attempt, when no attempt reached the client. */
function unsuccessfulDays(attempts: Array<{ result: AttemptResult; attemptedAt: Date }>): number {
  if (attempts.some((a) => a.result === "reached")) return 0;
  return new Set(attempts.filter((a) => UNSUCCESSFUL_RESULTS.includes(a.result)).map((a) => amsterdamDate(a.attemptedAt))).size;
}

export async function logAttempt(db: Db, who: Who, id: number, input: AttemptInput, now = new Date()): Promise<AttemptOutcome> {
  const followup = await loadFollowup(db, who, id);
  assertHolder(followup, who);
  const attemptedAt = input.attemptedAt ?? now;
  if (attemptedAt.getTime() > now.getTime() + 5 * 60_000) {
    throw badRequest("Het tijdstip van de poging ligt in de toekomst. Laat het leeg voor nu.", [{ field: "attemptedAt", message: "Het tijdstip ligt in de toekomst." }]);
  }
  if (attemptedAt.getTime() < followup.createdAt.getTime()) {
    throw badRequest("Het tijdstip van de poging ligt vóór de dag waarop de vragenlijst werd ingevuld.", [{ field: "attemptedAt", message: "Het tijdstip ligt te vroeg." }]);
  }
  let callbackAt: Date | null = null;
  if (input.result === "callback") {
    if (!input.callbackAt) throw badRequest("Vul in wanneer u de cliënt terugbelt.", [{ field: "callbackAt", message: "Vul een datum en tijd in." }]);
    if (input.callbackAt.getTime() <= now.getTime()) {
      throw badRequest("Het moment om terug te bellen ligt in het verleden. Kies een datum en tijd die nog moeten komen.", [{ field: "callbackAt", message: "Kies een moment in de toekomst." }]);
    }
    if (input.callbackAt.getTime() > now.getTime() + MAX_CALLBACK_DAYS * 86_400_000) {
      throw badRequest(`Terugbellen kan hoogstens ${MAX_CALLBACK_DAYS} dagen vooruit worden gepland.`, [{ field: "callbackAt", message: "Kies een moment dichterbij." }]);
    }
    callbackAt = input.callbackAt;
  }
  const settings = await readSettings(db, who.municipalityId, FOLLOWUP_SETTINGS);
  const outcome = await db.transaction(async (trx) => {
    const previous = await listAttempts(trx, id);
    const all = [...previous, { result: input.result, attemptedAt }];
    const days = unsuccessfulDays(all);
    const close = UNSUCCESSFUL_RESULTS.includes(input.result) && days >= settings.maxAttempts && !input.keepOpen;
    const firstAttemptAt = followup.firstAttemptAt && followup.firstAttemptAt < attemptedAt ? followup.firstAttemptAt : attemptedAt;
    const updated = await updateFollowup(
      trx,
      who.municipalityId,
      id,
      {
        attempts: previous.length + 1,
        firstAttemptAt,
        callbackAt,
        ...(close ? { status: "closed" as const, outcome: "niet_bereikt" as const, closedAt: now, closedByUserId: who.userId } : {}),
      },
      now,
      { status: "claimed", claimedByUserId: who.userId },
    );
    if (!updated) throw conflict("Het gesprek is intussen aan iemand anders gegeven of afgesloten. Er is niets vastgelegd.");
    await insertAttempt(trx, { followupId: id, userId: who.userId, attemptedAt, result: input.result, callbackAt }, now);
    return { closedAsNotReached: close, unsuccessfulDays: days };
  });
  if (outcome.closedAsNotReached) await audit(db, who, "followup.closed", id, { outcome: "niet_bereikt", automatic: true });
  return outcome;
}

// --- the conversation ---------------------------------------------------------------------------------------

export type ConversationInput = {
  notes: Record<string, string>;
  themes: string[];
  /** Set to close the follow-up with this outcome. */
  outcome?: Outcome;
};

/** The topics a follow-up has notes for: each triggering question, and "algemeen". */
export function topicsOf(followup: FollowupRow): string[] {
  return [...followup.triggers.map((t) => t.key), GENERAL_TOPIC];
}

/** Checks and stores notes and themes, and closes with an outcome when one is given. Nothing is stored when a check fails. */
export async function saveConversation(db: Db, who: Who, id: number, input: ConversationInput, now = new Date()): Promise<void> {
  const followup = await loadFollowup(db, who, id);
  assertHolder(followup, who);
  const settings: FollowupSettings = await readSettings(db, who.municipalityId, FOLLOWUP_SETTINGS);
  const topics = new Set(topicsOf(followup));
  const notes = Object.entries(input.notes).map(([topic, text]) => ({ topic, text: text.replace(/\r\n/g, "\n").trim() }));
  for (const note of notes) {
    if (!topics.has(note.topic)) throw badRequest("Er is een notitie bij een onderwerp dat niet bij dit gesprek hoort.", [{ field: `notes.${note.topic}`, message: "Onbekend onderwerp." }]);
    if (note.text.length > MAX_NOTE_LENGTH) {
      throw badRequest(`Een notitie is hoogstens ${MAX_NOTE_LENGTH.toLocaleString("nl-NL")} tekens.`, [{ field: `notes.${note.topic}`, message: "Deze notitie is te lang." }]);
    }
  }
  const current = new Set(await listThemes(db, id));
  const allowed = new Set(settings.themes.filter((t) => t.active || current.has(t.key)).map((t) => t.key));
  const themes = [...new Set(input.themes)];
  const unknown = themes.filter((t) => !allowed.has(t));
  if (unknown.length > 0) throw badRequest("Kies thema's uit de lijst van de gemeente.", [{ field: "themes", message: "Onbekend thema." }]);

  if (input.outcome !== undefined) {
    const attempts = await listAttempts(db, id);
    const reached = attempts.some((a) => a.result === "reached");
    if (input.outcome === "niet_bereikt") {
      if (attempts.length === 0) throw badRequest("Leg eerst minstens één belpoging vast voordat u afsluit als niet bereikt.", [{ field: "outcome", message: "Nog geen belpoging." }]);
      if (reached) throw badRequest("U heeft de cliënt gesproken; kies de uitkomst van het gesprek.", [{ field: "outcome", message: "Kies een andere uitkomst." }]);
    } else {
      if (!reached) {
        throw badRequest("Leg eerst een poging met het resultaat 'Gesproken' vast; een uitkomst hoort bij een gesprek met de cliënt.", [{ field: "outcome", message: "Nog geen gesprek vastgelegd." }]);
      }
      const saved = new Map((await listNotes(db, id)).map((n) => [n.topic, n.text]));
      for (const note of notes) saved.set(note.topic, note.text);
      if (![...saved.values()].some((text) => text !== "")) {
        throw badRequest("Schrijf eerst in de notities wat de cliënt vertelde. Een uitkomst zonder notities kan niet.", [{ field: "notes", message: "Schrijf minstens één notitie." }]);
      }
    }
  }

  await db.transaction(async (trx) => {
    const patch = input.outcome !== undefined ? { status: "closed" as const, outcome: input.outcome, closedAt: now, closedByUserId: who.userId, callbackAt: null } : {};
    const updated = await updateFollowup(trx, who.municipalityId, id, patch, now, { status: "claimed", claimedByUserId: who.userId });
    if (!updated) throw conflict("Het gesprek is intussen aan iemand anders gegeven of afgesloten. Uw notities zijn niet opgeslagen; ze staan nog in het formulier.");
    await saveNotes(trx, id, notes, who.userId, now);
    await replaceThemes(trx, id, themes);
  });
  if (input.outcome !== undefined) await audit(db, who, "followup.closed", id, { outcome: input.outcome });
}

/** Opens a closed follow-up again for the user (its last holder, or an administrator). */
export async function reopen(db: Db, who: Who, id: number, now = new Date()): Promise<void> {
  const followup = await loadFollowup(db, who, id);
  if (followup.status !== "closed") throw conflict("Dit gesprek is niet afgesloten.");
  if (who.role !== "admin" && followup.claimedByUserId !== who.userId) throw forbidden("Alleen wie het gesprek had, of een beheerder, kan het heropenen.");
  const updated = await updateFollowup(db, who.municipalityId, id, { status: "claimed", outcome: null, closedAt: null, closedByUserId: null, claimedByUserId: who.userId, claimedAt: now }, now, { status: "closed" });
  if (!updated) throw conflict("Het gesprek is intussen veranderd. Bekijk het opnieuw.");
  await audit(db, who, "followup.reopened", id, { previousOutcome: followup.outcome });
}
