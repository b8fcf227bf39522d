// Registers every job handler on the queue and installs the schedules. Handlers are plain functions of
// their data; this is the only place that connects them to the queue.
import type { Db } from "../server/db.ts";
import type { Logger } from "../server/logger.ts";
import { purgeExpiredAuth } from "./purge-expired-auth.job.ts";
import { purgeImportRejections } from "./purge-import-rejections.job.ts";
import type { JobQueue } from "./queue.ts";
import { SCHEDULES } from "./schedules.ts";

export type JobDeps = { db: Db; logger: Logger };

export function defineJobs(queue: JobQueue, { db, logger }: JobDeps): void {
  queue.define("purge-expired-auth", async () => {
    const counts = await purgeExpiredAuth(db);
    logger.info({ job: "purge-expired-auth", ...counts }, "purged expired sessions, links and rate-limit windows");
  });
  queue.define("purge-import-rejections", async () => {
    const rows = await purgeImportRejections(db);
    logger.info({ job: "purge-import-rejections", rows }, "purged old rejected CSV rows");
  });
}

/** Installs the schedules; safe to call from every worker (a schedule is identified by its name). */
export async function installSchedules(queue: JobQueue): Promise<void> {
  for (const schedule of SCHEDULES) await queue.schedule(schedule.name, schedule.cron);
}
