// The report model: the grouped counts from the database turned into the figures a report publishes, with
// small-number suppression applied to every one of them. This is the only place that sees unsuppressed
// counts; the model it returns holds no hidden figure at all (a hidden count is null with the reason), and
// every format (HTML, PDF, CSV, XLSX, JSON) and every chart is drawn from the model alone.
import { followupsOf, funnelOf, nonResponseOf, populationOf } from "./model.response.ts";
import { breakdownsOf, gradeOf, otherQuestionsOf, statementsOf, themesOf, trendOf } from "./model.answers.ts";
import { figure, sum, type SectionContext } from "./model.shared.ts";
import type { FunnelRow, NonResponseRow } from "./funnel.queries.ts";
import type { FollowupTotals } from "./outcomes.queries.ts";
import { periodLabel, type Period } from "./period.ts";
import { QUESTIONNAIRE_LABELS, lawOf, type StatementSlot } from "./questions.ts";
import type { GradeCounts, ReportFilters, SlotCounts, TrendRow } from "./reports.queries.ts";
import { formatCount } from "./reports.labels.ts";
import { hiddenLabel, suppressBreakdown, suppressCount, type Hidden } from "./suppression.ts";

/**
 * Counts of the period for one questionnaire and one breakdown group (dimension "all": the whole). Several rows
 * of the same group (one per month, say) are added up.
 */
export type GroupRow = { questionnaire: string; dimension: string; key: string; respondents: number; slots: SlotCounts[]; grade: GradeCounts };

export const MODEL_VERSION = 1;

/** A count as published: the value, or null with the reason it is hidden. */
export type Figure = { value: number | null; hidden: Hidden | null };
/** A percentage (0–100, one decimal), null when it may not be shown. */
export type Pct = number | null;

export type StatementResult = {
  number: number;
  key: string;
  text: string;
  theme: string | null;
  kind: "agreement" | "yes_no";
  /** Answers that count: 1–5 (agreement) or ja + nee. */
  n: Figure;
  dontKnow: Figure | null;
  pct: Pct;
  ci: { low: number; high: number } | null;
  previous: { n: Figure; pct: Pct };
  change: number | null;
  significant: boolean | null;
};

export type ThemeResult = { theme: string; label: string; statements: string[]; pct: Pct; previousPct: Pct; change: number | null };

export type GradeResult = {
  n: Figure;
  mean: number | null;
  sufficientPct: Pct;
  distribution: Array<{ grade: number; count: Figure; pct: Pct }>;
  previous: { n: Figure; mean: number | null };
  change: number | null;
  significant: boolean | null;
};

export type OtherQuestion = {
  key: string;
  title: string;
  kind: "choice" | "multiple" | "number";
  n: Figure;
  options: Array<{ value: string; label: string; count: Figure; pct: Pct }>;
  mean: number | null;
};

export type BreakdownRow = {
  key: string;
  label: string;
  respondents: Figure;
  statements: Array<{ key: string; n: Figure; pct: Pct }>;
  themes: Record<string, Pct>;
  grade: { n: Figure; mean: number | null } | null;
};

export type Breakdown = { dimension: string; label: string; rows: BreakdownRow[] };

export type TrendPoint = { quarter: string; label: string; respondents: Figure; themes: Record<string, Pct>; grade: number | null };

export type QuestionnaireSection = {
  id: string;
  label: string;
  law: "wmo" | "jeugd";
  respondents: Figure;
  statements: StatementResult[];
  themes: ThemeResult[];
  grade: GradeResult | null;
  otherQuestions: OtherQuestion[];
  breakdowns: Breakdown[];
  trend: TrendPoint[];
};

export type FunnelLine = {
  channel: string;
  label: string;
  invited: Figure;
  delivered: Figure;
  bounced: Figure;
  opened: Figure;
  started: Figure;
  completed: Figure;
  rate: Pct;
};

export type CompositionRow = { key: string; label: string; invited: Figure; invitedShare: Pct; completed: Figure; completedShare: Pct; rate: Pct };

export type FollowupSection = {
  triggered: Figure;
  reached: Figure;
  reachedPct: Pct;
  withinSla: Figure;
  withinSlaPct: Pct;
  lateSla: Figure;
  pendingSla: Figure;
  open: Figure;
  escalated: Figure;
  outcomes: Array<{ outcome: string; label: string; count: Figure; pct: Pct }>;
  themes: Array<{ theme: string; label: string; count: Figure; pct: Pct }>;
};

export type ReportModel = {
  version: number;
  municipality: { code: string; name: string };
  period: { key: string; label: string; kind: string; firstDay: string; lastDay: string };
  previousPeriod: { key: string; label: string };
  generatedAt: string;
  status: "provisional" | "open" | "closed";
  filters: Array<{ name: string; label: string; value: string }>;
  threshold: number;
  hiddenLabels: { small: string; complementary: string };
  population: { conversations: Figure; invited: Figure; skipped: Array<{ reason: string; label: string; count: Figure }>; notPlanned: Figure };
  respondents: Figure;
  byQuestionnaire: Array<{ id: string; label: string; respondents: Figure }>;
  funnel: { channels: FunnelLine[]; total: FunnelLine };
  nonResponse: Array<{ dimension: string; label: string; rows: CompositionRow[] }>;
  questionnaires: QuestionnaireSection[];
  followups: FollowupSection;
  quotes: Array<{ text: string; source: string }>;
  quotesHidden: boolean;
  notes: string[];
  method: string[];
};

