// The clients of Voorbeeldstad and the staff who take their answers: a message arrives (e-mail, SMS, a posted
// letter), and the client answers it through the real respondent paths — a link, a paper code typed online, a
// paper form the data-entry worker types in, or an interview on the phone list — or opens it and stops, opts out
// (unsubscribe link, STOP by SMS, a call to the municipality), or lets it pass.
import { recordAudit } from "../audit/audit.service.ts";
import { hashSecret } from "../invitations/codes.ts";
import { listPhoneInvitations } from "../invitations/funnel.queries.ts";
import { findInvitationBySecret, findInvitationOfMunicipality, type InvitationRow } from "../invitations/invitations.queries.ts";
import { startPhoneInvitation } from "../invitations/invitations.service.ts";
import { optOutByMobile, optOutClient } from "../invitations/optout.service.ts";
import { findBatchDeliveries, listLetterBatches } from "../letters/letters.queries.ts";
import { markLettersPosted } from "../letters/letters.service.ts";
import {
  completeResponse,
  loadSurvey,
  openForStaff,
  openWithCodeAccess,
  openWithToken,
  saveProgress,
  signCodeAccess,
  type Access,
  type Opened,
} from "../respondent/respondent.service.ts";
import { answersFor } from "./demo.answers.ts";
import { amsterdamDate, momentOn, workingDayAfter } from "./demo.calendar.ts";
import { hours } from "./demo.clock.ts";
import type { Intake, Persona } from "./demo.population.ts";
import { clientState, QUESTIONNAIRE_OF, type World } from "./demo.world.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;

type Arrival = { channel: "email"; token: string } | { channel: "sms"; token: string; mobile: string } | { channel: "letter"; invitationId: number };

type Known = { invitation: InvitationRow; intake: Intake; persona: Persona };

function known(world: World, invitation: InvitationRow | undefined): Known | undefined {
  if (!invitation) return undefined;
  const intake = world.intakes.get(invitation.conversationId);
  const persona = intake?.personas[invitation.audience];
  return intake && persona ? { invitation, intake, persona } : undefined;
}

function answerContext(world: World, intake: Intake, at: Date) {
  return {
    month: Math.floor((at.getTime() - world.start.getTime()) / (30.5 * DAY)),
    phoneKnown: intake.client.mobile !== null,
    callbackNumber: `06-12${String(intake.client.number % 1_000_000).padStart(6, "0")}`,
  };
}

/** Opens the questionnaire and sends it ("Versturen") a few minutes later. */
async function answer(world: World, access: Access, k: Known, at: Date): Promise<void> {
  const questionnaire = QUESTIONNAIRE_OF[k.invitation.audience]!;
  await loadSurvey(world.db, access, at);
  const answers = answersFor(questionnaire, k.persona, answerContext(world, k.intake, at));
  await completeResponse(world.db, access, { answers, currentPage: 3, locale: k.intake.client.language }, new Date(at.getTime() + 7 * MINUTE));
}

/** Opens the questionnaire and leaves: opened, or started with a few answers saved. */
async function leave(world: World, access: Access, k: Known, at: Date, started: boolean): Promise<void> {
  await loadSurvey(world.db, access, at);
  if (!started) return;
  const questionnaire = QUESTIONNAIRE_OF[k.invitation.audience]!;
  await saveProgress(world.db, access, { answers: answersFor(questionnaire, k.persona, answerContext(world, k.intake, at), true), currentPage: 1, locale: k.intake.client.language }, new Date(at.getTime() + 3 * MINUTE));
}

/** The audit events the entry routes write (the audit trail records when the demo wrote them). */
async function recordEntry(world: World, who: World["staff"]["interviewer"], invitationId: number, mode: "phone" | "paper", step: "opened" | "completed"): Promise<void> {
  await recordAudit(world.db, { action: "response.entered", municipalityId: who.municipalityId, subjectType: "invitation", subjectId: invitationId, details: { mode, step }, ...who.actor });
}

/** A returned paper form, typed in by the data-entry worker on a working day. */
async function typeInPaperForm(world: World, k: Known, at: Date): Promise<void> {
  const who = world.staff.dataEntry;
  const invitation = await findInvitationOfMunicipality(world.db, who.municipalityId, k.invitation.id);
  if (!invitation) return;
  const opened = await openForStaff(world.db, invitation, "paper", who.userId, at);
  if (opened.kind !== "ok") return;
  await recordEntry(world, who, invitation.id, "paper", "opened");
  const context = answerContext(world, k.intake, at);
  const result = await completeResponse(world.db, opened.access, { answers: answersFor(QUESTIONNAIRE_OF[invitation.audience]!, k.persona, context), currentPage: 3, locale: "nl" }, new Date(at.getTime() + 6 * MINUTE));
  if (result.kind === "completed") await recordEntry(world, who, invitation.id, "paper", "completed");
}

async function optOut(world: World, arrival: Arrival, k: Known, at: Date): Promise<void> {
  if (arrival.channel === "sms") await optOutByMobile(world.db, arrival.mobile, at);
  else if (arrival.channel === "email") await optOutClient(world.db, k.invitation.clientId, k.intake.client.number % 2 === 0 ? "one-click" : "email-link", {}, at);
  else await optOutClient(world.db, k.invitation.clientId, "staff", { actorUserId: world.staff.admin.userId, actor: world.staff.admin.email }, at);
}

async function openAgain(world: World, arrival: Arrival, at: Date): Promise<Opened> {
  if (arrival.channel === "letter") return openWithCodeAccess(world.db, world.config.sessionSecret, signCodeAccess(world.config.sessionSecret, arrival.invitationId, at), at);
  return openWithToken(world.db, arrival.token, at);
}

