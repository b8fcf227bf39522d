// Registers every job handler on the queue and installs the schedules. Handlers are plain functions of
// their data; this is the only place that connects them to the queue.
import type { Config } from "../server/config.ts";
import type { Db } from "../server/db.ts";
import type { Logger } from "../server/logger.ts";
import type { Mailer } from "../server/mail/mail.service.ts";
import type { RetryPolicy } from "../server/invitations/dispatch.service.ts";
import type { SmsSender } from "../server/sms/sms.service.ts";
import type { SurveyCatalog } from "../server/surveys/surveys.loader.ts";
import { dispatchJob } from "./dispatch.job.ts";
import { letterBatchesJob } from "./letter-batches.job.ts";
import { planInvitationsJob } from "./plan-invitations.job.ts";
import { purgeExpiredAuth } from "./purge-expired-auth.job.ts";
import { purgeImportRejections } from "./purge-import-rejections.job.ts";
import { purgeContactDataJob } from "./purge-contact-data.job.ts";
import { quarterlyReportsJob } from "./quarterly-reports.job.ts";
import type { JobQueue } from "./queue.ts";
import { SCHEDULES } from "./schedules.ts";

export type JobDeps = {
  db: Db;
  logger: Logger;
  config: Config;
  catalog: SurveyCatalog;
  mailer: Mailer;
  sms: SmsSender;
  /** Tests shorten the dispatchers' backoff and outage pause. */
  retry?: Partial<RetryPolicy>;
};

export function defineJobs(queue: JobQueue, deps: JobDeps): void {
  const { db, logger } = deps;
  queue.define("purge-expired-auth", async () => {
    const counts = await purgeExpiredAuth(db);
    logger.info({ job: "purge-expired-auth", ...counts }, "purged expired sessions, links and rate-limit windows");
  });
  queue.define("purge-import-rejections", async () => {
    const rows = await purgeImportRejections(db);
    logger.info({ job: "purge-import-rejections", rows }, "purged old rejected CSV rows");
  });
  queue.define("purge-contact-data", async () => {
    const counts = await purgeContactDataJob(db);
    // Counts only: never which clients (server/retention/).
    if (counts) logger.info({ job: "purge-contact-data", ...counts }, "purged contact data past its retention");
  });
  queue.define("plan-invitations", async () => {
    const counts = await planInvitationsJob(db, deps.catalog, queue);
    if (counts && (counts.invitations || counts.reminders || counts.expired || counts.released)) logger.info({ job: "plan-invitations", ...counts }, "planned invitations");
  });
  queue.define("dispatch", async (data, { id }) => {
    await dispatchJob(deps, queue, data, id);
  });
  queue.define("letter-batches", async () => {
    const counts = await letterBatchesJob(db, deps.config);
    if (counts) logger.info({ job: "letter-batches", ...counts }, "letter batches made");
  });
  queue.define("quarterly-reports", async () => {
    const counts = await quarterlyReportsJob(deps);
    if (counts && (counts.mailed || counts.failed)) logger.info({ job: "quarterly-reports", ...counts }, "quarterly report mails sent");
  });
}

/** Installs the schedules; safe to call from every worker (a schedule is identified by its name). */
export async function installSchedules(queue: JobQueue): Promise<void> {
  for (const schedule of SCHEDULES) await queue.schedule(schedule.name, schedule.cron);
}

/**
 * A process that starts taking jobs plans at once instead of waiting for the next minute: after a crash or
 * a lost queue, due work is derived from the database again straight away.
 */
export async function planOnStart(queue: JobQueue): Promise<void> {
  await queue.add("plan-invitations", {}, { jobId: "plan-invitations:start", attempts: 1 });
}

const SCHEDULE_CHECK_MS = 60_000;

/**
 * With Bull the schedules live in Redis: a flushed or replaced Redis loses them. Every worker puts them
 * back each minute (installing is idempotent), so the planner keeps running and re-derives the lost work.
 */
export function keepSchedules(queue: JobQueue, logger: Logger): () => void {
  if (queue.driver !== "bull") return () => undefined;
  const timer = setInterval(() => {
    installSchedules(queue).catch((err: unknown) => logger.warn({ err }, "could not check the job schedules"));
  }, SCHEDULE_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
