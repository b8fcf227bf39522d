// The app as the tests use it: createApp() on a real migrated database, with logs captured in memory so
// tests can check what was (and was not) logged.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import type { Express } from "express";
import { createQueue, type JobQueue } from "../../jobs/queue.ts";
import { createApp } from "../../server/app.ts";
import { loadConfig, type Config } from "../../server/config.ts";
import { createLogger, type Logger } from "../../server/logger.ts";
import { createMailer, type Mailer } from "../../server/mail/mail.service.ts";
import { loadSurveyCatalog, type SurveyCatalog } from "../../server/surveys/surveys.loader.ts";
import { createTestDatabase, type TestDatabase } from "./database.ts";

export type TestApp = {
  app: Express;
  config: Config;
  database: TestDatabase;
  queue: JobQueue;
  mailer: Mailer;
  catalog: SurveyCatalog;
  logger: Logger;
  /** Every log line written so far, parsed. */
  logs(): Array<Record<string, unknown>>;
  close(): Promise<void>;
};

export function captureLogger(config: Config, level: Config["logLevel"] = "debug"): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ ...config, logLevel: level }, sink), lines };
}

export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = loadConfig({ NODE_ENV: "test", DATA_DIR: mkdtempSync(path.join(tmpdir(), "luisterpost-data-")), DATABASE_URL: database.url, ...env });
  const { logger, lines } = captureLogger(config);
  const queue = createQueue({ logger });
  const mailer = createMailer({ config, db: database.db, logger });
  const catalog = loadSurveyCatalog();
  const app = createApp({ config, db: database.db, queue, logger, mailer, catalog });
  return {
    app,
    config,
    database,
    queue,
    mailer,
    catalog,
    logger,
    logs: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    async close() {
      await queue.close();
      await mailer.close();
      await database.destroy();
    },
  };
}
