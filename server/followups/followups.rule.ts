// The follow-up rule: which answers of a completed response make it a candidate for a follow-up conversation.
// Default (DOMAIN.md): consent "ja" and at least one statement answered 1 or 2, or a report grade of 5 or lower.
// Consent is not part of the configurable rule: without it there is never a follow-up.
//
// What a question is (a statement, the grade, the consent question) comes from the metadata of the response's
// own questionnaire version, customised versions included, so a rule means the same for every version.
import { loadSurveyCatalog, type SurveyCatalog } from "../surveys/surveys.loader.ts";
import type { SurveyMeta } from "../surveys/surveys.meta.ts";
import { dutchText, elementName, isRecord, listElements, type SurveyJson } from "../surveys/survey-json.ts";
import type { FollowupRule } from "./followups.settings.ts";

/** One answer that met the rule, with the question's Dutch text and the answer's label as the client saw them. */
export type Trigger = { key: string; kind: "statement" | "grade"; value: number; title: string; label: string };

export type QuestionText = { title: string; labels: Map<unknown, string> };

/** What the rule and the follow-up pages need to know about one questionnaire version. */
export type VersionInfo = {
  questionnaire: string;
  meta: SurveyMeta;
  texts: Map<string, QuestionText>;
};

export type StoredVersion = { questionnaire: string; baseVersion: number; customisation: unknown; definition: unknown; hash: string };

// The completion step has no dependencies but a transaction, so the rule reads the shipped questionnaires
// itself, once per process. They are the same files the app's catalog is loaded from at start-up.
let sharedCatalog: SurveyCatalog | undefined;
function catalog(): SurveyCatalog {
  return (sharedCatalog ??= loadSurveyCatalog());
}

/** Lets the rule use the catalog the app loaded at start-up, so the first completion does not load it. */
export function useSurveyCatalog(loaded: SurveyCatalog): void {
  sharedCatalog ??= loaded;
}

function textsOf(definition: unknown): Map<string, QuestionText> {
  const texts = new Map<string, QuestionText>();
  if (!isRecord(definition)) return texts;
  for (const { element } of listElements(definition as SurveyJson)) {
    const key = elementName(element);
    if (!key) continue;
    const labels = new Map<unknown, string>();
    const items = element.type === "rating" ? element.rateValues : element.choices;
    if (Array.isArray(items)) {
      for (const item of items) {
        if (isRecord(item)) labels.set(item.value, dutchText(item.text) ?? String(item.value));
        else labels.set(item, String(item));
      }
    }
    texts.set(key, { title: dutchText(element.title) ?? key, labels });
  }
  return texts;
}

// Versions never change (invariant 7) and are recognised by their content hash, so the derived metadata can be
// kept for the life of the process, across databases too.
const versionCache = new Map<string, VersionInfo | undefined>();

/**
 * The metadata of a stored questionnaire version: the shipped metadata with the municipality's customisation
 * applied. Undefined when the shipped version is no longer there (then no rule can be evaluated).
 */
export function versionInfoOf(version: StoredVersion): VersionInfo | undefined {
  const cacheKey = `${version.questionnaire}:${version.hash}`;
  if (versionCache.has(cacheKey)) return versionCache.get(cacheKey);
  const entry = catalog().get(version.questionnaire, version.baseVersion);
  let info: VersionInfo | undefined;
  if (entry) {
    let meta: SurveyMeta = entry.meta as SurveyMeta;
    try {
      meta = catalog().forMunicipality(version.questionnaire, version.baseVersion, version.customisation).meta as SurveyMeta;
    } catch {
      // A customisation that a later release no longer accepts: the shipped metadata still says what the core
      // questions are, and questions that were switched off have no answers anyway.
    }
    info = { questionnaire: version.questionnaire, meta, texts: textsOf(version.definition) };
  }
  versionCache.set(cacheKey, info);
  return info;
}

/** The agreement statements of a questionnaire version, in order. */
export function statementsOf(meta: SurveyMeta): string[] {
  return meta.questions.filter((q) => q.kind === "agreement").map((q) => q.key);
}

/** Whether the client said yes to being contacted. A version without the consent question never has consent. */
export function hasConsent(meta: SurveyMeta, answers: Record<string, unknown>): boolean {
  const key = meta.roles.consent;
  return key !== undefined && answers[key] === meta.codes.yesNo.yes;
}

/** The answers that meet the rule, in questionnaire order (without looking at consent). */
export function triggersOf(info: VersionInfo, answers: Record<string, unknown>, rule: FollowupRule): Trigger[] {
  const triggers: Trigger[] = [];
  const { meta, texts } = info;
  const textOf = (key: string, value: number) => ({
    title: texts.get(key)?.title ?? key,
    label: texts.get(key)?.labels.get(value) ?? String(value),
  });
  const codes = new Set(rule.answerCodes);
  for (const question of meta.questions) {
    const value = answers[question.key];
    if (typeof value !== "number") continue;
    if (question.kind === "agreement" && (rule.questions === "all" || rule.questions.includes(question.key)) && codes.has(value)) {
      triggers.push({ key: question.key, kind: "statement", value, ...textOf(question.key, value) });
    } else if (question.kind === "grade" && question.key === meta.roles.grade && rule.gradeThreshold !== null && value <= rule.gradeThreshold) {
      triggers.push({ key: question.key, kind: "grade", value, ...textOf(question.key, value) });
    }
  }
  return triggers;
}

export type Evaluation = { consent: boolean; triggers: Trigger[]; selected: boolean };

export function evaluateRule(info: VersionInfo, answers: Record<string, unknown>, rule: FollowupRule): Evaluation {
  const consent = hasConsent(info.meta, answers);
  const triggers = triggersOf(info, answers, rule);
  return { consent, triggers, selected: consent && triggers.length > 0 };
}

/** Every statement an admin can choose for the rule, per questionnaire, with its Dutch text. */
export function selectableStatements(): Array<{ questionnaire: string; key: string; title: string }> {
  const seen = new Set<string>();
  const result: Array<{ questionnaire: string; key: string; title: string }> = [];
  for (const entry of catalog().entries) {
    const texts = textsOf(entry.definition);
    for (const key of statementsOf(entry.meta as SurveyMeta)) {
      if (seen.has(key)) continue;
      seen.add(key);
      result.push({ questionnaire: entry.id, key, title: texts.get(key)?.title ?? key });
    }
  }
  return result;
}

/** The open (free-text) questions of a version, for selecting open answers as quotes. */
export function openQuestionsOf(info: VersionInfo): Array<{ key: string; title: string }> {
  return info.meta.questions.filter((q) => q.kind === "open").map((q) => ({ key: q.key, title: info.texts.get(q.key)?.title ?? q.key }));
}
