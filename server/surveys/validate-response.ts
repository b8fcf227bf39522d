// Server-side check of a saved or completed response against its definition, before anything is stored.
// Order: our own per-answer checks (unknown keys, types, choices, scale, lengths) → survey-core for conditions
// (visibility), validators (phone pattern, min/max) and required questions → a final clearIncorrectValues
// comparison as a safety net. A payload either passes whole or is refused with every problem named.
//
// Decisions:
// - Answers to questions that are not visible (a phone number while consent is "nee", or when the number is
//   already known) are DROPPED, not refused, and listed in `dropped`. The respondent page clears them as soon
//   as they hide, but an older tab may still send them; refusing would lose the whole save, storing would keep
//   contact data without consent. Wrong types are refused even on hidden questions: that is tampering.
// - `null`, "" and [] mean "not answered" and are left out.
// - `telefoon_bekend` (and any other variable) is set by the server from the invitation via `variables`; the
//   form can never send it as an answer.
// - Partial saves (`complete: false`) may leave questions out, but every answer present must be valid. A
//   checkbox below its minimum is "not finished yet" and only checked on completion, like required questions.
import { Model } from "survey-core";
import "survey-core/i18n/dutch";
import type { FieldProblem } from "../errors.ts";
import { checkAnswer, preview, questionSpecs, type QuestionSpec } from "./answer-checks.ts";
import { isRecord, type SurveyJson } from "./survey-json.ts";

export type AnswerValidation =
  | { ok: true; answers: Record<string, unknown>; dropped: string[] }
  | { ok: false; problems: FieldProblem[] };

export type ValidateAnswersOptions = {
  /** true when the respondent presses "Versturen": required questions must then be answered. */
  complete: boolean;
  /** Values the respondent page sets with survey.setVariable; by default `telefoon_bekend: false`. */
  variables?: Record<string, string | number | boolean | null>;
};

/** Variables the questionnaires use. The server decides them, never the form. */
export const SURVEY_VARIABLES = ["telefoon_bekend"] as const;
/** Beyond this, further problems are summarised: a tampered payload with 10,000 keys gets a short answer. */
export const MAX_PROBLEMS = 50;

const problem = (field: string, message: string): FieldProblem => ({ field: field.length > 100 ? `${field.slice(0, 99)}…` : field, message });

type Question = { name: string; isVisible: boolean; isParentVisible: boolean; errors: Array<{ getText(): string; getErrorType(): string }> };

// Building a SurveyJS model from JSON costs far more than validating with it. For a frozen (immutable)
// definition one model is kept and reused: validation is synchronous, so no two requests share it at once,
// and every use sets all of its data and variables first.
const models = new WeakMap<object, Model>();

function modelFor(definition: SurveyJson): Model {
  if (!Object.isFrozen(definition)) return new Model(definition);
  let model = models.get(definition);
  if (!model) {
    model = new Model(definition);
    models.set(definition, model);
  }
  // No model.clear(): it costs more than the rest of the validation, and assigning `data` (below) replaces
  // every value; the property test in validate-response.test.ts holds this to a fresh model's verdicts.
  return model;
}

/** Drops values of questions that are hidden; repeats, because dropping one answer can hide another. */
function dropInvisible(model: Model, answers: Record<string, unknown>): string[] {
  const dropped: string[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    for (const key of Object.keys(answers)) {
      const question = model.getQuestionByName(key) as unknown as Question | null;
      if (question && (!question.isVisible || !question.isParentVisible)) {
        delete answers[key];
        model.clearValue(key);
        dropped.push(key);
        changed = true;
      }
    }
  }
  return dropped;
}

