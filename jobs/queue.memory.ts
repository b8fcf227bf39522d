// In-process driver: jobs live in this process's memory. Used by the all-in-one default (no REDIS_URL).
// Queued work does not survive a restart; the planner re-derives it from the database.
import cronParser from "cron-parser";
import type { Logger } from "../server/logger.ts";
import {
  backoffDelay,
  DEFAULT_ATTEMPTS,
  DEFAULT_BACKOFF,
  DEFAULT_TIME_ZONE,
  type AddOptions,
  type AddResult,
  type Backoff,
  type JobHandler,
  type JobQueue,
  type QueueCounts,
} from "./queue.ts";

type MemoryJob = {
  id: string;
  name: string;
  data: unknown;
  state: "waiting" | "delayed" | "active";
  attemptsMade: number;
  attempts: number;
  backoff: Backoff;
  timer: NodeJS.Timeout | undefined;
};

type Schedule = { cron: string; tz: string; data: unknown; timer: NodeJS.Timeout | undefined };

// setTimeout cannot wait longer than 2^31-1 ms (about 24 days); longer waits are taken in steps.
const MAX_TIMEOUT = 2 ** 31 - 1;

let sequence = 0;

export function createMemoryQueue(options: { logger: Logger; concurrency: number }): JobQueue {
  const { logger, concurrency } = options;
  const handlers = new Map<string, JobHandler>();
  const jobs = new Map<string, MemoryJob>();
  const waiting: MemoryJob[] = [];
  const running = new Set<Promise<void>>();
  const schedules = new Map<string, Schedule>();
  let started = false;
  let closed = false;

  function setLongTimeout(ms: number, fn: () => void): NodeJS.Timeout {
    if (ms <= MAX_TIMEOUT) return setTimeout(fn, Math.max(0, ms));
    return setTimeout(() => {
      const next = setLongTimeout(ms - MAX_TIMEOUT, fn);
      timers.set(fn, next);
    }, MAX_TIMEOUT);
  }
  // Long waits replace their timer; this keeps the current one per callback so it can be cleared.
  const timers = new Map<() => void, NodeJS.Timeout>();

  function makeWaiting(job: MemoryJob) {
    job.state = "waiting";
    job.timer = undefined;
    waiting.push(job);
    pump();
  }

  function delay(job: MemoryJob, ms: number) {
    job.state = "delayed";
    const fire = () => {
      timers.delete(fire);
      if (!closed) makeWaiting(job);
    };
    job.timer = setLongTimeout(ms, fire);
    timers.set(fire, job.timer);
  }

  function pump() {
    while (started && !closed && running.size < concurrency && waiting.length > 0) {
      const job = waiting.shift()!;
      const run = execute(job).finally(() => {
        running.delete(run);
        pump();
      });
      running.add(run);
    }
  }

  async function execute(job: MemoryJob) {
    job.state = "active";
    job.attemptsMade += 1;
    const handler = handlers.get(job.name);
    try {
      if (!handler) throw new Error(`No handler for job "${job.name}"`);
      await handler(job.data, { id: job.id, name: job.name, attempt: job.attemptsMade });
      jobs.delete(job.id);
    } catch (err) {
      if (job.attemptsMade < job.attempts && !closed) {
        logger.warn({ job: job.name, jobId: job.id, attempt: job.attemptsMade, err }, "job failed, will retry");
        delay(job, backoffDelay(job.backoff, job.attemptsMade));
      } else {
        logger.error({ job: job.name, jobId: job.id, attempt: job.attemptsMade, err }, "job failed, giving up");
        jobs.delete(job.id);
      }
    }
  }

  function enqueue(name: string, data: unknown, opts: AddOptions): AddResult {
    const id = opts.jobId ?? `${name}:${Date.now()}:${++sequence}`;
    if (closed) throw new Error("The queue is closed");
    if (jobs.has(id)) return { id, added: false };
    const job: MemoryJob = {
      id,
      name,
      data: structuredClone(data),
      state: "waiting",
      attemptsMade: 0,
      attempts: Math.max(1, opts.attempts ?? DEFAULT_ATTEMPTS),
      backoff: opts.backoff ?? DEFAULT_BACKOFF,
      timer: undefined,
    };
    jobs.set(id, job);
    if (opts.delayMs && opts.delayMs > 0) delay(job, opts.delayMs);
    else makeWaiting(job);
    return { id, added: true };
  }

  // `after` is the tick just fired: the next tick is strictly later. Node may fire a timer a millisecond
  // early, and asking cron for "the next tick after now" at that moment would return the same tick again.
  function planNext(name: string, schedule: Schedule, after = 0) {
    if (closed) return;
    const from = new Date(Math.max(Date.now(), after));
    const next = cronParser.parseExpression(schedule.cron, { tz: schedule.tz, currentDate: from }).next().getTime();
    const fire = () => {
      timers.delete(fire);
      if (closed || schedules.get(name) !== schedule) return;
      if (Date.now() < next) {
        // Early: wait out the rest rather than run the tick before its time.
        schedule.timer = setLongTimeout(next - Date.now(), fire);
        timers.set(fire, schedule.timer);
        return;
      }
      // One run per tick, like Bull's repeatable jobs: the id carries the tick's time.
      enqueue(name, schedule.data, { jobId: `repeat:${name}:${next}`, attempts: 1 });
      planNext(name, schedule, next);
    };
    schedule.timer = setLongTimeout(next - Date.now(), fire);
    timers.set(fire, schedule.timer);
  }

  function clearSchedule(name: string) {
    const existing = schedules.get(name);
    if (existing?.timer) clearTimeout(existing.timer);
    schedules.delete(name);
  }

  return {
    driver: "in-process",

    define(name, handler) {
      handlers.set(name, handler);
    },

    async add(name, data, opts = {}) {
      return enqueue(name, data, opts);
    },

    async schedule(name, cron, data = {}, opts = {}) {
      // Validate now, so a bad cron string fails the caller rather than a timer later.
      cronParser.parseExpression(cron, { tz: opts.tz ?? DEFAULT_TIME_ZONE });
      clearSchedule(name);
      const schedule: Schedule = { cron, tz: opts.tz ?? DEFAULT_TIME_ZONE, data, timer: undefined };
      schedules.set(name, schedule);
      planNext(name, schedule);
    },

    async unschedule(name) {
      clearSchedule(name);
    },

    async cancel(jobId) {
      const job = jobs.get(jobId);
      if (!job || job.state === "active") return false;
      if (job.timer) clearTimeout(job.timer);
      const index = waiting.indexOf(job);
      if (index >= 0) waiting.splice(index, 1);
      jobs.delete(jobId);
      return true;
    },

    async counts(): Promise<QueueCounts> {
      const counts: QueueCounts = { waiting: 0, delayed: 0, active: 0 };
      for (const job of jobs.values()) counts[job.state] += 1;
      return counts;
    },

    async health() {
      return closed ? { ok: false, error: "de wachtrij is gesloten" } : { ok: true };
    },

    async start() {
      started = true;
      pump();
    },

    async close() {
      if (closed) {
        await Promise.allSettled([...running]);
        return;
      }
      closed = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      for (const name of [...schedules.keys()]) clearSchedule(name);
      await Promise.allSettled([...running]);
      jobs.clear();
      waiting.length = 0;
    },
  };
}
