// Reports per municipality and period: gathering the grouped counts, building the suppressed model, rendering
// it in every format, and closing a period (its report frozen as bytes, served unchanged from then on).
import type { Db } from "../db.ts";
import { badRequest, conflict } from "../errors.ts";
import { FOLLOWUP_SETTINGS, themeLabel } from "../followups/followups.settings.ts";
import { readSettings } from "../settings/settings.service.ts";
import type { SurveyCatalog } from "../surveys/surveys.loader.ts";
import { hasEnded, hasStarted, parsePeriod, periodLabel, previousPeriod, trendQuarters, type Period } from "./period.ts";
import { choiceLabels, elementsOf, statementSlots, titleOf, QUESTIONNAIRES, STATEMENT_SLOTS } from "./questions.ts";
import { renderCsv } from "./render.csv.ts";
import { renderFragment, renderStandaloneHtml } from "./render.html.ts";
import { renderLegalCsv, renderLegalXlsx } from "./render.legal.ts";
import { renderPdf } from "./render.pdf.ts";
import { renderXlsx } from "./render.xlsx.ts";
import { DIMENSION_LABELS, LAW_LABELS, MODE_LABELS } from "./reports.labels.ts";
import { buildReportModel, type ReportModel } from "./reports.model.ts";
import {
  aggregateAnswers,
  aggregateCube,
  aggregateFollowups,
  aggregateFunnel,
  aggregateNonResponse,
  aggregateOutcomes,
  aggregatePopulation,
  aggregateQuarters,
  aggregateThemes,
  countArrivedLate,
  countCountedElsewhere,
  countFollowupsClosedAfter,
  listDefinitions,
  listFilterValues,
  listPeriodQuotes,
  type ReportFilters,
} from "./reports.queries.ts";
import { CONTENT_TYPES, hasFilters, REPORT_SETTINGS, type ReportFormat } from "./reports.schema.ts";
import { findClosedPeriod, findSnapshot, insertClosedPeriod, listClosedPeriods, type ClosedPeriodRow } from "./snapshots.queries.ts";
import { effectiveThreshold, suppressCount } from "./suppression.ts";

export type ReportMunicipality = { id: number; code: string; name: string };

const MAX_QUOTES = 20;

/** Snapshot formats: every downloadable format, and the report as it sits inside the staff page. */
export const SNAPSHOT_FORMATS = ["html", "pdf", "csv", "xlsx", "json", "fragment"] as const;

/** A period may be asked for once it has started; one that runs still gives a provisional report. */
export function assertReportable(period: Period, now: Date): void {
  if (!hasStarted(period, now)) throw badRequest(`De periode ${period.key} is nog niet begonnen. Kies een periode die al begonnen of voorbij is.`, [{ field: "periode", message: "Deze periode is nog niet begonnen." }]);
}

function filterLabels(filters: ReportFilters): ReportModel["filters"] {
  const labels: ReportModel["filters"] = [];
  if (filters.law) labels.push({ name: "wet", label: "Wet", value: LAW_LABELS[filters.law] ?? filters.law });
  if (filters.team) labels.push({ name: "team", label: DIMENSION_LABELS.team!, value: filters.team });
  if (filters.area) labels.push({ name: "wijk", label: DIMENSION_LABELS.area!, value: filters.area });
  if (filters.provision) labels.push({ name: "voorziening", label: DIMENSION_LABELS.provision!, value: filters.provision });
  if (filters.mode) labels.push({ name: "manier", label: DIMENSION_LABELS.mode!, value: MODE_LABELS[filters.mode] ?? filters.mode });
  return labels;
}

/** Question texts, kinds and answer labels of the other closed questions, from the municipality's definitions. */
function questionInfoOf(definitions: Array<{ questionnaire: string; definition: unknown }>): Map<string, { title: string; kind: "choice" | "multiple" | "number"; labels: Map<string, string> }> {
  const info = new Map<string, { title: string; kind: "choice" | "multiple" | "number"; labels: Map<string, string> }>();
  // Newest first: the wording a municipality uses now wins over that of older versions.
  for (const { questionnaire, definition } of definitions) {
    for (const [key, element] of elementsOf(definition)) {
      const id = `${questionnaire}:${key}`;
      if (info.has(id)) continue;
      const type = String(element.type);
      const inputType = (element as { inputType?: unknown }).inputType;
      const kind = type === "checkbox" ? "multiple" : type === "text" && inputType === "number" ? "number" : "choice";
      info.set(id, { title: titleOf(element, key), kind, labels: choiceLabels(element) });
    }
  }
  return info;
}

export type BuildOptions = { now?: Date; status?: ReportModel["status"]; closedAt?: Date; allQuestionnaires?: boolean };