/**
 * A message reached the client: what they will do about it, and when. The first message decides for a client who
 * never answers; one who answers does so after the message their persona waits for.
 */
export async function messageArrived(world: World, arrival: Arrival, at: Date): Promise<void> {
  const invitation =
    arrival.channel === "letter"
      ? await findInvitationOfMunicipality(world.db, world.staff.municipality.id, arrival.invitationId)
      : await findInvitationBySecret(world.db, hashSecret(arrival.token), "token");
  const k = known(world, invitation);
  if (!k) return;
  const state = clientState(world, k.invitation.id);
  const step = state.seen++;
  if (arrival.channel !== "letter" && at.getTime() >= world.end.getTime() - 14 * DAY) {
    world.links.push({ channel: arrival.channel, token: arrival.token, invitationId: k.invitation.id, at });
  }
  if (state.reacted) return;
  const { persona } = k;
  // A letter arrives a day or two after posting.
  const arrives = at.getTime() + (arrival.channel === "letter" ? DAY + (k.intake.client.number % 2) * DAY : 0);
  const reactAt = arrives + hours(persona.delayHours);
  if (persona.respondsTo === step) {
    state.reacted = true;
    if (arrival.channel === "letter" && persona.letter === "paper") {
      // The form goes back by post; the data-entry worker types it in on a working day afternoon.
      const day = workingDayAfter(new Date(reactAt + 3 * DAY), 0);
      world.time.at(momentOn(day, 14, (k.invitation.id * 7) % 50), (t) => typeInPaperForm(world, k, t));
      return;
    }
    world.time.at(reactAt, async (t) => {
      const opened = await openAgain(world, arrival, t);
      if (opened.kind === "ok") await answer(world, opened.access, k, t);
    });
    return;
  }
  if (persona.respondsTo !== null || step !== 0) return;
  state.reacted = true;
  if (persona.otherwise === "optout") world.time.at(reactAt, (t) => optOut(world, arrival, k, t));
  else if (persona.otherwise === "open" || persona.otherwise === "abandon") {
    world.time.at(reactAt, async (t) => {
      const opened = await openAgain(world, arrival, t);
      if (opened.kind === "ok") await leave(world, opened.access, k, t, persona.otherwise === "abandon");
    });
  }
}

/** Working days at 11:00: the administrator posts the batches printed before today; their letters go out. */
export async function postLetters(world: World, at: Date): Promise<void> {
  const { admin, municipality } = world.staff;
  const today = amsterdamDate(at);
  for (const batch of await listLetterBatches(world.db, municipality.id)) {
    if (batch.status !== "ready" || amsterdamDate(batch.createdAt) >= today) continue;
    const letters = await findBatchDeliveries(world.db, batch.id);
    // Downloaded to print, then marked posted: the audit events the letter routes write.
    await recordAudit(world.db, { action: "letters.downloaded", municipalityId: municipality.id, subjectType: "letter_batch", subjectId: batch.id, details: { letters: letters.length }, ...admin.actor });
    if (!(await markLettersPosted(world.db, municipality.id, batch.id, admin.userId, at))) continue;
    await recordAudit(world.db, { action: "letters.posted", municipalityId: municipality.id, subjectType: "letter_batch", subjectId: batch.id, details: { letters: letters.length }, ...admin.actor });
    for (const letter of letters) await messageArrived(world, { channel: "letter", invitationId: letter.invitationId }, at);
  }
}

/**
 * Working days at 10:00: the interviewer calls the clients on the phone list that were planned before today,
 * each at most three times two working days apart, and fills in the questionnaire with those who want to.
 */
export async function callPhoneList(world: World, at: Date): Promise<void> {
  const who = world.staff.interviewer;
  const today = amsterdamDate(at);
  let minute = 0;
  for (const row of await listPhoneInvitations(world.db, who.municipalityId)) {
    if (amsterdamDate(row.createdAt) >= today) continue;
    const state = clientState(world, row.invitationId);
    if (state.calls >= 3 || state.nextCallAt > at.getTime() || state.reacted) continue;
    const invitation = await findInvitationOfMunicipality(world.db, who.municipalityId, row.invitationId);
    const k = known(world, invitation);
    if (!k || !invitation) continue;
    const callAt = new Date(at.getTime() + (minute += 12) * MINUTE);
    state.calls += 1;
    state.nextCallAt = momentOn(workingDayAfter(callAt, 2), 10).getTime();
    if (state.calls === 1) await startPhoneInvitation(world.db, invitation.id, callAt);
    // Most clients answer the phone at one of the three calls; most who answer take part.
    const reached = (invitation.id * 13 + state.calls * 7) % 10 < 6;
    if (!reached) continue;
    state.reacted = true;
    if (k.persona.otherwise === "optout" && k.persona.respondsTo === null) {
      await optOutClient(world.db, invitation.clientId, "staff", who.actor, callAt);
      continue;
    }
    if (k.persona.respondsTo === null && k.persona.otherwise !== "ignore") continue;
    const opened = await openForStaff(world.db, invitation, "phone", who.userId, callAt);
    if (opened.kind !== "ok") continue;
    await recordEntry(world, who, invitation.id, "phone", "opened");
    const result = await completeResponse(
      world.db,
      opened.access,
      { answers: answersFor(QUESTIONNAIRE_OF[invitation.audience]!, k.persona, answerContext(world, k.intake, callAt)), currentPage: 3, locale: k.intake.client.language },
      new Date(callAt.getTime() + 10 * MINUTE),
    );
    if (result.kind === "completed") await recordEntry(world, who, invitation.id, "phone", "completed");
  }
}
