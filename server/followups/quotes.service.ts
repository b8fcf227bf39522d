// Quotes for the reports: what a client said in a follow-up conversation and agreed may appear anonymised, or
// an open answer an administrator selected. Every quote goes through the identifying-details check. A quote the
// check finds nothing in, confirmed by the interviewer, is approved at once; a flagged one waits for an
// administrator's review and appears in no report until it is approved.
import { recordAudit } from "../audit/audit.service.ts";
import type { Db } from "../db.ts";
import { badRequest, conflict, forbidden, notFound } from "../errors.ts";
import { findResponseForQuote } from "./followups.report.queries.ts";
import { openQuestionsOf, versionInfoOf } from "./followups.rule.ts";
import { findVersionForRule } from "./followups.queries.ts";
import { assertHolder, loadFollowup, type Who } from "./followups.service.ts";
import { checkQuote, type QuoteFlag } from "./quotes.check.ts";
import { deleteQuote, findQuote, insertQuote, updateQuote, type QuoteRow } from "./quotes.queries.ts";

export const MIN_QUOTE_LENGTH = 5;
export const MAX_QUOTE_LENGTH = 1000;

export type QuoteInput = { text: unknown; consent?: unknown; confirmed?: unknown };
export type QuoteResult = { quoteId: number; flags: QuoteFlag[]; status: QuoteRow["status"] };

const checked = (value: unknown) => value === true || value === "on" || value === "ja" || value === "1";

function quoteText(raw: unknown): string {
  const text = typeof raw === "string" ? raw.replace(/\s+/g, " ").trim() : "";
  if (text.length < MIN_QUOTE_LENGTH) throw badRequest("Schrijf het citaat op zoals de cliënt het zei (minstens een paar woorden).", [{ field: "text", message: "Vul het citaat in." }]);
  if (text.length > MAX_QUOTE_LENGTH) throw badRequest(`Een citaat is hoogstens ${MAX_QUOTE_LENGTH} tekens. Kies het belangrijkste stuk.`, [{ field: "text", message: "Het citaat is te lang." }]);
  return text;
}

function requireConfirmation(input: QuoteInput) {
  if (!checked(input.confirmed)) {
    throw badRequest("Bevestig dat er in het citaat geen namen, adressen of andere gegevens staan waaraan iemand de cliënt kan herkennen.", [
      { field: "confirmed", message: "Bevestig dat het citaat niemand herkenbaar maakt." },
    ]);
  }
}

/** A quote from the conversation, by the interviewer who holds the follow-up. */
export async function addFollowupQuote(db: Db, who: Who, followupId: number, input: QuoteInput, now = new Date()): Promise<QuoteResult> {
  const followup = await loadFollowup(db, who, followupId);
  assertHolder(followup, who);
  const text = quoteText(input.text);
  if (!checked(input.consent)) {
    throw badRequest("Neem een citaat alleen op als de cliënt heeft gezegd dat het anoniem in een rapport mag.", [{ field: "consent", message: "De cliënt moet toestemming geven." }]);
  }
  requireConfirmation(input);
  const flags = checkQuote(text);
  const status = flags.length > 0 ? "pending" : "approved";
  const quoteId = (await insertQuote(db, { municipalityId: who.municipalityId, source: "followup", followupId, text, flags, status, userId: who.userId }, now))!;
  return { quoteId, flags, status };
}

async function quoteOfFollowup(db: Db, who: Who, followupId: number, quoteId: number): Promise<QuoteRow> {
  const followup = await loadFollowup(db, who, followupId);
  assertHolder(followup, who);
  const quote = await findQuote(db, who.municipalityId, quoteId);
  if (!quote || quote.followupId !== followupId) throw notFound("Dit citaat bestaat niet (meer).");
  return quote;
}

