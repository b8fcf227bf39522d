// Loads every questionnaire in surveys/<id>/v<N>.json with its metadata v<N>.meta.json, checks them all at
// start-up and refuses to start with a list of every problem (file + what). The catalog it returns is frozen:
// a definition version never changes once loaded, and a municipality's variant is derived, never edited in place.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../paths.ts";
import { MUNICIPAL_PAGE, SurveyCustomisationError, customiseSurvey, type CustomisedSurvey } from "./surveys.customise.ts";
import { jeugdPatternProblems, metaProblems, wmoStandardProblems } from "./surveys.checks.ts";
import { inspectDefinition } from "./surveys.inspect.ts";
import { metaSchemaProblems, surveyMetaSchema, type SurveyMeta } from "./surveys.meta.ts";
import { canonicalize, contentHash, deepFreeze, type SurveyJson } from "./survey-json.ts";

export type { CustomisedSurvey, MunicipalityCustomisation } from "./surveys.customise.ts";
export { SurveyCustomisationError };

/** One questionnaire version as shipped. */
export type SurveyEntry = Readonly<{
  id: string;
  version: number;
  law: SurveyMeta["law"];
  audience: SurveyMeta["audience"];
  /** SurveyJS JSON, keys sorted (deterministic), frozen. */
  definition: Readonly<SurveyJson>;
  meta: Readonly<SurveyMeta>;
  /** sha256 of { definition, meta }: what a response can record to prove which questions it answered. */
  hash: string;
  /** Path of the definition, relative to the package (for messages). */
  file: string;
}>;

export type SurveyCatalog = Readonly<{
  /** Every version of every questionnaire, sorted by id, then version. */
  entries: readonly SurveyEntry[];
  get(id: string, version: number): SurveyEntry | undefined;
  latest(id: string): SurveyEntry | undefined;
  /** The definition as one municipality uses it. Throws SurveyCustomisationError (Dutch) when it is not allowed. */
  forMunicipality(id: string, version: number, customisation: unknown): CustomisedSurvey;
}>;