/** Gathers the period's counts and builds the suppressed model. */
export async function buildReport(db: Db, catalog: SurveyCatalog, municipality: ReportMunicipality, period: Period, filters: ReportFilters, options: BuildOptions = {}): Promise<ReportModel> {
  const now = options.now ?? new Date();
  const settings = await readSettings(db, municipality.id, REPORT_SETTINGS);
  const followupSettings = await readSettings(db, municipality.id, FOLLOWUP_SETTINGS);
  const threshold = effectiveThreshold(settings.threshold);
  const previous = previousPeriod(period);
  const quarters = trendQuarters(period);
  const range = { start: period.start, end: period.end };
  const slots = new Map(QUESTIONNAIRES.filter((q) => catalog.latest(q)).map((q) => [q as string, statementSlots(catalog, q)]));
  const slotCount = Math.min(STATEMENT_SLOTS, Math.max(1, ...[...slots.values()].map((s) => s.length)));
  const gradeQuestionnaires = new Set(QUESTIONNAIRES.filter((q) => catalog.latest(q)?.meta.roles.grade));

  const cube = await aggregateCube(db, municipality.id, range, filters, slotCount);
  const trend = await aggregateQuarters(db, municipality.id, quarters, filters, slotCount);
  const answers = await aggregateAnswers(db, municipality.id, range, filters);
  const definitions = answers.answered.length > 0 ? await listDefinitions(db, municipality.id) : [];
  const funnel = await aggregateFunnel(db, municipality.id, range, filters);
  const nonResponse = await aggregateNonResponse(db, municipality.id, range, period.year, filters);
  const population = await aggregatePopulation(db, municipality.id, period, filters);
  const followups = await aggregateFollowups(db, municipality.id, range, filters, now);
  const outcomes = await aggregateOutcomes(db, municipality.id, range, filters);
  const themes = (await aggregateThemes(db, municipality.id, range, filters))
    .map((t) => ({ ...t, label: themeLabel(followupSettings.themes, t.theme) }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label, "nl"));
  const quotes = await listPeriodQuotes(db, municipality.id, range, filters, MAX_QUOTES);
  const arrivedLate = (await countArrivedLate(db, municipality.id, range, filters)).map((late) => {
    const parsed = parsePeriod(late.period);
    return { ...late, label: parsed.ok ? periodLabel(parsed.period) : late.period };
  });

  const status = options.status ?? (hasEnded(period, now) ? "open" : "provisional");
  const model = buildReportModel({
    municipality: { code: municipality.code, name: municipality.name },
    period,
    previous,
    quarters,
    generatedAt: now,
    status,
    threshold,
    filters,
    filterLabels: filterLabels(filters),
    slots,
    gradeQuestionnaires,
    cube,
    trend,
    answers,
    questionInfo: questionInfoOf(definitions),
    funnel,
    nonResponse,
    population,
    followups,
    outcomes,
    themes,
    quotes: quotes.map((q) => ({ text: q.text, source: q.source })),
    arrivedLate,
    slaWorkingDays: followupSettings.slaWorkingDays,
    allQuestionnaires: options.allQuestionnaires,
  });
  if (options.closedAt) model.notes.unshift(`Afgesloten op ${options.closedAt.toLocaleDateString("nl-NL", { day: "numeric", month: "long", year: "numeric", timeZone: "Europe/Amsterdam" })}. Dit rapport verandert niet meer; wat later binnenkomt, telt mee in de periode waarin het binnenkomt.`);
  return model;
}

export function fileName(model: Pick<ReportModel, "municipality" | "period" | "filters">, format: string): string {
  const suffix = model.filters.length > 0 ? "-uitsnede" : "";
  return `luisterpost-${model.municipality.code}-${model.period.key}${suffix}.${format === "fragment" ? "html" : format}`;
}

/** Renders the model in one format. Every format draws on the model only, so suppression holds in all of them. */
export async function renderReport(model: ReportModel, format: ReportFormat | "fragment"): Promise<Buffer> {
  switch (format) {
    case "json":
      return Buffer.from(`${JSON.stringify(model, null, 2)}\n`, "utf8");
    case "csv":
      return renderCsv(model);
    case "xlsx":
      return renderXlsx(model);
    case "pdf":
      return renderPdf(model);
    case "html":
      return Buffer.from(await renderStandaloneHtml(model), "utf8");
    case "fragment":
      return Buffer.from(await renderFragment(model), "utf8");
  }
}

export type ReportFile = { content: Buffer; contentType: string; fileName: string; fromSnapshot: boolean };

/**
 * The report of a period in a format: from the snapshot when the period is closed (and no filter is set: a
 * closed period's snapshot is the whole municipality's report), otherwise computed now.
 */
export async function reportFile(db: Db, catalog: SurveyCatalog, municipality: ReportMunicipality, period: Period, format: ReportFormat, filters: ReportFilters, now = new Date()): Promise<ReportFile> {
  assertReportable(period, now);
  const name = fileName({ municipality: { code: municipality.code, name: municipality.name }, period: { key: period.key } as ReportModel["period"], filters: hasFilters(filters) ? [{ name: "", label: "", value: "" }] : [] }, format);
  if (!hasFilters(filters)) {
    const stored = await findSnapshot(db, municipality.id, period.key, format);
    if (stored) return { content: stored, contentType: CONTENT_TYPES[format]!, fileName: name, fromSnapshot: true };
  }
  const model = await buildReport(db, catalog, municipality, period, filters, { now });
  return { content: await renderReport(model, format), contentType: CONTENT_TYPES[format]!, fileName: name, fromSnapshot: false };
}

