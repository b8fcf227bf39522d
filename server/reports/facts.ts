// The completion step that writes a response's report facts (report_facts, report_answers) inside the
// transaction that completes it. Reports group these narrow rows in SQL instead of parsing answers JSON.
import { immutableRowCache, type Knex } from "../db.ts";
import type { CompletedResponse } from "../respondent/completion.ts";
import type { SurveyCatalog } from "../surveys/surveys.loader.ts";
import type { SurveyMeta } from "../surveys/surveys.meta.ts";
import { ageBandOf } from "./age-bands.ts";
import { findClosedPeriodContaining, findResponseContext, findVersionForFacts, insertFacts, type AnswerRow, type FactRow } from "./facts.queries.ts";
import { dutchDayOf } from "./period.ts";
import { closedQuestionKeys, reportCatalog, statementSlots, STATEMENT_SLOTS } from "./questions.ts";

// Versions never change (invariant 7), so their metadata can be kept once looked up (per database: ids repeat).
const metaOfVersion = immutableRowCache<{ questionnaire: string; meta: SurveyMeta }>();

async function versionMeta(trx: Knex.Transaction | Knex, catalog: SurveyCatalog, versionId: number): Promise<{ questionnaire: string; meta: SurveyMeta }> {
  const found = await metaOfVersion.get(trx, versionId, () => readVersionMeta(trx, catalog, versionId));
  if (!found) throw new Error(`questionnaire version ${versionId} missing`);
  return found;
}

async function readVersionMeta(trx: Knex.Transaction | Knex, catalog: SurveyCatalog, versionId: number): Promise<{ questionnaire: string; meta: SurveyMeta }> {
  const version = await findVersionForFacts(trx, versionId);
  if (!version) throw new Error(`questionnaire version ${versionId} missing`);
  const entry = catalog.get(version.questionnaire, version.baseVersion);
  let meta: SurveyMeta;
  try {
    meta = catalog.forMunicipality(version.questionnaire, version.baseVersion, version.customisation).meta as SurveyMeta;
  } catch {
    // A customisation that a later release would refuse still has its answers: report the shipped core.
    if (!entry) throw new Error(`questionnaire ${version.questionnaire} v${version.baseVersion} unknown`);
    meta = entry.meta as SurveyMeta;
  }
  return { questionnaire: version.questionnaire, meta };
}

function statementCode(value: unknown, kind: "agreement" | "yes_no", meta: SurveyMeta): number | null {
  if (kind === "yes_no") return value === meta.codes.yesNo.yes ? 1 : value === meta.codes.yesNo.no ? 0 : null;
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 5 ? value : null;
}

function answerValues(value: unknown): string[] {
  const one = (v: unknown): string | undefined =>
    typeof v === "string" ? (v.trim() === "" ? undefined : v.slice(0, 200)) : typeof v === "number" && Number.isFinite(v) ? String(v) : typeof v === "boolean" ? String(v) : undefined;
  if (Array.isArray(value)) return [...new Set(value.map(one).filter((v): v is string => v !== undefined))];
  const single = one(value);
  return single === undefined ? [] : [single];
}

/** The facts of one completed response, from its answers, its questionnaire's metadata and the intake context. */
export function factsOf(
  response: CompletedResponse,
  questionnaire: string,
  meta: SurveyMeta,
  context: { law: string; team: string | null; area: string | null; provision: string | null; birthYear: number | null; channel: string | null },
  catalog: SurveyCatalog,
  counting: { countedAt: Date; latePeriod: string | null },
): { fact: FactRow; answers: AnswerRow[] } {
  const statements: Array<number | null> = Array.from({ length: STATEMENT_SLOTS }, () => null);
  const kinds = new Map(meta.questions.map((q) => [q.key, q.kind]));
  for (const slot of statementSlots(catalog, questionnaire)) {
    if (!kinds.has(slot.key)) continue;
    statements[slot.slot - 1] = statementCode(response.answers[slot.key], slot.kind, meta);
  }
  const gradeKey = meta.roles.grade;
  const grade = gradeKey ? response.answers[gradeKey] : undefined;
  const consentKey = meta.roles.consent;
  const consent = consentKey ? response.answers[consentKey] : undefined;
  const year = Number(dutchDayOf(response.completedAt).slice(0, 4));
  const fact: FactRow = {
    responseId: response.responseId,
    municipalityId: response.municipalityId,
    completedAt: response.completedAt,
    countedAt: counting.countedAt,
    latePeriod: counting.latePeriod,
    questionnaire,
    law: context.law,
    team: context.team,
    area: context.area,
    provision: context.provision,
    ageBand: ageBandOf(context.law, context.birthYear, year),
    mode: response.mode,
    channel: context.channel,
    statements,
    grade: typeof grade === "number" && Number.isInteger(grade) ? grade : null,
    consent: consent === meta.codes.yesNo.yes ? 1 : consent === meta.codes.yesNo.no ? 0 : null,
  };
  const answers: AnswerRow[] = closedQuestionKeys(meta).flatMap((key) =>
    answerValues(response.answers[key]).map((value) => ({ responseId: response.responseId, municipalityId: response.municipalityId, questionKey: key, value })),
  );
  return { fact, answers };
}

/**
 * The completion step. A response completed for a period that an administrator has already closed counts in
 * the period it arrives in (invariant 6); the closed period is noted so both reports can say so.
 */
export async function recordReportFacts(trx: Knex.Transaction | Knex, response: CompletedResponse, options: { catalog?: SurveyCatalog; now?: Date } = {}): Promise<void> {
  const catalog = options.catalog ?? reportCatalog();
  const { questionnaire, meta } = await versionMeta(trx, catalog, response.questionnaireVersionId);
  const context = await findResponseContext(trx, response.invitationId);
  if (!context) throw new Error(`invitation ${response.invitationId} missing`);
  const latePeriod = (await findClosedPeriodContaining(trx, response.municipalityId, response.completedAt)) ?? null;
  const now = options.now ?? new Date();
  const countedAt = latePeriod ? (now.getTime() > response.completedAt.getTime() ? now : response.completedAt) : response.completedAt;
  const { fact, answers } = factsOf(response, questionnaire, meta, context, catalog, { countedAt, latePeriod });
  await insertFacts(trx, fact, answers, dutchDayOf(countedAt).slice(0, 7));
}
