// Starting and stopping a Luisterpost process: check the services, migrate, open the queue, listen, and on
// SIGTERM/SIGINT stop taking requests, let running jobs finish, and close the queue and the database.
import type { Server } from "node:http";
import { defineJobs, installSchedules, keepSchedules, planOnStart } from "../jobs/index.ts";
import { assertRedisReachable, createQueue, type JobQueue } from "../jobs/queue.ts";
import { createApp, VENDOR_FILES } from "./app.ts";
import { warmPrecompressed } from "./middleware/precompressed.ts";
import { loadConfig, type Config } from "./config.ts";
import { assertDatabaseReachable, createDb, migrateToLatest, waitForIdlePool, type Db } from "./db.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createMailer, type Mailer } from "./mail/mail.service.ts";
import { createSmsSender } from "./sms/sms.service.ts";
import { loadSurveyCatalog } from "./surveys/surveys.loader.ts";
import { createDemo, DemoAbortedError, describeDemo, isEmpty } from "./demo/demo.service.ts";

export type Role = "serve" | "web" | "worker";

export type Runtime = {
  config: Config;
  db: Db;
  queue: JobQueue;
  logger: Logger;
  server: Server | undefined;
  /** Work after start-up (the demo on a first start); shutdown waits for it. */
  afterStart(): Promise<void>;
  shutdown(reason: string): Promise<void>;
};

/** A start-up problem the operator must fix; shown as one message without a stack trace. */
export class StartupError extends Error {
  override name = "StartupError";
}

const SHUTDOWN_TIMEOUT_MS = 30_000;
/** How long requests in flight may take to finish when the process is asked to stop. */
const HTTP_GRACE_MS = 5_000;

/** Opens the database (checked, migrated) for commands that need nothing else. */
export async function openDatabase(config: Config): Promise<Db> {
  const db = createDb(config.database);
  try {
    await assertDatabaseReachable(db, config.database);
    return db;
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw err;
  }
}

function listen(app: ReturnType<typeof createApp>, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port);
    server.once("listening", () => resolve(server));
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") reject(new StartupError(`PORT: poort ${port} is al in gebruik door een ander programma`));
      else if (err.code === "EACCES") reject(new StartupError(`PORT: geen toestemming om poort ${port} te gebruiken`));
      else reject(err);
    });
  });
}

export async function startRuntime(role: Role, env: NodeJS.ProcessEnv = process.env): Promise<Runtime> {
  const config = loadConfig(env);
  if ((role === "web" || role === "worker") && !config.redisUrl) {
    throw new StartupError(
      `REDIS_URL: de rol "${role}" deelt het werk met andere processen via Redis. Zet REDIS_URL, of start alles in één proces met "luisterpost serve".`,
    );
  }
  const logger = createLogger(config);
  // Refuses to start, listing every problem, when a questionnaire definition is broken or the ten standard
  // Wmo questions were changed.
  const catalog = loadSurveyCatalog();
  const db = await openDatabase(config);
  let queue: JobQueue | undefined;
  let mailer: Mailer | undefined;
  try {
    if (config.redisUrl) await assertRedisReachable(config.redisUrl);
    const applied = await migrateToLatest(db);
    if (applied.length > 0) logger.info({ migrations: applied }, "database migrated");

    queue = createQueue({ redisUrl: config.redisUrl, logger });
    mailer = createMailer({ config, db, logger });
    let stopScheduleCheck = () => undefined as void;
    // The demo simulates its year with past moments: no job may run with today's clock until it is made.
    const demoFirst = role === "serve" && !config.isProduction && (await isEmpty(db));
    const jobs = queue;
    const startJobs = async () => {
      await jobs.start();
      await planOnStart(jobs);
    };
    if (role !== "web") {
      defineJobs(queue, { db, logger, config, catalog, mailer, sms: createSmsSender({ config, db, logger }) });
      await installSchedules(queue);
      stopScheduleCheck = keepSchedules(queue, logger);
      if (!demoFirst) await startJobs();
    }

    let server: Server | undefined;
    if (role !== "worker") {
      server = await listen(createApp({ config, db, queue, logger, mailer, catalog }), config.port);
      warmPrecompressed(Object.values(VENDOR_FILES));
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : config.port;
      logger.info({ role, port, database: config.database.client, queue: queue.driver }, `Luisterpost luistert op http://localhost:${port}`);

    } else {
      logger.info({ role, database: config.database.client, queue: queue.driver }, "Luisterpost worker draait");
    }
    // The first `npm start` outside production shows a filled platform instead of an empty one.
    const demoStop = new AbortController();
    const firstStart = async () => {
      if (!demoFirst) return;
      process.stderr.write("\nDe demo-gemeente Voorbeeldstad wordt gevuld met een verzonnen jaar; dat duurt minder dan een minuut…\n");
      try {
        process.stderr.write(`\n${describeDemo(await createDemo(db, config, catalog, new Date(), { signal: demoStop.signal }), config.baseUrl)}\n\n`);
      } catch (err) {
        if (!(err instanceof DemoAbortedError)) throw err;
        process.stderr.write("\nDe demo is afgebroken en maar half gevuld. Begin opnieuw met een lege database voor een volledige demo.\n");
      } finally {
        // Also after a failed demo the jobs run; only a shutdown leaves them stopped.
        if (!demoStop.signal.aborted) await startJobs();
      }
    };
    return makeRuntime(config, db, queue, mailer, logger, server, firstStart, stopScheduleCheck, () => demoStop.abort());
  } catch (err) {
    await queue?.close().catch(() => undefined);
    await mailer?.close().catch(() => undefined);
    await db.destroy().catch(() => undefined);
    throw err;
  }
}

