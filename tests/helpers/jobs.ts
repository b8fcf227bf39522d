// Everything a job handler needs, for tests that run jobs through a queue: outbox mail and SMS unless the
// test's environment points them at real (loopback) servers.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { JobDeps } from "../../jobs/index.ts";
import { loadConfig } from "../../server/config.ts";
import type { Db } from "../../server/db.ts";
import type { Logger } from "../../server/logger.ts";
import { createMailer } from "../../server/mail/mail.service.ts";
import { createSmsSender } from "../../server/sms/sms.service.ts";
import { loadSurveyCatalog } from "../../server/surveys/surveys.loader.ts";

export function makeJobDeps(db: Db, databaseUrl: string, logger: Logger, env: Record<string, string> = {}): JobDeps {
  const config = loadConfig({ NODE_ENV: "test", DATA_DIR: mkdtempSync(path.join(tmpdir(), "luisterpost-jobs-")), DATABASE_URL: databaseUrl, ...env });
  return { db, logger, config, catalog: loadSurveyCatalog(), mailer: createMailer({ config, db, logger }), sms: createSmsSender({ config, db, logger }) };
}
