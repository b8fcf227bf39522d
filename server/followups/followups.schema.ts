// The follow-up forms as the browser sends them (url-encoded, checkboxes absent when off, repeated fields as
// arrays), turned into service input. Anything malformed becomes a field problem, never an exception.
import { z } from "zod";
import { badRequest, type FieldProblem } from "../errors.ts";
import { ATTEMPT_RESULTS, OUTCOMES, type AttemptResult, type Outcome } from "./followups.queries.ts";
import type { FollowupRule } from "./followups.settings.ts";
import { parseAmsterdamLocal } from "./working-days.ts";

type Body = Record<string, unknown>;

export const bodyOf = (body: unknown): Body => (typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Body) : {});
export const textOf = (value: unknown, max = 20_000): string => (typeof value === "string" ? value.slice(0, max) : Array.isArray(value) && typeof value[0] === "string" ? value[0].slice(0, max) : "");
export const listOf = (value: unknown): string[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === "string");
export const isOn = (value: unknown) => value === "on" || value === "ja" || value === "1" || value === "true";

export const queueQuerySchema = z.object({
  weergave: z.enum(["todo", "mine", "closed"]).catch("todo"),
  pagina: z.coerce.number().int().min(1).max(100_000).catch(1),
});

function optionalTime(value: unknown, field: string, label: string): Date | undefined {
  const text = textOf(value, 40).trim();
  if (text === "") return undefined;
  const parsed = parseAmsterdamLocal(text);
  if (!parsed) throw badRequest(`${label} is geen geldige datum en tijd. Kies bijvoorbeeld 12-10-2026 om 14:30.`, [{ field, message: "Geen geldige datum en tijd." }]);
  return parsed;
}

export type AttemptForm = { result: AttemptResult; attemptedAt?: Date; callbackAt?: Date; keepOpen: boolean };

export function parseAttemptForm(raw: unknown): AttemptForm {
  const body = bodyOf(raw);
  const result = textOf(body.result, 20);
  if (!(ATTEMPT_RESULTS as readonly string[]).includes(result)) throw badRequest("Kies het resultaat van de poging.", [{ field: "result", message: "Kies het resultaat van de poging." }]);
  return {
    result: result as AttemptResult,
    attemptedAt: optionalTime(body.attemptedAt, "attemptedAt", "Het tijdstip van de poging"),
    callbackAt: result === "callback" ? optionalTime(body.callbackAt, "callbackAt", "Het moment om terug te bellen") : undefined,
    keepOpen: isOn(body.keepOpen),
  };
}

export type ConversationForm = { notes: Record<string, string>; themes: string[]; outcome?: Outcome };

/** Notes come as note_<topic> fields; "close" asks for the outcome too. */
export function parseConversationForm(raw: unknown): ConversationForm {
  const body = bodyOf(raw);
  const notes: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith("note_") && key.length <= 70) notes[key.slice(5)] = textOf(value);
  }
  const form: ConversationForm = { notes, themes: listOf(body.themes).slice(0, 100) };
  if (textOf(body.action, 10) === "close") {
    const outcome = textOf(body.outcome, 20);
    if (outcome !== "niet_bereikt" && !(OUTCOMES as readonly string[]).includes(outcome)) {
      throw badRequest("Kies een uitkomst om het gesprek af te sluiten.", [{ field: "outcome", message: "Kies een uitkomst." }]);
    }
    form.outcome = outcome as Outcome;
  }
  return form;
}

/** The rule form: "all" statements or a selection, the answer codes, an optional grade threshold. */
export function parseRuleForm(raw: unknown): { ok: true; value: FollowupRule & { enabled: boolean } } | { ok: false; problems: FieldProblem[] } {
  const body = bodyOf(raw);
  const problems: FieldProblem[] = [];
  const scope = textOf(body.scope, 10);
  if (scope !== "all" && scope !== "selected") problems.push({ field: "scope", message: "Kies of alle stellingen meetellen of alleen de gekozen stellingen." });
  const codes = listOf(body.answerCodes).map(Number);
  if (codes.some((c) => !Number.isInteger(c) || c < 1 || c > 5)) problems.push({ field: "answerCodes", message: "Kies antwoorden uit 1 tot en met 5." });
  const gradeText = textOf(body.gradeThreshold, 4).trim();
  const grade = gradeText === "" ? null : Number(gradeText);
  if (grade !== null && (!Number.isInteger(grade) || grade < 1 || grade > 9)) problems.push({ field: "gradeThreshold", message: "Kies een grens van 1 tot en met 9, of geen grens." });
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      enabled: isOn(body.enabled),
      questions: scope === "all" ? "all" : [...new Set(listOf(body.questions))],
      answerCodes: codes,
      gradeThreshold: grade,
    },
  };
}

export function parseThemesForm(raw: unknown): { labels: Record<string, string>; active: string[]; newLabel: string } {
  const body = bodyOf(raw);
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) if (key.startsWith("label_")) labels[key.slice(6)] = textOf(value, 200);
  return { labels, active: listOf(body.active), newLabel: textOf(body.newLabel, 200) };
}

export function parseWorkForm(raw: unknown): { ok: true; value: { slaWorkingDays: number; maxAttempts: number; escalationEmail: string | null } } | { ok: false; problems: FieldProblem[] } {
  const body = bodyOf(raw);
  const problems: FieldProblem[] = [];
  const sla = Number(textOf(body.slaWorkingDays, 4).trim());
  const attempts = Number(textOf(body.maxAttempts, 4).trim());
  if (!Number.isInteger(sla) || sla < 1 || sla > 20) problems.push({ field: "slaWorkingDays", message: "Vul een termijn in van 1 tot en met 20 werkdagen." });
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 10) problems.push({ field: "maxAttempts", message: "Vul een aantal pogingen in van 1 tot en met 10." });
  const email = textOf(body.escalationEmail, 400).trim().toLowerCase();
  if (email !== "" && !z.email().safeParse(email).success) problems.push({ field: "escalationEmail", message: "Vul een geldig e-mailadres in, bijvoorbeeld zorgmeldingen@gemeente.nl, of laat het leeg." });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { slaWorkingDays: sla, maxAttempts: attempts, escalationEmail: email === "" ? null : email } };
}

/** A route's numeric id; anything else is a page that does not exist. */
export function idOf(value: string): number | undefined {
  if (!/^[1-9]\d{0,9}$/.test(value)) return undefined;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : undefined;
}
