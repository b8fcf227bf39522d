// A municipality's variant of a questionnaire: optional blocks switched off, its own questions appended on one
// page in a fixed place (just before the consent block, or at the end without one). The core questions (the
// ten for Wmo) can never be switched off, replaced or shadowed. The result is canonical JSON with a content
// hash, so it can be stored as an immutable version and recognised again.
import type { SurveyEntry } from "./surveys.loader.ts";
import { metaProblems } from "./surveys.checks.ts";
import { elementProblems, inspectDefinition } from "./surveys.inspect.ts";
import { kindOfType, type QuestionMeta, type RoleName, type SurveyMeta } from "./surveys.meta.ts";
import { canonicalize, cloneJson, contentHash, deepFreeze, isRecord, type ElementJson, type SurveyJson } from "./survey-json.ts";

export type MunicipalityCustomisation = { disabledBlocks?: string[]; extraQuestions?: unknown[] };

export type CustomisedSurvey = Readonly<{
  id: string;
  version: number;
  law: SurveyMeta["law"];
  audience: SurveyMeta["audience"];
  definition: Readonly<SurveyJson>;
  meta: Readonly<SurveyMeta>;
  /** The customisation as applied: blocks in questionnaire order, questions canonical. */
  customisation: Readonly<{ disabledBlocks: string[]; extraQuestions: ElementJson[] }>;
  /** sha256 of { definition, meta }; equals the shipped entry's hash when nothing is customised. */
  hash: string;
  baseHash: string;
}>;

/** Thrown when a municipality's customisation is not allowed; `problems` are Dutch, one per line. */
export class SurveyCustomisationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Deze aanpassing van de vragenlijst kan niet:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "SurveyCustomisationError";
  }
}

export const MUNICIPAL_PREFIX = "gemeente_";
export const MAX_EXTRA_QUESTIONS = 20;
/** The page a municipality's questions go on; shipped definitions may not use the name. */
export const MUNICIPAL_PAGE = "gemeente";
const CORE_WORDS = new Set(["standaard", "standard", "kern", "core", "wmo", "jeugd"]);

function municipalPageTitle(audience: SurveyMeta["audience"]) {
  return audience === "jongeren"
    ? { default: "Vragen van je gemeente", en: "Questions from your municipality" }
    : { default: "Vragen van uw gemeente", en: "Questions from your municipality" };
}

type Checked = { disabled: string[]; extras: ElementJson[] };

function checkCustomisation(entry: SurveyEntry, raw: unknown): { problems: string[]; checked: Checked } {
  const problems: string[] = [];
  const checked: Checked = { disabled: [], extras: [] };
  if (raw === undefined || raw === null) return { problems, checked };
  if (!isRecord(raw)) return { problems: ["de aanpassing moet een JSON-object zijn met disabledBlocks en extraQuestions"], checked };
  for (const key of Object.keys(raw)) {
    if (key !== "disabledBlocks" && key !== "extraQuestions") problems.push(`onbekend onderdeel ${JSON.stringify(key)}; gebruik alleen disabledBlocks en extraQuestions`);
  }
  const { meta } = entry;
  const blockIds = meta.blocks.map((b) => b.id);
  const coreKeys = new Set(meta.questions.filter((q) => q.standard).map((q) => q.key));
  const coreLabel = meta.law === "wmo" ? "de tien standaardvragen van de Wmo" : "de vaste vragen van deze vragenlijst";

  const disabled = raw.disabledBlocks ?? [];
  if (!Array.isArray(disabled)) problems.push("disabledBlocks moet een lijst van bloknamen zijn");
  else {
    for (const block of disabled) {
      if (typeof block !== "string") problems.push(`disabledBlocks: ${JSON.stringify(block)} is geen bloknaam`);
      else if (coreKeys.has(block) || CORE_WORDS.has(block.toLowerCase())) {
        problems.push(`disabledBlocks: ${JSON.stringify(block)} kan niet worden uitgezet; ${coreLabel} blijven altijd staan`);
      } else if (!blockIds.includes(block as (typeof blockIds)[number])) {
        problems.push(`disabledBlocks: het blok ${JSON.stringify(block)} bestaat niet in deze vragenlijst; kies uit ${blockIds.join(", ") || "(geen blokken)"}`);
      }
    }
    checked.disabled = blockIds.filter((id) => disabled.includes(id));
  }

  const extras = raw.extraQuestions ?? [];
  if (!Array.isArray(extras)) {
    problems.push("extraQuestions moet een lijst van SurveyJS-vragen zijn");
    return { problems, checked };
  }
  if (extras.length > MAX_EXTRA_QUESTIONS) problems.push(`extraQuestions: hoogstens ${MAX_EXTRA_QUESTIONS} eigen vragen, niet ${extras.length}`);
  const existing = new Set([...meta.questions.map((q) => q.key), ...meta.variables]);
  const seen = new Set<string>();
  extras.forEach((extra, i) => {
    const label = `eigen vraag ${i + 1}`;
    if (!isRecord(extra)) {
      problems.push(`${label}: moet een SurveyJS-vraag (JSON-object) zijn`);
      return;
    }
    const name = typeof extra.name === "string" ? extra.name : undefined;
    if (name !== undefined && coreKeys.has(name)) {
      problems.push(`${label}: ${name} is een van ${coreLabel}; een gemeente kan die niet vervangen of veranderen`);
    } else if (name !== undefined && existing.has(name)) {
      problems.push(`${label}: de sleutel ${name} bestaat al in de vragenlijst`);
    } else if (name === undefined || !name.startsWith(MUNICIPAL_PREFIX)) {
      problems.push(`${label}: de sleutel (name) moet beginnen met ${MUNICIPAL_PREFIX}, bijvoorbeeld ${MUNICIPAL_PREFIX}vervoer`);
    } else if (seen.has(name)) {
      problems.push(`${label}: de sleutel ${name} komt twee keer voor`);
    }
    if (name !== undefined) seen.add(name);
    problems.push(...elementProblems(extra, `${label} (${name ?? "zonder naam"})`));
    checked.extras.push(extra);
  });
  return { problems, checked };
}