export type ReportInput = {
  municipality: { code: string; name: string };
  period: Period;
  previous: Period;
  quarters: readonly Period[];
  generatedAt: Date;
  status: ReportModel["status"];
  threshold: number;
  filters: ReportFilters;
  filterLabels: ReportModel["filters"];
  slots: Map<string, StatementSlot[]>;
  gradeQuestionnaires: Set<string>;
  groups: GroupRow[];
  trend: TrendRow[];
  answers: { values: Array<{ questionnaire: string; key: string; value: string; count: number }>; answered: Array<{ questionnaire: string; key: string; count: number }> };
  questionInfo: Map<string, { title: string; kind: "choice" | "multiple" | "number"; labels: Map<string, string> }>;
  funnel: FunnelRow[];
  nonResponse: NonResponseRow[];
  population: Array<{ status: string | null; reason: string | null; count: number }>;
  followups: FollowupTotals;
  outcomes: Array<{ outcome: string | null; count: number }>;
  themes: Array<{ theme: string; label: string; count: number }>;
  quotes: Array<{ text: string; source: string }>;
  arrivedLate: Array<{ period: string; label: string; count: number }>;
  slaWorkingDays: number;
  /** Every questionnaire, also those without answers (the legal export lists every statement). */
  allQuestionnaires?: boolean;
};

function describe(f: Figure, threshold: number): string {
  return f.hidden ? (f.hidden === "small" ? `minder dan ${threshold}` : "een verborgen aantal") : formatCount(f.value!);
}

function methodOf(ctx: SectionContext, model: Omit<ReportModel, "method" | "notes">): string[] {
  const T = ctx.threshold;
  const p = ctx.input.period;
  const lines = [
    `Periode: ${periodLabel(p)} (${p.firstDay.split("-").reverse().join("-")} tot en met ${p.lastDay.split("-").reverse().join("-")}). Een ingevulde vragenlijst telt mee in de periode waarin de cliënt hem afmaakte. Een verdiepingsgesprek hoort bij de periode van de vragenlijst die het opleverde.`,
    `Populatie: alle cliënten met een keukentafelgesprek (Wmo) of intake (Jeugd) in deze periode; ${describe(model.population.conversations, T)} gesprekken, waarvan ${describe(model.population.invited, T)} met een uitnodiging. Wie kort geleden al was uitgenodigd, zich had afgemeld of niet bereikbaar was, kreeg geen uitnodiging.`,
    `Respons: ${describe(model.respondents, T)} ingevulde vragenlijsten. Het responspercentage is het aantal ingevulde vragenlijsten gedeeld door het aantal uitnodigingen dat in de periode is verstuurd; een uitnodiging van eind vorige periode kan in deze periode zijn ingevuld.`,
    `Percentages: "(helemaal) mee eens" is het aantal antwoorden 4 of 5 gedeeld door alle antwoorden 1 tot en met 5. "Weet niet / n.v.t." en niet ingevulde vragen tellen niet mee in het percentage; ze staan apart. Bij vraag 5 is het percentage "ja" van ja en nee. Naast elk percentage staat n: het aantal antwoorden waarop het berust.`,
    `Onzekerheid: het 95%-betrouwbaarheidsinterval (Wilson) geeft aan waartussen het percentage met 95% zekerheid ligt. Een verschil met de vorige periode (${model.previousPeriod.label}) is "meer dan toeval" als een toets van twee proporties het op het 5%-niveau aanwijst; bij het rapportcijfer een toets van twee gemiddelden.`,
    `Thema's: toegang, kwaliteit en effect zijn het gemiddelde van de percentages van hun stellingen (de ja/nee-vraag telt niet mee). Een thema staat er alleen als al zijn stellingen er staan.`,
    `Kleine aantallen: een aantal van minder dan ${T} personen tonen we niet ("< ${T}"), ook geen percentage dat erop berust. Is in een tabel maar één getal verborgen (en is dat niet 0), dan verbergen we ook het kleinste andere getal ("×"), zodat het verborgen getal niet terug te rekenen is uit het totaal. Dat geldt voor elke tabel, grafiek en elk bestand.`,
    `Verdiepingsgesprekken: alleen met cliënten die toestemming gaven. "Op tijd" betekent: de eerste belpoging binnen ${ctx.input.slaWorkingDays} werkdagen. Uitspraken staan er alleen in als de cliënt ermee instemde en een medewerker ze heeft gecontroleerd op namen en andere herkenbare gegevens.`,
    `Leeftijd: alleen het geboortejaar is bekend; de leeftijd is het jaar van invullen min het geboortejaar. Wmo: tot 65, 65 tot 75, 75 tot 85 en 85 jaar en ouder. Jeugd: 0 tot 6, 6 tot 12, 12 tot 18 en 18 jaar en ouder.`,
    `De Jeugdwet verbiedt om met deze uitkomsten zorgaanbieders te beoordelen; het rapport vergelijkt geen aanbieders.`,
  ];
  if (model.filters.length > 0) {
    lines.push(`Dit is een uitsnede (${model.filters.map((f) => `${f.label.toLowerCase()}: ${f.value}`).join(", ")}). De uitnodigingen en de respons volgen de filters op wet, team, wijk en voorziening; de manier van invullen is pas bekend als iemand meedoet.`);
  }
  return lines;
}

