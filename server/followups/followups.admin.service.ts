// What an administrator changes about follow-ups: the rule (with a preview of what it would have selected), the
// theme list and the working agreements. A change applies to responses completed from then on; existing
// follow-ups keep the rule they were made under.
import { recordAudit } from "../audit/audit.service.ts";
import type { Db } from "../db.ts";
import type { FieldProblem } from "../errors.ts";
import { readSettings, writeSettings } from "../settings/settings.service.ts";
import { completedResponsesSince } from "./followups.report.queries.ts";
import { findVersionForRule } from "./followups.queries.ts";
import { evaluateRule, selectableStatements, versionInfoOf, type VersionInfo } from "./followups.rule.ts";
import { FOLLOWUP_SETTINGS, ruleOf, themeKeyOf, type FollowupRule, type FollowupSettings, type FollowupTheme } from "./followups.settings.ts";
import type { Who } from "./followups.service.ts";

export const PREVIEW_DAYS = 90;

export type SaveResult = { ok: true; settings: FollowupSettings } | { ok: false; problems: FieldProblem[] };

async function save(db: Db, who: Who, next: FollowupSettings, part: string): Promise<SaveResult> {
  const saved = await writeSettings(db, who.municipalityId, FOLLOWUP_SETTINGS, next, who.userId);
  if (!saved.ok) return { ok: false, problems: saved.problems };
  await recordAudit(db, { action: "followups.settings_changed", municipalityId: who.municipalityId, subjectType: "settings", subjectId: "followups", details: { part }, ...who.actor });
  return { ok: true, settings: saved.value };
}

export type RuleInput = FollowupRule & { enabled: boolean };

/** Problems with a rule that zod cannot see: statements that do not exist, a rule that selects nothing. */
export function ruleProblems(input: RuleInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const known = new Set(selectableStatements().map((s) => s.key));
  if (input.questions !== "all") {
    if (input.questions.some((k) => !known.has(k))) problems.push({ field: "questions", message: "Kies stellingen uit de lijst." });
    if (input.questions.length === 0 && input.gradeThreshold === null) {
      problems.push({ field: "questions", message: "Kies ten minste één stelling, of een grens voor het rapportcijfer. Wilt u geen verdiepingsgesprekken meer, zet ze dan uit." });
    }
  }
  const usesStatements = input.questions === "all" || input.questions.length > 0;
  if (usesStatements && input.answerCodes.length === 0) problems.push({ field: "answerCodes", message: "Kies bij welke antwoorden op de stellingen een gesprek volgt." });
  return problems;
}

export async function saveRule(db: Db, who: Who, input: RuleInput): Promise<SaveResult> {
  const problems = ruleProblems(input);
  if (problems.length > 0) return { ok: false, problems };
  const current = await readSettings(db, who.municipalityId, FOLLOWUP_SETTINGS);
  const answerCodes = [...new Set(input.answerCodes)].sort((a, b) => a - b);
  return save(db, who, { ...current, enabled: input.enabled, questions: input.questions, answerCodes, gradeThreshold: input.gradeThreshold }, "rule");
}

export type Preview = { days: number; completed: number; consented: number; selected: number; selectedNow: number };

/** How many responses of the last 90 days a rule would have selected, beside the rule in force. */
export async function previewRule(db: Db, municipalityId: number, rule: FollowupRule, now = new Date(), days = PREVIEW_DAYS): Promise<Preview> {
  const current = ruleOf(await readSettings(db, municipalityId, FOLLOWUP_SETTINGS));
  const versions = new Map<number, VersionInfo | undefined>();
  const preview: Preview = { days, completed: 0, consented: 0, selected: 0, selectedNow: 0 };
  for await (const batch of completedResponsesSince(db, municipalityId, new Date(now.getTime() - days * 86_400_000))) {
    for (const response of batch) {
      if (!versions.has(response.versionId)) {
        const stored = await findVersionForRule(db, response.versionId);
        versions.set(response.versionId, stored ? versionInfoOf(stored) : undefined);
      }
      const info = versions.get(response.versionId);
      preview.completed += 1;
      if (!info) continue;
      const withRule = evaluateRule(info, response.answers, rule);
      if (withRule.consent) preview.consented += 1;
      if (withRule.selected) preview.selected += 1;
      if (evaluateRule(info, response.answers, current).selected) preview.selectedNow += 1;
    }
  }
  return preview;
}

export type ThemesInput = { labels: Record<string, string>; active: string[]; newLabel: string };

/** Renames, switches on or off, and adds themes. Keys never change, so earlier conversations keep their themes. */
export async function saveThemes(db: Db, who: Who, input: ThemesInput): Promise<SaveResult> {
  const current = await readSettings(db, who.municipalityId, FOLLOWUP_SETTINGS);
  const active = new Set(input.active);
  const themes: FollowupTheme[] = current.themes.map((t) => ({ key: t.key, label: (input.labels[t.key] ?? t.label).trim(), active: active.has(t.key) }));
  const label = input.newLabel.trim();
  if (label !== "") {
    const base = themeKeyOf(label);
    if (base === "") return { ok: false, problems: [{ field: "newLabel", message: "Gebruik letters of cijfers in de naam van het nieuwe thema." }] };
    if (themes.some((t) => t.label.toLowerCase() === label.toLowerCase())) return { ok: false, problems: [{ field: "newLabel", message: "Er is al een thema met deze naam." }] };
    let key = base;
    for (let n = 2; themes.some((t) => t.key === key); n++) key = `${base.slice(0, 56)}_${n}`;
    themes.push({ key, label, active: true });
  }
  const problems = themes.flatMap((t) => (t.label === "" ? [{ field: `labels.${t.key}`, message: "Geef elk thema een naam." }] : []));
  if (problems.length > 0) return { ok: false, problems };
  return save(db, who, { ...current, themes }, "themes");
}

export type WorkInput = { slaWorkingDays: number; maxAttempts: number; escalationEmail: string | null };

export async function saveWork(db: Db, who: Who, input: WorkInput): Promise<SaveResult> {
  const current = await readSettings(db, who.municipalityId, FOLLOWUP_SETTINGS);
  return save(db, who, { ...current, ...input }, "work");
}
