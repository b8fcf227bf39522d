// The answer checks SurveyJS does not do on the server (see STACK.md): a value must have the right JSON type
// and be one of the offered answers. survey-core quietly keeps a rating of 9, "4" for 4, text in a number field
// or four ticks where three are allowed; these checks refuse them with a Dutch reason.
import { Model } from "survey-core";
import { dutchText, listElements, type SurveyJson } from "./survey-json.ts";

/** Free text is capped even when the definition sets no maxLength: a questionnaire answer, not a document. */
export const MAX_TEXT_LENGTH = 2000;

export type QuestionSpec = {
  key: string;
  type: string;
  inputType: string | undefined;
  /** Dutch title, shortened, for messages. */
  label: string;
  /** Allowed values (choices, rate values) for choice and rating questions. */
  values: unknown[] | undefined;
  maxSelected: number;
  maxLength: number;
  valueTrue: unknown;
  valueFalse: unknown;
};

export type Checked = { ok: true; value: unknown } | { ok: false; reason: string } | { ok: "empty" };

const specCache = new WeakMap<object, Map<string, QuestionSpec>>();

function shorten(text: string, max = 70): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** What the server needs to know per question; cached per frozen definition object (catalog entries are frozen). */
export function questionSpecs(definition: SurveyJson): Map<string, QuestionSpec> {
  const cached = Object.isFrozen(definition) ? specCache.get(definition) : undefined;
  if (cached) return cached;
  const model = new Model(definition);
  const specs = new Map<string, QuestionSpec>();
  for (const { element } of listElements(definition)) {
    const key = element.name;
    if (typeof key !== "string" || specs.has(key) || element.type === "html") continue;
    const question = model.getQuestionByName(key) as unknown as Record<string, unknown> | null;
    if (!question) continue;
    const items = (element.type === "rating" ? question.visibleRateValues : question.visibleChoices) as Array<{ value: unknown }> | undefined;
    const ownMax = typeof element.maxLength === "number" && element.maxLength > 0 ? element.maxLength : MAX_TEXT_LENGTH;
    specs.set(key, {
      key,
      type: String(element.type),
      inputType: element.type === "text" ? String(element.inputType ?? "text") : undefined,
      label: `vraag "${shorten(dutchText(element.title) ?? key)}" (${key})`,
      values: items && element.type !== "boolean" ? items.map((item) => item.value) : undefined,
      maxSelected: typeof element.maxSelectedChoices === "number" ? element.maxSelectedChoices : 0,
      maxLength: Math.min(ownMax, MAX_TEXT_LENGTH),
      valueTrue: element.valueTrue ?? true,
      valueFalse: element.valueFalse ?? false,
    });
  }
  if (Object.isFrozen(definition)) specCache.set(definition, specs);
  return specs;
}

/** A short, safe rendering of what was sent, for a message (never the whole of a huge value). */
export function preview(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "een lijst";
  return typeof value === "object" ? "een object" : typeof value;
}

const listValues = (values: unknown[]) => values.map((v) => (typeof v === "string" ? `"${v}"` : String(v))).join(", ");

function oneOf(spec: QuestionSpec, value: unknown): string | undefined {
  const values = spec.values ?? [];
  if (values.includes(value)) return undefined;
  if (typeof value === "string" && values.some((v) => typeof v === "number" && String(v) === value.trim())) {
    return `dit moet een getal zijn, geen tekst: stuur ${value.trim()} in plaats van ${preview(value)}`;
  }
  if (typeof value === "number" && values.some((v) => typeof v === "string" && v === String(value))) {
    return `dit moet tekst zijn: stuur "${value}" in plaats van ${value}`;
  }
  if (typeof value === "object" && value !== null) return `dit moet één antwoord zijn, niet ${preview(value)}`;
  return `${preview(value)} is geen van de antwoorden; kies uit ${listValues(values)}`;
}

function checkText(spec: QuestionSpec, value: unknown): Checked {
  if (spec.inputType === "number") {
    if (typeof value === "number") return Number.isFinite(value) ? { ok: true, value } : { ok: false, reason: "dit moet een getal zijn" };
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) {
      return { ok: false, reason: `dit moet een getal zijn, geen tekst: stuur ${Number(value)} in plaats van ${preview(value)}` };
    }
    return { ok: false, reason: `dit moet een getal zijn, niet ${typeof value === "string" ? `de tekst ${preview(value)}` : preview(value)}` };
  }
  if (typeof value !== "string") return { ok: false, reason: `dit moet tekst zijn, niet ${preview(value)}` };
  if (value.length > spec.maxLength) return { ok: false, reason: `de tekst is te lang: hoogstens ${spec.maxLength} tekens, niet ${value.length}` };
  if (value.trim() === "") return { ok: "empty" };
  // PostgreSQL cannot store U+0000 in text or jsonb; no keyboard produces it.
  if (value.includes("\u0000")) return { ok: false, reason: "de tekst bevat een ongeldig teken" };
  if (spec.inputType === "date" && (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))) {
    return { ok: false, reason: `dit moet een datum zijn als 2026-12-31, niet ${preview(value)}` };
  }
  return { ok: true, value };
}

/** Checks one answer against its question. `empty` means "not answered" (null, "", []): it is left out. */
export function checkAnswer(spec: QuestionSpec, value: unknown): Checked {
  if (value === null || value === undefined) return { ok: "empty" };
  switch (spec.type) {
    case "rating":
    case "radiogroup":
    case "dropdown": {
      const reason = oneOf(spec, value);
      return reason ? { ok: false, reason } : { ok: true, value };
    }
    case "checkbox": {
      if (!Array.isArray(value)) return { ok: false, reason: `dit moet een lijst van antwoorden zijn, niet ${preview(value)}` };
      if (value.length === 0) return { ok: "empty" };
      if (spec.maxSelected > 0 && value.length > spec.maxSelected) {
        return { ok: false, reason: `er zijn ${value.length} antwoorden gekozen, maar hoogstens ${spec.maxSelected} mag` };
      }
      if (new Set(value).size !== value.length) return { ok: false, reason: "hetzelfde antwoord staat er twee keer in" };
      for (const item of value) {
        const reason = oneOf(spec, item);
        if (reason) return { ok: false, reason };
      }
      return { ok: true, value };
    }
    case "boolean":
      if (value === spec.valueTrue || value === spec.valueFalse) return { ok: true, value };
      return { ok: false, reason: `dit moet ${preview(spec.valueTrue)} of ${preview(spec.valueFalse)} zijn, niet ${preview(value)}` };
    case "comment":
      return checkText({ ...spec, inputType: "text" }, value);
    case "text":
      return checkText(spec, value);
    default:
      return { ok: false, reason: "deze vraag kan niet worden beantwoord" };
  }
}