// --- the model --------------------------------------------------------------------------------------------------

export function buildReportModel(input: ReportInput): ReportModel {
  const T = input.threshold;
  const ctx: SectionContext = { input, threshold: T };
  const present = [...input.slots.keys()].filter((q) => input.allQuestionnaires || input.groups.some((r) => r.questionnaire === q) || input.trend.some((r) => r.questionnaire === q));
  const slotCount = Math.max(0, ...[...input.slots.values()].map((s) => s.length));

  const currentTotals = new Map(present.map((q) => [q, sum(input.groups.filter((r) => r.questionnaire === q && r.dimension === "all"), slotCount)]));
  const previousQuarters = input.quarters.map((q, i) => (q.start >= input.previous.start && q.end <= input.previous.end ? i : -1)).filter((i) => i >= 0);
  const previousTotals = new Map(present.map((q) => [q, sum(input.trend.filter((r) => r.questionnaire === q && previousQuarters.includes(r.quarter)), slotCount)]));

  const allRespondents = [...currentTotals.values()].reduce((a, t) => a + t.respondents, 0);
  const respondents = figure(allRespondents, suppressCount(allRespondents, T));
  const lawCells = suppressBreakdown(present.map((q) => currentTotals.get(q)!.respondents), T, { total: allRespondents, totalHidden: respondents.hidden }).cells;

  const questionnaires = present.map((q, i): QuestionnaireSection => {
    const slots = input.slots.get(q)!;
    const current = currentTotals.get(q)!;
    const previous = previousTotals.get(q)!;
    const sectionRespondents = figure(current.respondents, lawCells[i]!);
    // The previous period's respondents are not published (only its figures per statement), so each
    // questionnaire's previous figures are hidden only when they are small themselves.
    const sectionPrevious = figure(previous.respondents, suppressCount(previous.respondents, T));
    const { statements, unrounded, previousUnrounded, validHidden } = statementsOf(ctx, slots, current, previous, sectionRespondents, sectionPrevious);
    const grade = input.gradeQuestionnaires.has(q) ? gradeOf(ctx, current, previous, sectionRespondents, sectionPrevious) : null;
    return {
      id: q,
      label: QUESTIONNAIRE_LABELS[q] ?? q,
      law: lawOf(q),
      respondents: sectionRespondents,
      statements,
      themes: themesOf(slots, unrounded, previousUnrounded),
      grade,
      otherQuestions: otherQuestionsOf(ctx, q),
      breakdowns: breakdownsOf(
        ctx,
        q,
        slots,
        input.groups.filter((r) => r.questionnaire === q),
        current,
        sectionRespondents,
        validHidden,
        grade,
      ),
      trend: trendOf(ctx, q, slots, sectionRespondents, current),
    };
  });

  const funnel = funnelOf(ctx);
  const partial: Omit<ReportModel, "method" | "notes"> = {
    version: MODEL_VERSION,
    municipality: input.municipality,
    period: { key: input.period.key, label: periodLabel(input.period), kind: input.period.kind, firstDay: input.period.firstDay, lastDay: input.period.lastDay },
    previousPeriod: { key: input.previous.key, label: periodLabel(input.previous) },
    generatedAt: input.generatedAt.toISOString(),
    status: input.status,
    filters: input.filterLabels,
    threshold: T,
    hiddenLabels: { small: hiddenLabel("small", T), complementary: hiddenLabel("complementary", T) },
    population: populationOf(ctx),
    respondents,
    byQuestionnaire: present.map((q, i) => ({ id: q, label: QUESTIONNAIRE_LABELS[q] ?? q, respondents: figure(currentTotals.get(q)!.respondents, lawCells[i]!) })),
    funnel,
    nonResponse: nonResponseOf(ctx, funnel.total),
    questionnaires,
    followups: followupsOf(ctx),
    // Quotes are anonymised by review, but in a tiny group even a careful quote points at someone.
    quotes: respondents.hidden === null ? input.quotes : [],
    quotesHidden: respondents.hidden !== null && input.quotes.length > 0,
  };
  const notes = input.arrivedLate.map((late) => {
    const count = figure(late.count, suppressCount(late.count, T));
    return `Hierin zitten ${describe(count, T)} vragenlijsten uit de periode ${late.label} (${late.period}) die pas binnenkwamen nadat die periode was afgesloten.`;
  });
  if (input.status === "provisional") notes.unshift("Voorlopige cijfers: de periode is nog niet voorbij.");
  return { ...partial, notes, method: methodOf(ctx, partial) };
}
