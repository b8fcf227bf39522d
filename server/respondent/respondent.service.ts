// What a respondent can do with an invitation: open it (link token, paper code, or staff-assisted), load the
// questionnaire with their progress, save progress, and complete it — once.
import { createHmac, timingSafeEqual } from "node:crypto";
import { immutableRowCache, type Db } from "../db.ts";
import type { FieldProblem } from "../errors.ts";
import { normalizeMobile } from "../intake/intake.normalize.ts";
import { checkPaperCode, hashSecret, type CodeCheck } from "../invitations/codes.ts";
import {
  closeInvitation,
  findInvitation,
  findInvitationBySecret,
  findQuestionnaireVersion,
  markOpened,
  type InvitationRow,
} from "../invitations/invitations.queries.ts";
import { validateAnswers } from "../surveys/validate-response.ts";
import { runCompletionSteps } from "./completion.ts";
import { findResponseOfInvitation, markCompleted, saveCallbackPhone, saveInProgress, type ResponseMode } from "./responses.queries.ts";

/** The consent block's phone question: its answer is contact data and is stored with the contact data. */
export const CALLBACK_PHONE_KEY = "contact_telefoon";
export const LOCALES = ["nl", "en"] as const;
export type Locale = (typeof LOCALES)[number];

export type Access = { invitation: InvitationRow; mode: ResponseMode; enteredByUserId: number | null };

/** Why an invitation cannot be opened; with the municipality when the invitation is known (its phone number goes on the page). */
export type Closed = { kind: "expired" | "completed" | "opted_out"; municipalityId?: number };
export type Opened = { kind: "ok"; access: Access } | { kind: "unknown" } | Closed;

const TOKEN_FORMAT = /^[A-Za-z0-9_-]{22}$/;

async function stateOf(db: Db, invitation: InvitationRow, now: Date): Promise<Opened["kind"]> {
  if (invitation.clientOptedOut || invitation.status === "opted_out") return "opted_out";
  if (invitation.status === "completed" || invitation.responseStatus === "completed") return "completed";
  if (invitation.status === "expired" || invitation.expiresAt <= now) return "expired";
  return "ok";
}

function modeOfChannel(channel: InvitationRow["channel"]): ResponseMode {
  return channel === "sms" ? "sms" : channel === "letter" ? "code" : "online";
}

async function open(db: Db, invitation: InvitationRow | undefined, mode: ResponseMode, now: Date): Promise<Opened> {
  if (!invitation) return { kind: "unknown" };
  const state = await stateOf(db, invitation, now);
  if (state !== "ok") return { kind: state, municipalityId: invitation.municipalityId } as Closed;
  return { kind: "ok", access: { invitation, mode, enteredByUserId: null } };
}

export async function openWithToken(db: Db, token: string, now = new Date()): Promise<Opened> {
  if (!TOKEN_FORMAT.test(token)) return { kind: "unknown" };
  const invitation = await findInvitationBySecret(db, hashSecret(token), "token");
  // The mode is the channel of the message the link came in (an e-mail link after an SMS fell back is online).
  return open(db, invitation, invitation ? modeOfChannel(invitation.secretChannel ?? invitation.channel) : "online", now);
}

export type CodeOpened = Opened | { kind: "typo"; reason: Exclude<CodeCheck, { ok: true }>["reason"] };

/** A typed paper code: a typo is caught by the check character before anything is looked up. */
export async function openWithCode(db: Db, typed: string, now = new Date()): Promise<CodeOpened> {
  const checked = checkPaperCode(typed);
  if (!checked.ok) return { kind: "typo", reason: checked.reason };
  return open(db, await findInvitationBySecret(db, hashSecret(checked.code), "code"), "code", now);
}

/** Staff-assisted entry (phone interview, typed-in paper form) for an invitation of the staff member's municipality. */
export async function openForStaff(db: Db, invitation: InvitationRow, mode: "phone" | "paper", userId: number, now = new Date()): Promise<Opened> {
  const state = await stateOf(db, invitation, now);
  if (state !== "ok") return { kind: state, municipalityId: invitation.municipalityId } as Closed;
  return { kind: "ok", access: { invitation, mode, enteredByUserId: userId } };
}

// --- code access keys ----------------------------------------------------------------------------------

const CODE_ACCESS_HOURS = 12;

/**
 * After a correct paper code the respondent continues under an access key instead of the code itself: the
 * invitation id and an expiry, signed with SESSION_SECRET. It works in the same routes as a link token.
 */
export function signCodeAccess(secret: string, invitationId: number, now = new Date()): string {
  const expires = Math.floor(now.getTime() / 1000) + CODE_ACCESS_HOURS * 3600;
  const body = `c.${invitationId}.${expires}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url").slice(0, 32)}`;
}

export async function openWithCodeAccess(db: Db, secret: string, key: string, now = new Date()): Promise<Opened> {
  const match = /^c\.(\d{1,10})\.(\d{10})\.([A-Za-z0-9_-]{32})$/.exec(key);
  if (!match) return { kind: "unknown" };
  const body = `c.${match[1]}.${match[2]}`;
  const expected = Buffer.from(createHmac("sha256", secret).update(body).digest("base64url").slice(0, 32));
  const given = Buffer.from(match[3]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { kind: "unknown" };
  const invitation = await findInvitation(db, Number(match[1]));
  const opened = await open(db, invitation, "code", now);
  // Only the access key's 12 hours have run out, not the invitation: "unknown" sends the respondent back to
  // /code to type the code again (the "expired" page would wrongly say the questionnaire is closed).
  if (Number(match[2]) * 1000 <= now.getTime() && opened.kind === "ok") return { kind: "unknown" };
  return opened;
}

export function isCodeAccessKey(value: string): boolean {
  return value.startsWith("c.");
}

// --- the questionnaire and the answers --------------------------------------------------------------------

export type SurveyState = {
  definition: unknown;
  answers: Record<string, unknown>;
  currentPage: number;
  locale: Locale;
  variables: { telefoon_bekend: boolean };
};

// A questionnaire version never changes once stored (invariant 7), so its parsed definition is kept, frozen:
// validation then reuses its question specs and its SurveyJS model instead of rebuilding them per request.
const definitions = immutableRowCache<unknown>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}

