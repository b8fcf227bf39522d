// What /healthz reports: whether the database and the job queue answer.
import { pingDatabase, isPostgres, type Db } from "../db.ts";
import type { JobQueue, QueueCounts } from "../../jobs/queue.ts";

export type HealthReport = {
  status: "ok" | "unavailable";
  database: { status: "ok" | "unavailable"; dialect: "sqlite" | "postgres"; error?: string };
  queue: { status: "ok" | "unavailable"; driver: JobQueue["driver"]; counts?: QueueCounts; error?: string };
};

export async function checkHealth(db: Db, queue: JobQueue): Promise<HealthReport> {
  const [database, queueHealth] = await Promise.all([pingDatabase(db), queue.health()]);
  const dialect = isPostgres(db) ? "postgres" : "sqlite";
  const counts = queueHealth.ok ? await queue.counts().catch(() => undefined) : undefined;
  const report: HealthReport = {
    status: database.ok && queueHealth.ok ? "ok" : "unavailable",
    database: database.ok ? { status: "ok", dialect } : { status: "unavailable", dialect, error: database.error },
    queue: queueHealth.ok
      ? { status: "ok", driver: queue.driver, ...(counts ? { counts } : {}) }
      : { status: "unavailable", driver: queue.driver, error: queueHealth.error },
  };
  return report;
}
