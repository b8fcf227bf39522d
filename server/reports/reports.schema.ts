// The reports' settings section and the shapes of report requests (period, format, filters), with Dutch
// messages for everything a person can type wrong.
import { z } from "zod";
import { defineSection } from "../settings/settings.service.ts";
import { badRequest } from "../errors.ts";
import { parsePeriod, type Period } from "./period.ts";
import type { ReportFilters } from "./reports.queries.ts";
import { DEFAULT_THRESHOLD, MIN_THRESHOLD } from "./suppression.ts";

export const reportSettingsSchema = z.object({
  /** Fewer respondents than this are never shown (DOMAIN.md: 10; never below 5). */
  threshold: z
    .number({ error: `Vul een getal in van ${MIN_THRESHOLD} tot en met 100.` })
    .int(`Vul een heel getal in van ${MIN_THRESHOLD} tot en met 100.`)
    .min(MIN_THRESHOLD, `De grens is ten minste ${MIN_THRESHOLD}: kleinere aantallen kunnen iemand herkenbaar maken.`)
    .max(100, "De grens is hoogstens 100.")
    .default(DEFAULT_THRESHOLD),
  /** Whether the municipality's aggregated, suppressed figures appear in the regional comparison. */
  shareRegionally: z.boolean().default(false),
  /** Days after a quarter's end before readers get the e-mail that its report is ready (follow-ups need time). */
  notifyDelayDays: z.number({ error: "Vul een aantal dagen in van 0 tot en met 60." }).int("Vul een heel aantal dagen in.").min(0, "Vul een aantal dagen in van 0 tot en met 60.").max(60, "Vul een aantal dagen in van 0 tot en met 60.").default(0),
});

export type ReportSettings = z.infer<typeof reportSettingsSchema>;

export const REPORT_SETTINGS = defineSection("reports", reportSettingsSchema);

export const FORMATS = ["html", "pdf", "csv", "xlsx", "json"] as const;
export type ReportFormat = (typeof FORMATS)[number];

export const LEGAL_FORMATS = ["csv", "xlsx"] as const;
export type LegalFormat = (typeof LEGAL_FORMATS)[number];

export const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  pdf: "application/pdf",
  csv: "text/csv; charset=utf-8",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  json: "application/json; charset=utf-8",
};

export const MODES = ["online", "sms", "code", "paper", "phone"] as const;

export function parseFormat(raw: unknown, allowed: readonly string[] = FORMATS): string {
  const value = typeof raw === "string" ? raw.trim().toLowerCase() : "";
  if (!allowed.includes(value)) throw badRequest(`Kies een formaat: ${allowed.join(", ")}.`, [{ field: "formaat", message: `Kies uit ${allowed.join(", ")}.` }]);
  return value;
}

export function parsePeriodOrThrow(raw: unknown, field = "periode"): Period {
  const parsed = parsePeriod(raw);
  if (!parsed.ok) throw badRequest(parsed.message, [{ field, message: parsed.message }]);
  return parsed.period;
}

const text = (max: number) => z.string().trim().max(max, `Hoogstens ${max} tekens.`);

const filtersSchema = z.object({
  wet: z.enum(["wmo", "jeugd"], { error: "Kies wet Wmo of Jeugd." }).optional(),
  team: text(200).optional(),
  wijk: text(200).optional(),
  voorziening: text(200).optional(),
  manier: z.enum(MODES, { error: `Kies een manier van invullen: ${MODES.join(", ")}.` }).optional(),
});

/** The filters from a query string or CLI options; an empty value means no filter. */
export function parseFilters(raw: Record<string, unknown>): ReportFilters {
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([k, v]) => k in filtersSchema.shape && typeof v === "string" && v.trim() !== ""));
  for (const [k, v] of Object.entries(raw)) {
    if (k in filtersSchema.shape && v !== undefined && typeof v !== "string") throw badRequest(`Het filter ${k} kan maar één waarde hebben.`, [{ field: k, message: "Kies één waarde." }]);
  }
  const parsed = filtersSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badRequest(issue.message, parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? "filter"), message: i.message })));
  }
  const f = parsed.data;
  return { law: f.wet, team: f.team, area: f.wijk, provision: f.voorziening, mode: f.manier };
}

/** The filters back as query parameters (for links to downloads of the same view). */
export function filterQuery(filters: ReportFilters): Record<string, string> {
  const query: Record<string, string> = {};
  if (filters.law) query.wet = filters.law;
  if (filters.team) query.team = filters.team;
  if (filters.area) query.wijk = filters.area;
  if (filters.provision) query.voorziening = filters.provision;
  if (filters.mode) query.manier = filters.mode;
  return query;
}

export function hasFilters(filters: ReportFilters): boolean {
  return Object.values(filters).some((v) => v !== undefined && v !== "");
}
