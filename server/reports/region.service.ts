// The regional comparison: for the municipalities that agreed to share (setting reports.shareRegionally), their
// aggregated percentages per questionnaire side by side with the region's total, suppressed like every other
// table (never rows, never a figure under the threshold, the complementary rule across municipalities). For
// platform administrators and the region readers they appoint.
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import type { Mailer } from "../mail/mail.service.ts";
import { renderMail } from "../mail/mail.templates.ts";
import { badRequest, notFound } from "../errors.ts";
import { findUserByEmail, findUserById } from "../accounts/accounts.queries.ts";
import { listMunicipalities } from "../municipalities/municipalities.queries.ts";
import { readSettingsOfAll } from "../settings/settings.service.ts";
import type { SurveyCatalog } from "../surveys/surveys.loader.ts";
import { periodLabel, type Period } from "./period.ts";
import { QUESTIONNAIRE_LABELS, QUESTIONNAIRES, statementSlots, STATEMENT_SLOTS, type StatementSlot } from "./questions.ts";
import { themePcts } from "./model.shared.ts";
import { THEME_LABELS, THEME_ORDER } from "./reports.labels.ts";
import type { Figure, Pct } from "./reports.model.ts";
import { REPORT_SETTINGS } from "./reports.schema.ts";
import { aggregateByMunicipality, deleteRegionReader, insertRegionReader, listRegionReaders, type RegionRow } from "./region.queries.ts";
import { round } from "./stats.ts";
import { DEFAULT_THRESHOLD, hiddenLabel, suppressBreakdown, suppressCount, type Hidden } from "./suppression.ts";

export type RegionLine = {
  name: string;
  code: string;
  respondents: Figure;
  statements: Array<{ key: string; n: Figure; pct: Pct }>;
  themes: Record<string, Pct>;
  grade: number | null;
};

export type RegionSection = { id: string; label: string; statements: StatementSlot[]; themes: string[]; hasGrade: boolean; lines: RegionLine[]; total: RegionLine };

export type RegionComparison = {
  period: { key: string; label: string };
  threshold: number;
  hiddenLabels: { small: string; complementary: string };
  municipalities: number;
  sections: RegionSection[];
};

function figure(value: number, hidden: Hidden | null): Figure {
  return hidden ? { value: null, hidden } : { value, hidden: null };
}

function counts(slot: StatementSlot, row: RegionRow | undefined): { valid: number; agree: number } {
  const c = row?.slots[slot.slot - 1] ?? { zero: 0, one: 0, agree: 0, valid: 0 };
  return slot.kind === "yes_no" ? { valid: c.zero + c.one, agree: c.one } : { valid: c.valid, agree: c.agree };
}

