// What the reports need to know about the questionnaires, from their metadata (surveys/<id>/v<N>.meta.json):
// which standard statements a questionnaire has and in which column (slot) of report_facts each one is kept,
// which other closed questions go to report_answers, and their Dutch texts and answer labels.
import { loadSurveyCatalog, type SurveyCatalog } from "../surveys/surveys.loader.ts";
import type { QuestionMeta, SurveyMeta, Theme } from "../surveys/surveys.meta.ts";

export const STATEMENT_SLOTS = 12;

export const QUESTIONNAIRES = ["wmo", "jeugd-ouders", "jeugd-jongeren"] as const;
export type QuestionnaireId = (typeof QUESTIONNAIRES)[number];

export const QUESTIONNAIRE_LABELS: Record<string, string> = {
  wmo: "Wmo",
  "jeugd-ouders": "Jeugd – ouders",
  "jeugd-jongeren": "Jeugd – jongeren",
};

export type StatementSlot = {
  slot: number;
  key: string;
  kind: "agreement" | "yes_no";
  theme: Theme | undefined;
  /** The Dutch wording, exactly as asked. */
  text: string;
  /** Its number in the questionnaire (1 = the first question). */
  number: number;
};

let shared: SurveyCatalog | undefined;

/** The shipped questionnaires, loaded once (the server checked them at start-up). */
export function reportCatalog(): SurveyCatalog {
  shared ??= loadSurveyCatalog();
  return shared;
}

type Element = { name?: unknown; title?: unknown; choices?: unknown; type?: unknown; rateValues?: unknown; labelTrue?: unknown; labelFalse?: unknown };

function dutch(text: unknown): string {
  if (typeof text === "string") return text;
  if (text && typeof text === "object" && "default" in text) return String((text as { default: unknown }).default);
  return "";
}

/** Every element of a SurveyJS definition by name. */
export function elementsOf(definition: unknown): Map<string, Element> {
  const map = new Map<string, Element>();
  const pages = (definition as { pages?: Array<{ elements?: Element[] }> } | null)?.pages ?? [];
  for (const page of pages) for (const e of page.elements ?? []) if (typeof e.name === "string") map.set(e.name, e);
  return map;
}

export function titleOf(element: Element | undefined, fallback: string): string {
  return dutch(element?.title) || fallback;
}

/** Answer labels of a choice question: value → Dutch text. */
export function choiceLabels(element: Element | undefined): Map<string, string> {
  const labels = new Map<string, string>();
  if (!element) return labels;
  const list = Array.isArray(element.choices) ? element.choices : Array.isArray(element.rateValues) ? element.rateValues : [];
  for (const c of list as unknown[]) {
    if (c !== null && typeof c === "object" && "value" in c) labels.set(String((c as { value: unknown }).value), dutch((c as { text?: unknown }).text) || String((c as { value: unknown }).value));
    else labels.set(String(c), String(c));
  }
  if (element.type === "boolean") {
    labels.set("true", dutch(element.labelTrue) || "Ja");
    labels.set("false", dutch(element.labelFalse) || "Nee");
  }
  return labels;
}

/**
 * The standard statements of a questionnaire with their slot: in questionnaire order, a statement keeps the
 * slot of its first version, and a statement a later version adds gets the next free slot.
 */
export function statementSlots(catalog: SurveyCatalog, questionnaire: string): StatementSlot[] {
  const slots: StatementSlot[] = [];
  const entries = catalog.entries.filter((e) => e.id === questionnaire).sort((a, b) => a.version - b.version);
  for (const entry of entries) {
    const elements = elementsOf(entry.definition);
    entry.meta.questions.forEach((q, index) => {
      if (!q.standard || (q.kind !== "agreement" && q.kind !== "yes_no")) return;
      if (slots.some((s) => s.key === q.key)) return;
      slots.push({ slot: slots.length + 1, key: q.key, kind: q.kind, theme: q.theme, text: titleOf(elements.get(q.key), q.key), number: index + 1 });
    });
  }
  if (slots.length > STATEMENT_SLOTS) throw new Error(`${questionnaire} has ${slots.length} standard statements; report_facts holds ${STATEMENT_SLOTS}`);
  return slots;
}

const CLOSED_KINDS = new Set<QuestionMeta["kind"]>(["choice", "rating", "number", "yes_no"]);

/** The closed questions besides the standard statements, the grade and consent: they go to report_answers. */
export function closedQuestionKeys(meta: SurveyMeta): string[] {
  const skip = new Set([meta.roles.grade, meta.roles.consent, meta.roles.phone].filter((k): k is string => Boolean(k)));
  return meta.questions.filter((q) => !q.standard && CLOSED_KINDS.has(q.kind) && !skip.has(q.key)).map((q) => q.key);
}

/** The questionnaire's law (wmo or jeugd), from its id. */
export function lawOf(questionnaire: string): "wmo" | "jeugd" {
  return questionnaire.startsWith("jeugd") ? "jeugd" : "wmo";
}
