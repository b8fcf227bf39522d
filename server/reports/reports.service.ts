// Reports per municipality and period: gathering the grouped counts, building the suppressed model, rendering
// it in every format, and closing a period (its report frozen as bytes, served unchanged from then on).
import type { Db } from "../db.ts";
import { badRequest, conflict } from "../errors.ts";
import { FOLLOWUP_SETTINGS, themeLabel } from "../followups/followups.settings.ts";
import { readSettings } from "../settings/settings.service.ts";
import type { SurveyCatalog } from "../surveys/surveys.loader.ts";
import { hasEnded, hasStarted, parsePeriod, periodLabel, previousPeriod, quartersOf, trendQuarters, type Period } from "./period.ts";
import { choiceLabels, elementsOf, statementSlots, titleOf, QUESTIONNAIRES, STATEMENT_SLOTS } from "./questions.ts";
import { renderCsv } from "./render.csv.ts";
import { renderFragment, renderStandaloneHtml } from "./render.html.ts";
import { renderLegalCsv, renderLegalXlsx } from "./render.legal.ts";
import { renderPdf } from "./render.pdf.ts";
import { renderXlsx } from "./render.xlsx.ts";
import { DIMENSION_LABELS, LAW_LABELS, MODE_LABELS } from "./reports.labels.ts";
import { addInto, emptyGrade, emptySlots } from "./model.shared.ts";
import { buildReportModel, type GroupRow, type ReportModel } from "./reports.model.ts";
import { aggregateInvitations, aggregatePopulation, type FunnelRow, type NonResponseRow } from "./funnel.queries.ts";
import { aggregateFollowups, aggregateOutcomes, aggregateThemes, countFollowupsClosedAfter, listPeriodQuotes } from "./outcomes.queries.ts";
import {
  aggregateAnswers,
  aggregateCube,
  aggregateQuarters,
  countArrivedLate,
  countCountedElsewhere,
  listDefinitions,
  listFilterValues,
  readAnswerSummary,
  readSummary,
  withReadSnapshot,
  type CubeRow,
  type Executor,
  type ReportFilters,
  type TrendRow,
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

/** The trend's quarters inside the period, added up from the cube's groups. */
function trendOfCube(cube: CubeRow[]): TrendRow[] {
  const byKey = new Map<string, TrendRow>();
  for (const row of cube) {
    const key = `${row.quarter}:${row.questionnaire}`;
    let t = byKey.get(key);
    if (!t) {
      t = { quarter: row.quarter, questionnaire: row.questionnaire, respondents: 0, slots: emptySlots(row.slots.length), grade: emptyGrade() };
      byKey.set(key, t);
    }
    addInto(t, row);
  }
  return [...byKey.values()];
}

/** The invitation groups added up per channel (the funnel) and per law, team and age band (non-response). */
function splitInvitations(groups: Awaited<ReturnType<typeof aggregateInvitations>>): { funnel: FunnelRow[]; nonResponse: NonResponseRow[] } {
  const funnel = new Map<string, FunnelRow>();
  const nonResponse = new Map<string, NonResponseRow>();
  for (const g of groups) {
    const f = funnel.get(g.channel) ?? { channel: g.channel, invited: 0, delivered: 0, bounced: 0, opened: 0, started: 0, completed: 0 };
    f.invited += g.invited;
    f.delivered += g.delivered;
    f.bounced += g.bounced;
    f.opened += g.opened;
    f.started += g.started;
    f.completed += g.completed;
    funnel.set(g.channel, f);
    const key = JSON.stringify([g.law, g.team, g.age_band]);
    const n = nonResponse.get(key) ?? { law: g.law, team: g.team, age_band: g.age_band, invited: 0, completed: 0 };
    n.invited += g.invited;
    n.completed += g.completed;
    nonResponse.set(key, n);
  }
  return { funnel: [...funnel.values()], nonResponse: [...nonResponse.values()] };
}

export type BuildOptions = {
  now?: Date;
  status?: ReportModel["status"];
  closedAt?: Date;
  allQuestionnaires?: boolean;
  /** Where an unfiltered report's answers come from: the monthly sums (default) or the facts (to compare). */
  source?: "summary" | "facts";
};

/** Gathers the period's counts and builds the suppressed model. */
export async function buildReport(db: Db, catalog: SurveyCatalog, municipality: ReportMunicipality, period: Period, filters: ReportFilters, options: BuildOptions = {}): Promise<ReportModel> {
  return (await gatherReport(db, catalog, municipality, period, filters, options)).model;
}

type FilterValues = { team: string[]; area: string[]; provision: string[]; mode: string[] };

/** Each cube group counted once in the whole and once in each of its breakdown groups. */
function groupsOfCube(cube: CubeRow[]): GroupRow[] {
  return cube.flatMap((row) => [
    { questionnaire: row.questionnaire, dimension: "all", key: "", respondents: row.respondents, slots: row.slots, grade: row.grade },
    ...(["team", "area", "provision", "age_band", "mode"] as const).map((dimension) => ({
      questionnaire: row.questionnaire,
      dimension,
      key: row[dimension] ?? "",
      respondents: row.respondents,
      slots: row.slots,
      grade: row.grade,
    })),
  ]);
}

/** The values the filters can take, from the period's breakdown groups. */
function filterValuesOfGroups(groups: GroupRow[]): FilterValues {
  const distinct = (dimension: string) =>
    [...new Set(groups.filter((g) => g.dimension === dimension && g.key !== "").map((g) => g.key))].sort((a, b) => a.localeCompare(b, "nl"));
  return { team: distinct("team"), area: distinct("area"), provision: distinct("provision"), mode: distinct("mode") };
}

const monthOf = (day: string) => day.slice(0, 7);

type Counted = { groups: GroupRow[]; trend: TrendRow[]; answers: Awaited<ReturnType<typeof aggregateAnswers>> };

/**
 * The answers' counts for the period and the trend. Without filters they come from the monthly sums (a few
 * hundred rows); with filters, or when asked (tests compare both ways), from the facts themselves.
 */
async function countAnswers(db: Executor, municipalityId: number, period: Period, quarters: Period[], filters: ReportFilters, slotCount: number, multiple: string[], source: "summary" | "facts"): Promise<Counted> {
  const range = { start: period.start, end: period.end };
  if (source === "summary" && !hasFilters(filters)) {
    const rows = await readSummary(db, municipalityId, monthOf(quarters[0]!.firstDay), monthOf(quarters.at(-1)!.lastDay), slotCount);
    const inPeriod = (month: string) => month >= monthOf(period.firstDay) && month <= monthOf(period.lastDay);
    const groups = rows.filter((r) => inPeriod(r.month)).map((r) => ({ questionnaire: r.questionnaire, dimension: r.dimension, key: r.value, respondents: r.respondents, slots: r.slots, grade: r.grade }));
    const trend = rows
      .filter((r) => r.dimension === "all")
      .map((r) => ({ quarter: quarters.findIndex((q) => r.month >= monthOf(q.firstDay) && r.month <= monthOf(q.lastDay)), questionnaire: r.questionnaire, respondents: r.respondents, slots: r.slots, grade: r.grade }));
    return { groups, trend, answers: await readAnswerSummary(db, municipalityId, monthOf(period.firstDay), monthOf(period.lastDay)) };
  }
  // The period's own quarters come with the cube; the trend's earlier quarters (with the previous period) apart.
  const own = quartersOf(period);
  const firstOwn = quarters.length - own.length;
  const cube = await aggregateCube(db, municipalityId, own, firstOwn, filters, slotCount);
  const trend = [...trendOfCube(cube), ...(await aggregateQuarters(db, municipalityId, quarters.slice(0, firstOwn), 0, filters, slotCount))];
  return { groups: groupsOfCube(cube), trend, answers: await aggregateAnswers(db, municipalityId, range, filters, multiple) };
}

async function gatherReport(db: Db, catalog: SurveyCatalog, municipality: ReportMunicipality, period: Period, filters: ReportFilters, options: BuildOptions = {}): Promise<{ model: ReportModel; filterValues: FilterValues }> {
  return withReadSnapshot(db, async (x) => {
    const now = options.now ?? new Date();
    const settings = await readSettings(x, municipality.id, REPORT_SETTINGS);
    const followupSettings = await readSettings(x, municipality.id, FOLLOWUP_SETTINGS);
    const threshold = effectiveThreshold(settings.threshold);
    const previous = previousPeriod(period);
    const quarters = trendQuarters(period);
    const range = { start: period.start, end: period.end };
    const slots = new Map(QUESTIONNAIRES.filter((q) => catalog.latest(q)).map((q) => [q as string, statementSlots(catalog, q)]));
    const slotCount = Math.min(STATEMENT_SLOTS, Math.max(1, ...[...slots.values()].map((s) => s.length)));
    const gradeQuestionnaires = new Set(QUESTIONNAIRES.filter((q) => catalog.latest(q)?.meta.roles.grade));

    const definitions = await listDefinitions(x, municipality.id);
    const questionInfo = questionInfoOf(definitions);
    const multiple = [...new Set([...questionInfo].filter(([, info]) => info.kind === "multiple").map(([id]) => id.split(":")[1]!))];
    const { groups, trend, answers } = await countAnswers(x, municipality.id, period, quarters, filters, slotCount, multiple, options.source ?? "summary");
    const { funnel, nonResponse } = splitInvitations(await aggregateInvitations(x, municipality.id, range, period.year, filters));
    const population = await aggregatePopulation(x, municipality.id, period, filters);
    const followups = await aggregateFollowups(x, municipality.id, range, filters, now);
    const outcomes = await aggregateOutcomes(x, municipality.id, range, filters);
    const themes = (await aggregateThemes(x, municipality.id, range, filters))
      .map((t) => ({ ...t, label: themeLabel(followupSettings.themes, t.theme) }))
      .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label, "nl"));
    const quotes = await listPeriodQuotes(x, municipality.id, range, filters, MAX_QUOTES);
    const arrivedLate = (await countArrivedLate(x, municipality.id, range, filters)).map((late) => {
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
      groups,
      trend,
      answers,
      questionInfo,
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
    return { model, filterValues: filterValuesOfGroups(groups) };
  });
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
  filterValues: FilterValues;
};

/** The staff page's report: the stored fragment of a closed period, or the report computed now. */
export async function reportPage(db: Db, catalog: SurveyCatalog, municipality: ReportMunicipality, period: Period, filters: ReportFilters, now = new Date()): Promise<ReportPage> {
  assertReportable(period, now);
  const range = { start: period.start, end: period.end };
  const closedRow = await findClosedPeriod(db, municipality.id, period.key);
  const closed = closedRow ? await afterClosing(db, municipality.id, period, closedRow) : undefined;
  if (closedRow && !hasFilters(filters)) {
    const stored = await findSnapshot(db, municipality.id, period.key, "fragment");
    if (stored) return { period, fragment: stored.toString("utf8"), model: undefined, closed, filterValues: await listFilterValues(db, municipality.id, range) };
  }
  const gathered = await gatherReport(db, catalog, municipality, period, filters, { now });
  const model = gathered.model;
  // Unfiltered, the groups hold every value a filter can take; filtered, only the chosen ones.
  const filterValues = hasFilters(filters) ? await listFilterValues(db, municipality.id, range) : gathered.filterValues;
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