function build(entry: SurveyEntry, { disabled, extras }: Checked): { definition: SurveyJson; meta: SurveyMeta } {
  const definition = cloneJson(entry.definition) as SurveyJson;
  const meta = cloneJson(entry.meta) as SurveyMeta;
  const removed = new Set(meta.blocks.filter((b) => disabled.includes(b.id)).flatMap((b) => b.questions));

  const pages = (definition.pages as Array<{ name: string; elements: ElementJson[] }>)
    .map((page) => ({ ...page, elements: page.elements.filter((e) => !removed.has(String(e.name))) }))
    .filter((page) => page.elements.length > 0);
  if (extras.length > 0) {
    const consentKey = meta.roles.consent && !removed.has(meta.roles.consent) ? meta.roles.consent : undefined;
    const consentPage = consentKey ? pages.findIndex((p) => p.elements.some((e) => e.name === consentKey)) : -1;
    const page = { name: MUNICIPAL_PAGE, title: municipalPageTitle(meta.audience), elements: cloneJson(extras) };
    pages.splice(consentPage === -1 ? pages.length : consentPage, 0, page);
  }
  definition.pages = pages;

  const entries = new Map<string, QuestionMeta>(meta.questions.map((q) => [q.key, q]));
  for (const extra of extras) {
    const type = String(extra.type);
    const inputType = typeof extra.inputType === "string" ? extra.inputType : undefined;
    entries.set(String(extra.name), { key: String(extra.name), kind: kindOfType(type, inputType), municipal: true });
  }
  meta.questions = pages.flatMap((p) => p.elements.map((e) => entries.get(String(e.name))!));
  meta.blocks = meta.blocks.filter((b) => !disabled.includes(b.id));
  for (const role of Object.keys(meta.roles) as RoleName[]) {
    if (removed.has(meta.roles[role]!)) delete meta.roles[role];
  }
  return { definition, meta };
}

/** Applies a customisation to a shipped questionnaire version. Throws SurveyCustomisationError listing every problem. */
export function customiseSurvey(entry: SurveyEntry, raw: unknown): CustomisedSurvey {
  const { problems, checked } = checkCustomisation(entry, raw);
  if (problems.length > 0) throw new SurveyCustomisationError(problems);

  const built = build(entry, checked);
  // Check the result as the loader checks a shipped definition: SurveyJS must know every property, and every
  // condition must refer to a question that is still there.
  const inspection = inspectDefinition(built.definition, { requireTranslations: false });
  const after = [...inspection.problems, ...metaProblems(built.meta, inspection.questions, { customised: true })];
  if (after.length > 0) throw new SurveyCustomisationError(after);

  const definition = canonicalize(built.definition);
  const meta = canonicalize(built.meta);
  return deepFreeze({
    id: entry.id,
    version: entry.version,
    law: entry.law,
    audience: entry.audience,
    definition,
    meta,
    customisation: { disabledBlocks: checked.disabled, extraQuestions: canonicalize(cloneJson(checked.extras)) },
    hash: contentHash({ definition, meta }),
    baseHash: entry.hash,
  });
}