function makeRuntime(
  config: Config,
  db: Db,
  queue: JobQueue,
  mailer: Mailer,
  logger: Logger,
  server: Server | undefined,
  firstStart: () => Promise<void>,
  stopScheduleCheck: () => void,
  stopFirstStart: () => void,
): Runtime {
  let stopping: Promise<void> | undefined;
  let started: Promise<void> | undefined;
  const runtime: Runtime = {
    config,
    db,
    queue,
    logger,
    server,
    afterStart() {
      started ??= firstStart().catch((err: unknown) => logger.error({ err }, "first-start work failed"));
      return started;
    },
    shutdown(reason) {
      stopping ??= (async () => {
        logger.info({ reason }, "shutting down");
        stopFirstStart();
        await started;
        stopScheduleCheck();
        const began = Date.now();
        let httpMs = 0;
        let queueMs = 0;
        const serverClosed = server
          ? new Promise<void>((resolve) => {
              // Stop accepting connections; requests in flight get a grace period to finish. Keep-alive
              // sockets close as soon as they are idle (a browser may hold one open, or a preconnected one
              // that never sends a request); after the grace period every remaining socket is closed.
              const idle = setInterval(() => server.closeIdleConnections(), 250);
              const force = setTimeout(() => server.closeAllConnections(), HTTP_GRACE_MS);
              server.close(() => {
                clearInterval(idle);
                clearTimeout(force);
                httpMs = Date.now() - began;
                resolve();
              });
              server.closeIdleConnections();
            })
          : Promise.resolve();
        await queue.close().then(() => (queueMs = Date.now() - began));
        await serverClosed;
        // Requests whose clients left still finish their database work (up to the grace period).
        const drained = await waitForIdlePool(db, HTTP_GRACE_MS);
        await mailer.close();
        await db.destroy();
        logger.info({ httpMs, queueMs, drained, totalMs: Date.now() - began }, "stopped");
      })();
      return stopping;
    },
  };
  return runtime;
}

/** Installs SIGTERM/SIGINT handlers that shut the runtime down and exit. */
export function exitOnSignals(runtime: Runtime): void {
  const onSignal = (signal: NodeJS.Signals) => {
    const force = setTimeout(() => {
      runtime.logger.error({ signal }, "shutdown took too long, exiting");
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    runtime
      .shutdown(signal)
      .then(() => runtime.logger.flush(() => process.exit(0)))
      .catch((err: unknown) => {
        runtime.logger.error({ err }, "shutdown failed");
        runtime.logger.flush(() => process.exit(1));
      });
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}
