// Small helpers over raw SurveyJS JSON, shared by the loader, the customisation and the answer validation.
// Luisterpost supports a deliberately small part of SurveyJS: flat pages of simple questions. Everything the
// server cannot check answer by answer (panels, matrices, "other" fields, values written under another name)
// is refused when a definition or a municipality's question is loaded, not discovered when answers arrive.
import { createHash } from "node:crypto";

export type SurveyJson = Record<string, unknown>;
export type ElementJson = Record<string, unknown>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Question types whose answers validate-response.ts checks one by one. `html` shows text and has no answer. */
export const SUPPORTED_TYPES = new Set(["rating", "radiogroup", "checkbox", "dropdown", "boolean", "text", "comment", "html"]);

/** `text` input types we check; others (colour, week, range, …) have no use in a client survey. */
export const SUPPORTED_INPUT_TYPES = new Set(["text", "tel", "email", "number", "date"]);

/**
 * Properties that let one question write another question's value, store answers under extra keys, or fetch
 * choices from elsewhere. They would make a question able to overwrite one of the ten, or produce data the
 * server cannot check.
 */
export const FORBIDDEN_PROPERTIES = [
  "valueName",
  "setValueIf",
  "setValueExpression",
  "bindings",
  "showOtherItem",
  "hasOther",
  "showCommentArea",
  "hasComment",
  "storeOthersAsComment",
  "choicesByUrl",
  "choicesFromQuestion",
  "choicesVisibleIf",
  "elements",
  "templateElements",
];

/** Element properties that hold an expression; `{name}` in them refers to a question or a variable. */
const EXPRESSION_PROPERTIES = [
  "visibleIf",
  "enableIf",
  "requiredIf",
  "resetValueIf",
  "choicesEnableIf",
  "defaultValueExpression",
  "minValueExpression",
  "maxValueExpression",
];

/** Properties that show text to the respondent: in shipped definitions each needs Dutch and English. */
export const LOCALIZABLE_PROPERTIES = new Set([
  "title",
  "description",
  "text",
  "completeText",
  "pageNextText",
  "pagePrevText",
  "completedHtml",
  "minRateDescription",
  "maxRateDescription",
  "placeholder",
  "labelTrue",
  "labelFalse",
  "requiredErrorText",
]);

/** Question keys: lowercase, digits and underscores, starting with a letter (safe as object keys and columns). */
export const KEY_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

export type ElementRef = { element: ElementJson; pageIndex: number; pageName: string; index: number };

/** Every element of every page, in order. Malformed parts are skipped; the loader reports them separately. */
export function listElements(json: SurveyJson): ElementRef[] {
  const result: ElementRef[] = [];
  const pages = Array.isArray(json.pages) ? json.pages : [];
  pages.forEach((page, pageIndex) => {
    if (!isRecord(page) || !Array.isArray(page.elements)) return;
    const pageName = typeof page.name === "string" ? page.name : `pagina ${pageIndex + 1}`;
    page.elements.forEach((element, index) => {
      if (isRecord(element)) result.push({ element, pageIndex, pageName, index });
    });
  });
  return result;
}

export function elementName(element: ElementJson): string | undefined {
  return typeof element.name === "string" ? element.name : undefined;
}

/** Names that the expressions of an element refer to (`{contact_toestemming} = 'ja'` → contact_toestemming). */
export function expressionReferences(element: ElementJson): string[] {
  const names: string[] = [];
  for (const property of EXPRESSION_PROPERTIES) {
    const expression = element[property];
    if (typeof expression !== "string") continue;
    for (const match of expression.matchAll(/\{([^{}]+)\}/g)) {
      names.push(match[1]!.trim().split(/[.[]/)[0]!);
    }
  }
  return names;
}

/** The Dutch text of a localizable string: a plain string, or the `default` (or `nl`) of a translations object. */
export function dutchText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (isRecord(value)) {
    const text = value.default ?? value.nl;
    return typeof text === "string" ? text : undefined;
  }
  return undefined;
}

/** Problems with the translations of every localizable text in a JSON tree, each with a readable path. */
export function missingTranslations(json: unknown, path = ""): string[] {
  const problems: string[] = [];
  if (Array.isArray(json)) {
    json.forEach((item, i) => problems.push(...missingTranslations(item, `${path}[${i}]`)));
    return problems;
  }
  if (!isRecord(json)) return problems;
  const label = typeof json.name === "string" ? `${path}(${json.name})` : path;
  for (const [key, value] of Object.entries(json)) {
    const here = label ? `${label}.${key}` : key;
    if (LOCALIZABLE_PROPERTIES.has(key) && (typeof value === "string" || isRecord(value))) {
      const nl = dutchText(value);
      const en = isRecord(value) ? value.en : undefined;
      if (!nl || nl.trim() === "") problems.push(`${here}: de Nederlandse tekst ontbreekt`);
      if (typeof en !== "string" || en.trim() === "") problems.push(`${here}: de Engelse vertaling ontbreekt`);
    } else if (typeof value === "object" && value !== null) {
      problems.push(...missingTranslations(value, here));
    }
  }
  return problems;
}

/** A copy with object keys sorted at every level, so equal content always serialises to the same bytes. */
export function canonicalize<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => canonicalize(item)) as T;
  if (!isRecord(value)) return value;
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (value[key] !== undefined) result[key] = canonicalize(value[key]);
  }
  return result as T;
}

/** sha256 of the canonical JSON: identifies a definition version by its content. */
export function contentHash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(canonicalize(value))).digest("hex");
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** A mutable deep copy of plain JSON (definitions are frozen in the catalog). */
export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
