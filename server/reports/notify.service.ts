// When a quarter has ended, each municipality's readers and administrators get an e-mail that its report is
// ready: a link to the report in Luisterpost, never the report or any figure from it. Once per municipality,
// quarter and person, however often the job runs: a recipient is claimed in report_notifications before the
// message goes out (a failed send gives the claim back, so the next run retries).
import { listMembersOfMunicipality } from "../accounts/accounts.queries.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import type { Logger } from "../logger.ts";
import type { Mailer } from "../mail/mail.service.ts";
import { renderMail } from "../mail/mail.templates.ts";
import { listMunicipalities } from "../municipalities/municipalities.queries.ts";
import { readSettingsOfAll } from "../settings/settings.service.ts";
import type { SurveyCatalog } from "../surveys/surveys.loader.ts";
import { claimNotification, markNotificationSent, releaseNotification } from "./notify.queries.ts";
import { lastEndedQuarter, periodLabel, type Period } from "./period.ts";
import { hasActivity } from "./reports.queries.ts";
import { REPORT_SETTINGS } from "./reports.schema.ts";
import { buildReport } from "./reports.service.ts";

export type NotifyCounts = { quarter: string; municipalities: number; mailed: number; failed: number; waiting: number; empty: number };

const DAY = 86_400_000;

export function reportLink(config: Config, code: string, period: Period): string {
  return `${config.baseUrl.replace(/\/$/, "")}/staff/m/${code}/reports?periode=${period.key}`;
}

export async function notifyQuarterlyReports(
  deps: { db: Db; catalog: SurveyCatalog; mailer: Mailer; config: Config; logger: Logger },
  now = new Date(),
): Promise<NotifyCounts> {
  const { db, catalog, mailer, config, logger } = deps;
  const quarter = lastEndedQuarter(now);
  const settingsOf = await readSettingsOfAll(db, REPORT_SETTINGS);
  const counts: NotifyCounts = { quarter: quarter.key, municipalities: 0, mailed: 0, failed: 0, waiting: 0, empty: 0 };
  for (const municipality of await listMunicipalities(db)) {
    if (now.getTime() < quarter.end.getTime() + settingsOf(municipality.id).notifyDelayDays * DAY) {
      counts.waiting += 1;
      continue;
    }
    const recipients = (await listMembersOfMunicipality(db, municipality.id)).filter((m) => m.active && (m.role === "reader" || m.role === "admin"));
    if (recipients.length === 0) continue;
    // A quarter without any invitation or answer has nothing to read.
    if (!(await hasActivity(db, municipality.id, { start: quarter.start, end: quarter.end }))) {
      counts.empty += 1;
      continue;
    }
    // Built once before anyone is told it is ready: a report that cannot be built fails the job, and is retried.
    await buildReport(db, catalog, { id: municipality.id, code: municipality.code, name: municipality.name }, quarter, {}, { now });
    counts.municipalities += 1;
    const link = reportLink(config, municipality.code, quarter);
    const subject = `Het rapport over het ${periodLabel(quarter)} staat klaar`;
    const body = await renderMail("report-ready", { subject, municipalityName: municipality.name, periodText: periodLabel(quarter), link }, { cache: true });
    for (const recipient of recipients) {
      if (!(await claimNotification(db, municipality.id, quarter.key, recipient.userId, now))) continue;
      try {
        await mailer.send({ to: recipient.email, subject, text: body.text, html: body.html, category: "report-ready", municipalityId: municipality.id });
        await markNotificationSent(db, municipality.id, quarter.key, recipient.userId, new Date());
        counts.mailed += 1;
      } catch (err) {
        await releaseNotification(db, municipality.id, quarter.key, recipient.userId);
        counts.failed += 1;
        // The message of a MailSendError never names the recipient.
        logger.warn({ job: "quarterly-reports", municipalityId: municipality.id, period: quarter.key, err: (err as Error).message }, "report mail not sent; retried on the next run");
      }
    }
  }
  return counts;
}