/** survey-core's own verdict: validators and conditions; on partial saves only for what was answered. */
function surveyErrors(model: Model, specs: Map<string, QuestionSpec>, answers: Record<string, unknown>, complete: boolean): FieldProblem[] {
  const problems: FieldProblem[] = [];
  // fireErrorEvent must be true: without it survey-core does not fill question.errors.
  model.validate(true, false);
  for (const question of model.getAllQuestions(true) as unknown as Question[]) {
    const spec = specs.get(question.name);
    if (!spec || question.errors.length === 0) continue;
    const answered = question.name in answers;
    if (!complete && (!answered || spec.type === "checkbox")) continue;
    for (const error of question.errors) {
      problems.push(
        error.getErrorType() === "required"
          ? problem(spec.key, `Het antwoord op ${spec.label} ontbreekt; deze vraag moet worden ingevuld.`)
          : problem(spec.key, `Het antwoord op ${spec.label} klopt niet: ${error.getText()}`),
      );
    }
  }
  return problems;
}

/**
 * Checks `answers` (the SurveyJS data object as the page sends it) against `definitionJson`.
 * Never throws for any `answers` value; throws TypeError only when the definition itself is not an object.
 */
export function validateAnswers(definitionJson: unknown, answers: unknown, options: ValidateAnswersOptions): AnswerValidation {
  if (!isRecord(definitionJson)) throw new TypeError("validateAnswers: de definitie moet een SurveyJS-object zijn");
  const definition = definitionJson as SurveyJson;
  if (!isRecord(answers)) {
    return { ok: false, problems: [problem("", `Stuur de antwoorden als JSON-object, bijvoorbeeld {"wmo_serieus": 4}, niet als ${preview(answers)}.`)] };
  }
  const specs = questionSpecs(definition);
  const variables: Record<string, unknown> = { telefoon_bekend: false, ...options.variables };
  const problems: FieldProblem[] = [];
  let extra = 0;
  const add = (p: FieldProblem) => (problems.length < MAX_PROBLEMS ? problems.push(p) : extra++);

  const cleaned: Record<string, unknown> = {};
  for (const key of Object.keys(answers)) {
    const spec = specs.get(key);
    if (Object.hasOwn(variables, key) || (SURVEY_VARIABLES as readonly string[]).includes(key)) {
      add(problem(key, `Het veld "${key}" wordt door Luisterpost zelf ingevuld en kan niet als antwoord worden meegestuurd.`));
      continue;
    }
    if (!spec) {
      add(problem(key, `Het veld ${preview(key)} hoort niet bij deze vragenlijst.`));
      continue;
    }
    const checked = checkAnswer(spec, answers[key]);
    if (checked.ok === false) add(problem(key, `Het antwoord op ${spec.label} klopt niet: ${checked.reason}.`));
    else if (checked.ok === true) cleaned[key] = checked.value;
  }
  if (problems.length > 0) return { ok: false, problems: finish(problems, extra) };

  const model = modelFor(definition);
  for (const [name, value] of Object.entries(variables)) model.setVariable(name, value);
  model.data = { ...cleaned };
  const dropped = dropInvisible(model, cleaned);

  for (const found of surveyErrors(model, specs, cleaned, options.complete)) add(found);

  // Safety net: anything survey-core itself would throw away, that our checks let through, is refused.
  const before = model.data as Record<string, unknown>;
  const snapshot = JSON.stringify(before);
  model.clearIncorrectValues(true);
  if (JSON.stringify(model.data) !== snapshot) {
    const after = model.data as Record<string, unknown>;
    for (const key of Object.keys(cleaned)) {
      if (JSON.stringify(after[key]) !== JSON.stringify(cleaned[key])) {
        add(problem(key, `Het antwoord op ${specs.get(key)!.label} past niet bij deze vraag.`));
      }
    }
  }
  if (problems.length > 0) return { ok: false, problems: finish(problems, extra) };

  // Stored in questionnaire order, so equal answers give equal JSON.
  const ordered: Record<string, unknown> = {};
  for (const key of specs.keys()) if (key in cleaned) ordered[key] = cleaned[key];
  return { ok: true, answers: ordered, dropped };
}

function finish(problems: FieldProblem[], extra: number): FieldProblem[] {
  return extra > 0 ? [...problems, problem("", `En nog ${extra} andere problemen met de antwoorden.`)] : problems;
}
