// /staff/m/:code/reports: a municipality's readers and administrators choose a period and filters, read the
// report, download it in every format (audited), and get the yearly export for the legal report; an
// administrator closes a period and sets the reports' options. /staff/region: the regional comparison.
import type { Request, Response, Router } from "express";
import { auditContext, recordAudit } from "../audit/audit.service.ts";
import { requirePlatformAdmin, requireRegionReader, requireRole } from "../auth/auth.middleware.ts";
import type { Db } from "../db.ts";
import { badRequest, HttpError } from "../errors.ts";
import { param } from "../middleware/params.ts";
import { readSettings, writeSettings } from "../settings/settings.service.ts";
import type { SurveyCatalog } from "../surveys/surveys.loader.ts";
import { hasEnded, lastEndedQuarter, parsePeriod, periodContaining, periodLabel, previousPeriod, recentPeriods, type Period } from "./period.ts";
import { FORMAT_LABELS, LAW_LABELS, MODE_LABELS, MODE_ORDER, THEME_LABELS } from "./reports.labels.ts";
import { filterQuery, LEGAL_FORMATS, parseFilters, parseFormat, parsePeriodOrThrow, REPORT_SETTINGS, FORMATS, type ReportFormat } from "./reports.schema.ts";
import { closeReportPeriod, legalExport, listClosedPeriods, reportFile, reportPage, type ReportMunicipality } from "./reports.service.ts";
import { isRegionReader } from "./region.queries.ts";
import { grantRegionReader, listRegionReaders, regionComparison, revokeRegionReader, tellRegionReader } from "./region.service.ts";
import type { Config } from "../config.ts";
import type { Mailer } from "../mail/mail.service.ts";

type Deps = { db: Db; catalog: SurveyCatalog; mailer: Mailer; config: Config };

const NOTICES: Record<string, string> = {
  afgesloten: "De periode is afgesloten. Dit rapport verandert niet meer; wat later binnenkomt, telt mee in de periode waarin het binnenkomt.",
  opgeslagen: "De instellingen zijn opgeslagen.",
};

function municipalityOf(req: Request): ReportMunicipality {
  return { id: req.tenant!.municipalityId, code: req.tenant!.code, name: req.tenant!.name };
}

function queryOf(req: Request): Record<string, unknown> {
  return (req.query ?? {}) as Record<string, unknown>;
}

function periodFrom(value: unknown, fallback: Period): Period {
  return value === undefined || value === "" ? fallback : parsePeriodOrThrow(value);
}

function attachment(res: Response, file: { content: Buffer; contentType: string; fileName: string }): void {
  res.set("Content-Type", file.contentType);
  res.set("Content-Disposition", `attachment; filename="${file.fileName}"`);
  res.send(file.content);
}

const checkbox = (value: unknown) => value === "on" || value === "ja" || value === "1" || value === "true";
const integer = (value: unknown) => (typeof value === "string" && /^\s*-?\d{1,6}\s*$/.test(value) ? Number(value) : Number.NaN);