async function definitionOf(db: Db, invitation: InvitationRow): Promise<unknown> {
  const id = invitation.questionnaireVersionId;
  const definition = await definitions.get(db, id, async () => {
    const version = await findQuestionnaireVersion(db, id);
    return version ? deepFreeze(version.definition) : undefined;
  });
  if (definition === undefined) throw new Error(`questionnaire version ${id} missing`);
  return definition;
}

function variablesOf(invitation: InvitationRow) {
  return { telefoon_bekend: invitation.phoneKnown };
}

export async function loadSurvey(db: Db, access: Access, now = new Date()): Promise<SurveyState> {
  // "Opened" is the client's own step (a link or code used); staff opening the form for entry is not.
  if (access.enteredByUserId === null) await markOpened(db, access.invitation.id, now);
  const response = await findResponseOfInvitation(db, access.invitation.id);
  return {
    definition: await definitionOf(db, access.invitation),
    answers: response?.answers ?? {},
    currentPage: response?.currentPage ?? 0,
    locale: response?.locale === "en" ? "en" : "nl",
    variables: variablesOf(access.invitation),
  };
}

export type Submission = { answers: unknown; currentPage?: unknown; locale?: unknown };

/**
 * What the page sent, whatever it is: a body that is not an object, or has no `answers`, becomes a
 * submission without answers, which validation refuses with 422 (never a 500).
 */
export function submissionOf(body: unknown): Submission {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { answers: undefined };
  const { answers, currentPage, locale } = body as Record<string, unknown>;
  return { answers, currentPage, locale };
}

export type SaveResult = { kind: "saved" } | { kind: "closed" } | { kind: "invalid"; problems: FieldProblem[] };
export type CompleteResult = { kind: "completed" } | { kind: "already-completed" } | { kind: "invalid"; problems: FieldProblem[] };

function pageOf(value: unknown): number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value < 100 ? value : 0;
}

function localeOf(value: unknown): Locale {
  return value === "en" ? "en" : "nl";
}

async function validate(db: Db, access: Access, answers: unknown, complete: boolean) {
  return validateAnswers(await definitionOf(db, access.invitation), answers, { complete, variables: variablesOf(access.invitation) });
}

function write(access: Access, answers: Record<string, unknown>, submission: Submission) {
  return {
    municipalityId: access.invitation.municipalityId,
    invitationId: access.invitation.id,
    questionnaireVersionId: access.invitation.questionnaireVersionId,
    mode: access.mode,
    answers,
    currentPage: pageOf(submission.currentPage),
    locale: localeOf(submission.locale),
    enteredByUserId: access.enteredByUserId,
  };
}

/** Saves what the respondent has so far; invalid answers are refused whole (422), nothing partial is stored. */
export async function saveProgress(db: Db, access: Access, submission: Submission, now = new Date()): Promise<SaveResult> {
  const checked = await validate(db, access, submission.answers, false);
  if (!checked.ok) return { kind: "invalid", problems: checked.problems };
  const { [CALLBACK_PHONE_KEY]: _phone, ...answers } = checked.answers;
  // The phone number is only kept on completion; until then it stays in the respondent's browser.
  return (await saveInProgress(db, write(access, answers, submission), now)) ? { kind: "saved" } : { kind: "closed" };
}

/**
 * Completes once. A double click, a retried request or a second tab gets "already-completed" and changes
 * nothing. The callback number leaves the answers and goes to the client's contact data.
 */
export async function completeResponse(db: Db, access: Access, submission: Submission, now = new Date()): Promise<CompleteResult> {
  // Completed already when the invitation was read: nothing to check. (A completion racing this one is caught
  // by markCompleted, which completes once.)
  if (access.invitation.responseStatus === "completed") return { kind: "already-completed" };
  const checked = await validate(db, access, submission.answers, true);
  if (!checked.ok) return { kind: "invalid", problems: checked.problems };
  const { [CALLBACK_PHONE_KEY]: phone, ...answers } = checked.answers;
  let callback: string | undefined;
  if (typeof phone === "string" && phone.trim() !== "") {
    const normalized = normalizeMobile(phone);
    // Landlines are fine to call back; keep what was typed when it is not a Dutch mobile number.
    callback = normalized.ok ? normalized.value : phone.trim().slice(0, 20);
  }
  const first = await db.transaction(async (trx) => {
    const responseId = await markCompleted(trx, write(access, answers, submission), now);
    if (responseId === undefined) return false;
    if (callback) await saveCallbackPhone(trx, access.invitation.clientId, callback, now);
    await closeInvitation(trx, access.invitation.id, "completed", now);
    await runCompletionSteps(trx, {
      responseId,
      municipalityId: access.invitation.municipalityId,
      invitationId: access.invitation.id,
      clientId: access.invitation.clientId,
      questionnaireVersionId: access.invitation.questionnaireVersionId,
      mode: access.mode,
      answers,
      completedAt: now,
    });
    return true;
  });
  return first ? { kind: "completed" } : { kind: "already-completed" };
}