/** The holder changes a quote (e.g. takes a phone number out); the check runs again. */
export async function editFollowupQuote(db: Db, who: Who, followupId: number, quoteId: number, input: QuoteInput, now = new Date()): Promise<QuoteResult> {
  const quote = await quoteOfFollowup(db, who, followupId, quoteId);
  if (quote.status === "rejected") throw conflict("Een beheerder heeft dit citaat afgewezen. Verwijder het en voeg zo nodig een nieuw toe.");
  const text = quoteText(input.text);
  requireConfirmation(input);
  const flags = checkQuote(text);
  const status = flags.length > 0 ? "pending" : "approved";
  await updateQuote(db, who.municipalityId, quoteId, { text, flags, status, reviewedByUserId: status === "approved" ? who.userId : null }, now);
  return { quoteId, flags, status };
}

export async function removeFollowupQuote(db: Db, who: Who, followupId: number, quoteId: number): Promise<void> {
  await quoteOfFollowup(db, who, followupId, quoteId);
  await deleteQuote(db, who.municipalityId, quoteId);
}

export type ReviewInput = { decision: unknown; text?: unknown; confirmed?: unknown };

/**
 * An administrator's review: approve (after confirming that nothing identifies the client, possibly with an
 * edited text) or reject. The flags are kept as the check found them for the text as approved.
 */
export async function reviewQuote(db: Db, who: Who, quoteId: number, input: ReviewInput, now = new Date()): Promise<QuoteRow["status"]> {
  if (who.role !== "admin") throw forbidden("Alleen een beheerder beoordeelt citaten.");
  const quote = await findQuote(db, who.municipalityId, quoteId);
  if (!quote) throw notFound("Dit citaat bestaat niet (meer).");
  if (input.decision === "reject") {
    await updateQuote(db, who.municipalityId, quoteId, { text: quote.text, flags: quote.flags, status: "rejected", reviewedByUserId: who.userId }, now);
    await recordAudit(db, { action: "quote.reviewed", municipalityId: who.municipalityId, subjectType: "quote", subjectId: quoteId, details: { decision: "rejected" }, ...who.actor });
    return "rejected";
  }
  if (input.decision !== "approve") throw badRequest("Kies goedkeuren of afwijzen.", [{ field: "decision", message: "Kies goedkeuren of afwijzen." }]);
  const text = input.text === undefined ? quote.text : quoteText(input.text);
  requireConfirmation({ text, confirmed: input.confirmed });
  await updateQuote(db, who.municipalityId, quoteId, { text, flags: checkQuote(text), status: "approved", reviewedByUserId: who.userId }, now);
  await recordAudit(db, { action: "quote.reviewed", municipalityId: who.municipalityId, subjectType: "quote", subjectId: quoteId, details: { decision: "approved", edited: text !== quote.text }, ...who.actor });
  return "approved";
}

/** An administrator selects an open answer of a completed response as a quote (possibly shortened). */
export async function selectAnswerQuote(db: Db, who: Who, responseId: unknown, questionKey: unknown, input: QuoteInput, now = new Date()): Promise<QuoteResult> {
  if (who.role !== "admin") throw forbidden("Alleen een beheerder kiest open antwoorden voor rapporten.");
  const id = Number(responseId);
  if (!Number.isSafeInteger(id) || id <= 0 || typeof questionKey !== "string") throw notFound("Dit antwoord bestaat niet (meer).");
  const response = await findResponseForQuote(db, who.municipalityId, id);
  if (!response) throw notFound("Dit antwoord bestaat niet (meer).");
  const version = await findVersionForRule(db, response.versionId);
  const info = version ? versionInfoOf(version) : undefined;
  const open = info ? openQuestionsOf(info).map((q) => q.key) : [];
  if (!open.includes(questionKey) || typeof response.answers[questionKey] !== "string") throw notFound("Dit antwoord bestaat niet (meer).");
  const text = quoteText(input.text === undefined || input.text === "" ? response.answers[questionKey] : input.text);
  requireConfirmation(input);
  const flags = checkQuote(text);
  const status = flags.length > 0 ? "pending" : "approved";
  const quoteId = await insertQuote(db, { municipalityId: who.municipalityId, source: "answer", responseId: id, questionKey, text, flags, status, userId: who.userId }, now);
  if (quoteId === undefined) throw conflict("Dit antwoord is al gekozen als citaat.");
  await recordAudit(db, { action: "quote.selected", municipalityId: who.municipalityId, subjectType: "quote", subjectId: quoteId, details: { status }, ...who.actor });
  return { quoteId, flags, status };
}
