// The project's own small job queue. Two drivers implement it: Bull on Redis when REDIS_URL is set, and an
// in-process driver otherwise. Nothing outside jobs/ imports Bull.
//
// The queue only carries work. The database is the source of truth: every job handler is idempotent, and
// when queued work is lost (Redis flushed, process killed) the planner re-derives it from the database.
import type { Logger } from "../server/logger.ts";
import { createBullQueue } from "./queue.bull.ts";
import { createMemoryQueue } from "./queue.memory.ts";

export type JobContext = { id: string; name: string; attempt: number };
export type JobHandler = (data: unknown, context: JobContext) => Promise<void>;

export type Backoff = { type: "exponential" | "fixed"; delayMs: number };

export type AddOptions = {
  /**
   * De-duplication: while a job with this id is waiting, delayed or running, adding it again does nothing.
   * Once it has finished (done or given up) the id is free again.
   */
  jobId?: string;
  delayMs?: number;
  /** Total tries, the first included. */
  attempts?: number;
  backoff?: Backoff;
};

export type AddResult = { id: string; added: boolean };

export type QueueCounts = { waiting: number; delayed: number; active: number };

export type QueueHealth = { ok: true } | { ok: false; error: string };

export interface JobQueue {
  readonly driver: "bull" | "in-process";
  /** Registers the handler for a job name; only processes that call start() run handlers. */
  define(name: string, handler: JobHandler): void;
  add(name: string, data: unknown, options?: AddOptions): Promise<AddResult>;
  /**
   * A repeatable job, identified by its name: scheduling it again (from this or another process) replaces
   * the schedule rather than adding a second one. Cron strings may have a seconds field.
   */
  schedule(name: string, cron: string, data?: unknown, options?: { tz?: string }): Promise<void>;
  unschedule(name: string): Promise<void>;
  /** Removes a waiting or delayed job; a running job cannot be cancelled. True when a job was removed. */
  cancel(jobId: string): Promise<boolean>;
  counts(): Promise<QueueCounts>;
  health(): Promise<QueueHealth>;
  /** Starts running the defined handlers (worker role). */
  start(): Promise<void>;
  /** Stops taking jobs, lets running jobs finish, and releases connections. */
  close(): Promise<void>;
}

export const DEFAULT_ATTEMPTS = 5;
export const DEFAULT_BACKOFF: Backoff = { type: "exponential", delayMs: 10_000 };
export const DEFAULT_TIME_ZONE = "Europe/Amsterdam";

/** The wait before try number `attempt + 1`, after `attempt` failed tries (attempt ≥ 1). */
export function backoffDelay(backoff: Backoff, attempt: number): number {
  return backoff.type === "fixed" ? backoff.delayMs : backoff.delayMs * 2 ** (attempt - 1);
}

export type QueueOptions = {
  redisUrl?: string | undefined;
  logger: Logger;
  /** Jobs run at the same time in this process. */
  concurrency?: number;
  /** Redis key prefix; tests use a unique one per run. */
  prefix?: string;
};

export function createQueue(options: QueueOptions): JobQueue {
  const concurrency = options.concurrency ?? 5;
  if (options.redisUrl) {
    return createBullQueue({ redisUrl: options.redisUrl, logger: options.logger, concurrency, prefix: options.prefix ?? "luisterpost" });
  }
  return createMemoryQueue({ logger: options.logger, concurrency });
}

export { assertRedisReachable, RedisUnavailableError } from "./queue.bull.ts";
