// The municipality's follow-up settings (section "followups"): the rule that selects dissatisfied respondents,
// the theme list interviewers tag conversations with, and the working agreements (service level, attempts,
// where urgent signals go). Every field has the default from DOMAIN.md. Consent is not a setting: without
// consent there is never a follow-up.
import { z } from "zod";
import { defineSection } from "../settings/settings.service.ts";

/** DOMAIN.md: "bereikbaarheid, wachttijd, bejegening, communicatie, kwaliteit zorgaanbieder, eigen bijdrage, passendheid". */
export const DEFAULT_THEMES = [
  { key: "bereikbaarheid", label: "Bereikbaarheid", active: true },
  { key: "wachttijd", label: "Wachttijd", active: true },
  { key: "bejegening", label: "Bejegening", active: true },
  { key: "communicatie", label: "Communicatie", active: true },
  { key: "kwaliteit_zorgaanbieder", label: "Kwaliteit zorgaanbieder", active: true },
  { key: "eigen_bijdrage", label: "Eigen bijdrage", active: true },
  { key: "passendheid", label: "Passendheid", active: true },
] as const;

export const THEME_KEY = /^[a-z0-9][a-z0-9_]{0,59}$/;

const themeSchema = z.object({
  key: z.string().regex(THEME_KEY, "Een themasleutel bestaat uit kleine letters, cijfers en _."),
  label: z.string().trim().min(1, "Geef elk thema een naam.").max(80, "De naam van een thema is hoogstens 80 tekens."),
  active: z.boolean(),
});

export const followupSettingsSchema = z.object({
  /** Whether completed responses are checked at all; switching off never removes existing follow-ups. */
  enabled: z.boolean().default(true),
  /** "all": every agreement statement of the questionnaire; otherwise the listed question keys. */
  questions: z
    .union([z.literal("all"), z.array(z.string().regex(/^[a-z][a-z0-9_]{0,62}$/)).max(100)])
    .default("all"),
  /** Agreement codes that count as dissatisfied (DOMAIN.md: 1 and 2). */
  answerCodes: z
    .array(z.number().int().min(1, "Kies antwoorden uit 1 tot en met 5.").max(5, "Kies antwoorden uit 1 tot en met 5."))
    .max(5)
    .default([1, 2]),
  /** A report grade at or below this selects the response; null: the grade plays no part. */
  gradeThreshold: z.number().int().min(1, "De grens voor het rapportcijfer ligt tussen 1 en 9.").max(9, "De grens voor het rapportcijfer ligt tussen 1 en 9.").nullable().default(5),
  themes: z
    .array(themeSchema)
    .max(60, "Hoogstens 60 thema's.")
    .default(DEFAULT_THEMES.map((t) => ({ ...t })))
    .refine((themes) => new Set(themes.map((t) => t.key)).size === themes.length, "Twee thema's hebben dezelfde sleutel.")
    .refine((themes) => new Set(themes.map((t) => t.label.toLowerCase())).size === themes.length, "Twee thema's hebben dezelfde naam."),
  /** First call attempt within this many working days (DOMAIN.md: 5). */
  slaWorkingDays: z.number().int().min(1, "De termijn is 1 tot en met 20 werkdagen.").max(20, "De termijn is 1 tot en met 20 werkdagen.").default(5),
  /** Unsuccessful attempts on different days before "not reached" (DOMAIN.md: 3). */
  maxAttempts: z.number().int().min(1, "Het aantal pogingen is 1 tot en met 10.").max(10, "Het aantal pogingen is 1 tot en met 10.").default(3),
  /** Where urgent signals go; null: the municipality's contact address. */
  escalationEmail: z.email({ error: "Vul een geldig e-mailadres in, bijvoorbeeld zorgmeldingen@gemeente.nl." }).max(320).nullable().default(null),
});

export type FollowupSettings = z.infer<typeof followupSettingsSchema>;
export type FollowupTheme = FollowupSettings["themes"][number];

export const FOLLOWUP_SETTINGS = defineSection("followups", followupSettingsSchema);

/** The part of the settings that decides which responses get a follow-up; stored with each follow-up. */
export type FollowupRule = Pick<FollowupSettings, "questions" | "answerCodes" | "gradeThreshold">;

export function ruleOf(settings: FollowupSettings): FollowupRule {
  return { questions: settings.questions, answerCodes: settings.answerCodes, gradeThreshold: settings.gradeThreshold };
}

/** A theme key from a label: "Kwaliteit zorgaanbieder" → "kwaliteit_zorgaanbieder". */
export function themeKeyOf(label: string): string {
  return label
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 60);
}

/** The label of a theme key; a key no longer in the list shows as itself. */
export function themeLabel(themes: readonly FollowupTheme[], key: string): string {
  return themes.find((t) => t.key === key)?.label ?? key;
}