/** Thrown at start-up when a questionnaire is unusable; `problems` lists every problem, one line each. */
export class SurveyDefinitionError extends Error {
  constructor(readonly problems: string[]) {
    super(`De vragenlijsten kloppen niet:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "SurveyDefinitionError";
  }
}

export const DEFAULT_SURVEYS_DIR = path.join(packageRoot, "surveys");
const DEFINITION_FILE = /^v([1-9][0-9]*)\.json$/;
const META_FILE = /^v([1-9][0-9]*)\.meta\.json$/;

/**
 * Where JSON.parse stopped. V8 gives "at position N" for most errors, but for an unexpected token only a
 * snippet of about ten characters either side ("Unexpected token '}', ..."pages": [ }" is not valid JSON").
 */
function errorPosition(text: string, message: string): number | undefined {
  const position = /at position (\d+)/.exec(message);
  if (position) return Number(position[1]);
  const token = /^Unexpected token '(.)', (\.\.\.)?"([\s\S]*)"(?:\.\.\.)? is not valid JSON$/.exec(message);
  if (!token) return undefined;
  const [, char, ellipsis, snippet] = token as unknown as [string, string, string | undefined, string];
  const start = text.indexOf(snippet);
  if (start === -1) return undefined;
  const expected = ellipsis ? 10 : 0;
  let best: number | undefined;
  for (let i = snippet.indexOf(char); i !== -1; i = snippet.indexOf(char, i + 1)) {
    if (best === undefined || Math.abs(i - expected) < Math.abs(best - expected)) best = i;
  }
  return best === undefined ? undefined : start + best;
}

/** JSON.parse with the position turned into line and column, in Dutch. */
function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const message = (error as Error).message;
    const position = errorPosition(text, message);
    if (position === undefined) return { ok: false, message: `geen geldige JSON (${message})` };
    const before = text.slice(0, position);
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    return { ok: false, message: `geen geldige JSON op regel ${line}, kolom ${column} (${message})` };
  }
}

function readJson(file: string, label: string, problems: string[]): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    problems.push(`${label}: kan het bestand niet lezen (${(error as Error).message})`);
    return undefined;
  }
  const parsed = parseJson(text.replace(/^\uFEFF/, ""));
  if (!parsed.ok) problems.push(`${label}: ${parsed.message}`);
  return parsed.ok ? parsed.value : undefined;
}

function loadVersion(dir: string, base: string, id: string, version: number, problems: string[]): SurveyEntry | undefined {
  const defLabel = `${base}/${id}/v${version}.json`;
  const metaLabel = `${base}/${id}/v${version}.meta.json`;
  const definition = readJson(path.join(dir, id, `v${version}.json`), defLabel, problems);
  const rawMeta = readJson(path.join(dir, id, `v${version}.meta.json`), metaLabel, problems);
  if (definition === undefined || rawMeta === undefined) return undefined;

  const found: string[] = [];
  const inspection = inspectDefinition(definition, { requireTranslations: true });
  found.push(...inspection.problems.map((p) => `${defLabel}: ${p}`));
  if (inspection.questions.length === 0 && inspection.problems.length === 0) found.push(`${defLabel}: de vragenlijst heeft geen vragen`);
  const pages = (definition as SurveyJson).pages;
  if (Array.isArray(pages) && pages.some((p) => (p as { name?: unknown })?.name === MUNICIPAL_PAGE)) {
    found.push(`${defLabel}: de paginanaam ${MUNICIPAL_PAGE} is gereserveerd voor de vragen van een gemeente`);
  }

  const parsedMeta = surveyMetaSchema.safeParse(rawMeta);
  if (!parsedMeta.success) {
    problems.push(...found, ...metaSchemaProblems(parsedMeta.error).map((p) => `${metaLabel}: ${p}`));
    return undefined;
  }
  const meta = parsedMeta.data;
  if (meta.id !== id) found.push(`${metaLabel}: id is ${JSON.stringify(meta.id)}, maar de map heet ${id}`);
  if (meta.version !== version) found.push(`${metaLabel}: version is ${meta.version}, maar de bestandsnaam zegt v${version}`);
  found.push(...metaProblems(meta, inspection.questions).map((p) => `${metaLabel}: ${p}`));
  if (meta.law === "wmo") found.push(...wmoStandardProblems(meta, inspection.questions).map((p) => `${defLabel}: ${p}`));
  if (meta.law === "jeugd") found.push(...jeugdPatternProblems(meta).map((p) => `${metaLabel}: ${p}`));
  problems.push(...found);
  if (found.length > 0) return undefined;

  const canonicalDefinition = canonicalize(definition as SurveyJson);
  const canonicalMeta = canonicalize(meta);
  return deepFreeze({
    id,
    version,
    law: meta.law,
    audience: meta.audience,
    definition: canonicalDefinition,
    meta: canonicalMeta,
    hash: contentHash({ definition: canonicalDefinition, meta: canonicalMeta }),
    file: defLabel,
  });
}

function loadEntries(dir: string): SurveyEntry[] {
  const base = path.basename(dir);
  const problems: string[] = [];
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SurveyDefinitionError([`${dir}: de map met vragenlijsten bestaat niet`]);
  const entries: SurveyEntry[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (!statSync(full).isDirectory()) {
      if (name.endsWith(".json")) problems.push(`${base}/${name}: hoort in een map per vragenlijst, bijvoorbeeld ${base}/wmo/v1.json`);
      continue;
    }
    if (!/^[a-z][a-z0-9-]{1,40}$/.test(name)) {
      problems.push(`${base}/${name}: de mapnaam moet uit kleine letters, cijfers en streepjes bestaan`);
      continue;
    }
    const definitions = new Set<number>();
    const metas = new Set<number>();
    for (const file of readdirSync(full).sort()) {
      const definition = DEFINITION_FILE.exec(file);
      const meta = META_FILE.exec(file);
      if (definition) definitions.add(Number(definition[1]));
      else if (meta) metas.add(Number(meta[1]));
      else if (file.endsWith(".json")) problems.push(`${base}/${name}/${file}: onbekende bestandsnaam; gebruik v<versie>.json en v<versie>.meta.json`);
    }
    for (const version of metas) {
      if (!definitions.has(version)) problems.push(`${base}/${name}/v${version}.meta.json: de vragenlijst v${version}.json ontbreekt`);
    }
    for (const version of [...definitions].sort((a, b) => a - b)) {
      if (!metas.has(version)) {
        problems.push(`${base}/${name}/v${version}.json: de metadata v${version}.meta.json ontbreekt`);
        continue;
      }
      const entry = loadVersion(dir, base, name, version, problems);
      if (entry) entries.push(entry);
    }
  }
  if (problems.length === 0 && entries.length === 0) problems.push(`${base}: er staat geen enkele vragenlijst in de map`);
  if (problems.length > 0) throw new SurveyDefinitionError(problems);
  return entries;
}

/**
 * Loads and checks every questionnaire. Throws SurveyDefinitionError listing every problem at once, so the
 * server refuses to start rather than serve a changed or broken questionnaire. `dir` is for tests.
 */
export function loadSurveyCatalog(options: { dir?: string } = {}): SurveyCatalog {
  const entries = Object.freeze(loadEntries(options.dir ?? DEFAULT_SURVEYS_DIR));
  const get = (id: string, version: number) => entries.find((e) => e.id === id && e.version === version);
  const latest = (id: string) =>
    entries.filter((e) => e.id === id).reduce<SurveyEntry | undefined>((best, e) => (!best || e.version > best.version ? e : best), undefined);
  return Object.freeze({
    entries,
    get,
    latest,
    forMunicipality(id: string, version: number, customisation: unknown): CustomisedSurvey {
      const entry = get(id, version);
      if (!entry) throw new SurveyCustomisationError([`vragenlijst ${id} versie ${version} bestaat niet`]);
      return customiseSurvey(entry, customisation);
    },
  });
}
