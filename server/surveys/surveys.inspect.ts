// Reads a SurveyJS definition the way the server will use it: every question with its type, Dutch title and
// allowed values, plus every structural problem (unknown SurveyJS properties, unsupported types, duplicate
// keys, missing translations). Problems are Dutch sentences without the file name; the caller adds it.
import { Model } from "survey-core";
import {
  FORBIDDEN_PROPERTIES,
  KEY_PATTERN,
  SUPPORTED_INPUT_TYPES,
  SUPPORTED_TYPES,
  dutchText,
  elementName,
  expressionReferences,
  isRecord,
  listElements,
  missingTranslations,
  type ElementJson,
  type SurveyJson,
} from "./survey-json.ts";

export type QuestionInfo = {
  key: string;
  type: string;
  inputType: string | undefined;
  /** Dutch title, if any. */
  title: string | undefined;
  /** Allowed stored values for choice and rating questions, in display order. */
  values: unknown[] | undefined;
  /** Dutch labels of `values` where the JSON gives them. */
  valueTexts: Array<string | undefined>;
  pageName: string;
  references: string[];
};

export type Inspection = { problems: string[]; questions: QuestionInfo[] };

/** Problems of one element on its own (also used for a municipality's extra questions). */
export function elementProblems(element: ElementJson, label: string): string[] {
  const problems: string[] = [];
  const type = element.type;
  if (typeof type !== "string" || !SUPPORTED_TYPES.has(type)) {
    problems.push(`${label}: het vraagtype ${JSON.stringify(type)} wordt niet ondersteund (wel: ${[...SUPPORTED_TYPES].join(", ")})`);
  }
  const name = element.name;
  if (typeof name !== "string" || !KEY_PATTERN.test(name)) {
    problems.push(`${label}: de sleutel (name) ${JSON.stringify(name)} moet uit kleine letters, cijfers en _ bestaan en met een letter beginnen`);
  }
  for (const property of FORBIDDEN_PROPERTIES) {
    if (property in element) problems.push(`${label}: de eigenschap ${property} is niet toegestaan`);
  }
  if (type === "text" && element.inputType !== undefined && !SUPPORTED_INPUT_TYPES.has(String(element.inputType))) {
    problems.push(`${label}: inputType ${JSON.stringify(element.inputType)} wordt niet ondersteund (wel: ${[...SUPPORTED_INPUT_TYPES].join(", ")})`);
  }
  if (type !== "html" && !dutchText(element.title)?.trim()) problems.push(`${label}: de vraag heeft geen titel`);
  return problems;
}

function jsonErrorText(error: { message: string; type: string } & Record<string, unknown>): string {
  const property = typeof error.propertyName === "string" ? error.propertyName : undefined;
  const className = typeof error.className === "string" ? error.className : undefined;
  const element = error.element as { name?: unknown } | undefined;
  const where = element && typeof element.name === "string" ? ` (bij ${element.name})` : "";
  if (error.type === "unknownproperty" && property) return `SurveyJS kent de eigenschap ${property} van ${className ?? "dit element"} niet${where}`;
  return `SurveyJS kan de definitie niet lezen${where}: ${error.message}`;
}

function modelOf(json: SurveyJson, problems: string[]): Model | undefined {
  try {
    const model = new Model(json);
    for (const error of model.jsonErrors ?? []) {
      // Unsupported types are reported per element with a clearer message.
      if (error.type === "incorrecttypeproperty") continue;
      problems.push(jsonErrorText(error as unknown as Parameters<typeof jsonErrorText>[0]));
    }
    return model;
  } catch (error) {
    problems.push(`SurveyJS kan de definitie niet lezen: ${(error as Error).message}`);
    return undefined;
  }
}

function valueTextsOf(element: ElementJson): Array<string | undefined> {
  const items = element.type === "rating" ? element.rateValues : element.choices;
  if (!Array.isArray(items)) return [];
  return items.map((item) => (isRecord(item) ? dutchText(item.text) : typeof item === "string" ? item : undefined));
}

/**
 * Inspects a whole definition. `requireTranslations`: shipped definitions need English beside every Dutch
 * text; a municipality's own questions may be Dutch only.
 */
export function inspectDefinition(json: unknown, options: { requireTranslations: boolean }): Inspection {
  const problems: string[] = [];
  if (!isRecord(json)) return { problems: ["de definitie moet een JSON-object zijn"], questions: [] };
  if (json.locale !== "nl") problems.push(`locale moet "nl" zijn (Nederlands is de standaardtaal), niet ${JSON.stringify(json.locale)}`);
  for (const property of ["triggers", "calculatedValues", "elements"]) {
    if (property in json) problems.push(`de eigenschap ${property} op het hoogste niveau is niet toegestaan; gebruik pages`);
  }
  if (!Array.isArray(json.pages) || json.pages.length === 0) {
    problems.push("de definitie heeft geen pagina's (pages)");
    return { problems, questions: [] };
  }
  const pageNames = new Set<string>();
  json.pages.forEach((page, i) => {
    if (!isRecord(page) || !Array.isArray(page.elements) || page.elements.length === 0) {
      problems.push(`pagina ${i + 1} heeft geen vragen (elements)`);
      return;
    }
    if (typeof page.name !== "string" || page.name === "") problems.push(`pagina ${i + 1} heeft geen naam (name)`);
    else if (pageNames.has(page.name)) problems.push(`de paginanaam ${page.name} komt twee keer voor`);
    else pageNames.add(page.name);
    page.elements.forEach((element, j) => {
      if (!isRecord(element)) problems.push(`pagina ${i + 1}, element ${j + 1} is geen object`);
    });
  });
  if (options.requireTranslations) problems.push(...missingTranslations(json));

  const model = modelOf(json, problems);
  const seen = new Set<string>();
  const questions: QuestionInfo[] = [];
  for (const { element, pageName, index } of listElements(json)) {
    const name = elementName(element);
    const label = name ? `vraag ${name}` : `element ${index + 1} op pagina ${pageName}`;
    problems.push(...elementProblems(element, label));
    if (name === undefined) continue;
    if (seen.has(name)) {
      problems.push(`de sleutel ${name} komt meer dan één keer voor`);
      continue;
    }
    seen.add(name);
    const question = model?.getQuestionByName(name) as unknown as
      | { visibleChoices?: Array<{ value: unknown }>; visibleRateValues?: Array<{ value: unknown }> }
      | undefined;
    const items = element.type === "rating" ? question?.visibleRateValues : question?.visibleChoices;
    questions.push({
      key: name,
      type: String(element.type),
      inputType: element.type === "text" ? String(element.inputType ?? "text") : undefined,
      title: dutchText(element.title),
      values: items && element.type !== "boolean" ? items.map((item) => item.value) : undefined,
      valueTexts: valueTextsOf(element),
      pageName,
      references: expressionReferences(element),
    });
  }
  return { problems, questions };
}
