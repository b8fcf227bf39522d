// Every morning: for the quarter that has ended, each municipality's readers get an e-mail with a link to its
// report (once per person and quarter). One process at a time, whichever queue driver runs it.
import type { Config } from "../server/config.ts";
import type { Db } from "../server/db.ts";
import type { Logger } from "../server/logger.ts";
import { withLease } from "../server/locks/locks.service.ts";
import type { Mailer } from "../server/mail/mail.service.ts";
import { notifyQuarterlyReports, type NotifyCounts } from "../server/reports/notify.service.ts";
import type { SurveyCatalog } from "../server/surveys/surveys.loader.ts";

export async function quarterlyReportsJob(
  deps: { db: Db; catalog: SurveyCatalog; mailer: Mailer; config: Config; logger: Logger },
  now = new Date(),
): Promise<NotifyCounts | undefined> {
  return withLease(deps.db, "quarterly-reports", 30 * 60_000, () => notifyQuarterlyReports(deps, now));
}