export function registerReportRoutes(router: Router, { db, catalog, mailer, config }: Deps): void {
  const readers = requireRole("admin", "reader");
  const admins = requireRole("admin");

  router.get("/m/:code/reports", readers, async (req, res) => {
    const query = queryOf(req);
    const now = new Date();
    const period = periodFrom(query.periode, lastEndedQuarter(now));
    const filters = parseFilters(query);
    const page = await reportPage(db, catalog, municipalityOf(req), period, filters, now);
    const closed = await listClosedPeriods(db, req.tenant!.municipalityId);
    const known = recentPeriods(now);
    for (const c of closed) {
      const parsed = parsePeriod(c.period);
      if (parsed.ok && !known.some((p) => p.key === parsed.period.key)) known.push(parsed.period);
    }
    if (!known.some((p) => p.key === period.key)) known.unshift(period);
    const years = known.filter((p) => p.kind === "year");
    const selected = filterQuery(filters);
    const link = (path: string, extra: Record<string, string>) => `/staff/m/${req.tenant!.code}/reports${path}?${new URLSearchParams({ periode: period.key, ...selected, ...extra })}`;
    res.render("staff/municipality/reports", {
      title: `Rapport ${periodLabel(period)} – ${req.tenant!.name}`,
      page,
      period,
      periodText: periodLabel(period),
      periods: known.map((p) => ({ value: p.key, label: `${periodLabel(p)}${closed.some((c) => c.period === p.key) ? " (afgesloten)" : ""}` })),
      filters: selected,
      filterOptions: {
        wet: Object.entries(LAW_LABELS).map(([value, label]) => ({ value, label })),
        team: page.filterValues.team.map((v) => ({ value: v, label: v })),
        wijk: page.filterValues.area.map((v) => ({ value: v, label: v })),
        voorziening: page.filterValues.provision.map((v) => ({ value: v, label: v })),
        manier: MODE_ORDER.filter((m) => page.filterValues.mode.includes(m) || selected.manier === m).map((m) => ({ value: m, label: MODE_LABELS[m]! })),
      },
      downloads: FORMATS.map((format) => ({ format, label: FORMAT_LABELS[format]!, href: link("/download", { formaat: format }) })),
      legal: years.slice(0, 3).flatMap((y) => LEGAL_FORMATS.map((format) => ({ label: `${y.key} als ${format.toUpperCase()}`, href: `/staff/m/${req.tenant!.code}/reports/legal?${new URLSearchParams({ jaar: y.key, formaat: format })}` }))),
      canClose: req.tenant!.role === "admin" && hasEnded(period, now) && !page.closed,
      notEnded: !hasEnded(period, now),
      notice: NOTICES[String(query.melding ?? "")],
      filtered: Object.keys(selected).length > 0,
    });
  });

  router.get("/m/:code/reports/download", readers, async (req, res) => {
    const query = queryOf(req);
    const now = new Date();
    const period = periodFrom(query.periode, lastEndedQuarter(now));
    const format = parseFormat(query.formaat ?? "html") as ReportFormat;
    const filters = parseFilters(query);
    const file = await reportFile(db, catalog, municipalityOf(req), period, format, filters, now);
    await recordAudit(db, {
      action: "report.downloaded",
      municipalityId: req.tenant!.municipalityId,
      subjectType: "report",
      subjectId: period.key,
      details: { period: period.key, format, filters: filterQuery(filters), snapshot: file.fromSnapshot },
      ...auditContext(req),
    });
    attachment(res, file);
  });

  router.get("/m/:code/reports/legal", readers, async (req, res) => {
    const query = queryOf(req);
    const now = new Date();
    const defaultYear = previousPeriod(periodContaining("year", now));
    const year = periodFrom(query.jaar, defaultYear);
    if (year.kind !== "year") throw badRequest("De wettelijke rapportage gaat over een heel jaar: kies bijvoorbeeld 2026.", [{ field: "jaar", message: "Kies een jaar." }]);
    const format = parseFormat(query.formaat ?? "csv", LEGAL_FORMATS) as "csv" | "xlsx";
    const file = await legalExport(db, catalog, municipalityOf(req), year, format, now);
    await recordAudit(db, {
      action: "report.downloaded",
      municipalityId: req.tenant!.municipalityId,
      subjectType: "legal-report",
      subjectId: year.key,
      details: { period: year.key, format: `legal-${format}`, snapshot: file.fromSnapshot },
      ...auditContext(req),
    });
    attachment(res, file);
  });

  router.post("/m/:code/reports/close", admins, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.periode !== "string" || body.periode.trim() === "") throw badRequest("Kies de periode die u wilt afsluiten.", [{ field: "periode", message: "Kies een periode." }]);
    const period = parsePeriodOrThrow(body.periode);
    await closeReportPeriod(db, catalog, municipalityOf(req), period, req.staff!.user.id);
    await recordAudit(db, { action: "report.period_closed", municipalityId: req.tenant!.municipalityId, subjectType: "report", subjectId: period.key, ...auditContext(req) });
    res.redirect(303, `/staff/m/${req.tenant!.code}/reports?${new URLSearchParams({ periode: period.key, melding: "afgesloten" })}`);
  });

  const renderSettings = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const settings = await readSettings(db, req.tenant!.municipalityId, REPORT_SETTINGS);
    res.render("staff/municipality/reports-settings", { title: `Instellingen rapporten – ${req.tenant!.name}`, values: settings, errors: {}, ...extra });
  };

  router.get("/m/:code/reports/settings", admins, async (req, res) => {
    await renderSettings(req, res, { notice: NOTICES[String(queryOf(req).melding ?? "")] });
  });

  router.post("/m/:code/reports/settings", admins, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const input = { threshold: integer(body.threshold), shareRegionally: checkbox(body.shareRegionally), notifyDelayDays: integer(body.notifyDelayDays) };
    const saved = await writeSettings(db, req.tenant!.municipalityId, REPORT_SETTINGS, input, req.staff!.user.id);
    if (!saved.ok) {
      res.status(400);
      return renderSettings(req, res, {
        values: { threshold: body.threshold, shareRegionally: input.shareRegionally, notifyDelayDays: body.notifyDelayDays },
        errors: Object.fromEntries(saved.problems.map((p) => [p.field, p.message])),
      });
    }
    await recordAudit(db, { action: "report.settings_changed", municipalityId: req.tenant!.municipalityId, subjectType: "settings", subjectId: "reports", details: saved.value, ...auditContext(req) });
    res.redirect(303, `/staff/m/${req.tenant!.code}/reports/settings?melding=opgeslagen`);
  });

  // --- the regional comparison ------------------------------------------------------------------------------

  const regionAccess = requireRegionReader((userId) => isRegionReader(db, userId));

  router.get("/region", regionAccess, async (req, res) => {
    const query = queryOf(req);
    const now = new Date();
    const period = periodFrom(query.periode, lastEndedQuarter(now));
    if (period.start.getTime() > now.getTime()) throw badRequest(`De periode ${period.key} is nog niet begonnen.`, [{ field: "periode", message: "Deze periode is nog niet begonnen." }]);
    res.render("staff/region/index", {
      title: `Regiovergelijking ${periodLabel(period)}`,
      comparison: await regionComparison(db, catalog, period),
      period,
      periods: recentPeriods(now).map((p) => ({ value: p.key, label: periodLabel(p) })),
      themeLabels: THEME_LABELS,
    });
  });

  const renderReaders = async (res: Response, extra: Record<string, unknown> = {}) => {
    res.render("staff/region/readers", { title: "Regiolezers", readers: await listRegionReaders(db), values: {}, errors: {}, ...extra });
  };

  router.get("/region/readers", requirePlatformAdmin, async (req, res) => {
    const notices: Record<string, string> = {
      toegevoegd: "De gebruiker kan nu de regiovergelijking zien en heeft een e-mail met de link gekregen.",
      "toegevoegd-zonder-mail": "De gebruiker kan nu de regiovergelijking zien. De e-mail met de link kon niet worden verstuurd; geef de link zelf door: /staff/region.",
      al: "Deze gebruiker had al toegang tot de regiovergelijking.",
      ingetrokken: "De toegang tot de regiovergelijking is ingetrokken.",
    };
    await renderReaders(res, { notice: notices[String(queryOf(req).melding ?? "")] });
  });

  router.post("/region/readers", requirePlatformAdmin, async (req, res) => {
    const email = typeof (req.body as Record<string, unknown>)?.email === "string" ? String((req.body as Record<string, unknown>).email).slice(0, 320) : "";
    let granted;
    try {
      granted = await grantRegionReader(db, email, { userId: req.staff!.user.id });
    } catch (err) {
      if (!(err instanceof HttpError) || err.status >= 500) throw err;
      res.status(err.status);
      return renderReaders(res, { values: { email }, errors: { email: err.fields[0]?.message ?? err.message }, problem: err.message });
    }
    if (!granted.added) return res.redirect(303, "/staff/region/readers?melding=al");
    await recordAudit(db, { action: "region_reader.granted", subjectType: "user", subjectId: granted.userId, ...auditContext(req) });
    // The new region reader learns where to look; the access does not depend on the e-mail arriving.
    const mailed = await tellRegionReader(mailer, config, { email: granted.email, name: granted.name, grantedBy: req.staff!.user.name }).then(
      () => true,
      () => false,
    );
    res.redirect(303, `/staff/region/readers?melding=${mailed ? "toegevoegd" : "toegevoegd-zonder-mail"}`);
  });

  router.post("/region/readers/:userId/remove", requirePlatformAdmin, async (req, res) => {
    const id = Number(param(req, "userId"));
    if (!Number.isSafeInteger(id) || id <= 0) throw badRequest("Onbekende gebruiker.");
    await revokeRegionReader(db, id);
    await recordAudit(db, { action: "region_reader.revoked", subjectType: "user", subjectId: id, ...auditContext(req) });
    res.redirect(303, "/staff/region/readers?melding=ingetrokken");
  });
}