export async function regionComparison(db: Db, catalog: SurveyCatalog, period: Period): Promise<RegionComparison> {
  const settingsOf = await readSettingsOfAll(db, REPORT_SETTINGS);
  const sharing = (await listMunicipalities(db)).filter((m) => settingsOf(m.id).shareRegionally);
  // One threshold for the whole table: the strictest of the sharing municipalities, and never below the default.
  const threshold = Math.max(DEFAULT_THRESHOLD, ...sharing.map((m) => settingsOf(m.id).threshold));
  const slotsBy = new Map(QUESTIONNAIRES.filter((q) => catalog.latest(q)).map((q) => [q as string, statementSlots(catalog, q)]));
  const slotCount = Math.min(STATEMENT_SLOTS, Math.max(1, ...[...slotsBy.values()].map((s) => s.length)));
  const rows = await aggregateByMunicipality(
    db,
    sharing.map((m) => m.id),
    { start: period.start, end: period.end },
    slotCount,
  );
  const sections: RegionSection[] = [];
  for (const [questionnaire, slots] of slotsBy) {
    const ofQ = sharing.map((m) => ({ m, row: rows.find((r) => r.municipalityId === m.id && r.questionnaire === questionnaire) }));
    if (!ofQ.some((x) => x.row)) continue;
    const hasGrade = Boolean(catalog.latest(questionnaire)?.meta.roles.grade);
    const totalRespondents = ofQ.reduce((a, x) => a + (x.row?.respondents ?? 0), 0);
    const respondents = suppressBreakdown(
      ofQ.map((x) => x.row?.respondents ?? 0),
      threshold,
      { total: totalRespondents },
    );
    const columns = slots.map((slot) => {
      const c = ofQ.map((x) => counts(slot, x.row));
      const total = c.reduce((a, x) => ({ valid: a.valid + x.valid, agree: a.agree + x.agree }), { valid: 0, agree: 0 });
      const totalHidden = respondents.total ?? suppressCount(total.valid, threshold);
      const cells = suppressBreakdown(
        c.map((x) => x.valid),
        threshold,
        { total: total.valid, forced: respondents.cells, totalHidden },
      ).cells;
      return { slot, c, cells, total, totalHidden };
    });
    const gradeColumn = hasGrade
      ? suppressBreakdown(
          ofQ.map((x) => x.row?.grade.n ?? 0),
          threshold,
          { forced: respondents.cells, totalHidden: respondents.total },
        )
      : undefined;
    const line = (i: number | "total"): RegionLine => {
      const exact = new Map<string, number | null>();
      const statements = columns.map((col) => {
        const value = i === "total" ? col.total : col.c[i]!;
        const hidden = i === "total" ? col.totalHidden : col.cells[i]!;
        const n = figure(value.valid, hidden);
        const pct = n.hidden === null && value.valid > 0 ? (value.agree / value.valid) * 100 : null;
        exact.set(col.slot.key, pct);
        return { key: col.slot.key, n, pct: pct === null ? null : round(pct) };
      });
      const grade = (() => {
        if (!gradeColumn) return null;
        const g = i === "total" ? ofQ.reduce((a, x) => ({ n: a.n + (x.row?.grade.n ?? 0), sum: a.sum + (x.row?.grade.sum ?? 0) }), { n: 0, sum: 0 }) : { n: ofQ[i]!.row?.grade.n ?? 0, sum: ofQ[i]!.row?.grade.sum ?? 0 };
        const hidden = i === "total" ? (gradeColumn.total ?? suppressCount(g.n, threshold)) : gradeColumn.cells[i]!;
        return hidden || g.n === 0 ? null : round(g.sum / g.n, 1);
      })();
      const m = i === "total" ? undefined : ofQ[i]!.m;
      return {
        name: m ? m.name : "Regio (alle gemeenten hierboven)",
        code: m ? m.code : "",
        respondents: i === "total" ? figure(totalRespondents, respondents.total ?? suppressCount(totalRespondents, threshold)) : figure(ofQ[i]!.row?.respondents ?? 0, respondents.cells[i]!),
        statements,
        themes: themePcts(slots, exact),
        grade,
      };
    };
    sections.push({
      id: questionnaire,
      label: QUESTIONNAIRE_LABELS[questionnaire] ?? questionnaire,
      statements: slots,
      themes: THEME_ORDER.filter((t) => slots.some((s) => s.kind === "agreement" && s.theme === t)).map((t) => t),
      hasGrade,
      lines: ofQ.map((_, i) => line(i)),
      total: line("total"),
    });
  }
  return {
    period: { key: period.key, label: periodLabel(period) },
    threshold,
    hiddenLabels: { small: hiddenLabel("small", threshold), complementary: hiddenLabel("complementary", threshold) },
    municipalities: sharing.length,
    sections,
  };
}

export { THEME_LABELS };

export type RegionActor = { userId: number };

export async function grantRegionReader(db: Db, email: string, actor: RegionActor): Promise<{ userId: number; name: string; email: string; added: boolean }> {
  const cleaned = email.trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+$/.test(cleaned)) throw badRequest("Vul het e-mailadres van een bestaande gebruiker in.", [{ field: "email", message: "Vul een geldig e-mailadres in." }]);
  const user = await findUserByEmail(db, cleaned);
  if (!user) throw badRequest("Er is geen gebruiker met dit e-mailadres. Maak eerst een account aan bij Alle gebruikers.", [{ field: "email", message: "Onbekende gebruiker." }]);
  const added = await insertRegionReader(db, user.id, actor.userId);
  return { userId: user.id, name: user.name, email: user.email, added };
}

export async function revokeRegionReader(db: Db, userId: number): Promise<void> {
  const user = await findUserById(db, userId);
  if (!user || !(await deleteRegionReader(db, userId))) throw notFound("Deze gebruiker heeft geen toegang tot de regiovergelijking.");
}

export { listRegionReaders };

/** The e-mail to a new region reader: where the comparison is (a link; nothing from it). */
export async function tellRegionReader(mailer: Mailer, config: Config, who: { email: string; name: string; grantedBy: string }): Promise<void> {
  const link = `${config.baseUrl.replace(/\/$/, "")}/staff/region`;
  const subject = "U heeft toegang tot de regiovergelijking in Luisterpost";
  const body = await renderMail("region-reader", { subject, name: who.name, grantedBy: who.grantedBy, link });
  await mailer.send({ to: who.email, subject, text: body.text, html: body.html, category: "region-reader" });
}