export type AfterClosing = { closed: ClosedPeriodRow; countedElsewhere: string | null; followupsClosedLater: string | null };

function laterText(count: number, threshold: number): string | null {
  if (count === 0) return null;
  return suppressCount(count, threshold) ? `minder dan ${threshold}` : count.toLocaleString("nl-NL");
}

/** What happened after a period was closed: shown beside its unchanged report, never inside it. */
export async function afterClosing(db: Db, municipalityId: number, period: Period, closed: ClosedPeriodRow): Promise<AfterClosing> {
  const threshold = effectiveThreshold((await readSettings(db, municipalityId, REPORT_SETTINGS)).threshold);
  const range = { start: period.start, end: period.end };
  return {
    closed,
    countedElsewhere: laterText(await countCountedElsewhere(db, municipalityId, range), threshold),
    followupsClosedLater: laterText(await countFollowupsClosedAfter(db, municipalityId, range, closed.closedAt), threshold),
  };
}

export type ReportPage = {
  period: Period;
  fragment: string;
  model: ReportModel | undefined;
  closed: AfterClosing | undefined;
  filterValues: Awaited<ReturnType<typeof listFilterValues>>;
};

/** The staff page's report: the stored fragment of a closed period, or the report computed now. */
export async function reportPage(db: Db, catalog: SurveyCatalog, municipality: ReportMunicipality, period: Period, filters: ReportFilters, now = new Date()): Promise<ReportPage> {
  assertReportable(period, now);
  const filterValues = await listFilterValues(db, municipality.id, { start: period.start, end: period.end });
  const closedRow = await findClosedPeriod(db, municipality.id, period.key);
  const closed = closedRow ? await afterClosing(db, municipality.id, period, closedRow) : undefined;
  if (closedRow && !hasFilters(filters)) {
    const stored = await findSnapshot(db, municipality.id, period.key, "fragment");
    if (stored) return { period, fragment: stored.toString("utf8"), model: undefined, closed, filterValues };
  }
  const model = await buildReport(db, catalog, municipality, period, filters, { now });
  return { period, fragment: await renderFragment(model), model, closed, filterValues };
}

/**
 * Closes a period: only an ended one, only once. Its report is rendered in every format (and, for a year, the
 * legal export) and stored; from then on those bytes are served unchanged.
 */
export async function closeReportPeriod(db: Db, catalog: SurveyCatalog, municipality: ReportMunicipality, period: Period, userId: number | null, now = new Date()): Promise<void> {
  if (!hasEnded(period, now)) {
    throw conflict(`De periode ${period.key} is nog niet voorbij. U kunt haar afsluiten vanaf ${new Date(period.end.getTime()).toLocaleDateString("nl-NL", { day: "numeric", month: "long", year: "numeric", timeZone: "Europe/Amsterdam" })}.`);
  }
  if (await findClosedPeriod(db, municipality.id, period.key)) throw conflict(`De periode ${period.key} is al afgesloten.`);
  const model = await buildReport(db, catalog, municipality, period, {}, { now, status: "closed", closedAt: now });
  const snapshots = [];
  for (const format of SNAPSHOT_FORMATS) snapshots.push({ format, content: await renderReport(model, format) });
  if (period.kind === "year") {
    const legal = await buildReport(db, catalog, municipality, period, {}, { now, status: "closed", closedAt: now, allQuestionnaires: true });
    snapshots.push({ format: "legal-csv", content: await renderLegalCsv(legal) }, { format: "legal-xlsx", content: await renderLegalXlsx(legal) });
  }
  const closed = await insertClosedPeriod(db, { municipalityId: municipality.id, period: period.key, startsAt: period.start, endsAt: period.end, closedAt: now, closedByUserId: userId, snapshots });
  if (!closed) throw conflict(`De periode ${period.key} is al afgesloten.`);
}

/** The yearly export for the legal report (per statement % agree and n, Wmo and Jeugd apart). */
export async function legalExport(db: Db, catalog: SurveyCatalog, municipality: ReportMunicipality, year: Period, format: "csv" | "xlsx", now = new Date()): Promise<ReportFile> {
  assertReportable(year, now);
  const name = `luisterpost-${municipality.code}-${year.key}-wettelijke-rapportage.${format}`;
  const stored = await findSnapshot(db, municipality.id, year.key, `legal-${format}`);
  if (stored) return { content: stored, contentType: CONTENT_TYPES[format]!, fileName: name, fromSnapshot: true };
  const model = await buildReport(db, catalog, municipality, year, {}, { now, allQuestionnaires: true });
  return { content: format === "csv" ? await renderLegalCsv(model) : await renderLegalXlsx(model), contentType: CONTENT_TYPES[format]!, fileName: name, fromSnapshot: false };
}

export { listClosedPeriods };
