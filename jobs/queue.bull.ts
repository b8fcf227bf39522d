// Bull driver: one Bull queue on Redis shared by every web and worker process. Bull is in maintenance mode;
// it stays behind the JobQueue interface so it can be replaced without touching the rest of the code.
import { createRequire } from "node:module";
import type BullModule from "bull";
import type { Redis as RedisClient, RedisOptions } from "ioredis";
import type { Logger } from "../server/logger.ts";
import {
  DEFAULT_ATTEMPTS,
  DEFAULT_BACKOFF,
  DEFAULT_TIME_ZONE,
  type JobHandler,
  type JobQueue,
} from "./queue.ts";

const QUEUE_NAME = "jobs";

// Bull and ioredis are loaded only by processes that use Redis: the default all-in-one process never needs them.
const requireLazily = createRequire(import.meta.url);
const loadBull = () => requireLazily("bull") as typeof BullModule;
const newRedis = (url: string, options: RedisOptions): RedisClient => {
  const { Redis } = requireLazily("ioredis") as typeof import("ioredis");
  return new Redis(url, options);
};
const CLOSE_TIMEOUT_MS = 30_000;
const ERROR_LOG_INTERVAL_MS = 10_000;

export class RedisUnavailableError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = "RedisUnavailableError";
  }
}

function describeRedis(url: string): string {
  try {
    const u = new URL(url);
    return `Redis op ${u.hostname}:${u.port || "6379"}`;
  } catch {
    return "Redis";
  }
}

function describeRedisError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code === "ECONNREFUSED") return "verbinding geweigerd (draait de server?)";
  if (e?.code === "ENOTFOUND" || e?.code === "EAI_AGAIN") return "servernaam niet gevonden";
  if (e?.code === "ETIMEDOUT" || /timeout|timed out/i.test(e?.message ?? "")) return "geen antwoord binnen de wachttijd";
  if (/NOAUTH|WRONGPASS|invalid password/i.test(e?.message ?? "")) return "inloggen geweigerd (wachtwoord klopt niet)";
  return (e?.message ?? String(err)).split("\n", 1)[0]!.slice(0, 200);
}

/** Connects once without retrying; throws RedisUnavailableError naming REDIS_URL and the cause. */
export async function assertRedisReachable(url: string, timeoutMs = 3_000): Promise<void> {
  const client = newRedis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // Without retries ioredis rejects connect() with "Connection is closed"; the real cause (refused, not
  // found, timed out) arrives as an error event first.
  let cause: unknown;
  client.on("error", (err) => {
    cause ??= err;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    cause ??= err;
    throw new RedisUnavailableError(`REDIS_URL: ${describeRedis(url)} is niet bereikbaar: ${describeRedisError(cause)}`, cause);
  } finally {
    client.disconnect();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createBullQueue(options: { redisUrl: string; logger: Logger; concurrency: number; prefix: string }): JobQueue {
  const { logger, concurrency } = options;
  const handlers = new Map<string, JobHandler>();
  const Bull = loadBull();
  const queue = new Bull(QUEUE_NAME, options.redisUrl, {
    prefix: options.prefix,
    // Finished jobs are removed so their id is free again (see AddOptions.jobId); outcomes are recorded
    // in the database by the handlers, failures are logged below.
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
    // A worker that dies mid-job holds the job's lock until it runs out; then a stalled-job check hands it
    // to another worker. Bull's defaults (30 s lock, checks every 30 s) can leave work idle for a minute.
    settings: { lockDuration: 15_000, lockRenewTime: 5_000, stalledInterval: 10_000 },
  });
  let started = false;
  let closing: Promise<void> | undefined;
  let lastErrorLog = 0;

  // While Redis is away Bull emits errors on every retry; log them, but not hundreds a minute.
  queue.on("error", (err) => {
    const now = Date.now();
    if (now - lastErrorLog < ERROR_LOG_INTERVAL_MS) return;
    lastErrorLog = now;
    logger.warn({ err: { name: (err as Error).name, message: describeRedisError(err) } }, "job queue: Redis error");
  });
  queue.on("failed", (job, err) => {
    const willRetry = job.attemptsMade < (job.opts.attempts ?? 1);
    const entry = { job: job.name, jobId: String(job.id), attempt: job.attemptsMade, err };
    if (willRetry) logger.warn(entry, "job failed, will retry");
    else logger.error(entry, "job failed, giving up");
  });

  return {
    driver: "bull",

    define(name, handler) {
      handlers.set(name, handler);
    },

    async add(name, data, opts = {}) {
      if (opts.jobId) {
        const existing = await queue.getJob(opts.jobId);
        if (existing) return { id: opts.jobId, added: false };
      }
      const job = await queue.add(name, data, {
        jobId: opts.jobId,
        delay: opts.delayMs && opts.delayMs > 0 ? opts.delayMs : undefined,
        attempts: Math.max(1, opts.attempts ?? DEFAULT_ATTEMPTS),
        backoff: { type: (opts.backoff ?? DEFAULT_BACKOFF).type, delay: (opts.backoff ?? DEFAULT_BACKOFF).delayMs },
      });
      return { id: String(job.id), added: true };
    },

    async schedule(name, cron, data = {}, opts = {}) {
      const tz = opts.tz ?? DEFAULT_TIME_ZONE;
      // Bull keys a repeatable job by name, id, cron and zone; a changed cron would otherwise run beside
      // the old one.
      for (const repeatable of await queue.getRepeatableJobs()) {
        if (repeatable.name === name && (repeatable.cron !== cron || repeatable.tz !== tz)) {
          await queue.removeRepeatableByKey(repeatable.key);
        }
      }
      await queue.add(name, data, { repeat: { cron, tz }, jobId: `repeat:${name}`, attempts: 1 });
    },

    async unschedule(name) {
      for (const repeatable of await queue.getRepeatableJobs()) {
        if (repeatable.name === name) await queue.removeRepeatableByKey(repeatable.key);
      }
    },

    async cancel(jobId) {
      const job = await queue.getJob(jobId);
      if (!job) return false;
      const state = await job.getState();
      if (state !== "waiting" && state !== "delayed" && state !== "paused") return false;
      await job.remove();
      return true;
    },

    async counts() {
      const c = await queue.getJobCounts();
      return { waiting: c.waiting + ((c as { paused?: number }).paused ?? 0), delayed: c.delayed, active: c.active };
    },

    async health() {
      if (closing) return { ok: false, error: "de wachtrij is gesloten" };
      try {
        // isReady() also covers a connection that is still being made at start-up; while Redis is away
        // the ping waits in ioredis's offline queue, so the timeout is what reports the outage.
        await withTimeout(
          queue.isReady().then(() => queue.client.ping()),
          1_500,
          "timeout",
        );
        return { ok: true };
      } catch (err) {
        const status = queue.client.status;
        const cause = status === "ready" ? describeRedisError(err) : `geen verbinding (${status})`;
        return { ok: false, error: `${describeRedis(options.redisUrl)}: ${cause}` };
      }
    },

    async start() {
      if (started) return;
      started = true;
      void queue.process("*", concurrency, async (job) => {
        const handler = handlers.get(job.name);
        if (!handler) throw new Error(`No handler for job "${job.name}"`);
        await handler(job.data, { id: String(job.id), name: job.name, attempt: job.attemptsMade + 1 });
      });
    },

    close() {
      // Bull's close() waits for running jobs; if Redis is gone it may never return, so it is bounded.
      closing ??= withTimeout(queue.close(), CLOSE_TIMEOUT_MS, "close timed out").catch(async (err) => {
        logger.warn({ err }, "job queue: closing without waiting for running jobs");
        await queue.close(true).catch(() => undefined);
      });
      return closing;
    },
  };
}
